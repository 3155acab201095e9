package copilot

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// responseSeeds are success bodies worth parsing: the fuzz seed corpus and
// the table below share them.
var responseSeeds = []struct {
	name    string
	body    string
	key     string
	wantErr error
}{
	{"valid", `{"auth_key": "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4i"}`, "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4i", nil},
	{"extra fields", `{"auth_key": "k", "expires_in": 3600, "user": {"id": 1}}`, "k", nil},
	{"escaped", `{"auth_key": "a\u002fb\"c"}`, `a/b"c`, nil},
	{"surrounding space", " \n{\"auth_key\":\"k\"}\n", "k", nil},
	{"duplicate key, last wins", `{"auth_key": "a", "auth_key": "b"}`, "b", nil},
	{"empty", ``, "", errNotJSON},
	{"whitespace", "  \n", "", errNotJSON},
	{"null", `null`, "", errNotJSON},
	{"not JSON", `<html>502 Bad Gateway</html>`, "", errNotJSON},
	{"truncated", `{"auth_key": "k`, "", errNotJSON},
	{"trailing data", `{"auth_key": "k"} {"auth_key": "j"}`, "", errNotJSON},
	{"array", `[{"auth_key": "k"}]`, "", errNotJSON},
	{"string", `"k"`, "", errNotJSON},
	{"number", `42`, "", errNotJSON},
	{"empty object", `{}`, "", errNoAuthKey},
	{"other case", `{"AUTH_KEY": "k", "authKey": "k"}`, "", errNoAuthKey},
	{"auth_key null", `{"auth_key": null}`, "", errNoAuthKey},
	{"auth_key empty", `{"auth_key": ""}`, "", errNoAuthKey},
	{"auth_key blank", `{"auth_key": " \t"}`, "", errNoAuthKey},
	{"auth_key number", `{"auth_key": 123}`, "", errKeyType},
	{"auth_key bool", `{"auth_key": true}`, "", errKeyType},
	{"auth_key array", `{"auth_key": ["k"]}`, "", errKeyType},
	{"auth_key nested", `{"auth_key": {"auth_key": "k"}}`, "", errKeyType},
	{"nested too deep", `{"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "", errNotJSON},
	{"huge", `{"auth_key": "k", "pad": "` + strings.Repeat("x", maxResponseBody) + `"}`, "", errTooLarge},
}

func TestParseResponse(t *testing.T) {
	for _, tt := range responseSeeds {
		t.Run(tt.name, func(t *testing.T) {
			key, err := parseResponse([]byte(tt.body))
			if key != tt.key || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("parseResponse = %q, %v; want %q, %v", key, err, tt.key, tt.wantErr)
			}
		})
	}
}

func TestParseReason(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"reason": "AUTH.UNAUTHORIZED"}`, "AUTH.UNAUTHORIZED"},
		{`{"reason": "rate_limit-1", "message": "slow down"}`, "rate_limit-1"},
		{`{"reason": "` + strings.Repeat("A", maxReasonLen) + `"}`, strings.Repeat("A", maxReasonLen)},
		{`{"reason": "` + strings.Repeat("A", maxReasonLen+1) + `"}`, ""},
		{`{"reason": "bad client_secret k9H2Nd3"}`, ""},
		{`{"reason": "AUTH\nFORGED=1"}`, ""},
		{`{"reason": "ÄUTH"}`, ""},
		{`{"reason": ""}`, ""},
		{`{"reason": 401}`, ""},
		{`{"reason": {"code": "X"}}`, ""},
		{`{"Reason": "X"}`, ""},
		{`{}`, ""},
		{`[]`, ""},
		{`Unauthorized`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := parseReason([]byte(tt.body)); got != tt.want {
			t.Errorf("parseReason(%.40q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// FuzzParseResponse checks that parsing any upstream body neither panics
// nor accepts something other than a non-blank auth_key string, and that
// a reason is always a short code.
func FuzzParseResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s.body))
	}
	f.Add([]byte(`{"reason": "AUTH.UNAUTHORIZED"}`))
	f.Add([]byte{0xff, 0xfe, '{', 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		key, err := parseResponse(body)
		if err == nil {
			if strings.TrimSpace(key) == "" || len(body) > maxResponseBody {
				t.Fatalf("accepted %q from %q", key, body)
			}
			var want struct {
				AuthKey string `json:"auth_key"`
			}
			// encoding/json folds case and keeps the last duplicate, so it
			// may pick a different member; only check it agrees when the
			// body spells the key once.
			if bytes.Count(bytes.ToLower(body), []byte(`"auth_key"`)) == 1 {
				if json.Unmarshal(body, &want) != nil || want.AuthKey != key {
					t.Fatalf("parseResponse(%q) = %q; encoding/json says %q", body, key, want.AuthKey)
				}
			}
		} else if key != "" {
			t.Fatalf("returned %q with error %v", key, err)
		}
		if r := parseReason(body); r != "" && !isReasonCode(r) {
			t.Fatalf("parseReason(%q) = %q", body, r)
		}
	})
}
