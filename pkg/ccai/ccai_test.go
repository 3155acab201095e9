package ccai_test

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

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

var (
	testKey = []byte("test-ccai-company-secret-0123456789")
	testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321
)

// checkToken verifies token with jwx (an independent JOSE implementation)
// and checks its exact header bytes and that its payload has exactly the
// claims iss, iat, exp, identifier, name and email, with these JSON types.
func checkToken(t *testing.T, token string, key []byte, company string, user identity.Identity, iat, exp int64) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	if got, want := string(header), `{"alg":"HS256"}`; got != want {
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
	want := map[string]any{
		"iss":        company,
		"iat":        json.Number(strconv.FormatInt(iat, 10)),
		"exp":        json.Number(strconv.FormatInt(exp, 10)),
		"identifier": user.UserID,
		"name":       user.Name,
		"email":      user.Email,
	}
	if got, wantNames := slices.Sorted(maps.Keys(raw)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, wantNames) {
		t.Errorf("claims = %v, want %v", got, wantNames)
	}
	for name, v := range want {
		if raw[name] != v { // same dynamic type (string or json.Number) and value
			t.Errorf("%s = %#v, want %#v", name, raw[name], v)
		}
	}

	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return time.Unix(iat, 0) })))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if got, ok := tok.Issuer(); !ok || got != company {
		t.Errorf("jwx iss = %q, want %q", got, company)
	}
	if got, ok := tok.IssuedAt(); !ok || got.Unix() != iat {
		t.Errorf("jwx iat = %v, want %d", got, iat)
	}
	if got, ok := tok.Expiration(); !ok || got.Unix() != exp {
		t.Errorf("jwx exp = %v, want %d", got, exp)
	}
	for name, v := range map[string]string{"identifier": user.UserID, "name": user.Name, "email": user.Email} {
		var got string
		if err := tok.Get(name, &got); err != nil || got != v {
			t.Errorf("jwx %s = %q (%v), want %q", name, got, err, v)
		}
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return time.Unix(exp+1, 0) }))); err == nil {
		t.Error("jwx accepted the token after exp")
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name    string
		company string
		user    identity.Identity
		ttl     time.Duration
	}{
		{"full identity", "ACME", identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana Lima"}, time.Hour},
		{"no name or email", "ACME", identity.Identity{UserID: "user-123"}, time.Hour},
		{"unicode and html", "Ünïcode & <Co>", identity.Identity{UserID: "ñ-日本-🙂", Email: "a+b@example.com", Name: `Zoë "Z" <z>`}, time.Hour},
		{"short ttl", "ACME", identity.Identity{UserID: "u"}, time.Minute},
		{"one day", "ACME", identity.Identity{UserID: "u"}, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := ccai.Sign(testKey, tt.company, tt.user, testNow, tt.ttl)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, token, testKey, tt.company, tt.user, 1700000000, 1700000000+int64(tt.ttl/time.Second))
		})
	}
}

func TestSignErrors(t *testing.T) {
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	tests := []struct {
		name    string
		key     []byte
		company string
		user    identity.Identity
		want    error
		kind    *apierror.Kind
	}{
		{"nil key", nil, "ACME", user, ccai.ErrEmptyKey, apierror.Internal},
		{"empty key", []byte{}, "ACME", user, ccai.ErrEmptyKey, apierror.Internal},
		{"no company", testKey, "", user, ccai.ErrNoCompany, apierror.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := ccai.Sign(tt.key, tt.company, tt.user, testNow, time.Hour)
			if !errors.Is(err, tt.want) || token != "" {
				t.Fatalf("Sign = %q, %v; want %v", token, err, tt.want)
			}
			if kind, _ := apierror.Classify(err); kind != tt.kind {
				t.Errorf("kind = %s, want %s", kind.Code, tt.kind.Code)
			}
		})
	}
}

func TestMint(t *testing.T) {
	errStore := errors.New("secret store down")
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	tests := []struct {
		name    string
		key     func(context.Context) ([]byte, error)
		user    identity.Identity
		wantErr error
	}{
		{"ok", keyOf(testKey), user, nil},
		{"empty key", keyOf([]byte{}), user, ccai.ErrEmptyKey},
		{"key error", func(context.Context) ([]byte, error) { return nil, errStore }, user, errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &ccai.Minter{Key: tt.key, Company: "ACME", TTL: 90 * time.Minute, Now: func() time.Time { return testNow }}
			got, err := m.Mint(context.Background(), tt.user)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Mint = %v, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, ok := got.(ccai.Response)
			if !ok {
				t.Fatalf("Mint returned %T, want ccai.Response", got)
			}
			checkToken(t, resp.Token, testKey, "ACME", tt.user, 1700000000, 1700000000+90*60)
			tok, err := jwt.Parse([]byte(resp.Token), jwt.WithKey(jwa.HS256(), testKey), jwt.WithValidate(false))
			if err != nil {
				t.Fatalf("jwx: %v", err)
			}
			if exp, _ := tok.Expiration(); resp.ExpiresAt != exp.Unix() {
				t.Errorf("expires_at = %d, want the token's exp %d", resp.ExpiresAt, exp.Unix())
			}
			body, _ := json.Marshal(got)
			if want := `{"token":"` + resp.Token + `","expires_at":1700005400}`; string(body) != want {
				t.Errorf("body = %s, want %s", body, want)
			}
		})
	}
}

// TestEmailIsVerifiedOnly mints for bearer sessions verified by the hs256
// verifier: the token's email is the session's only when the session says,
// with JSON true, that it is verified (or unverified emails are trusted on
// purpose), and "" otherwise.
func TestEmailIsVerifiedOnly(t *testing.T) {
	sessionKey := []byte("ccai-test-session-key-0123456789abcdef")
	bearer := func(t *testing.T, over map[string]any) *events.APIGatewayV2HTTPRequest {
		t.Helper()
		claims := map[string]any{"iss": "https://app.example.com", "aud": "app", "sub": "user-123", "name": "Ana",
			"email": "ana@example.com", "iat": testNow.Unix() - 10, "exp": testNow.Unix() + 600}
		maps.Copy(claims, over)
		payload, _ := json.Marshal(claims)
		token, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), sessionKey))
		if err != nil {
			t.Fatal(err)
		}
		return &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": "Bearer " + string(token)}}
	}
	tests := []struct {
		name  string
		over  map[string]any
		trust bool   // SESSION_TRUST_UNVERIFIED_EMAIL
		email string // in the CCAI token
	}{
		{"verified", map[string]any{"email_verified": true}, false, "ana@example.com"},
		{"not said to be verified", nil, false, ""},
		{"said to be unverified", map[string]any{"email_verified": false}, false, ""},
		{`verified as the string "true"`, map[string]any{"email_verified": "true"}, false, ""},
		{"email_verified null", map[string]any{"email_verified": nil}, false, ""},
		{"email null", map[string]any{"email": nil, "email_verified": true}, false, ""},
		{"unverified, trusted on purpose", map[string]any{"email_verified": false}, true, "ana@example.com"},
	}
	m := &ccai.Minter{Key: keyOf(testKey), Company: "ACME", TTL: time.Hour, Now: func() time.Time { return testNow }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := session.NewHS256(keyOf(sessionKey), session.Options{Issuer: "https://app.example.com",
				Audience: []string{"app"}, TrustUnverifiedEmail: tt.trust, Now: func() time.Time { return testNow }})
			if err != nil {
				t.Fatal(err)
			}
			id, err := v.Verify(context.Background(), bearer(t, tt.over))
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Mint(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			want := identity.Identity{UserID: "user-123", Name: "Ana", Email: tt.email}
			checkToken(t, got.(ccai.Response).Token, testKey, "ACME", want, 1700000000, 1700000000+3600)
		})
	}
}

func keyOf(key []byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return key, nil }
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name        string
		env         map[string]string
		wantCompany string
		wantTTL     time.Duration
		wantErr     error  // nil: no error
		wantIn      string // the setting the error names
		secret      string // a value the error must not contain
	}{
		{"defaults", map[string]string{"CCAI_COMPANY_NAME": "ACME"}, "ACME", time.Hour, nil, "", ""},
		{"ttl", map[string]string{"CCAI_COMPANY_NAME": " ACME ", "CCAI_TOKEN_TTL": "2h30m"}, "ACME", 150 * time.Minute, nil, "", ""},
		{"no company", map[string]string{}, "", 0, config.ErrMissing, "CCAI_COMPANY_NAME", ""},
		{"blank company", map[string]string{"CCAI_COMPANY_NAME": "  "}, "", 0, config.ErrMissing, "CCAI_COMPANY_NAME", ""},
		{"ttl not a duration", map[string]string{"CCAI_COMPANY_NAME": "ACME", "CCAI_TOKEN_TTL": "3600"}, "", 0, config.ErrInvalid, "CCAI_TOKEN_TTL", "3600"},
		{"ttl too short", map[string]string{"CCAI_COMPANY_NAME": "ACME", "CCAI_TOKEN_TTL": "59s"}, "", 0, config.ErrInvalid, "CCAI_TOKEN_TTL", "59s"},
		{"ttl too long", map[string]string{"CCAI_COMPANY_NAME": "ACME", "CCAI_TOKEN_TTL": "24h1s"}, "", 0, config.ErrInvalid, "CCAI_TOKEN_TTL", "24h1s"},
		{"ttl fraction of a second", map[string]string{"CCAI_COMPANY_NAME": "ACME", "CCAI_TOKEN_TTL": "90.5s"}, "", 0, config.ErrInvalid, "CCAI_TOKEN_TTL", "90.5s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(name string) string { return tt.env[name] })
			newMinter := ccai.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.wantIn) || tt.secret != "" && strings.Contains(msg, tt.secret) {
					t.Errorf("err = %q: want the setting's name %s and not its value", msg, tt.wantIn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, ccai.Descriptor.Secret, dev.Secret(ccai.Descriptor.Name, ccai.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*ccai.Minter)
			if m.Company != tt.wantCompany || m.TTL != tt.wantTTL || m.Key == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want company %q, TTL %s, the key and the real clock", m, tt.wantCompany, tt.wantTTL)
			}
		})
	}
}

func BenchmarkMint(b *testing.B) {
	m := &ccai.Minter{Key: keyOf(testKey), Company: "ACME", TTL: time.Hour}
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
