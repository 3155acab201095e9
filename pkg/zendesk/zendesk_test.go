package zendesk_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
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
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

var (
	testKey = zendesk.Key{ID: "app_64f0c0ffee", Secret: []byte("test-zendesk-signing-secret-0123456789")}
	testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321
)

// checkToken verifies token with jwx (an independent JOSE implementation),
// checks its exact header bytes, and that its payload has exactly the
// claims in want plus a whole-number exp equal to exp.
func checkToken(t *testing.T, token string, key zendesk.Key, want map[string]any, exp time.Time) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	if got, want := string(header), `{"alg":"HS256","kid":"`+key.ID+`","typ":"JWT"}`; got != want {
		t.Errorf("header = %s, want %s", got, want)
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
	wantNames := append(slices.Collect(maps.Keys(want)), "exp")
	if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, slices.Sorted(slices.Values(wantNames))) {
		t.Errorf("claims = %v, want %v", got, slices.Sorted(slices.Values(wantNames)))
	}
	if n, ok := raw["exp"].(json.Number); !ok || n.String() != strconv.FormatInt(exp.Unix(), 10) {
		t.Errorf("exp = %#v, want the number %d", raw["exp"], exp.Unix())
	}
	for name, v := range want {
		if raw[name] != v {
			t.Errorf("%s = %#v, want %#v", name, raw[name], v)
		}
	}

	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key.Secret),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(-time.Second) })))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if got, ok := tok.Expiration(); !ok || !got.Equal(exp) {
		t.Errorf("jwx exp = %v, want %v", got, exp)
	}
	for name, v := range want {
		var got any
		if err := tok.Get(name, &got); err != nil || got != v {
			t.Errorf("jwx %s = %#v (%v), want %#v", name, got, err, v)
		}
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key.Secret),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(time.Second) }))); err == nil {
		t.Error("jwx accepted the token after its exp")
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), []byte("some-other-key-of-the-same-size!!!!!!!")),
		jwt.WithValidate(false)); err == nil {
		t.Error("jwx verified the token with another key")
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name string
		user identity.Identity
		ttl  time.Duration
		want map[string]any
	}{
		{"user id, name and verified email", identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"}, 10 * time.Minute,
			map[string]any{"scope": "user", "external_id": "user-123", "name": "Ana", "email": "ana@example.com", "email_verified": true}},
		{"no verified email: email and email_verified omitted", identity.Identity{UserID: "user-123", Name: "Ana"}, time.Minute,
			map[string]any{"scope": "user", "external_id": "user-123", "name": "Ana"}},
		{"user id only", identity.Identity{UserID: "u"}, time.Hour,
			map[string]any{"scope": "user", "external_id": "u"}},
		{"unicode and html", identity.Identity{UserID: "ñ-日本-🙂-<&>\"", Name: "Zoë <b>"}, 10 * time.Minute,
			map[string]any{"scope": "user", "external_id": "ñ-日本-🙂-<&>\"", "name": "Zoë <b>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, exp, err := zendesk.Sign(testKey, tt.user, testNow, tt.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if want := testNow.Truncate(time.Second).Add(tt.ttl); !exp.Equal(want) {
				t.Errorf("exp = %v, want %v", exp, want)
			}
			checkToken(t, token, testKey, tt.want, exp)
		})
	}
}

func TestSignErrors(t *testing.T) {
	user := identity.Identity{UserID: "user-123"}
	tests := []struct {
		name string
		key  zendesk.Key
		user identity.Identity
		want error
	}{
		{"nil secret", zendesk.Key{ID: "k"}, user, zendesk.ErrEmptyKey},
		{"empty key id", zendesk.Key{Secret: testKey.Secret}, user, zendesk.ErrEmptyKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _, err := zendesk.Sign(tt.key, tt.user, testNow, time.Minute)
			if !errors.Is(err, tt.want) || token != "" {
				t.Fatalf("Sign = %q, %v; want %v", token, err, tt.want)
			}
			if kind, _ := apierror.Classify(err); kind != apierror.Internal {
				t.Errorf("kind = %s, want internal", kind.Code)
			}
		})
	}
}

func TestMint(t *testing.T) {
	errStore := errors.New("secret store down")
	values := secrets.Values{"key_id": []byte(testKey.ID), "secret": testKey.Secret}
	tests := []struct {
		name    string
		secret  func(context.Context) (secrets.Values, error)
		wantErr error
	}{
		{"ok", func(context.Context) (secrets.Values, error) { return values, nil }, nil},
		{"secret error", func(context.Context) (secrets.Values, error) { return nil, errStore }, errStore},
		{"no key id", func(context.Context) (secrets.Values, error) { return secrets.Values{"secret": testKey.Secret}, nil }, zendesk.ErrEmptyKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &zendesk.Minter{Secret: tt.secret, TTL: 10 * time.Minute, Now: func() time.Time { return testNow }}
			got, err := m.Mint(context.Background(), identity.Identity{UserID: "user-123"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Mint = %v, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp := got.(zendesk.Response)
			exp := testNow.Truncate(time.Second).Add(10 * time.Minute)
			checkToken(t, resp.Token, testKey, map[string]any{"scope": "user", "external_id": "user-123"}, exp)
			body, _ := json.Marshal(got)
			if want := `{"token":"` + resp.Token + `","expires_at":` + strconv.FormatInt(exp.Unix(), 10) + `}`; string(body) != want {
				t.Errorf("body = %s, want %s", body, want)
			}
		})
	}
}

// TestHandler serves POST /zendesk/token as API Gateway's JWT authorizer
// passes sessions: only an email the session says is verified reaches the
// token, the body is the contract's, and no log line holds the secret or
// the token.
func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]string
		want   map[string]any
	}{
		{"verified email", map[string]string{"sub": "user-7", "name": "Ana", "email": "ana@example.com", "email_verified": "true"},
			map[string]any{"scope": "user", "external_id": "user-7", "name": "Ana", "email": "ana@example.com", "email_verified": true}},
		{"unverified email", map[string]string{"sub": "user-7", "email": "ana@example.com", "email_verified": "false"},
			map[string]any{"scope": "user", "external_id": "user-7"}},
		{"email not said to be verified", map[string]string{"sub": "user-7", "email": "ana@example.com"},
			map[string]any{"scope": "user", "external_id": "user-7"}},
	}
	secretJSON := `{"key_id":"` + testKey.ID + `","secret":"` + string(testKey.Secret) + `"}`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			env := config.New(func(string) string { return "" })
			newMinter := zendesk.Descriptor.Configure(env).NewMinter
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, zendesk.Descriptor.Secret, secretJSON)
			h := &httpapi.Handler{
				Session: &session.Authorizer{},
				Minter:  newMinter(secret, descriptor.Deps{Logger: slog.Default(), Now: func() time.Time { return testNow }}),
				Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
			}
			req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /zendesk/token", Body: `{"external_id":"someone-else","email":"x@example.com"}`}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: tt.claims},
			}
			resp, _ := h.Handle(context.Background(), req)
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d, body %s", resp.StatusCode, resp.Body)
			}
			var body zendesk.Response
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			exp := testNow.Truncate(time.Second).Add(zendesk.DefaultTTL)
			if body.ExpiresAt != exp.Unix() {
				t.Errorf("expires_at = %d, want %d", body.ExpiresAt, exp.Unix())
			}
			checkToken(t, body.Token, testKey, tt.want, exp)
			sig := body.Token[strings.LastIndexByte(body.Token, '.')+1:]
			for _, s := range []string{string(testKey.Secret), body.Token, sig} {
				if strings.Contains(logs.String(), s) {
					t.Errorf("a log line holds %q", s)
				}
			}
			if !strings.Contains(logs.String(), `"user_id":"user-7"`) {
				t.Errorf("logs = %s, want the request line", logs.String())
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", zendesk.DefaultTTL, false},
		{"1m", time.Minute, false},
		{"1h", time.Hour, false},
		{"300s", 5 * time.Minute, false},
		{"59s", 0, true},
		{"61m", 0, true},
		{"1.5s", 0, true},
		{"ten minutes", 0, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.value), func(t *testing.T) {
			env := config.New(func(name string) string {
				if name == "ZENDESK_TOKEN_TTL" {
					return tt.value
				}
				return ""
			})
			newMinter := zendesk.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr {
				if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "ZENDESK_TOKEN_TTL") {
					t.Fatalf("err = %v, want config.ErrInvalid naming ZENDESK_TOKEN_TTL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, zendesk.Descriptor.Secret, dev.Secret(zendesk.Descriptor.Name, zendesk.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*zendesk.Minter)
			if m.TTL != tt.want || m.Secret == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want TTL %v with the secret and the real clock", m, tt.want)
			}
		})
	}
}

func BenchmarkMint(b *testing.B) {
	values := secrets.Values{"key_id": []byte(testKey.ID), "secret": testKey.Secret}
	m := &zendesk.Minter{Secret: func(context.Context) (secrets.Values, error) { return values, nil }, TTL: zendesk.DefaultTTL}
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
