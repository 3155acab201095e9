package secrets_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// TestParse: Parse sees a value as Load does, whose JSON keys match
// exactly and whose last duplicate wins, so that a caller checking a
// value cannot be fooled by keys that encoding/json's struct decoding
// would match differently.
func TestParse(t *testing.T) {
	t.Parallel()
	spec := secrets.Spec{Setting: "SESSION_SECRET_ID", Keys: []string{"signing_key"}}
	for _, tt := range []struct {
		name, raw string
		want      string // the value of signing_key; "" when refused
		err       error
	}{
		{"plain", `{"signing_key":"k1"}`, "k1", nil},
		{"case-variant key beside it", `{"signing_key":"k1","SIGNING_KEY":"k2"}`, "k1", nil},
		{"case-variant key before it", `{"Signing_Key":"k2","signing_key":"k1"}`, "k1", nil},
		{"case-variant key alone", `{"SIGNING_KEY":"k2"}`, "", secrets.ErrMissingKey},
		{"duplicate key, the last wins", `{"signing_key":"k2","signing_key":"k1"}`, "k1", nil},
		{"duplicate key, the last empty", `{"signing_key":"k1","signing_key":""}`, "", secrets.ErrMissingKey},
		{"not an object", `["k1"]`, "", secrets.ErrMalformed},
		{"not a string", `{"signing_key":1}`, "", secrets.ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			values, err := secrets.Parse("SESSION_SECRET_JSON", spec, []byte(tt.raw))
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), "SESSION_SECRET_JSON") {
					t.Fatalf("err = %v, want %v naming SESSION_SECRET_JSON", err, tt.err)
				}
				if strings.Contains(err.Error(), "k1") || strings.Contains(err.Error(), "k2") {
					t.Errorf("the error holds a value: %v", err)
				}
				return
			}
			if err != nil || string(values["signing_key"]) != tt.want {
				t.Errorf("signing_key = %q, %v; want %q", values["signing_key"], err, tt.want)
			}
		})
	}
}
