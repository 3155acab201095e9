package runtimeapi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// Build builds the main packages pkgs (import paths, or paths relative to
// the current directory, which must lie inside their module) into dir for
// the host, so that the binaries run here, with the production build flags
// of the module's Makefile (see LambdaGoFlags). All are built by one go
// command, which shares its work and the build cache. It returns the
// binaries' paths, in the order of pkgs.
func Build(ctx context.Context, dir string, pkgs ...string) ([]string, error) {
	return BuildFor(ctx, dir, runtime.GOOS, runtime.GOARCH, pkgs...)
}

// BuildFor is Build for another operating system and architecture, such as
// linux/arm64, the functions' own.
func BuildFor(ctx context.Context, dir, goos, goarch string, pkgs ...string) ([]string, error) {
	flags, err := LambdaGoFlags(ctx)
	if err != nil {
		return nil, err
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOFLAGS="+flags)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("runtimeapi: go build: %w\n%s", err, out.Bytes())
	}
	paths := make([]string, len(pkgs))
	for i, pkg := range pkgs {
		name := path.Base(pkg)
		if goos == "windows" {
			name += ".exe"
		}
		paths[i] = filepath.Join(dir, name)
	}
	return paths, nil
}

// LambdaGoFlags returns the production build flags, as GOFLAGS, from their
// one source: `make print-lambda-goflags` in the root of the module that
// holds the current directory.
func LambdaGoFlags(ctx context.Context) (string, error) {
	gomod, err := exec.CommandContext(ctx, goCommand(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("runtimeapi: go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	if root == "." || root == string(filepath.Separator) {
		return "", fmt.Errorf("runtimeapi: the current directory %q is not inside a module", mustGetwd())
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "make", "-s", "--no-print-directory", "-C", root, "print-lambda-goflags")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("runtimeapi: make print-lambda-goflags: %w\n%s", err, stderr.Bytes())
	}
	flags := strings.TrimSpace(string(out))
	if flags == "" {
		return "", fmt.Errorf("runtimeapi: make print-lambda-goflags printed nothing")
	}
	return flags, nil
}

func mustGetwd() string {
	wd, _ := os.Getwd()
	return wd
}

// goCommand is the go command on PATH (go test puts its own first), else
// the one of the toolchain that built the running binary.
func goCommand() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	//lint:ignore SA1019 only a fallback, for a test binary run outside go test
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}
