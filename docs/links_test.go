// Package docs_test checks the links between the project's Markdown
// pages: README.md, docs/ and each package's README.md.
package docs_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	link    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	notSlug = regexp.MustCompile(`[^a-z0-9 _-]`)
)

// pages are the Markdown files of the repository, from its root.
func pages(t *testing.T) []string {
	t.Helper()
	out := []string{"README.md"}
	for _, pattern := range []string{"docs/*.md", "pkg/*/README.md", "pkg/*/*/README.md"} {
		m, err := filepath.Glob(filepath.Join("..", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			out = append(out, strings.TrimPrefix(p, "../"))
		}
	}
	return out
}

// read returns a page's lines outside code blocks, and the anchors of its
// headings as GitHub makes them.
func read(t *testing.T, page string) (lines []string, anchors map[string]bool) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", page))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	anchors = map[string]bool{}
	fenced := false
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		lines = append(lines, line)
		if strings.HasPrefix(line, "#") {
			title := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
			anchors[strings.ReplaceAll(notSlug.ReplaceAllString(title, ""), " ", "-")] = true
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, anchors
}

// TestLinks: every link from one page to another, or to a heading, lands.
func TestLinks(t *testing.T) {
	all := pages(t)
	anchorsOf := map[string]map[string]bool{}
	linesOf := map[string][]string{}
	for _, p := range all {
		linesOf[p], anchorsOf[p] = read(t, p)
	}
	for _, p := range all {
		for _, line := range linesOf[p] {
			for _, m := range link.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				dest := p
				if file != "" {
					dest = filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(p), file)))
					if _, err := os.Stat(filepath.Join("..", dest)); err != nil {
						t.Errorf("%s: link to %s: no such file", p, target)
						continue
					}
				}
				if anchor == "" {
					continue
				}
				anchors, ok := anchorsOf[dest]
				if !ok {
					_, anchors = read(t, dest)
				}
				if !anchors[anchor] {
					t.Errorf("%s: link to %s: %s has no heading #%s", p, target, dest, anchor)
				}
			}
		}
	}
}

// readAll returns a page's whole text, code blocks included.
func readAll(t *testing.T, page string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", page))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
