// Command generate writes the files derived from the vendor descriptors
// (package generate) into the repository it is run in: `make generate`.
// It removes the generated files of a vendor that is gone. With -check it
// writes and removes nothing, lists the generated files that differ from
// what it would write or that it would remove, and fails if there is any:
// `make lint`.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vendortokens/vendor-token-functions/pkg/generate"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

func main() {
	check := flag.Bool("check", false, "write nothing; fail if a generated file is stale")
	flag.Parse()
	files, err := generate.Files(os.DirFS("."), vendors.All())
	if err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
	stale := 0
	for _, f := range files {
		old, err := os.ReadFile(f.Path)
		if err == nil && bytes.Equal(old, f.Content) {
			continue
		}
		if *check {
			fmt.Fprintf(os.Stderr, "generate: %s is stale; run make generate\n", f.Path)
			stale++
			continue
		}
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(f.Path, f.Content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", f.Path)
	}
	obsolete, err := generate.Obsolete(os.DirFS("."), files)
	if err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
	for _, path := range obsolete {
		if *check {
			fmt.Fprintf(os.Stderr, "generate: %s belongs to no vendor; run make generate\n", path)
			stale++
			continue
		}
		if err := os.Remove(path); err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			os.Exit(1)
		}
		fmt.Println("removed", path)
	}
	if stale > 0 {
		os.Exit(1)
	}
}
