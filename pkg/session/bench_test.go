package session

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkVerifyHS256 and BenchmarkVerifyJWKS are the hot paths;
// BenchmarkGolangJWTParse is golang-jwt's own parse of the HS256 token with
// the same checks, as a baseline.
func BenchmarkVerifyHS256(b *testing.B) {
	v := newTestHS256(b, testOptions())
	req := bearer(hmacSigner("HS256", sha256.New, testHMACKey).valid(b, nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyJWKS(b *testing.B) {
	m := jwksModes(b)[0]
	req := bearer(m.issuer.valid(b, nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.verifier.Verify(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGolangJWTParse(b *testing.B) {
	token := hmacSigner("HS256", sha256.New, testHMACKey).valid(b, nil)
	o := testOptions()
	p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired(),
		jwt.WithIssuer(o.Issuer), jwt.WithAudience(o.Audience...), jwt.WithIssuedAt(), jwt.WithTimeFunc(o.Now))
	key := func(*jwt.Token) (any, error) { return testHMACKey, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse(token, key); err != nil {
			b.Fatal(err)
		}
	}
}
