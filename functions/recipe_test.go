package functions_test

import (
	"context"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestVendorRecipe holds docs/development.md's recipe true: a vendor is
// its package, its main and one line in pkg/vendors, and `make generate`
// does the rest. On a copy of the repository it removes the last vendor
// (its package, its main, its line) and then adds the vendor of
// functions/testdata/newvendor (its package, its main, one line), running
// the generator after each, and checks each time that everything vets,
// the generated files are fresh, the generated template names exactly
// the vendors listed (cfn-lint reads it, where installed), and the tests
// of the template, the generated files, the local server and the docs
// pass, with no other edit.
func TestVendorRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("vets and tests a copy of the repository twice")
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("needs git to list the repository's files")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	repo := t.TempDir()
	copyModule(ctx, t, gitPath, "..", repo)

	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	check := func(present, absent string) {
		t.Helper()
		run("go", "run", "./cmd/generate")
		run("go", "vet", "./...")
		run("go", "run", "./cmd/generate", "-check")
		tpl, err := os.ReadFile(filepath.Join(repo, "template.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if present != "" && !strings.Contains(string(tpl), "  "+present+":\n") {
			t.Errorf("the generated template.yaml has no %s", present)
		}
		if absent != "" && strings.Contains(string(tpl), absent) {
			t.Errorf("the generated template.yaml still names %s", absent)
		}
		if lint, err := exec.LookPath("cfn-lint"); err == nil {
			run(lint, "template.yaml")
		}
		run("go", "test", "-count=1", "-skip", "TestBootstraps|TestReproducibleBootstraps|TestVendorRecipe",
			"./functions/", "./pkg/generate/", "./pkg/localapi/", "./pkg/vendors/", "./docs/")
	}

	// Remove the last vendor: its package, its main, its line.
	all := vendors.All()
	gone := all[len(all)-1]
	for _, dir := range []string{"pkg/" + gone.Name, "functions/" + gone.Name} {
		if err := os.RemoveAll(filepath.Join(repo, dir)); err != nil {
			t.Fatal(err)
		}
	}
	editVendors(t, repo, func(lines []string) []string {
		var out []string
		own := regexp.MustCompile(`/pkg/` + gone.Name + `(/|")|\b` + gone.Name + `\.Descriptor\b`)
		for _, l := range lines {
			if !own.MatchString(l) {
				out = append(out, l)
			}
		}
		return out
	})
	check("", gone.LogicalID)

	// Add the new vendor: its package and main from testdata, one line.
	src := filepath.Join("testdata", "newvendor")
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(repo, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := filepath.Glob(filepath.Join(src, "pkg", "*"))
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("want one package in %s/pkg, found %v (%v)", src, pkgs, err)
	}
	added := filepath.Base(pkgs[0]) // named by its directory, so that no file here names it
	editVendors(t, repo, func(lines []string) []string {
		var out []string
		for _, l := range lines {
			switch strings.TrimSpace(l) {
			case `"github.com/vendortokens/vendor-token-functions/pkg/descriptor"`:
				out = append(out, l, "\t\"github.com/vendortokens/vendor-token-functions/pkg/"+added+"\"")
				continue
			case "var list = []entry{":
				out = append(out, l, "\t{Vendor: "+added+".Descriptor},")
				continue
			}
			out = append(out, l)
		}
		return out
	})
	check(strings.ToUpper(added[:1])+added[1:]+"Function", "")
	run("go", "test", "-count=1", "./pkg/"+added+"/")
}

// editVendors rewrites the copy's pkg/vendors/vendors.go line by line, and
// formats it as gofmt would.
func editVendors(t *testing.T, repo string, edit func([]string) []string) {
	t.Helper()
	path := filepath.Join(repo, "pkg", "vendors", "vendors.go")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Join(edit(strings.Split(string(b), "\n")), "\n")
	formatted, err := format.Source([]byte(edited))
	if err != nil {
		t.Fatalf("pkg/vendors/vendors.go after the edit: %v\n%s", err, edited)
	}
	if string(formatted) == string(b) {
		t.Fatal("the edit of pkg/vendors/vendors.go changed nothing")
	}
	if err := os.WriteFile(path, formatted, 0o644); err != nil {
		t.Fatal(err)
	}
}
