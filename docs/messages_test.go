package docs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// exampleMessage finds the message of an error body shown in the docs:
// "message": "..." inside {"error": {...}}.
var exampleMessage = regexp.MustCompile(`"error":\s*\{[^}]*"message":\s*"((?:[^"\\]|\\.)*)"`)

// sentMessages are the messages the code can send in an error body: the
// strings given to apierror.New, and each Kind's default, read from the
// source. A format string's verbs (%d, %s, ...) match any text.
func sentMessages(t *testing.T) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	add := func(lit *ast.BasicLit) {
		if lit == nil || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return
		}
		parts := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`).Split(s, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		out = append(out, regexp.MustCompile(`^`+strings.Join(parts, `.+`)+`$`))
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir("../pkg", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && x.Name == "apierror" {
						name = fn.Sel.Name
					}
				case *ast.Ident:
					if f.Name.Name == "apierror" {
						name = fn.Name
					}
				}
				if name == "New" && len(n.Args) == 2 {
					switch arg := n.Args[1].(type) {
					case *ast.BasicLit:
						add(arg)
					case *ast.CallExpr: // fmt.Sprintf("...", ...)
						if len(arg.Args) > 0 {
							lit, _ := arg.Args[0].(*ast.BasicLit)
							add(lit)
						}
					}
				}
			case *ast.CompositeLit: // apierror's Kinds: {status, code, message}
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Kind" && f.Name.Name == "apierror" && len(n.Elts) == 3 {
					lit, _ := n.Elts[2].(*ast.BasicLit)
					add(lit)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("found no message in the source")
	}
	return out
}

// TestExampleMessagesAreSent: every error body the docs show carries a
// message that the code sends.
func TestExampleMessagesAreSent(t *testing.T) {
	sent := sentMessages(t)
	n := 0
	for _, page := range pages(t) {
		for _, m := range exampleMessage.FindAllStringSubmatch(readAll(t, page), -1) {
			n++
			msg, err := strconv.Unquote(`"` + m[1] + `"`)
			if err != nil {
				t.Errorf("%s: example message %q does not unquote: %v", page, m[1], err)
				continue
			}
			found := false
			for _, re := range sent {
				found = found || re.MatchString(msg)
			}
			if !found {
				t.Errorf("%s: the example message %q is not one the code sends", page, msg)
			}
		}
	}
	if n == 0 {
		t.Error("no example error body found in the docs")
	}
}
