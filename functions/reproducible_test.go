package functions_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/runtimeapi"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestReproducibleBootstraps: a commit that touches one vendor's package
// changes that vendor's bootstrap and no other, so that a deploy publishes
// a new version (AutoPublishAlias) of that function alone. It copies the
// module into a fresh git repository, so that the go command would stamp
// the commit into every binary if the Makefile's flags let it, builds
// every bootstrap for linux/arm64 with those flags, commits a change to
// the package of the first vendor (vendors.All), builds again, and
// compares.
func TestReproducibleBootstraps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every bootstrap twice")
	}
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("needs git")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	flags, err := runtimeapi.LambdaGoFlags(ctx)
	if err != nil {
		t.Fatal(err)
	}

	repo := t.TempDir()
	copyModule(ctx, t, gitPath, "..", repo)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, gitPath, append([]string{
			"-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null",
		}, args...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "the module as it is")

	mains, err := filepath.Glob(filepath.Join(repo, "functions", "*", "main.go"))
	if err != nil || len(mains) == 0 {
		t.Fatalf("no functions/*/main.go in the copy: %v", err)
	}
	var pkgs []string
	for _, m := range mains {
		pkgs = append(pkgs, "./functions/"+filepath.Base(filepath.Dir(m)))
	}
	build := func(out string) map[string][sha256.Size]byte {
		t.Helper()
		cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", out + string(filepath.Separator)}, pkgs...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "GOFLAGS="+flags, "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		sums := map[string][sha256.Size]byte{}
		for _, pkg := range pkgs {
			name := filepath.Base(pkg)
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			sums[name] = sha256.Sum256(b)
		}
		return sums
	}
	before := build(t.TempDir())

	// A comment at the top of each of the package's own files moves the
	// lines below it, and so the line table of the vendor's function: a
	// change in that package alone.
	changed := vendors.All()[0].Name
	srcs, err := filepath.Glob(filepath.Join(repo, "pkg", changed, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	clause := []byte("package " + changed + "\n")
	edited := 0
	for _, src := range srcs {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		code, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(code, clause) {
			continue // a file that starts with its own comment
		}
		code = append(append(clause, "\n// A comment that moves every line below it.\n"...), code[len(clause):]...)
		if err := os.WriteFile(src, code, 0o644); err != nil {
			t.Fatal(err)
		}
		edited++
	}
	if edited == 0 {
		t.Fatalf("no file of pkg/%s starts with %q", changed, clause)
	}
	git("commit", "-q", "-a", "-m", "a comment in pkg/"+changed)
	after := build(t.TempDir())

	if _, ok := before[changed]; !ok {
		t.Fatalf("no functions/%s", changed)
	}
	for name := range before {
		switch differs := before[name] != after[name]; {
		case name == changed && !differs:
			t.Errorf("functions/%s: the bootstrap did not change with its package", name)
		case name != changed && differs:
			t.Errorf("functions/%s: the bootstrap changed with a commit to pkg/%s only (are the builds stamped with VCS information? LAMBDA_GOFLAGS: %s)", name, changed, flags)
		}
	}
}

// copyModule copies the module's files at root, those git tracks and the
// new ones it does not ignore, into dir.
func copyModule(ctx context.Context, t *testing.T, gitPath, root, dir string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, gitPath, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	n := 0
	for name := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("git ls-files listed no file")
	}
}
