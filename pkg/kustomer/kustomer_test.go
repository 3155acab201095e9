package kustomer_test

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
	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

var (
	testKey = []byte("test-kustomer-chat-secret-0123456789")
	testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321
)

// checkToken verifies token with jwx (an independent JOSE implementation)
// and checks its exact header bytes, that its payload has exactly the
// claims in want (string values) plus a whole-number iat equal to iat.
func checkToken(t *testing.T, token string, key []byte, want map[string]string, iat time.Time) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	if got, want := string(header), `{"alg":"HS256","typ":"JWT"}`; got != want {
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
	wantNames := append(slices.Collect(maps.Keys(want)), "iat")
	if got := slices.Sorted(maps.Keys(raw)); !slices.Equal(got, slices.Sorted(slices.Values(wantNames))) {
		t.Errorf("claims = %v, want %v", got, wantNames)
	}
	_, hasID := raw["externalId"]
	_, hasEmail := raw["email"]
	if hasID == hasEmail {
		t.Errorf("token has externalId: %t, email: %t; want exactly one", hasID, hasEmail)
	}
	if n, ok := raw["iat"].(json.Number); !ok || n.String() != strconv.FormatInt(iat.Unix(), 10) {
		t.Errorf("iat = %#v, want the number %d", raw["iat"], iat.Unix())
	}
	for name, v := range want {
		if s, ok := raw[name].(string); !ok || s != v {
			t.Errorf("%s = %#v, want the string %q", name, raw[name], v)
		}
	}

	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return iat })))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if got, ok := tok.IssuedAt(); !ok || !got.Equal(iat.Truncate(time.Second)) {
		t.Errorf("jwx iat = %v, want %v", got, iat.Truncate(time.Second))
	}
	for name, v := range want {
		var got string
		if err := tok.Get(name, &got); err != nil || got != v {
			t.Errorf("jwx %s = %q (%v), want %q", name, got, err, v)
		}
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), []byte("some-other-key-of-the-same-size!!!!!")),
		jwt.WithValidate(false)); err == nil {
		t.Error("jwx verified the token with another key")
	}
}

func TestSign(t *testing.T) {
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	tests := []struct {
		name string
		by   kustomer.IdentifyBy
		user identity.Identity
		want map[string]string
	}{
		{"external id", kustomer.ByExternalID, user, map[string]string{"externalId": "user-123"}},
		{"email", kustomer.ByEmail, user, map[string]string{"email": "ana@example.com"}},
		{"external id without email", kustomer.ByExternalID, identity.Identity{UserID: "u"}, map[string]string{"externalId": "u"}},
		{"email without user id", kustomer.ByEmail, identity.Identity{Email: "e@example.com"}, map[string]string{"email": "e@example.com"}},
		{"unicode and html", kustomer.ByExternalID, identity.Identity{UserID: "ñ-日本-🙂-<&>\""}, map[string]string{"externalId": "ñ-日本-🙂-<&>\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := kustomer.Sign(testKey, tt.by, tt.user, testNow)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, token, testKey, tt.want, testNow)
		})
	}
}

func TestSignErrors(t *testing.T) {
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com"}
	tests := []struct {
		name string
		key  []byte
		by   kustomer.IdentifyBy
		user identity.Identity
		want error // nil: any error
		kind *apierror.Kind
	}{
		{"no email", testKey, kustomer.ByEmail, identity.Identity{UserID: "user-123"}, kustomer.ErrNoEmail, apierror.Forbidden},
		{"nil key", nil, kustomer.ByExternalID, user, kustomer.ErrEmptyKey, apierror.Internal},
		{"empty key", []byte{}, kustomer.ByEmail, user, kustomer.ErrEmptyKey, apierror.Internal},
		{"unknown identify by", testKey, "phone", user, nil, apierror.Internal},
		{"zero identify by", testKey, "", user, nil, apierror.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := kustomer.Sign(tt.key, tt.by, tt.user, testNow)
			if err == nil || token != "" {
				t.Fatalf("Sign = %q, %v; want an error", token, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
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
		by      kustomer.IdentifyBy
		key     func(context.Context) ([]byte, error)
		user    identity.Identity
		want    map[string]string
		wantErr error
	}{
		{"external id", kustomer.ByExternalID, keyOf(testKey), user, map[string]string{"externalId": "user-123"}, nil},
		{"email", kustomer.ByEmail, keyOf(testKey), user, map[string]string{"email": "ana@example.com"}, nil},
		{"email mode without email", kustomer.ByEmail, keyOf(testKey), identity.Identity{UserID: "user-123"}, nil, kustomer.ErrNoEmail},
		{"empty key", kustomer.ByExternalID, keyOf(nil), user, nil, kustomer.ErrEmptyKey},
		{"key error", kustomer.ByExternalID, func(context.Context) ([]byte, error) { return nil, errStore }, user, nil, errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &kustomer.Minter{Key: tt.key, IdentifyBy: tt.by, Now: func() time.Time { return testNow }}
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
			resp, ok := got.(kustomer.Response)
			if !ok {
				t.Fatalf("Mint returned %T, want kustomer.Response", got)
			}
			checkToken(t, resp.Token, testKey, tt.want, testNow)
			tok, err := jwt.Parse([]byte(resp.Token), jwt.WithKey(jwa.HS256(), testKey), jwt.WithValidate(false))
			if err != nil {
				t.Fatalf("jwx: %v", err)
			}
			iat, _ := tok.IssuedAt()
			if want := iat.Unix() + 900; resp.ExpiresAt != want {
				t.Errorf("expires_at = %d, want iat + 15 minutes = %d", resp.ExpiresAt, want)
			}
			body, _ := json.Marshal(got)
			if want := `{"token":"` + resp.Token + `","expires_at":` + strconv.FormatInt(resp.ExpiresAt, 10) + `}`; string(body) != want {
				t.Errorf("body = %s, want %s", body, want)
			}
		})
	}
}

// TestEmailModeNeedsAVerifiedEmail mints in email mode for sessions as an
// API Gateway JWT authorizer passes them: only an email the session says
// is verified identifies the customer; any other session is refused with
// 403 and a message that says what is missing.
func TestEmailModeNeedsAVerifiedEmail(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]string
		trust  bool   // SESSION_TRUST_UNVERIFIED_EMAIL
		email  string // "": refused with ErrNoEmail
	}{
		{"verified", map[string]string{"email": "ana@example.com", "email_verified": "true"}, false, "ana@example.com"},
		{"not said to be verified", map[string]string{"email": "ana@example.com"}, false, ""},
		{"said to be unverified", map[string]string{"email": "ana@example.com", "email_verified": "false"}, false, ""},
		{"verified, but no email", map[string]string{"email_verified": "true"}, false, ""},
		{"unverified, trusted on purpose", map[string]string{"email": "ana@example.com"}, true, "ana@example.com"},
	}
	m := &kustomer.Minter{Key: keyOf(testKey), IdentifyBy: kustomer.ByEmail, Now: func() time.Time { return testNow }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &events.APIGatewayV2HTTPRequest{}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: merged(map[string]string{"sub": "user-123"}, tt.claims),
				},
			}
			id, err := (&session.Authorizer{TrustUnverifiedEmail: tt.trust}).Verify(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Mint(context.Background(), id)
			if tt.email != "" {
				if err != nil {
					t.Fatal(err)
				}
				checkToken(t, got.(kustomer.Response).Token, testKey, map[string]string{"email": tt.email}, testNow)
				return
			}
			if !errors.Is(err, kustomer.ErrNoEmail) || got != nil {
				t.Fatalf("Mint = %v, %v; want ErrNoEmail", got, err)
			}
			kind, message := apierror.Classify(err)
			if kind != apierror.Forbidden || !strings.Contains(message, "verified email") {
				t.Errorf("answer %s %q; want forbidden, saying a verified email is needed", kind.Code, message)
			}
		})
	}
}

func merged(a, b map[string]string) map[string]string {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}

func keyOf(key []byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return key, nil }
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		value   string
		want    kustomer.IdentifyBy
		wantErr bool
	}{
		{"", kustomer.ByExternalID, false},
		{"external_id", kustomer.ByExternalID, false},
		{"email", kustomer.ByEmail, false},
		{" email ", kustomer.ByEmail, false},
		{"Email", "", true},
		{"phone-secret-value", "", true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.value), func(t *testing.T) {
			env := config.New(func(name string) string {
				if name == "KUSTOMER_IDENTIFY_BY" {
					return tt.value
				}
				return ""
			})
			newMinter := kustomer.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr {
				if !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("err = %v, want config.ErrInvalid", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "KUSTOMER_IDENTIFY_BY") || strings.Contains(msg, tt.value) {
					t.Errorf("err = %q: want the setting's name and not its value", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, kustomer.Descriptor.Secret, dev.Secret(kustomer.Descriptor.Name, kustomer.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*kustomer.Minter)
			if m.IdentifyBy != tt.want || m.Key == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want IdentifyBy %q with the key and the real clock", m, tt.want)
			}
		})
	}
}

func BenchmarkMint(b *testing.B) {
	m := &kustomer.Minter{Key: keyOf(testKey), IdentifyBy: kustomer.ByExternalID}
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGolangJWT is the baseline for BenchmarkMint: golang-jwt signing
// the same claims as a MapClaims, with nothing around it.
func BenchmarkGolangJWT(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		claims := gojwt.MapClaims{"externalId": "user-123", "iat": time.Now().Unix()}
		if _, err := gojwt.NewWithClaims(gojwt.SigningMethodHS256, claims).SignedString(testKey); err != nil {
			b.Fatal(err)
		}
	}
}
