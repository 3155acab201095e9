package kustomer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

var (
	testKey = []byte("test-kustomer-chat-secret-0123456789")
	header  = `{"alg":"HS256","typ":"JWT"}`
	// vendor: Kustomer's answer expires 15 minutes after the token's iat,
	// when Kustomer stops accepting it.
	vendor = vendortest.HS256{Vendor: kustomer.Descriptor, Header: header, Key: "secret",
		ExpiresAt: "iat", Window: 15 * time.Minute, Invariant: oneIdentity}
	emailMode = map[string]string{"KUSTOMER_IDENTIFY_BY": "email"}
	ana       = identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
)

// oneIdentity: a Kustomer token identifies the customer by exactly one of
// externalId and email, never both.
func oneIdentity(tb testing.TB, claims map[string]any) {
	tb.Helper()
	_, hasID := claims["externalId"]
	_, hasEmail := claims["email"]
	if hasID == hasEmail {
		tb.Errorf("token has externalId: %t, email: %t; want exactly one", hasID, hasEmail)
	}
}

func TestMint(t *testing.T) {
	byID := func(id string) map[string]any { return map[string]any{"externalId": id, "iat": vendortest.Now} }
	byEmail := func(email string) map[string]any { return map[string]any{"email": email, "iat": vendortest.Now} }
	cases := []vendortest.Case{
		{Name: "external id by default", Identity: ana, Claims: byID("user-123")},
		{Name: "external id", Settings: map[string]string{"KUSTOMER_IDENTIFY_BY": "external_id"}, Identity: ana, Claims: byID("user-123")},
		{Name: "email", Settings: emailMode, Identity: ana, Claims: byEmail("ana@example.com")},
		{Name: "external id without email", Identity: identity.Identity{UserID: "u"}, Claims: byID("u")},
		{Name: "email without user id", Settings: emailMode, Identity: identity.Identity{Email: "e@example.com"}, Claims: byEmail("e@example.com")},
		{Name: "unicode and html", Identity: identity.Identity{UserID: "ñ-日本-🙂-<&>\""}, Claims: byID("ñ-日本-🙂-<&>\"")},
		{Name: "email mode without email", Settings: emailMode, Identity: identity.Identity{UserID: "user-123"}, Err: kustomer.ErrNoEmail},
	}
	// Only an email the session says is verified identifies the customer;
	// email mode refuses any other session (403, saying what is missing).
	for _, s := range vendortest.EmailSessions(t) {
		cases = append(cases, vendortest.Case{Name: "external id, " + s.Name, Identity: s.Identity, Claims: byID("user-123")})
		c := vendortest.Case{Name: "email, " + s.Name, Settings: emailMode, Identity: s.Identity, Claims: byEmail(s.Email)}
		if s.Email == "" {
			c.Claims, c.Err = nil, kustomer.ErrNoEmail
		}
		cases = append(cases, c)
	}
	vendor.Mint(t, cases)
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, kustomer.Descriptor, map[string]string{"KUSTOMER_IDENTIFY_BY": "default external_id, external_id or email"})
	vendortest.Settings(t, kustomer.Descriptor, func(m httpapi.Minter) map[string]any {
		return map[string]any{"KUSTOMER_IDENTIFY_BY": string(m.(*kustomer.Minter).IdentifyBy)}
	})
}

// TestSign: Sign itself, with a time that has a fraction of a second.
func TestSign(t *testing.T) {
	tests := []struct {
		by   kustomer.IdentifyBy
		want map[string]any
	}{
		{kustomer.ByExternalID, map[string]any{"externalId": "user-123", "iat": vendortest.Now}},
		{kustomer.ByEmail, map[string]any{"email": "ana@example.com", "iat": vendortest.Now}},
	}
	for _, tt := range tests {
		t.Run(string(tt.by), func(t *testing.T) {
			token, err := kustomer.Sign(testKey, tt.by, ana, vendortest.Now)
			if err != nil {
				t.Fatal(err)
			}
			_, claims := vendortest.VerifyHS256(t, token, testKey, header)
			vendortest.CheckFields(t, "claims", claims, tt.want)
		})
	}
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name string
		key  []byte
		by   kustomer.IdentifyBy
		user identity.Identity
		want error // nil: any error
		kind *apierror.Kind
		says string // in the message the app is answered with
	}{
		{"no email", testKey, kustomer.ByEmail, identity.Identity{UserID: "user-123"}, kustomer.ErrNoEmail, apierror.Forbidden, "verified email"},
		{"nil key", nil, kustomer.ByExternalID, ana, kustomer.ErrEmptyKey, apierror.Internal, ""},
		{"empty key", []byte{}, kustomer.ByEmail, ana, kustomer.ErrEmptyKey, apierror.Internal, ""},
		{"unknown identify by", testKey, "phone", ana, nil, apierror.Internal, ""},
		{"zero identify by", testKey, "", ana, nil, apierror.Internal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := kustomer.Sign(tt.key, tt.by, tt.user, vendortest.Now)
			if err == nil || token != "" {
				t.Fatalf("Sign = %q, %v; want an error", token, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if kind, message := apierror.Classify(err); kind != tt.kind || !strings.Contains(message, tt.says) {
				t.Errorf("answered %s %q, want %s saying %q", kind.Code, message, tt.kind.Code, tt.says)
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
		{"empty key", vendortest.Key(nil), kustomer.ErrEmptyKey},
		{"key error", func(context.Context) ([]byte, error) { return nil, errStore }, errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &kustomer.Minter{Key: tt.key, IdentifyBy: kustomer.ByExternalID, Now: vendortest.Clock}
			got, err := m.Mint(context.Background(), ana)
			vendortest.CheckErr(t, got, err, tt.want)
		})
	}
}

func BenchmarkMint(b *testing.B) {
	m := &kustomer.Minter{Key: vendortest.Key(testKey), IdentifyBy: kustomer.ByExternalID}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, ana); err != nil {
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
