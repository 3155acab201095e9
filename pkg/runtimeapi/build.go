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
)

// Build builds the main packages pkgs (import paths, or paths relative to
// the current directory, which must lie inside their module) into dir, as
// the Makefile builds a bootstrap but for the host, so that the binaries
// run here: CGO_ENABLED=0, -tags lambda.norpc, -trimpath. All are built by
// one go command, which shares its work and the build cache. It returns
// the binaries' paths, in the order of pkgs.
func Build(ctx context.Context, dir string, pkgs ...string) ([]string, error) {
	args := append([]string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", dir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("runtimeapi: go build: %w\n%s", err, out.Bytes())
	}
	paths := make([]string, len(pkgs))
	for i, pkg := range pkgs {
		name := path.Base(pkg)
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		paths[i] = filepath.Join(dir, name)
	}
	return paths, nil
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
