package session

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"hash"
	"maps"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"

	"github.com/aws/aws-lambda-go/events"
)

// The fixed world of the tests.
var testNow = time.Unix(1_700_000_000, 0)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "app"
	testUserID   = "user-1"
)

var (
	testHMACKey = []byte("0123456789abcdef0123456789abcdef") // MinHS256KeyLen bytes
	testID      = identity.Identity{UserID: testUserID, Email: "ada@example.test", Name: "Ada"}
)

func testOptions() Options {
	return Options{
		Issuer:   testIssuer,
		Audience: []string{"other", testAudience},
		Now:      func() time.Time { return testNow },
	}
}

// validClaims are the claims of a token that verifies at testNow.
func validClaims() map[string]any {
	return map[string]any{
		"iss":            testIssuer,
		"aud":            testAudience,
		"sub":            testUserID,
		"email":          testID.Email,
		"email_verified": true,
		"name":           testID.Name,
		"iat":            testNow.Unix() - 60,
		"exp":            testNow.Unix() + 3600,
	}
}

// omit, as a value in an override map, deletes that key.
type omit struct{}

// merged returns base with over applied.
func merged(base, over map[string]any) map[string]any {
	m := maps.Clone(base)
	for k, v := range over {
		if _, ok := v.(omit); ok {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// rawJSON is a header or payload given as JSON text, used as is.
type rawJSON string

// segment returns the base64url encoding of v's JSON.
func segment(t testing.TB, v any) string {
	t.Helper()
	if raw, ok := v.(rawJSON); ok {
		return base64.RawURLEncoding.EncodeToString([]byte(raw))
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signer makes compact JWS tokens by hand, so tests can build any header.
type signer struct {
	alg, kid string
	sign     func(input []byte) []byte // nil signs with an empty signature
}

func hmacSigner(alg string, h func() hash.Hash, key []byte) signer {
	return signer{alg: alg, sign: func(input []byte) []byte {
		m := hmac.New(h, key)
		m.Write(input)
		return m.Sum(nil)
	}}
}

// header returns the signer's header with over applied.
func (s signer) header(over map[string]any) map[string]any {
	h := map[string]any{"alg": s.alg, "typ": "JWT"}
	if s.kid != "" {
		h["kid"] = s.kid
	}
	return merged(h, over)
}

// token signs header (a map or rawJSON) and claims (a map or rawJSON).
func (s signer) token(t testing.TB, header, claims any) string {
	t.Helper()
	input := segment(t, header) + "." + segment(t, claims)
	var sig []byte
	if s.sign != nil {
		sig = s.sign([]byte(input))
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// valid returns a token that verifies, with claims overridden by over.
func (s signer) valid(t testing.TB, over map[string]any) string {
	t.Helper()
	return s.token(t, s.header(nil), merged(validClaims(), over))
}

func bearer(token string) *events.APIGatewayV2HTTPRequest {
	return &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": "Bearer " + token}}
}

func newTestHS256(t testing.TB, opts Options) *JWT {
	t.Helper()
	v, err := NewHS256(func(context.Context) ([]byte, error) { return testHMACKey, nil }, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
