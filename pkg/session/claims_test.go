package session

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// TestDuplicateClaims holds the verifier to how golang-jwt (MapClaims) and
// lestrrat-go/jwx read a claims object with a member named twice: the last
// one counts, whether or not its name is escaped.
func TestDuplicateClaims(t *testing.T) {
	now := testNow.Unix()
	rest := fmt.Sprintf(`"iss":%q,"aud":%q,"iat":%d,"email_verified":true`, testIssuer, testAudience, now-60)
	valid := fmt.Sprintf(`"exp":%d`, now+3600)
	expired := fmt.Sprintf(`"exp":%d`, now-3600)
	tests := []struct {
		name    string
		payload string
		sub     string // "" when the token must not verify
		email   string
	}{
		{"sub twice", `{"sub":"first",` + rest + `,"email":"a@x.test",` + valid + `,"sub":"last"}`, "last", "a@x.test"},
		{"sub twice, first escaped", `{"s\u0075b":"first",` + rest + `,` + valid + `,"sub":"last"}`, "last", ""},
		{"sub twice, last escaped", `{"sub":"first",` + rest + `,` + valid + `,"s\u0075b":"last"}`, "last", ""},
		{"email twice", `{"sub":"u1","email":"first@x.test",` + rest + `,` + valid + `,"email":"last@x.test"}`, "u1", "last@x.test"},
		{"exp twice, last valid", `{"sub":"u1",` + expired + `,` + rest + `,` + valid + `}`, "u1", ""},
		{"exp twice, last expired", `{"sub":"u1",` + valid + `,` + rest + `,` + expired + `}`, "", ""},
	}
	v := newTestHS256(t, Options{Issuer: testIssuer, Audience: []string{testAudience}, Now: func() time.Time { return testNow }})
	s := hmacSigner("HS256", sha256.New, testHMACKey)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token := s.token(t, s.header(nil), rawJSON(tc.payload))

			got, err := v.Verify(context.Background(), bearer(token))
			if tc.sub == "" {
				if err == nil {
					t.Errorf("Verify = %+v, want an error", got)
				}
			} else if err != nil || got.UserID != tc.sub || got.Email != tc.email {
				t.Errorf("Verify = %+v, %v; want sub %q, email %q", got, err, tc.sub, tc.email)
			}

			// golang-jwt, into its default MapClaims.
			var m gojwt.MapClaims
			_, err = gojwt.NewParser(gojwt.WithTimeFunc(func() time.Time { return testNow })).
				ParseWithClaims(token, &m, func(*gojwt.Token) (any, error) { return testHMACKey, nil })
			if tc.sub == "" {
				if err == nil {
					t.Errorf("golang-jwt verified it: %v", m)
				}
			} else if email, _ := m["email"].(string); err != nil || m["sub"] != tc.sub || email != tc.email {
				t.Errorf("golang-jwt: %v, %v; want sub %q, email %q", m, err, tc.sub, tc.email)
			}

			// jwx.
			tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), testHMACKey),
				jwt.WithClock(jwt.ClockFunc(func() time.Time { return testNow })))
			if tc.sub == "" {
				if err == nil {
					t.Error("jwx verified it")
				}
				return
			}
			if err != nil {
				t.Fatalf("jwx: %v", err)
			}
			var email string
			if tok.Has("email") {
				if err := tok.Get("email", &email); err != nil {
					t.Fatalf("jwx email: %v", err)
				}
			}
			if sub, _ := tok.Subject(); sub != tc.sub || email != tc.email {
				t.Errorf("jwx: sub %q, email %q; want %q, %q", sub, email, tc.sub, tc.email)
			}
		})
	}
}
