package copilot

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

func TestCheckCredentials(t *testing.T) {
	tests := []struct {
		name  string
		creds secrets.Values
		ok    bool
	}{
		{"both", original, true},
		{"no client_id", secrets.Values{"client_secret": []byte(clientSecret)}, false},
		{"no client_secret", secrets.Values{"client_id": []byte(clientID)}, false},
		{"colon in client_id", secrets.Values{"client_id": []byte("a:b"), "client_secret": []byte(clientSecret)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCredentials(tt.creds)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckCredentials = %v, want ok = %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrCredentials) {
				t.Errorf("error %v is not ErrCredentials", err)
			}
			assertNoSecrets(t, fmt.Sprint(err))
		})
	}
}
