package zendesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

var (
	testKey = zendesk.Key{ID: "app_64f0c0ffee", Secret: []byte("test-zendesk-signing-secret-0123456789")}
	// vendor: the header names the signing key by its id, kid, which the
	// dev-only secret holds as key_id.
	vendor = vendortest.HS256{Vendor: zendesk.Descriptor, Key: "secret", ExpiresAt: "exp",
		Header: headerFor(string(vendortest.DevKey(zendesk.Descriptor, "key_id")))}
	ana = identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"}
)

func headerFor(kid string) string { return `{"alg":"HS256","kid":"` + kid + `","typ":"JWT"}` }

// claims are a Zendesk token's claims: scope user, external_id, name when
// the session has one, email with email_verified true only for a verified
// email, and exp; no iat.
func claims(user identity.Identity, ttl time.Duration) map[string]any {
	c := map[string]any{"scope": "user", "external_id": user.UserID, "exp": vendortest.Now.Add(ttl)}
	if user.Name != "" {
		c["name"] = user.Name
	}
	if user.Email != "" {
		c["email"], c["email_verified"] = user.Email, true
	}
	return c
}

func TestMint(t *testing.T) {
	ttl := func(ttl string) map[string]string { return map[string]string{"ZENDESK_TOKEN_TTL": ttl} }
	noEmail := identity.Identity{UserID: "user-123", Name: "Ana"}
	unicode := identity.Identity{UserID: "ñ-日本-🙂-<&>\"", Name: "Zoë <b>"}
	cases := []vendortest.Case{
		{Name: "user id, name and verified email", Identity: ana, Claims: claims(ana, 10*time.Minute)},
		{Name: "no verified email: email and email_verified omitted", Settings: ttl("1m"), Identity: noEmail, Claims: claims(noEmail, time.Minute)},
		{Name: "user id only", Settings: ttl("1h"), Identity: identity.Identity{UserID: "u"}, Claims: claims(identity.Identity{UserID: "u"}, time.Hour)},
		{Name: "unicode and html", Identity: unicode, Claims: claims(unicode, 10*time.Minute)},
	}
	for _, s := range vendortest.EmailSessions(t) {
		want := identity.Identity{UserID: "user-123", Name: "Ana", Email: s.Email}
		cases = append(cases, vendortest.Case{Name: s.Name, Identity: s.Identity, Claims: claims(want, 10*time.Minute)})
	}
	vendor.Mint(t, cases)
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, zendesk.Descriptor, map[string]string{"ZENDESK_TOKEN_TTL": "default 10m, 1m to 1h, whole seconds"})
	vendortest.Settings(t, zendesk.Descriptor, func(m httpapi.Minter) map[string]any {
		return map[string]any{"ZENDESK_TOKEN_TTL": m.(*zendesk.Minter).TTL}
	})
}

// TestHandler serves POST /zendesk/token as API Gateway's JWT authorizer
// passes sessions, with a body that claims another identity: only the
// session's identity, and only an email it says is verified, reach the
// token; the body is the contract's; no log line holds the secret, the
// token or its signature.
func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]string
		want   identity.Identity
	}{
		{"verified email", map[string]string{"sub": "user-7", "name": "Ana", "email": "ana@example.com", "email_verified": "true"},
			identity.Identity{UserID: "user-7", Name: "Ana", Email: "ana@example.com"}},
		{"unverified email", map[string]string{"sub": "user-7", "email": "ana@example.com", "email_verified": "false"},
			identity.Identity{UserID: "user-7"}},
		{"email not said to be verified", map[string]string{"sub": "user-7", "email": "ana@example.com"},
			identity.Identity{UserID: "user-7"}},
	}
	secret, _ := json.Marshal(map[string]string{"key_id": testKey.ID, "secret": string(testKey.Secret)})
	withKey := vendor
	withKey.Header = headerFor(testKey.ID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := vendortest.Serve(t, zendesk.Descriptor, string(secret), vendortest.Request{
				Claims: tt.claims, Body: `{"external_id":"someone-else","email":"x@example.com"}`})
			if a.Status != 200 {
				t.Fatalf("status = %d, body %s", a.Status, a.Body)
			}
			withKey.Check(t, json.RawMessage(a.Body), testKey.Secret, claims(tt.want, zendesk.DefaultTTL))
		})
	}
}

// TestSign: Sign itself truncates to whole seconds, and returns the exp it
// signs.
func TestSign(t *testing.T) {
	token, exp, err := zendesk.Sign(testKey, ana, vendortest.Now, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if want := vendortest.Now.Truncate(time.Second).Add(10 * time.Minute); !exp.Equal(want) {
		t.Errorf("exp = %v, want %v", exp, want)
	}
	_, got := vendortest.VerifyHS256(t, token, testKey.Secret, headerFor(testKey.ID))
	vendortest.CheckFields(t, "claims", got, claims(ana, 10*time.Minute))
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name string
		key  zendesk.Key
		want error
	}{
		{"nil secret", zendesk.Key{ID: "k"}, zendesk.ErrEmptyKey},
		{"empty key id", zendesk.Key{Secret: testKey.Secret}, zendesk.ErrEmptyKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, _, err := zendesk.Sign(tt.key, identity.Identity{UserID: "user-123"}, vendortest.Now, time.Minute)
			if !errors.Is(err, tt.want) || token != "" {
				t.Fatalf("Sign = %q, %v; want %v", token, err, tt.want)
			}
			if kind, _ := apierror.Classify(err); kind != apierror.Internal {
				t.Errorf("kind = %s, want internal", kind.Code)
			}
		})
	}
}

// TestMintSecretErrors: a secret the minter cannot sign with is an
// internal error.
func TestMintSecretErrors(t *testing.T) {
	errStore := errors.New("secret store down")
	tests := []struct {
		name   string
		secret func(context.Context) (secrets.Values, error)
		want   error
	}{
		{"secret error", func(context.Context) (secrets.Values, error) { return nil, errStore }, errStore},
		{"no key id", func(context.Context) (secrets.Values, error) { return secrets.Values{"secret": testKey.Secret}, nil }, zendesk.ErrEmptyKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &zendesk.Minter{Secret: tt.secret, TTL: 10 * time.Minute, Now: vendortest.Clock}
			got, err := m.Mint(context.Background(), identity.Identity{UserID: "user-123"})
			vendortest.CheckErr(t, got, err, tt.want)
		})
	}
}

func BenchmarkMint(b *testing.B) {
	values := secrets.Values{"key_id": []byte(testKey.ID), "secret": testKey.Secret}
	m := &zendesk.Minter{Secret: func(context.Context) (secrets.Values, error) { return values, nil }, TTL: zendesk.DefaultTTL}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, ana); err != nil {
			b.Fatal(err)
		}
	}
}
