package session

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// mode is one way of verifying bearer tokens, with the keys to attack it.
type mode struct {
	name     string
	verifier *JWT
	issuer   signer      // signs with the key the verifier trusts
	foreign  signer      // the same key, with an algorithm outside the allowlist
	cases    []tokenCase // the mode's own cases, beyond tokenCases
}

func hs256Mode(t testing.TB) mode {
	k := keys()
	return mode{
		name:     "hs256",
		verifier: newTestHS256(t, testOptions()),
		issuer:   hmacSigner("HS256", sha256.New, testHMACKey),
		foreign:  hmacSigner("HS384", sha512.New384, testHMACKey),
		cases: []tokenCase{
			{name: "RS256", want: ErrInvalid, token: func(t testing.TB, _ mode) string {
				return rsaSigner("RS256", crypto.SHA256, k.rsa, rsaKID).valid(t, nil)
			}},
			{name: "another HS256 key", want: ErrInvalid, token: func(t testing.TB, _ mode) string {
				return hmacSigner("HS256", sha256.New, []byte(strings.Repeat("k", MinHS256KeyLen))).valid(t, nil)
			}},
		},
	}
}

// testModes are every mode under test.
func testModes(t testing.TB) []mode {
	return append([]mode{hs256Mode(t)}, jwksModes(t)...)
}

// attackerSite serves the attacker's key set; no verifier may ever fetch it.
type attackerSite struct {
	*jwksServer
	signer signer
	jwk    jwk.Key
}

func newAttackerSite(t testing.TB) *attackerSite {
	k := keys().attacker
	key := jwkOf(t, k, attackKID, "sig")
	return &attackerSite{
		jwksServer: newJWKSServer(t, keySet(t, key)),
		signer:     rsaSigner("RS256", crypto.SHA256, k, attackKID),
		jwk:        key,
	}
}

// pointingCase is a token signed by the attacker whose header points to the
// attacker's key.
func pointingCase(name string, att *attackerSite, header map[string]any) tokenCase {
	return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, _ mode) string {
		return att.signer.token(t, att.signer.header(header), validClaims())
	}}
}

// tokenCase is one token and the answer it must get.
type tokenCase struct {
	name  string
	token func(t testing.TB, m mode) string
	want  error             // nil: the token verifies
	id    identity.Identity // the identity it verifies as; zero means testID
}

func claimsCase(name string, over map[string]any, want error) tokenCase {
	return tokenCase{name: name, want: want, token: func(t testing.TB, m mode) string {
		return m.issuer.valid(t, over)
	}}
}

// identityCase is a token that verifies as id.
func identityCase(name string, over map[string]any, id identity.Identity) tokenCase {
	return tokenCase{name: name, id: id, token: func(t testing.TB, m mode) string {
		return m.issuer.valid(t, over)
	}}
}

func payloadCase(name string, payload rawJSON) tokenCase {
	return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, m mode) string {
		return m.issuer.token(t, m.issuer.header(nil), payload)
	}}
}

func headerCase(name string, over map[string]any) tokenCase {
	return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, m mode) string {
		return m.issuer.token(t, m.issuer.header(over), validClaims())
	}}
}

func editCase(name string, edit func(token string) string) tokenCase {
	return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, m mode) string {
		return edit(m.issuer.valid(t, nil))
	}}
}

// unsigned signs nothing, under any alg.
func unsignedCase(name, alg string) tokenCase {
	return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, m mode) string {
		s := signer{alg: alg, kid: m.issuer.kid}
		return s.valid(t, nil)
	}}
}

// tokenCases hold for every mode: the claims checks, and the attacks that do
// not depend on the kind of key.
func tokenCases(att *attackerSite) []tokenCase {
	now := testNow.Unix()
	return []tokenCase{
		claimsCase("valid", nil, nil),
		claimsCase("exp within leeway", map[string]any{"exp": now - 29}, nil),
		claimsCase("nbf within leeway", map[string]any{"nbf": now + 29}, nil),
		claimsCase("iat within leeway", map[string]any{"iat": now + 29}, nil),
		claimsCase("fractional exp", map[string]any{"exp": float64(now) + 0.5}, nil),
		claimsCase("aud list holding ours", map[string]any{"aud": []any{"x", testAudience}}, nil),
		claimsCase("aud is the other accepted one", map[string]any{"aud": "other"}, nil),
		claimsCase("identity claims are the only ones read",
			map[string]any{"user_id": "someone-else", "externalId": "someone-else", "uid": "x"}, nil),
		{name: "email and name absent", id: identity.Identity{UserID: testUserID}, token: func(t testing.TB, m mode) string {
			return m.issuer.valid(t, map[string]any{"email": omit{}, "name": omit{}})
		}},

		claimsCase("expired", map[string]any{"exp": now - 31}, ErrInvalid),
		claimsCase("missing exp", map[string]any{"exp": omit{}}, ErrInvalid),
		claimsCase("exp 0", map[string]any{"exp": 0}, ErrInvalid),
		claimsCase("string exp", map[string]any{"exp": fmt.Sprint(now + 3600)}, ErrInvalid),
		claimsCase("negative exp", map[string]any{"exp": -1}, ErrInvalid),
		claimsCase("huge exp", map[string]any{"exp": 1e300}, ErrInvalid),
		claimsCase("exp beyond int64", map[string]any{"exp": 1e19}, ErrInvalid),
		claimsCase("exp beyond year 9999", map[string]any{"exp": maxNumericDate + 1}, ErrInvalid),
		claimsCase("null exp", map[string]any{"exp": nil}, ErrInvalid),
		claimsCase("boolean exp", map[string]any{"exp": true}, ErrInvalid),
		claimsCase("future nbf", map[string]any{"nbf": now + 31}, ErrInvalid),
		claimsCase("string nbf", map[string]any{"nbf": fmt.Sprint(now)}, ErrInvalid),
		claimsCase("negative nbf", map[string]any{"nbf": -1}, ErrInvalid),
		claimsCase("huge nbf", map[string]any{"nbf": 1e300}, ErrInvalid),
		claimsCase("future iat", map[string]any{"iat": now + 31}, ErrInvalid),
		claimsCase("string iat", map[string]any{"iat": fmt.Sprint(now)}, ErrInvalid),
		claimsCase("negative iat", map[string]any{"iat": -1}, ErrInvalid),
		claimsCase("huge iat", map[string]any{"iat": 1e300}, ErrInvalid),
		claimsCase("wrong iss", map[string]any{"iss": "https://evil.test"}, ErrInvalid),
		claimsCase("missing iss", map[string]any{"iss": omit{}}, ErrInvalid),
		claimsCase("empty iss", map[string]any{"iss": ""}, ErrInvalid),
		claimsCase("non-string iss", map[string]any{"iss": 1}, ErrInvalid),
		claimsCase("wrong aud", map[string]any{"aud": "evil"}, ErrInvalid),
		claimsCase("missing aud", map[string]any{"aud": omit{}}, ErrInvalid),
		claimsCase("empty aud", map[string]any{"aud": ""}, ErrInvalid),
		claimsCase("empty aud list", map[string]any{"aud": []any{}}, ErrInvalid),
		claimsCase("mixed-type aud", map[string]any{"aud": []any{testAudience, 1}}, ErrInvalid),
		claimsCase("aud list with null", map[string]any{"aud": []any{testAudience, nil}}, ErrInvalid),
		claimsCase("numeric aud", map[string]any{"aud": 1}, ErrInvalid),
		claimsCase("object aud", map[string]any{"aud": map[string]any{"aud": testAudience}}, ErrInvalid),
		claimsCase("missing user id", map[string]any{"sub": omit{}}, ErrInvalid),
		claimsCase("empty user id", map[string]any{"sub": ""}, ErrInvalid),
		claimsCase("numeric user id", map[string]any{"sub": 42}, ErrInvalid),
		claimsCase("null user id", map[string]any{"sub": nil}, ErrInvalid),
		claimsCase("list user id", map[string]any{"sub": []any{testUserID}}, ErrInvalid),
		claimsCase("blank user id", map[string]any{"sub": " "}, ErrInvalid),
		claimsCase("white space user id", map[string]any{"sub": " \t\r\n\u00a0\u2003"}, ErrInvalid),
		claimsCase("zero-width space user id", map[string]any{"sub": "\u200b"}, ErrInvalid),
		claimsCase("invisible user id", map[string]any{"sub": "\u200b\u200c\u200d\u2060\ufeff\u00ad \u200e\u202e\u2066"}, ErrInvalid),
		claimsCase("variation selectors and Hangul filler user id", map[string]any{"sub": "\ufe0f\U000e0100\u3164\u115f"}, ErrInvalid),
		claimsCase("control character user id", map[string]any{"sub": "\u0000\u007f\u0085"}, ErrInvalid),
		identityCase("user id with a zero-width joiner inside is kept", map[string]any{"sub": "user\u200d1"},
			identity.Identity{UserID: "user\u200d1", Email: testID.Email, Name: testID.Name}),
		identityCase("one visible character is enough", map[string]any{"sub": "\u200b7\u200b"},
			identity.Identity{UserID: "\u200b7\u200b", Email: testID.Email, Name: testID.Name}),
		identityCase("user id with spaces around is kept as it is", map[string]any{"sub": " user-1 "},
			identity.Identity{UserID: " user-1 ", Email: testID.Email, Name: testID.Name}),
		claimsCase("numeric email", map[string]any{"email": 1}, ErrInvalid),
		claimsCase("object name", map[string]any{"name": map[string]any{}}, ErrInvalid),
		claimsCase("numeric email, unverified", map[string]any{"email": 1, "email_verified": false}, ErrInvalid),

		// Optional claims that are null are absent.
		identityCase("null email", map[string]any{"email": nil}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("null name", map[string]any{"name": nil}, identity.Identity{UserID: testUserID, Email: testID.Email}),
		identityCase("null email_verified", map[string]any{"email_verified": nil}, identity.Identity{UserID: testUserID, Name: testID.Name}),

		// An email counts only when the token says, with JSON true, that it
		// is verified.
		identityCase("email_verified absent", map[string]any{"email_verified": omit{}}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("email_verified false", map[string]any{"email_verified": false}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase(`email_verified "true"`, map[string]any{"email_verified": "true"}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("email_verified 1", map[string]any{"email_verified": 1}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("email_verified [true]", map[string]any{"email_verified": []any{true}}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("email_verified without an email", map[string]any{"email": omit{}}, identity.Identity{UserID: testUserID, Name: testID.Name}),
		identityCase("another claim's verification does not count",
			map[string]any{"email_verified": omit{}, "phone_number_verified": true, "verified": true},
			identity.Identity{UserID: testUserID, Name: testID.Name}),
		payloadCase("payload is a list", `[]`),
		payloadCase("payload is null", `null`),
		payloadCase("payload is a string", `"x"`),
		payloadCase("payload is not JSON", `{"sub":`),
		{name: "payload followed by more JSON", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			claims, _ := json.Marshal(validClaims())
			return m.issuer.token(t, m.issuer.header(nil), rawJSON(string(claims)+`{"sub":"admin"}`))
		}},
		{name: "payload followed by garbage", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			claims, _ := json.Marshal(validClaims())
			return m.issuer.token(t, m.issuer.header(nil), rawJSON(string(claims)+` x`))
		}},

		unsignedCase("alg none", "none"),
		unsignedCase("alg NONE", "NONE"),
		unsignedCase("alg None", "None"),
		unsignedCase("alg nOnE", "nOnE"),
		unsignedCase("alg empty", ""),
		headerCase("alg none with a signature", map[string]any{"alg": "none"}),
		headerCase("missing alg", map[string]any{"alg": omit{}}),
		headerCase("numeric alg", map[string]any{"alg": 256}),
		{name: "alg outside the allowlist", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			return m.foreign.valid(t, nil)
		}},
		headerCase("crit header", map[string]any{"crit": []any{"exp"}}),
		headerCase("crit b64", map[string]any{"crit": []any{"b64"}, "b64": false}),
		headerCase("jku header", map[string]any{"jku": "https://evil.test/jwks"}),
		headerCase("x5u header", map[string]any{"x5u": "https://evil.test/cert"}),
		headerCase("jwk header", map[string]any{"jwk": map[string]any{"kty": "oct", "k": "AAAA"}}),
		headerCase("x5c header", map[string]any{"x5c": []any{"MIIB"}}),
		pointingCase("jku to the attacker's key set", att, map[string]any{"jku": att.URL}),
		pointingCase("x5u to the attacker's certificate", att, map[string]any{"x5u": att.URL + "/cert.pem"}),
		pointingCase("jwk header with the attacker's key", att, map[string]any{"jwk": att.jwk}),
		pointingCase("jku to the attacker, no kid", att, map[string]any{"jku": att.URL, "kid": omit{}}),
		headerCase("numeric kid", map[string]any{"kid": 1}),
		headerCase("object kid", map[string]any{"kid": map[string]any{}}),
		headerCase("null kid", map[string]any{"kid": nil}),
		{name: "header is not JSON", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			return m.issuer.token(t, rawJSON(`{"alg":`), validClaims())
		}},
		{name: "header is a list", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			return m.issuer.token(t, rawJSON(`["HS256"]`), validClaims())
		}},

		{name: "tampered payload", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			parts := strings.Split(m.issuer.valid(t, nil), ".")
			parts[1] = segment(t, merged(validClaims(), map[string]any{"sub": "admin"}))
			return strings.Join(parts, ".")
		}},
		{name: "signature of another token", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			parts := strings.Split(m.issuer.valid(t, nil), ".")
			other := strings.Split(m.issuer.valid(t, map[string]any{"sub": "admin"}), ".")
			return parts[0] + "." + parts[1] + "." + other[2]
		}},
		editCase("truncated signature", func(s string) string { return s[:len(s)-3] }),
		editCase("empty signature", func(s string) string { return s[:strings.LastIndex(s, ".")+1] }),
		editCase("2 segments", func(s string) string { return s[:strings.LastIndex(s, ".")] }),
		editCase("4 segments", func(s string) string { return s + ".e30" }),
		editCase("trailing dot", func(s string) string { return s + "." }),
		editCase("1 segment", func(s string) string { return s[:strings.Index(s, ".")] }),
		editCase("padding", func(s string) string { return s + "==" }),
		editCase("standard base64 characters", func(s string) string {
			return strings.NewReplacer("-", "+", "_", "/").Replace(s) + "+/"
		}),
		editCase("non-base64 character", func(s string) string { return s[:len(s)-1] + "*" }),
		editCase("space inside", func(s string) string { return s[:10] + " " + s[10:] }),
		editCase("JWS JSON serialization", func(s string) string {
			p := strings.Split(s, ".")
			return fmt.Sprintf(`{"protected":%q,"payload":%q,"signature":%q}`, p[0], p[1], p[2])
		}),
		{name: "token over 8 KiB", want: ErrInvalid, token: func(t testing.TB, m mode) string {
			return m.issuer.valid(t, map[string]any{"pad": strings.Repeat("x", MaxTokenLen)})
		}},
		{name: "token just under 8 KiB", token: func(t testing.TB, m mode) string {
			return m.issuer.valid(t, map[string]any{"pad": strings.Repeat("x", MaxTokenLen*3/4-700)})
		}},
	}
}

func TestTokenMatrix(t *testing.T) {
	att := newAttackerSite(t)
	for _, m := range testModes(t) {
		for _, tc := range append(tokenCases(att), m.cases...) {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				checkVerify(t, m.verifier, tc.token(t, m), tc.want, tc.id)
			})
		}
	}
	if n := att.hits.Load(); n != 0 {
		t.Fatalf("the attacker's server got %d requests", n)
	}
}

// checkVerify verifies token and checks the result: want (nil for success)
// and the identity (zero means testID).
func checkVerify(t *testing.T, v *JWT, token string, want error, id identity.Identity) {
	t.Helper()
	got, err := v.Verify(context.Background(), bearer(token))
	if want == nil {
		if id == (identity.Identity{}) {
			id = testID
		}
		if err != nil || got != id {
			t.Fatalf("Verify = %+v, %v; want %+v", got, err, id)
		}
		return
	}
	if !errors.Is(err, want) || got != (identity.Identity{}) {
		t.Fatalf("Verify = %+v, %v; want %v", got, err, want)
	}
}
