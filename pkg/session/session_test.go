package session

import (
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

func TestAuthorizationHeader(t *testing.T) {
	token := hmacSigner("HS256", sha256.New, testHMACKey).valid(t, nil)
	long := "Bearer " + strings.Repeat("a", MaxTokenLen+1)
	tests := []struct {
		name    string
		headers map[string]string
		want    error
	}{
		{"lower-case name", map[string]string{"authorization": "Bearer " + token}, nil},
		{"canonical name", map[string]string{"Authorization": "Bearer " + token}, nil},
		{"upper-case name", map[string]string{"AUTHORIZATION": "Bearer " + token}, nil},
		{"lower-case scheme", map[string]string{"authorization": "bearer " + token}, nil},
		{"upper-case scheme", map[string]string{"authorization": "BEARER " + token}, nil},
		{"extra spaces", map[string]string{"authorization": "  Bearer   " + token + " "}, nil},
		{"no headers", nil, ErrNoSession},
		{"no authorization header", map[string]string{"x-authorization": "Bearer " + token}, ErrNoSession},
		{"empty header", map[string]string{"authorization": ""}, ErrNoSession},
		{"scheme only", map[string]string{"authorization": "Bearer"}, ErrNoSession},
		{"scheme and space", map[string]string{"authorization": "Bearer "}, ErrNoSession},
		{"token without scheme", map[string]string{"authorization": token}, ErrNoSession},
		{"basic scheme", map[string]string{"authorization": "Basic dXNlcjpwYXNz"}, ErrNoSession},
		{"scheme prefix", map[string]string{"authorization": "Bearerx " + token}, ErrNoSession},
		{"two header names", map[string]string{"authorization": "Bearer " + token, "Authorization": "Bearer " + token}, ErrInvalid},
		{"two tokens", map[string]string{"authorization": "Bearer " + token + ", Bearer " + token}, ErrInvalid},
		{"token over 8 KiB", map[string]string{"authorization": long}, ErrInvalid},
	}
	v := newTestHS256(t, testOptions())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), &events.APIGatewayV2HTTPRequest{Headers: tc.headers})
			if tc.want == nil {
				if err != nil || got != testID {
					t.Fatalf("Verify = %+v, %v", got, err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("Verify error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := v.Verify(context.Background(), nil); !errors.Is(err, ErrNoSession) {
		t.Fatalf("Verify(nil) error = %v", err)
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		err  error
		kind *apierror.Kind
	}{
		{ErrNoSession, apierror.Unauthorized},
		{ErrInvalid, apierror.Unauthorized},
	}
	for _, tc := range tests {
		if kind, _ := apierror.Classify(tc.err); kind != tc.kind {
			t.Errorf("Classify(%v) = %v, want %v", tc.err, kind, tc.kind)
		}
	}
}

func TestAuthorizer(t *testing.T) {
	withClaims := func(claims map[string]string) *events.APIGatewayV2HTTPRequest {
		req := &events.APIGatewayV2HTTPRequest{}
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
		return req
	}
	full := map[string]string{"sub": "u1", "email": "a@b.test", "email_verified": "true", "name": "A", "uid": "u2", "mail": "c@d.test"}
	unverified := map[string]string{"sub": "u1", "email": "a@b.test", "name": "A"}
	with := func(over map[string]string) map[string]string {
		m := maps.Clone(unverified)
		maps.Copy(m, over)
		return m
	}
	tests := []struct {
		name   string
		claims ClaimNames
		trust  bool // TrustUnverifiedEmail
		req    *events.APIGatewayV2HTTPRequest
		want   identity.Identity
		err    error
	}{
		{name: "default claims", req: withClaims(full), want: identity.Identity{UserID: "u1", Email: "a@b.test", Name: "A"}},
		{name: "email_verified absent", req: withClaims(unverified), want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: `email_verified "false"`, req: withClaims(with(map[string]string{"email_verified": "false"})),
			want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: `email_verified "True"`, req: withClaims(with(map[string]string{"email_verified": "True"})),
			want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: `email_verified "1"`, req: withClaims(with(map[string]string{"email_verified": "1"})),
			want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: `email_verified ""`, req: withClaims(with(map[string]string{"email_verified": ""})),
			want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: "custom email_verified claim", claims: ClaimNames{EmailVerified: "mail_ok"},
			req:  withClaims(with(map[string]string{"mail_ok": "true", "email_verified": "false"})),
			want: identity.Identity{UserID: "u1", Email: "a@b.test", Name: "A"}},
		{name: "custom email_verified claim, default one true", claims: ClaimNames{EmailVerified: "mail_ok"},
			req: withClaims(full), want: identity.Identity{UserID: "u1", Name: "A"}},
		{name: "unverified email trusted", trust: true, req: withClaims(unverified), want: identity.Identity{UserID: "u1", Email: "a@b.test", Name: "A"}},
		{name: "blank user id", req: withClaims(map[string]string{"sub": " \t "}), err: ErrInvalid},
		{name: "zero-width user id", req: withClaims(map[string]string{"sub": "\u200b"}), err: ErrInvalid},
		{name: "invisible user id", req: withClaims(map[string]string{"sub": "\u2060\ufeff \u202e\u3164"}), err: ErrInvalid},
		{name: "control character user id", req: withClaims(map[string]string{"sub": "\x00\x1b"}), err: ErrInvalid},
		{name: "invalid UTF-8 user id", req: withClaims(map[string]string{"sub": "\xff\xfe"}), err: ErrInvalid},
		{name: "user id with an invisible character and a visible one", req: withClaims(map[string]string{"sub": "\u200bu1"}),
			want: identity.Identity{UserID: "\u200bu1"}},
		{name: "blank user id with a verified email", req: withClaims(with(map[string]string{"sub": " ", "email_verified": "true"})),
			err: ErrInvalid},
		{name: "custom claims", claims: ClaimNames{UserID: "uid", Email: "mail"}, req: withClaims(full),
			want: identity.Identity{UserID: "u2", Email: "c@d.test", Name: "A"}},
		{name: "user id only", req: withClaims(map[string]string{"sub": "u1"}), want: identity.Identity{UserID: "u1"}},
		{name: "nil request", err: ErrNoSession},
		{name: "no authorizer", req: &events.APIGatewayV2HTTPRequest{}, err: ErrNoSession},
		{name: "no JWT authorizer", err: ErrNoSession, req: &events.APIGatewayV2HTTPRequest{
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					Lambda: map[string]any{"sub": "u1"},
				},
			},
		}},
		{name: "nil claims", req: withClaims(nil), err: ErrNoSession},
		{name: "empty claims", req: withClaims(map[string]string{}), err: ErrNoSession},
		{name: "no user id", req: withClaims(map[string]string{"email": "a@b.test"}), err: ErrInvalid},
		{name: "empty user id", req: withClaims(map[string]string{"sub": ""}), err: ErrInvalid},
		{name: "user id claim renamed away", claims: ClaimNames{UserID: "uid"},
			req: withClaims(map[string]string{"sub": "u1"}), err: ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Authorizer{Claims: tc.claims, TrustUnverifiedEmail: tc.trust}
			got, err := a.Verify(context.Background(), tc.req)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Verify = %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestNewHS256Refuses(t *testing.T) {
	key := func(k []byte, err error) func(context.Context) ([]byte, error) {
		return func(context.Context) ([]byte, error) { return k, err }
	}
	good := key(testHMACKey, nil)
	errSecret := errors.New("secret not loaded")
	tests := []struct {
		name string
		key  func(context.Context) ([]byte, error)
		opts func(*Options)
	}{
		{"no key source", nil, nil},
		{"key error", key(nil, errSecret), nil},
		{"empty key", key(nil, nil), nil},
		{"key one byte short", key(testHMACKey[1:], nil), nil},
		{"no issuer", good, func(o *Options) { o.Issuer = "" }},
		{"no audience", good, func(o *Options) { o.Audience = nil }},
		{"empty audience", good, func(o *Options) { o.Audience = []string{testAudience, ""} }},
		{"negative leeway", good, func(o *Options) { o.Leeway = -time.Second }},
		{"leeway too large", good, func(o *Options) { o.Leeway = time.Hour }},
		{"several required scopes", good, func(o *Options) { o.RequiredScope = "read write" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			if v, err := NewHS256(tc.key, opts); err == nil || v != nil {
				t.Fatalf("NewHS256 = %v, %v; want an error", v, err)
			}
		})
	}
}

func TestHS256KeyIsReadPerRequest(t *testing.T) {
	current := testHMACKey
	errSecret := errors.New("secret not loaded")
	var keyErr error
	v, err := NewHS256(func(context.Context) ([]byte, error) { return current, keyErr }, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	oldToken := hmacSigner("HS256", sha256.New, testHMACKey).valid(t, nil)
	rotated := []byte(strings.Repeat("k", MinHS256KeyLen+8))
	newToken := hmacSigner("HS256", sha256.New, rotated).valid(t, nil)

	current = rotated
	checkVerify(t, v, newToken, nil, testID)
	checkVerify(t, v, oldToken, ErrInvalid, testID)

	// A key that cannot be read or is too short is an internal error, not
	// the caller's: never 401, never success.
	current = rotated[:MinHS256KeyLen-1]
	if _, err := v.Verify(context.Background(), bearer(newToken)); err == nil || errors.Is(err, ErrInvalid) {
		t.Fatalf("short key: Verify error = %v", err)
	}
	current, keyErr = rotated, errSecret
	if _, err := v.Verify(context.Background(), bearer(newToken)); !errors.Is(err, errSecret) || errors.Is(err, ErrInvalid) {
		t.Fatalf("key error: Verify error = %v", err)
	}
}

func TestOptions(t *testing.T) {
	s := hmacSigner("HS256", sha256.New, testHMACKey)
	now := testNow.Unix()
	tests := []struct {
		name   string
		opts   func(*Options)
		claims map[string]any
		want   error
		id     identity.Identity
	}{
		{name: "leeway 0 means 30s", claims: map[string]any{"exp": now - 30}, want: ErrInvalid},
		{name: "leeway 0 means 30s, inside", claims: map[string]any{"exp": now - 29}},
		{name: "custom leeway", opts: func(o *Options) { o.Leeway = 2 * time.Minute },
			claims: map[string]any{"exp": now - 119, "nbf": now + 119, "iat": now + 119}},
		{name: "custom leeway exceeded", opts: func(o *Options) { o.Leeway = 2 * time.Minute },
			claims: map[string]any{"nbf": now + 121}, want: ErrInvalid},
		{name: "custom claim names", opts: func(o *Options) { o.Claims = ClaimNames{UserID: "uid", Email: "mail"} },
			claims: map[string]any{"uid": "u2", "mail": "m@x.test"}, id: identity.Identity{UserID: "u2", Email: "m@x.test", Name: testID.Name}},
		{name: "custom email_verified claim", opts: func(o *Options) { o.Claims = ClaimNames{EmailVerified: "mail_ok"} },
			claims: map[string]any{"mail_ok": true, "email_verified": false}},
		{name: "custom email_verified claim false", opts: func(o *Options) { o.Claims = ClaimNames{EmailVerified: "mail_ok"} },
			claims: map[string]any{"mail_ok": false}, id: identity.Identity{UserID: testUserID, Name: testID.Name}},
		{name: "unverified email trusted", opts: trustEmail, claims: map[string]any{"email_verified": false}},
		{name: "email without email_verified trusted", opts: trustEmail, claims: map[string]any{"email_verified": omit{}}},
		{name: "trusted, null email is absent", opts: trustEmail, claims: map[string]any{"email": nil},
			id: identity.Identity{UserID: testUserID, Name: testID.Name}},
		{name: "trusted, the email's type is still checked", opts: trustEmail, claims: map[string]any{"email": 1}, want: ErrInvalid},
		{name: "custom user id claim missing", opts: func(o *Options) { o.Claims = ClaimNames{UserID: "uid"} },
			want: ErrInvalid},
		{name: "custom email claim of wrong type", opts: func(o *Options) { o.Claims = ClaimNames{Email: "mail"} },
			claims: map[string]any{"mail": true}, want: ErrInvalid},
		{name: "scope holds the required one", opts: requireScope("read"),
			claims: map[string]any{"scope": "openid read write"}},
		{name: "scp list holds the required one", opts: requireScope("read"),
			claims: map[string]any{"scp": []any{"openid", "read"}}},
		{name: "scp string holds the required one", opts: requireScope("read"),
			claims: map[string]any{"scp": "read write"}},
		{name: "scope lacks the required one", opts: requireScope("read"),
			claims: map[string]any{"scope": "openid reader"}, want: ErrInvalid},
		{name: "no scope claim", opts: requireScope("read"), want: ErrInvalid},
		{name: "scope of wrong type", opts: requireScope("read"),
			claims: map[string]any{"scope": 1, "scp": "read"}, want: ErrInvalid},
		{name: "scope not checked unless required", claims: map[string]any{"scope": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			checkVerify(t, newTestHS256(t, opts), s.valid(t, tc.claims), tc.want, tc.id)
		})
	}
}

func trustEmail(o *Options) { o.TrustUnverifiedEmail = true }

func requireScope(scope string) func(*Options) {
	return func(o *Options) { o.RequiredScope = scope }
}

// TestHS256IndependentToken verifies a token made by another JOSE library.
func TestHS256IndependentToken(t *testing.T) {
	payload := []byte(`{"iss":"https://issuer.test","aud":["app"],"sub":"user-1","email":"ada@example.test","email_verified":true,"name":"Ada","iat":1699999990,"exp":1700000600}`)
	token, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), testHMACKey))
	if err != nil {
		t.Fatal(err)
	}
	checkVerify(t, newTestHS256(t, testOptions()), string(token), nil, testID)
}
