package session_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

func TestCheckHS256Key(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{strings.Repeat("k", session.MinHS256KeyLen), true},
		{strings.Repeat("k", session.MinHS256KeyLen+32), true},
		{strings.Repeat("k", session.MinHS256KeyLen-1), false},
		{"", false},
	} {
		err := session.CheckHS256Key([]byte(tc.key))
		if (err == nil) != tc.ok {
			t.Errorf("CheckHS256Key(%d bytes) = %v, want ok = %v", len(tc.key), err, tc.ok)
		}
		if err != nil && tc.key != "" && strings.Contains(err.Error(), tc.key) {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
}

// A key read again from its secret is checked before it replaces the one
// in use.
func ExampleCheckHS256Key() {
	fmt.Println(session.CheckHS256Key([]byte("short-but-secret")))
	fmt.Println(session.CheckHS256Key([]byte("a-signing-key-of-32-bytes-or-more")))
	// Output:
	// session: the HS256 key is shorter than 32 bytes
	// <nil>
}
