package functions_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/generate"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// generatedTable matches a generated table in a hand-written page.
var generatedTable = regexp.MustCompile(`(?s)<!-- BEGIN GENERATED: [^>]*-->.*?<!-- END GENERATED: [^>]*-->`)

// TestNoVendorNameOutsideItsPackage holds the promise that a vendor is
// only its own package: no hand-written file outside pkg/<vendor>,
// functions/<vendor> and pkg/vendors names a vendor, so adding or removing
// one needs no edit anywhere else. Generated files, and the generated
// tables of hand-written pages, may name them all.
func TestNoVendorNameOutsideItsPackage(t *testing.T) {
	files, err := generate.Files(os.DirFS(".."), vendors.All())
	if err != nil {
		t.Fatal(err)
	}
	generated := map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".md") {
			generated[f.Path] = true
		}
	}
	own := map[string]bool{"pkg/vendors": true}
	for _, v := range vendors.All() {
		own["pkg/"+v.Name] = true
		own["functions/"+v.Name] = true
	}
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
		if d.IsDir() {
			if own[rel] || rel == ".git" || rel == "bin" || strings.HasSuffix(rel, "/testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if generated[rel] || !textFile(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := generatedTable.ReplaceAll(data, nil)
		for _, v := range vendors.All() {
			for i, line := range bytes.Split(text, []byte("\n")) {
				if nameIn(v.Name).Match(line) {
					t.Errorf("%s:%d names %s, which belongs in pkg/%s", rel, i+1, v.Name, v.Name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// nameIn matches a vendor's name where it starts a word, in any case:
// "acme", "Acme Chat", "AcmeFunction", "ACME_SECRET_ID", "pkg/acme", but
// not a name that ends another word ("cat" in "bobcat") or follows an
// underscore ("LOG_STREAM").
func nameIn(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^a-z0-9_])` + regexp.QuoteMeta(name))
}

// textFile reports whether the file at path is one of the repository's
// source, build or documentation files.
func textFile(path string) bool {
	switch filepath.Ext(path) {
	case ".go", ".md", ".yaml", ".yml", ".toml", ".json", ".tmpl", ".txt", ".mod":
		return true
	}
	return path == "Makefile" || path == ".ci/run" || path == ".gitignore"
}
