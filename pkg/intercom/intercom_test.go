package intercom_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

var (
	testKey = []byte("test-intercom-web-secret-0123456789")
	header  = `{"alg":"HS256","typ":"JWT"}`
	// vendor signs with the web secret unless the request names another
	// platform.
	vendor = vendortest.HS256{Vendor: intercom.Descriptor, Header: header, Key: "web", ExpiresAt: "exp"}
)

// claims are an Intercom token's claims: user_id, email only when the
// session verified it, and exp.
func claims(user identity.Identity, ttl time.Duration) map[string]any {
	c := map[string]any{"user_id": user.UserID, "exp": vendortest.Now.Add(ttl)}
	if user.Email != "" {
		c["email"] = user.Email
	}
	return c
}

func TestMint(t *testing.T) {
	ana := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	noEmail := identity.Identity{UserID: "user-123", Name: "Ana"}
	unicode := identity.Identity{UserID: "ñ-日本-🙂-<&>\""}
	cases := []vendortest.Case{
		{Name: "verified email", Identity: ana, Claims: claims(ana, time.Hour)},
		{Name: "no verified email: email omitted", Identity: noEmail, Claims: claims(noEmail, time.Hour)},
		{Name: "unicode and html", Identity: unicode, Claims: claims(unicode, time.Hour)},
		{Name: "short ttl", Settings: map[string]string{"INTERCOM_TOKEN_TTL": "1m"}, Identity: ana, Claims: claims(ana, time.Minute)},
		{Name: "one day", Settings: map[string]string{"INTERCOM_TOKEN_TTL": "24h"}, Identity: ana, Claims: claims(ana, 24*time.Hour)},
	}
	for _, s := range vendortest.EmailSessions(t) {
		want := identity.Identity{UserID: "user-123", Email: s.Email}
		cases = append(cases, vendortest.Case{Name: s.Name, Identity: s.Identity, Claims: claims(want, time.Hour)})
	}
	vendor.Mint(t, cases)
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, intercom.Descriptor, map[string]string{"INTERCOM_TOKEN_TTL": "default 1h, 1m to 24h, whole seconds"})
	vendortest.Settings(t, intercom.Descriptor, func(m httpapi.Minter) map[string]any {
		return map[string]any{"INTERCOM_TOKEN_TTL": m.(*intercom.Minter).TTL}
	})
}

// TestHandlerPlatforms serves POST /intercom/token through the real
// handler and session: the platform parameter picks the signing key and
// nothing else; a bad or unconfigured platform is 400 bad_request; no log
// line holds a secret or the token.
func TestHandlerPlatforms(t *testing.T) {
	claimsOf := map[string]string{"sub": "user-7", "email": "ana@example.com", "email_verified": "true", "name": "Ana"}
	want := claims(identity.Identity{UserID: "user-7", Email: "ana@example.com"}, intercom.DefaultTTL)
	secret := func(platforms ...string) string {
		m := map[string]string{}
		for _, p := range platforms {
			m[p] = string(vendortest.DevKey(intercom.Descriptor, p))
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	webAndIOS := secret("web", "ios")
	tests := []struct {
		name     string
		secret   string
		query    map[string]string
		platform string // the key that signs; "" means refused
		err      error
	}{
		{"no parameter is web", webAndIOS, nil, "web", nil},
		{"web", webAndIOS, map[string]string{"platform": "web"}, "web", nil},
		{"ios", webAndIOS, map[string]string{"platform": "ios"}, "ios", nil},
		{"android", secret("web", "ios", "android"), map[string]string{"platform": "android"}, "android", nil},
		{"identity parameters are ignored", webAndIOS, map[string]string{"platform": "ios", "user_id": "admin", "email": "boss@example.com"}, "ios", nil},
		{"android not configured", webAndIOS, map[string]string{"platform": "android"}, "", intercom.ErrPlatformNotConfigured},
		{"web not configured", secret("android"), nil, "", intercom.ErrPlatformNotConfigured},
		{"unknown platform", webAndIOS, map[string]string{"platform": "windows"}, "", intercom.ErrBadPlatform},
		{"wrong case", webAndIOS, map[string]string{"platform": "iOS"}, "", intercom.ErrBadPlatform},
		{"present but empty is not absent", webAndIOS, map[string]string{"platform": ""}, "", intercom.ErrBadPlatform},
		{"present but blank", webAndIOS, map[string]string{"platform": " "}, "", intercom.ErrBadPlatform},
		{"repeated", webAndIOS, map[string]string{"platform": "ios,web"}, "", intercom.ErrBadPlatform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := vendortest.Serve(t, intercom.Descriptor, tt.secret, vendortest.Request{Claims: claimsOf, Query: tt.query})
			if tt.err != nil {
				kind, msg := apierror.Classify(tt.err)
				if a.Status != 400 || kind != apierror.BadRequest || !strings.Contains(a.Body, `"code":"bad_request"`) || !strings.Contains(a.Body, msg) {
					t.Errorf("response = %d %s, want 400 bad_request %q", a.Status, a.Body, msg)
				}
				return
			}
			if a.Status != 200 {
				t.Fatalf("status = %d, body %s", a.Status, a.Body)
			}
			vendor.Check(t, json.RawMessage(a.Body), vendortest.DevKey(intercom.Descriptor, tt.platform), want)
		})
	}
}

func TestSecretCheck(t *testing.T) {
	tests := []struct {
		json string
		ok   bool
	}{
		{`{"web":"w"}`, true},
		{`{"android":"a"}`, true},
		{`{"web":"w","ios":"i","android":"a"}`, true},
		{`{}`, false},
		{`{"secret":"dev-only-value"}`, false},
		{`{"web":""}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			err := intercom.Descriptor.Secret.Check(values(tt.json))
			if (err == nil) != tt.ok {
				t.Errorf("Check = %v, want ok %t", err, tt.ok)
			}
			if err != nil && !errors.Is(err, intercom.ErrNoSecrets) {
				t.Errorf("err = %v, want ErrNoSecrets", err)
			}
		})
	}
}

// values is the secret's Values as the loader builds them: non-empty
// strings only.
func values(s string) secrets.Values {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	v := secrets.Values{}
	for k, s := range m {
		if s != "" {
			v[k] = []byte(s)
		}
	}
	return v
}

// TestSign: Sign itself truncates to whole seconds, and returns the exp it
// signs; an empty key is refused.
func TestSign(t *testing.T) {
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com"}
	token, exp, err := intercom.Sign(testKey, user, vendortest.Now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := vendortest.Now.Truncate(time.Second).Add(time.Hour); !exp.Equal(want) {
		t.Errorf("exp = %v, want %v", exp, want)
	}
	_, got := vendortest.VerifyHS256(t, token, testKey, header)
	vendortest.CheckFields(t, "claims", got, claims(user, time.Hour))

	if token, _, err := intercom.Sign(nil, user, vendortest.Now, time.Hour); !errors.Is(err, intercom.ErrEmptyKey) || token != "" {
		t.Errorf("Sign with no key = %q, %v; want %v", token, err, intercom.ErrEmptyKey)
	}
}

// TestREADMEMessages: the README quotes the messages a refused platform
// gets, word for word.
func TestREADMEMessages(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ") // as one line
	for _, e := range []error{intercom.ErrBadPlatform, intercom.ErrPlatformNotConfigured} {
		_, msg := apierror.Classify(e)
		if !strings.Contains(text, `"`+msg+`"`) {
			t.Errorf("README.md does not quote %q", msg)
		}
	}
}
