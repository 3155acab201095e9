package ccai_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

var (
	testKey = []byte("test-ccai-company-secret-0123456789")
	header  = `{"alg":"HS256"}` // the vendor's, without typ
	vendor  = vendortest.HS256{Vendor: ccai.Descriptor, Header: header, Key: "company_secret", ExpiresAt: "exp"}
	ana     = identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana Lima"}
)

// claims are a CCAI token's claims: always all six, name and email empty
// when the session has none.
func claims(company string, user identity.Identity, ttl time.Duration) map[string]any {
	return map[string]any{
		"iss":        company,
		"iat":        vendortest.Now,
		"exp":        vendortest.Now.Add(ttl),
		"identifier": user.UserID,
		"name":       user.Name,
		"email":      user.Email,
	}
}

func TestMint(t *testing.T) {
	acme := map[string]string{"CCAI_COMPANY_NAME": "ACME"}
	ttl := func(ttl string) map[string]string {
		return map[string]string{"CCAI_COMPANY_NAME": "ACME", "CCAI_TOKEN_TTL": ttl}
	}
	unicode := identity.Identity{UserID: "ñ-日本-🙂", Email: "a+b@example.com", Name: `Zoë "Z" <z>`}
	cases := []vendortest.Case{
		{Name: "full identity", Settings: acme, Identity: ana, Claims: claims("ACME", ana, time.Hour)},
		{Name: "no name or email", Settings: acme, Identity: identity.Identity{UserID: "user-123"}, Claims: claims("ACME", identity.Identity{UserID: "user-123"}, time.Hour)},
		{Name: "unicode and html", Settings: map[string]string{"CCAI_COMPANY_NAME": "Ünïcode & <Co>"}, Identity: unicode, Claims: claims("Ünïcode & <Co>", unicode, time.Hour)},
		{Name: "short ttl", Settings: ttl("1m"), Identity: ana, Claims: claims("ACME", ana, time.Minute)},
		{Name: "90 minutes", Settings: ttl("90m"), Identity: ana, Claims: claims("ACME", ana, 90*time.Minute)},
		{Name: "one day", Settings: ttl("24h"), Identity: ana, Claims: claims("ACME", ana, 24*time.Hour)},
	}
	// The token's email is the session's only when the session says it is
	// verified (or unverified emails are trusted on purpose), "" otherwise.
	for _, s := range vendortest.EmailSessions(t) {
		want := identity.Identity{UserID: "user-123", Name: "Ana", Email: s.Email}
		cases = append(cases, vendortest.Case{Name: s.Name, Settings: acme, Identity: s.Identity, Claims: claims("ACME", want, time.Hour)})
	}
	vendor.Mint(t, cases)
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, ccai.Descriptor, map[string]string{
		"CCAI_COMPANY_NAME": "required",
		"CCAI_TOKEN_TTL":    "default 1h, 1m to 24h, whole seconds",
	})
	vendortest.Settings(t, ccai.Descriptor, func(m httpapi.Minter) map[string]any {
		c := m.(*ccai.Minter)
		return map[string]any{"CCAI_COMPANY_NAME": c.Company, "CCAI_TOKEN_TTL": c.TTL}
	})
}

// TestSign: Sign itself truncates iat to whole seconds, exp with it.
func TestSign(t *testing.T) {
	token, err := ccai.Sign(testKey, "ACME", ana, vendortest.Now, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, got := vendortest.VerifyHS256(t, token, testKey, header)
	vendortest.CheckFields(t, "claims", got, claims("ACME", ana, 2*time.Hour))
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name    string
		key     []byte
		company string
		want    error
	}{
		{"nil key", nil, "ACME", ccai.ErrEmptyKey},
		{"empty key", []byte{}, "ACME", ccai.ErrEmptyKey},
		{"no company", testKey, "", ccai.ErrNoCompany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := ccai.Sign(tt.key, tt.company, ana, vendortest.Now, time.Hour)
			if !errors.Is(err, tt.want) || token != "" {
				t.Fatalf("Sign = %q, %v; want %v", token, err, tt.want)
			}
			if kind, _ := apierror.Classify(err); kind != apierror.Internal {
				t.Errorf("kind = %s, want internal", kind.Code)
			}
		})
	}
}

// TestMintKeyErrors: a key the minter cannot sign with is an internal error.
func TestMintKeyErrors(t *testing.T) {
	errStore := errors.New("secret store down")
	tests := []struct {
		name string
		key  func(context.Context) ([]byte, error)
		want error
	}{
		{"empty key", vendortest.Key([]byte{}), ccai.ErrEmptyKey},
		{"key error", func(context.Context) ([]byte, error) { return nil, errStore }, errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &ccai.Minter{Key: tt.key, Company: "ACME", TTL: 90 * time.Minute, Now: vendortest.Clock}
			got, err := m.Mint(context.Background(), ana)
			vendortest.CheckErr(t, got, err, tt.want)
		})
	}
}

func BenchmarkMint(b *testing.B) {
	m := &ccai.Minter{Key: vendortest.Key(testKey), Company: "ACME", TTL: time.Hour}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, ana); err != nil {
			b.Fatal(err)
		}
	}
}
