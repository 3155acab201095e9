package vendortest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

// EmailSession is a verified session of user-123, named Ana, whose email
// a vendor may or may not use.
type EmailSession struct {
	Name     string
	Identity identity.Identity // as the session verifier returned it
	// Email is the email a vendor may use: ana@example.com when the
	// session says it is verified or unverified emails are trusted on
	// purpose (SESSION_TRUST_UNVERIFIED_EMAIL), "" otherwise.
	Email string
}

// EmailSessions verifies, with the real verifiers, sessions that say in
// each way they read, or fail to say, that the email ana@example.com is
// verified: API Gateway JWT authorizer claims (strings) and HS256 bearer
// tokens (JSON values, where only true counts). It fails tb when a
// verifier's identity is not the one listed, as that would make the
// vendors' tables test nothing.
func EmailSessions(tb testing.TB) []EmailSession {
	tb.Helper()
	const email = "ana@example.com"
	var out []EmailSession
	add := func(name string, id identity.Identity, err error, want string) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("session %s: %v", name, err)
		}
		if id.UserID != "user-123" || id.Name != "Ana" || id.Email != want {
			tb.Fatalf("session %s verified as %+v, want user-123, Ana, email %q", name, id, want)
		}
		out = append(out, EmailSession{Name: name, Identity: id, Email: want})
	}

	for _, s := range []struct {
		name   string
		claims map[string]string
		trust  bool
		email  string
	}{
		{"verified", map[string]string{"email": email, "email_verified": "true"}, false, email},
		{"not said to be verified", map[string]string{"email": email}, false, ""},
		{"said to be unverified", map[string]string{"email": email, "email_verified": "false"}, false, ""},
		{"verified, but no email", map[string]string{"email_verified": "true"}, false, ""},
		{"unverified, trusted on purpose", map[string]string{"email": email}, true, email},
	} {
		claims := map[string]string{"sub": "user-123", "name": "Ana"}
		maps.Copy(claims, s.claims)
		id, err := (&session.Authorizer{TrustUnverifiedEmail: s.trust}).Verify(context.Background(), authorizerRequest(claims))
		add("authorizer "+s.name, id, err, s.email)
	}

	sessionKey := []byte("vendortest-session-key-0123456789abcdef")
	for _, s := range []struct {
		name  string
		over  map[string]any
		trust bool
		email string
	}{
		{"verified", map[string]any{"email_verified": true}, false, email},
		{"not said to be verified", nil, false, ""},
		{"said to be unverified", map[string]any{"email_verified": false}, false, ""},
		{`verified as the string "true"`, map[string]any{"email_verified": "true"}, false, ""},
		{"email_verified null", map[string]any{"email_verified": nil}, false, ""},
		{"email null", map[string]any{"email": nil, "email_verified": true}, false, ""},
		{"unverified, trusted on purpose", map[string]any{"email_verified": false}, true, email},
	} {
		claims := map[string]any{"iss": "https://app.example.com", "aud": "app", "sub": "user-123", "name": "Ana",
			"email": email, "iat": Now.Unix() - 10, "exp": Now.Unix() + 600}
		maps.Copy(claims, s.over)
		payload, err := json.Marshal(claims)
		if err != nil {
			tb.Fatal(err)
		}
		token, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), sessionKey))
		if err != nil {
			tb.Fatal(err)
		}
		v, err := session.NewHS256(Key(sessionKey), session.Options{Issuer: "https://app.example.com",
			Audience: []string{"app"}, TrustUnverifiedEmail: s.trust, Now: Clock})
		if err != nil {
			tb.Fatal(err)
		}
		req := &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": "Bearer " + string(token)}}
		id, err := v.Verify(context.Background(), req)
		add("bearer "+s.name, id, err, s.email)
	}
	return out
}

// authorizerRequest is a request as API Gateway passes it once its JWT
// authorizer has verified claims.
func authorizerRequest(claims map[string]string) *events.APIGatewayV2HTTPRequest {
	req := &events.APIGatewayV2HTTPRequest{}
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}
	return req
}

// Request is one request to a vendor's route.
type Request struct {
	Claims map[string]string // the API Gateway JWT authorizer's claims
	Query  map[string]string // the query string parameters
	Body   string
}

// Answer is the handler's answer to a Request, and what it logged.
type Answer struct {
	Status int
	Body   string
	Logs   string
}

// Serve answers req on v's first route through the real httpapi.Handler,
// with the session verified by session.Authorizer (as API Gateway's JWT
// authorizer passes it) and v's minter built by NewMinter over the default
// settings, secretJSON ("" for the dev-only secret) and Clock, logging as
// JSON. It fails tb when the body or a log line holds any value of the
// secret, when a log line holds the body's token or signature (or the
// token's signature segment), or when the log has no line with the
// session's user id.
func Serve(tb testing.TB, v descriptor.Vendor, secretJSON string, req Request) Answer {
	tb.Helper()
	if secretJSON == "" {
		secretJSON = dev.Secret(v.Name, v.Secret)
	}
	var logs bytes.Buffer
	h := &httpapi.Handler{
		Session: &session.Authorizer{},
		Minter:  NewMinter(tb, v, nil, secretJSON, Clock),
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
	}
	r := *authorizerRequest(req.Claims)
	r.RouteKey, r.QueryStringParameters, r.Body = v.Routes[0].Key(), req.Query, req.Body
	resp, err := h.Handle(context.Background(), r)
	if err != nil {
		tb.Fatalf("Handle returned an error: %v", err)
	}
	a := Answer{Status: resp.StatusCode, Body: resp.Body, Logs: logs.String()}

	var secret map[string]string
	if err := json.Unmarshal([]byte(secretJSON), &secret); err != nil {
		tb.Fatalf("the secret's JSON: %v", err)
	}
	for key, value := range secret {
		if value != "" && (strings.Contains(a.Body, value) || strings.Contains(a.Logs, value)) {
			tb.Errorf("the body or a log line holds the secret's %s", key)
		}
	}
	var body map[string]any
	_ = json.Unmarshal([]byte(a.Body), &body)
	for _, field := range []string{"token", "signature"} {
		s, _ := body[field].(string)
		if s == "" {
			continue
		}
		sig := s[strings.LastIndexByte(s, '.')+1:]
		if strings.Contains(a.Logs, s) || strings.Contains(a.Logs, sig) {
			tb.Errorf("a log line holds the answer's %s or its signature", field)
		}
	}
	if sub := req.Claims["sub"]; strings.TrimSpace(sub) != "" {
		quoted, _ := json.Marshal(sub)
		if !strings.Contains(a.Logs, `"user_id":`+string(quoted)) {
			tb.Errorf("logs = %s, want the request line with user_id %s", a.Logs, quoted)
		}
	}
	return a
}
