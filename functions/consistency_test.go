package functions_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestVendorsAreConsistent checks each descriptor against the conventions
// the Makefile relies on, and for what the generator makes the docs and
// the template from.
func TestVendorsAreConsistent(t *testing.T) {
	names := map[string]bool{}
	for _, v := range vendors.All() {
		if names[v.Name] {
			t.Errorf("vendor %q is listed twice", v.Name)
		}
		names[v.Name] = true
		if v.Name == "" || v.Name != strings.ToLower(v.Name) {
			t.Errorf("vendor name %q: want a lower-case name", v.Name)
			continue
		}
		if want := strings.ToUpper(v.Name[:1]) + v.Name[1:] + "Function"; v.LogicalID != want {
			t.Errorf("%s: LogicalID %q, want %q (the Makefile's build-<LogicalId> derives the vendor from it)", v.Name, v.LogicalID, want)
		}
		if _, err := os.Stat(filepath.Join(v.Name, "main.go")); err != nil {
			t.Errorf("%s: no functions/%s/main.go", v.Name, v.Name)
		}
		if len(v.Routes) == 0 || v.Configure == nil || v.Secret.Setting == "" {
			t.Errorf("%s: the descriptor lacks routes, Configure or its secret", v.Name)
		}
		if v.Title == "" || v.Summary == "" || v.Response == "" || len(v.Docs) == 0 || v.Secret.Description == "" {
			t.Errorf("%s: the descriptor lacks its title, summary, response, cited docs or secret description, which the docs and template are made from", v.Name)
		}
		for _, r := range v.Routes {
			if !strings.HasPrefix(r.Path, "/"+v.Name+"/") {
				t.Errorf("%s: route %s is not under /%s/", v.Name, r.Key(), v.Name)
			}
		}
		for _, s := range v.Settings {
			if !strings.HasPrefix(s.Name, strings.ToUpper(v.Name)+"_") || s.Description == "" {
				t.Errorf("%s: setting %q needs the vendor's prefix and a description", v.Name, s.Name)
			}
			if s.Required && (s.Example == "" || s.Default != "") {
				t.Errorf("%s: required setting %s needs an example and no default", v.Name, s.Name)
			}
			if s.IsDuration() {
				d, err := time.ParseDuration(s.Default)
				if err != nil || d < s.Min || d > s.Max {
					t.Errorf("%s: %s's default %q is not a duration within %s", v.Name, s.Name, s.Default, s.Bounds())
				}
			}
			if len(s.Values) > 0 && !slices.Contains(s.Values, s.Default) {
				t.Errorf("%s: %s's default %q is not one of its values", v.Name, s.Name, s.Default)
			}
		}
	}
}

// TestMakefileBuildsTheVendors: `make build` builds every vendor's
// bootstrap, and `sam build`'s build-<LogicalId> builds its own.
func TestMakefileBuildsTheVendors(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dryRun := func(args ...string) string {
		t.Helper()
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "make", append([]string{"-s", "--no-print-directory", "-n", "-C", ".."}, args...)...)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return string(out)
	}
	pkgOf := regexp.MustCompile(`go build .*\./functions/([a-z0-9]+)\s*$`)
	var built []string
	for line := range strings.Lines(dryRun("build")) {
		if m := pkgOf.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			built = append(built, m[1])
		}
	}
	var want []string
	for _, v := range vendors.All() {
		want = append(want, v.Name)
		out := dryRun("build-"+v.LogicalID, "ARTIFACTS_DIR=/artifacts")
		if !strings.Contains(out, "-o /artifacts/bootstrap ./functions/"+v.Name+"\n") {
			t.Errorf("make build-%s does not build ./functions/%s into $ARTIFACTS_DIR/bootstrap:\n%s", v.LogicalID, v.Name, out)
		}
	}
	slices.Sort(want)
	if slices.Sort(built); !slices.Equal(built, want) {
		t.Errorf("make build builds %v, want %v", built, want)
	}
}

// TestBootstrapsLinkOnlyTheirVendor: a vendor's bootstrap imports no other
// vendor's package, so a change to one vendor leaves the others' binaries
// as they are.
func TestBootstrapsLinkOnlyTheirVendor(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	const module = "github.com/vendortokens/vendor-token-functions/pkg/"
	for _, v := range vendors.All() {
		out, err := exec.CommandContext(ctx, "go", "list", "-deps", "./"+v.Name).Output()
		if err != nil {
			t.Fatalf("go list -deps ./functions/%s: %v", v.Name, err)
		}
		deps := strings.Fields(string(out))
		for _, other := range vendors.All() {
			linked := slices.ContainsFunc(deps, func(d string) bool {
				return d == module+other.Name || strings.HasPrefix(d, module+other.Name+"/")
			})
			if want := other.Name == v.Name; linked != want {
				t.Errorf("functions/%s links pkg/%s: %v, want %v", v.Name, other.Name, linked, want)
			}
		}
		if slices.Contains(deps, module+"vendors") {
			t.Errorf("functions/%s links pkg/vendors, the list of all vendors", v.Name)
		}
	}
}
