package logtest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
)

func TestBufferConcurrentWrites(t *testing.T) {
	var b logtest.Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprintf(&b, "line %d\n", i)
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if n := strings.Count(b.String(), "\n"); n != 800 {
		t.Errorf("%d lines, want 800", n)
	}
}

func ExampleBuffer() {
	var b logtest.Buffer
	fmt.Fprintln(&b, `{"msg":"request"}`)
	fmt.Print(b.String())
	// Output: {"msg":"request"}
}
