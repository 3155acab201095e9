package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// bodySeeds are success bodies worth decoding: the fuzz seed corpus and
// the table below share them.
var bodySeeds = []struct {
	name    string
	body    string
	value   string
	wantErr error
	fault   Fault // of the error
}{
	{"valid", `{"token": "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4i"}`, "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4i", nil, ""},
	{"extra fields", `{"token": "k", "expires_in": 3600, "user": {"id": 1}}`, "k", nil, ""},
	{"escaped", `{"token": "a\u002fb\"c"}`, `a/b"c`, nil, ""},
	{"surrounding space", " \n{\"token\":\"k\"}\n", "k", nil, ""},
	{"duplicate key, last wins", `{"token": "a", "token": "b"}`, "b", nil, ""},
	{"empty", ``, "", ErrNotJSON, FaultInvalidBody},
	{"whitespace", "  \n", "", ErrNotJSON, FaultInvalidBody},
	{"null", `null`, "", ErrNotJSON, FaultInvalidBody},
	{"not JSON", `<html>502 Bad Gateway</html>`, "", ErrNotJSON, FaultInvalidBody},
	{"truncated", `{"token": "k`, "", ErrNotJSON, FaultInvalidBody},
	{"trailing data", `{"token": "k"} {"token": "j"}`, "", ErrNotJSON, FaultInvalidBody},
	{"array", `[{"token": "k"}]`, "", ErrNotJSON, FaultInvalidBody},
	{"string", `"k"`, "", ErrNotJSON, FaultInvalidBody},
	{"number", `42`, "", ErrNotJSON, FaultInvalidBody},
	{"empty object", `{}`, "", ErrMissing, "no_token"},
	{"other case", `{"TOKEN": "k", "Token": "k"}`, "", ErrMissing, "no_token"},
	{"token null", `{"token": null}`, "", ErrMissing, "no_token"},
	{"token empty", `{"token": ""}`, "", ErrMissing, "no_token"},
	{"token blank", `{"token": " \t"}`, "", ErrMissing, "no_token"},
	{"token number", `{"token": 123}`, "", ErrNotString, FaultInvalidBody},
	{"token bool", `{"token": true}`, "", ErrNotString, FaultInvalidBody},
	{"token array", `{"token": ["k"]}`, "", ErrNotString, FaultInvalidBody},
	{"token nested", `{"token": {"token": "k"}}`, "", ErrNotString, FaultInvalidBody},
	{"nested too deep", `{"a": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "", ErrNotJSON, FaultInvalidBody},
}

func TestStringField(t *testing.T) {
	decode := StringField("token")
	for _, tt := range bodySeeds {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode([]byte(tt.body))
			if v != tt.value || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("decode = %q, %v; want %q, %v", v, err, tt.value, tt.wantErr)
			}
			if err != nil && decodeFault(err) != tt.fault {
				t.Errorf("fault = %q, want %q", decodeFault(err), tt.fault)
			}
		})
	}
}

func TestCodeField(t *testing.T) {
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
	reason := CodeField("reason")
	for _, tt := range tests {
		if got := reason([]byte(tt.body)); got != tt.want {
			t.Errorf("CodeField(reason)(%.40q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// FuzzStringField checks that decoding any upstream body neither panics
// nor accepts something other than a non-blank string member, and that a
// reason is always a short code.
func FuzzStringField(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s.body))
	}
	f.Add([]byte(`{"reason": "AUTH.UNAUTHORIZED"}`))
	f.Add([]byte{0xff, 0xfe, '{', 0})
	decode, reason := StringField("token"), CodeField("reason")
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := decode(body)
		if err == nil {
			if strings.TrimSpace(v) == "" {
				t.Fatalf("accepted %q from %q", v, body)
			}
			var want struct {
				Token string `json:"token"`
			}
			// encoding/json folds case and keeps the last duplicate, so it
			// may pick a different member; only check it agrees when the
			// body spells the key once.
			if bytes.Count(bytes.ToLower(body), []byte(`"token"`)) == 1 {
				if json.Unmarshal(body, &want) != nil || want.Token != v {
					t.Fatalf("decode(%q) = %q; encoding/json says %q", body, v, want.Token)
				}
			}
		} else {
			if v != "" {
				t.Fatalf("returned %q with error %v", v, err)
			}
			if f := decodeFault(err); f != FaultInvalidBody && f != "no_token" {
				t.Fatalf("fault %q", f)
			}
		}
		if r := reason(body); r != "" && !isReasonCode(r) {
			t.Fatalf("reason(%q) = %q", body, r)
		}
	})
}
