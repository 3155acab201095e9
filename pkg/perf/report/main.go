// Command report reads the output of the perf benchmarks (`go test -bench`,
// on stdin or from the files named as arguments) and prints the
// performance table of `make bench`: each function's warm handler path
// against its cryptography floor, its cold start and linux/arm64 size
// against the yardstick's, its peak memory, and the first request after a
// cold start in upstream round trips. It exits with status 1 when
// a budget is missed, 2 when the input cannot be read.
//
//	go run ./pkg/perf/report bench.txt
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/vendortokens/vendor-token-functions/pkg/perf"
)

func main() {
	in := io.Reader(os.Stdin)
	if len(os.Args) > 1 {
		var readers []io.Reader
		for _, name := range os.Args[1:] {
			f, err := os.Open(name)
			if err != nil {
				fail(err)
			}
			defer f.Close()
			readers = append(readers, f)
		}
		in = io.MultiReader(readers...)
	}
	results, err := perf.Parse(in)
	if err != nil {
		fail(err)
	}
	rows := results.Rows()
	if len(rows) == 0 {
		fail(fmt.Errorf("no perf benchmark results in the input"))
	}
	misses, err := perf.WriteReport(os.Stdout, rows)
	if err != nil {
		fail(err)
	}
	if len(misses) > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(2)
}
