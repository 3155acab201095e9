package loopback_test

import (
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
)

func ExampleIsHostPort() {
	for _, host := range []string{"localhost:3000", "[::1]:3000", "127.0.0.1.evil.example"} {
		fmt.Println(host, loopback.IsHostPort(host))
	}
	// Output:
	// localhost:3000 true
	// [::1]:3000 true
	// 127.0.0.1.evil.example false
}
