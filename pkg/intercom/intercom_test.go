package intercom_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

var (
	testKeys = map[string][]byte{
		"web":     []byte("test-intercom-web-secret-0123456789"),
		"ios":     []byte("test-intercom-ios-secret-0123456789"),
		"android": []byte("test-intercom-android-secret-012345"),
	}
	testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321
)

// checkToken verifies token with jwx (an independent JOSE implementation),
// checks its exact header bytes, and that its payload has exactly the
// string claims in want plus a whole-number exp equal to exp.
func checkToken(t *testing.T, token string, key []byte, want map[string]string, exp time.Time) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	if header, _ := base64.RawURLEncoding.DecodeString(parts[0]); string(header) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header = %s", header)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("payload: %v", err)
	}
	wantNames := slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(want)), "exp")))
	if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, wantNames) {
		t.Errorf("claims = %v, want %v", got, wantNames)
	}
	if n, ok := raw["exp"].(json.Number); !ok || n.String() != strconv.FormatInt(exp.Unix(), 10) {
		t.Errorf("exp = %#v, want the number %d", raw["exp"], exp.Unix())
	}
	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(-time.Second) })))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if got, ok := tok.Expiration(); !ok || !got.Equal(exp) {
		t.Errorf("jwx exp = %v, want %v", got, exp)
	}
	for name, v := range want {
		var got string
		if err := tok.Get(name, &got); err != nil || got != v {
			t.Errorf("jwx %s = %q (%v), want %q", name, got, err, v)
		}
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(time.Second) }))); err == nil {
		t.Error("jwx accepted the token after its exp")
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name string
		user identity.Identity
		want map[string]string
	}{
		{"verified email", identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}, map[string]string{"user_id": "user-123", "email": "ana@example.com"}},
		{"no verified email: email omitted", identity.Identity{UserID: "user-123", Name: "Ana"}, map[string]string{"user_id": "user-123"}},
		{"unicode and html", identity.Identity{UserID: "ñ-日本-🙂-<&>\""}, map[string]string{"user_id": "ñ-日本-🙂-<&>\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, exp, err := intercom.Sign(testKeys["web"], tt.user, testNow, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, token, testKeys["web"], tt.want, testNow.Truncate(time.Second).Add(time.Hour))
			if !exp.Equal(testNow.Truncate(time.Second).Add(time.Hour)) {
				t.Errorf("exp = %v", exp)
			}
		})
	}
	for _, tt := range []struct {
		name string
		key  []byte
		user identity.Identity
		want error
	}{
		{"empty key", nil, identity.Identity{UserID: "u"}, intercom.ErrEmptyKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if token, _, err := intercom.Sign(tt.key, tt.user, testNow, time.Hour); !errors.Is(err, tt.want) || token != "" {
				t.Errorf("Sign = %q, %v; want %v", token, err, tt.want)
			}
		})
	}
}

// TestHandlerPlatforms serves POST /intercom/token through the real
// handler and session: the platform parameter picks the signing key and
// nothing else; a bad or unconfigured platform is 400 bad_request; no log
// line holds a secret or the token.
func TestHandlerPlatforms(t *testing.T) {
	claims := map[string]string{"sub": "user-7", "email": "ana@example.com", "email_verified": "true", "name": "Ana"}
	want := map[string]string{"user_id": "user-7", "email": "ana@example.com"}
	webAndIOS := `{"web":"` + string(testKeys["web"]) + `","ios":"` + string(testKeys["ios"]) + `"}`
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
		{"identity parameters are ignored", webAndIOS, map[string]string{"platform": "ios", "user_id": "admin", "email": "boss@example.com"}, "ios", nil},
		{"android not configured", webAndIOS, map[string]string{"platform": "android"}, "", intercom.ErrPlatformNotConfigured},
		{"web not configured", `{"android":"` + string(testKeys["android"]) + `"}`, nil, "", intercom.ErrPlatformNotConfigured},
		{"unknown platform", webAndIOS, map[string]string{"platform": "windows"}, "", intercom.ErrBadPlatform},
		{"wrong case", webAndIOS, map[string]string{"platform": "iOS"}, "", intercom.ErrBadPlatform},
		{"present but empty is not absent", webAndIOS, map[string]string{"platform": ""}, "", intercom.ErrBadPlatform},
		{"present but blank", webAndIOS, map[string]string{"platform": " "}, "", intercom.ErrBadPlatform},
		{"repeated", webAndIOS, map[string]string{"platform": "ios,web"}, "", intercom.ErrBadPlatform},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			env := config.New(func(string) string { return "" })
			newMinter := intercom.Descriptor.Configure(env).NewMinter
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			h := &httpapi.Handler{
				Session: &session.Authorizer{},
				Minter: newMinter(secretstest.Offline(t, intercom.Descriptor.Secret, tt.secret),
					descriptor.Deps{Logger: slog.Default(), Now: func() time.Time { return testNow }}),
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			}
			req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /intercom/token", QueryStringParameters: tt.query}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
			}
			resp, _ := h.Handle(context.Background(), req)
			for _, k := range testKeys {
				if strings.Contains(logs.String(), string(k)) || strings.Contains(resp.Body, string(k)) {
					t.Errorf("a log line or the body holds a secret")
				}
			}
			if tt.err != nil {
				kind, msg := apierror.Classify(tt.err)
				if resp.StatusCode != 400 || kind != apierror.BadRequest || !strings.Contains(resp.Body, `"code":"bad_request"`) || !strings.Contains(resp.Body, msg) {
					t.Errorf("response = %d %s, want 400 bad_request %q", resp.StatusCode, resp.Body, msg)
				}
				return
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d, body %s", resp.StatusCode, resp.Body)
			}
			var body intercom.Response
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			exp := testNow.Truncate(time.Second).Add(intercom.DefaultTTL)
			if body.ExpiresAt != exp.Unix() {
				t.Errorf("expires_at = %d, want %d", body.ExpiresAt, exp.Unix())
			}
			checkToken(t, body.Token, testKeys[tt.platform], want, exp)
			if strings.Contains(logs.String(), body.Token[strings.LastIndexByte(body.Token, '.')+1:]) {
				t.Error("a log line holds the token's signature")
			}
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

func TestConfigure(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", intercom.DefaultTTL, false},
		{"1m", time.Minute, false},
		{"24h", 24 * time.Hour, false},
		{"59s", 0, true},
		{"25h", 0, true},
		{"1.5s", 0, true},
		{"forever", 0, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.value), func(t *testing.T) {
			env := config.New(func(name string) string {
				if name == "INTERCOM_TOKEN_TTL" {
					return tt.value
				}
				return ""
			})
			newMinter := intercom.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr {
				if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "INTERCOM_TOKEN_TTL") {
					t.Fatalf("err = %v, want config.ErrInvalid naming INTERCOM_TOKEN_TTL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, intercom.Descriptor.Secret, dev.Secret(intercom.Descriptor.Name, intercom.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*intercom.Minter)
			if m.TTL != tt.want || m.Secret == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want TTL %v with the secret and the real clock", m, tt.want)
			}
		})
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
