package copilot_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// TestClientIDRules: the client id is an identifier: any non-empty value
// without a colon or white space at either end, the client secret holding
// its dev-only value.
func TestClientIDRules(t *testing.T) {
	spec := copilot.Descriptor.Secret
	for id, ok := range map[string]bool{"a": true, "s3cr3t-client-1": true, "s3cr3t:1": false, " s3cr3t": false, "s3cr3t\n": false, "": false} {
		var m map[string]string
		if err := json.Unmarshal([]byte(dev.Secret(copilot.Descriptor.Name, spec)), &m); err != nil {
			t.Fatal(err)
		}
		m["client_id"] = id
		value, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		loader := &secrets.Loader{
			Getenv: func(name string) string {
				if name == spec.OverrideSetting() {
					return string(value)
				}
				return ""
			},
			Logger: slog.New(slog.DiscardHandler),
		}
		_, err = loader.Load(t.Context(), spec)
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("client_id %q: the error shows the value: %v", id, err)
		}
		if (err == nil) != ok {
			t.Errorf("client_id %q: Load = %v, want ok = %v", id, err, ok)
		}
	}
}
