package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

const (
	sessionKey = "session-signing-key-for-tests-0123456789abcdef"
	vendorKey  = "vendor-secret-for-tests-0123456789"
	now        = 1_767_000_000
	// route is the route of the tests' vendor, vendortest.Acme.
	route = "POST /acme/token"
)

func clock() time.Time { return time.Unix(now, 0) }

// hs256Env is a complete hs256-mode configuration of the tests' vendor,
// vendortest.Acme, reading its secrets from Secrets Manager.
func hs256Env() map[string]string {
	return map[string]string{
		"SESSION_MODE":      "hs256",
		"SESSION_ISSUER":    "https://app.example.com",
		"SESSION_AUDIENCE":  "support-tokens",
		"SESSION_SECRET_ID": "app/session",
		"ACME_SECRET_ID":    "app/acme",
		"ACME_TOKEN_TTL":    "15m",
	}
}

// sessionToken is the app's session, signed independently of golang-jwt.
func sessionToken(t *testing.T, sub string) string {
	t.Helper()
	return signSession(t, map[string]any{"sub": sub, "email": sub + "@example.com"})
}

// signSession signs a session of the claims iss, aud, iat and exp, and those
// of claims.
func signSession(t *testing.T, claims map[string]any) string {
	t.Helper()
	return signSessionWith(t, sessionKey, claims)
}

// signSessionWith is signSession with another key.
func signSessionWith(t *testing.T, key string, claims map[string]any) string {
	t.Helper()
	all := map[string]any{"iss": "https://app.example.com", "aud": "support-tokens", "iat": now - 10, "exp": now + 600}
	maps.Copy(all, claims)
	payload, _ := json.Marshal(all)
	tok, err := jws.Sign(payload, jws.WithKey(jwa.HS256(), []byte(key)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func newServer(t *testing.T) *secretstest.Server {
	return secretstest.NewServer(t, map[string]string{
		"app/session": `{"signing_key":"` + sessionKey + `"}`,
		"app/acme":    `{"secret":"` + vendorKey + `"}`,
	})
}

func build(t *testing.T, env map[string]string, srv *secretstest.Server, logs *bytes.Buffer) (*httpapi.Handler, error) {
	t.Helper()
	h, err := function.Build(context.Background(), vendortest.Acme, function.Deps{
		Getenv:  func(k string) string { return env[k] },
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		Secrets: srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Now:     clock,
	})
	return h, err
}

// TestBuildServesFromSessionIdentity builds the function from Secrets
// Manager and proves the token names the session's user, whatever the
// request body claims.
func TestBuildServesFromSessionIdentity(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t)
	srv.SetDelay(50 * time.Millisecond)
	h, err := build(t, hs256Env(), srv, &logs)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if srv.MaxInFlight() != 2 {
		t.Errorf("secrets were read with %d requests in flight, want both at once", srv.MaxInFlight())
	}
	session := sessionToken(t, "user-42")
	resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
		RouteKey: route,
		Headers:  map[string]string{"authorization": "Bearer " + session},
		Body:     `{"externalId":"someone-else","user_id":"someone-else","email":"evil@example.com"}`,
	})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	var body struct{ Token string }
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse([]byte(body.Token), jwt.WithKey(jwa.HS256(), []byte(vendorKey)), jwt.WithClock(jwt.ClockFunc(clock)))
	if err != nil {
		t.Fatalf("minted token does not verify with the vendor secret: %v", err)
	}
	if sub, ok := tok.Subject(); !ok || sub != "user-42" {
		t.Fatalf("sub = %q, want the session's user-42", sub)
	}
	if tok.Has("email") {
		t.Fatalf("token carries an email the session does not say is verified")
	}
	for _, secret := range []string{sessionKey, vendorKey, session, body.Token} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("log leaks a secret or token: %s", logs.String())
		}
	}
}

func TestBuildRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string
		secret map[string]string // replaces the stored secrets
		is     error
		names  []string // what the error must name
	}{
		{name: "no session mode", change: map[string]string{"SESSION_MODE": ""}, is: config.ErrInvalid, names: []string{"SESSION_MODE"}},
		{name: "unknown session mode", change: map[string]string{"SESSION_MODE": "cookie"}, is: config.ErrInvalid, names: []string{"SESSION_MODE"}},
		{name: "no issuer nor audience", change: map[string]string{"SESSION_ISSUER": "", "SESSION_AUDIENCE": " , "}, is: config.ErrMissing, names: []string{"SESSION_ISSUER", "SESSION_AUDIENCE"}},
		{name: "jwks without url", change: map[string]string{"SESSION_MODE": "jwks"}, is: config.ErrMissing, names: []string{"SESSION_JWKS_URL"}},
		{name: "bad leeway", change: map[string]string{"SESSION_LEEWAY": "an hour"}, is: config.ErrInvalid, names: []string{"SESSION_LEEWAY"}},
		{name: "bad secrets ttl", change: map[string]string{"SECRETS_TTL": "-1s"}, is: config.ErrInvalid, names: []string{"SECRETS_TTL"}},
		{name: "bad vendor setting", change: map[string]string{"ACME_TOKEN_TTL": "a fortnight"}, is: config.ErrInvalid, names: []string{"ACME_TOKEN_TTL"}},
		{name: "vendor secret not named", change: map[string]string{"ACME_SECRET_ID": ""}, is: secrets.ErrNotConfigured, names: []string{"ACME_SECRET_ID"}},
		{name: "vendor secret missing", secret: map[string]string{"app/session": `{"signing_key":"` + sessionKey + `"}`}, is: secrets.ErrFetch, names: []string{"ACME_SECRET_ID"}},
		{name: "vendor key empty", secret: map[string]string{"app/session": `{"signing_key":"` + sessionKey + `"}`, "app/acme": `{"secret":""}`}, is: secrets.ErrMissingKey, names: []string{"ACME_SECRET_ID", "secret"}},
		{name: "session key malformed", secret: map[string]string{"app/session": `{"signing_key":`, "app/acme": `{"secret":"` + vendorKey + `"}`}, is: secrets.ErrMalformed, names: []string{"SESSION_SECRET_ID"}},
		{name: "trust flag not a boolean", change: map[string]string{"SESSION_TRUST_UNVERIFIED_EMAIL": "yes-please"}, is: config.ErrInvalid, names: []string{"SESSION_TRUST_UNVERIFIED_EMAIL"}},
		{name: "jwks url with user info", change: map[string]string{"SESSION_MODE": "jwks", "SESSION_JWKS_URL": "https://user:pa55word@127.0.0.1:9/jwks.json?key=q5ecret"}, is: config.ErrInvalid, names: []string{"SESSION_JWKS_URL"}},
		{name: "session key too short", secret: map[string]string{"app/session": `{"signing_key":"short-but-secret"}`, "app/acme": `{"secret":"` + vendorKey + `"}`}, is: function.ErrConfig, names: []string{"SESSION_SECRET_ID", "signing_key"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := hs256Env()
			for k, v := range tc.change {
				env[k] = v
			}
			srv := newServer(t)
			if tc.secret != nil {
				srv.Delete("app/session")
				srv.Delete("app/acme")
				for id, v := range tc.secret {
					srv.Set(id, v)
				}
			}
			var logs bytes.Buffer
			h, err := build(t, env, srv, &logs)
			if err == nil || h != nil {
				t.Fatalf("Build succeeded, want an error")
			}
			if !errors.Is(err, function.ErrConfig) || !errors.Is(err, tc.is) {
				t.Fatalf("error %q is not ErrConfig and %v", err, tc.is)
			}
			for _, name := range tc.names {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			for _, value := range []string{sessionKey, vendorKey, "short-but-secret", "an hour", "cookie", "a fortnight", "yes-please", "pa55word", "q5ecret"} {
				if strings.Contains(err.Error(), value) || strings.Contains(logs.String(), value) {
					t.Errorf("error or log repeats the value %q: %v / %s", value, err, logs.String())
				}
			}
		})
	}
}

// TestVerifiedEmailOnly builds the function and proves that the vendor
// is given the session's email only when the session says it is verified,
// or when SESSION_TRUST_UNVERIFIED_EMAIL says to trust it, which is logged
// at start; and that a blank user id is refused. The tests' vendor puts
// the email it is given in its token.
func TestVerifiedEmailOnly(t *testing.T) {
	const email = "user-42@example.com"
	authorizer := map[string]string{"SESSION_MODE": "authorizer"}
	trusted := map[string]string{"SESSION_TRUST_UNVERIFIED_EMAIL": "true"}
	tests := []struct {
		name       string
		change     map[string]string // the settings, over hs256Env's
		claims     map[string]any    // the bearer session's, over sub and email
		authorizer map[string]string // authorizer claims, in authorizer mode
		status     int
		email      string // the token's email claim, "" for none
	}{
		{name: "verified", claims: map[string]any{"email_verified": true}, status: 200, email: email},
		{name: "not said to be verified", status: 200},
		{name: "said to be unverified", claims: map[string]any{"email_verified": false}, status: 200},
		{name: `verified as the string "true"`, claims: map[string]any{"email_verified": "true"}, status: 200},
		{name: "verified by a claim of another name", claims: map[string]any{"email_verified": true}, status: 200,
			change: map[string]string{"SESSION_EMAIL_VERIFIED_CLAIM": "mail_ok"}},
		{name: "verified by the claim configured", claims: map[string]any{"mail_ok": true}, status: 200, email: email,
			change: map[string]string{"SESSION_EMAIL_VERIFIED_CLAIM": "mail_ok"}},
		{name: "unverified, trusted", claims: map[string]any{"email_verified": false}, change: trusted, status: 200, email: email},
		{name: "trust set to false", change: map[string]string{"SESSION_TRUST_UNVERIFIED_EMAIL": "false"}, status: 200},
		{name: "null email", claims: map[string]any{"email": nil, "email_verified": true}, status: 200},
		{name: "blank user id", claims: map[string]any{"sub": "  ", "email_verified": true}, status: 401},
		{name: "authorizer, verified", change: authorizer, status: 200, email: email,
			authorizer: map[string]string{"sub": "user-42", "email": email, "email_verified": "true"}},
		{name: "authorizer, not said to be verified", change: authorizer, status: 200,
			authorizer: map[string]string{"sub": "user-42", "email": email}},
		{name: "authorizer, said to be unverified", change: authorizer, status: 200,
			authorizer: map[string]string{"sub": "user-42", "email": email, "email_verified": "false"}},
		{name: "authorizer, unverified, trusted", status: 200, email: email,
			change:     map[string]string{"SESSION_MODE": "authorizer", "SESSION_TRUST_UNVERIFIED_EMAIL": "true"},
			authorizer: map[string]string{"sub": "user-42", "email": email}},
		{name: "authorizer, blank user id", change: authorizer, status: 401,
			authorizer: map[string]string{"sub": " ", "email": email, "email_verified": "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := hs256Env()
			maps.Copy(env, tc.change)
			var logs bytes.Buffer
			h, err := build(t, env, newServer(t), &logs)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			warned := strings.Contains(logs.String(), `"level":"WARN","msg":"SESSION_TRUST_UNVERIFIED_EMAIL is true`)
			if want := env["SESSION_TRUST_UNVERIFIED_EMAIL"] == "true"; warned != want {
				t.Errorf("warned at start: %v, want %v:\n%s", warned, want, &logs)
			}

			req := events.APIGatewayV2HTTPRequest{RouteKey: route}
			if tc.authorizer != nil {
				req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
					JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: tc.authorizer},
				}
			} else {
				claims := map[string]any{"sub": "user-42", "email": email}
				maps.Copy(claims, tc.claims)
				req.Headers = map[string]string{"authorization": "Bearer " + signSession(t, claims)}
			}
			resp, _ := h.Handle(context.Background(), req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			if tc.status != 200 {
				return
			}
			var body struct{ Token string }
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Parse([]byte(body.Token), jwt.WithKey(jwa.HS256(), []byte(vendorKey)), jwt.WithClock(jwt.ClockFunc(clock)))
			if err != nil {
				t.Fatalf("the token does not verify: %v", err)
			}
			var got string
			if tc.email == "" {
				if tok.Has("email") {
					_ = tok.Get("email", &got)
					t.Fatalf("token email %q, want none: the session does not say it is verified", got)
				}
				return
			}
			if err := tok.Get("email", &got); err != nil || got != tc.email {
				t.Fatalf("token email %q (%v), want %q", got, err, tc.email)
			}
		})
	}
}

// TestBuildJWKSLog starts in jwks mode while the issuer cannot be reached:
// the function's own log says so, naming the key set URL without its query.
func TestBuildJWKSLog(t *testing.T) {
	issuer := httptest.NewServer(http.NotFoundHandler())
	issuer.Close()
	env := hs256Env()
	env["SESSION_MODE"] = "jwks"
	env["SESSION_JWKS_URL"] = issuer.URL + "/jwks.json?key=q5ecret"
	var logs bytes.Buffer
	if _, err := build(t, env, newServer(t), &logs); err != nil {
		t.Fatalf("Build: %v", err)
	}
	if !strings.Contains(logs.String(), `"jwks_url":"`+issuer.URL+`/jwks.json"`) || strings.Contains(logs.String(), "q5ecret") {
		t.Fatalf("the log does not name the key set URL, or shows its query:\n%s", &logs)
	}
}

// TestBuildOfflineOverride starts with the secret in the environment and
// never calls Secrets Manager, but says so in the log.
func TestBuildOfflineOverride(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t)
	env := map[string]string{
		"SESSION_MODE":     "authorizer",
		"ACME_SECRET_JSON": `{"secret":"` + vendorKey + `"}`,
	}
	if _, err := build(t, env, srv, &logs); err != nil {
		t.Fatalf("Build: %v", err)
	}
	if srv.Calls() != 0 {
		t.Fatalf("Secrets Manager was called %d times", srv.Calls())
	}
	if !strings.Contains(logs.String(), "ACME_SECRET_JSON") || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Fatalf("no warning names the override: %s", logs.String())
	}
	if strings.Contains(logs.String(), vendorKey) {
		t.Fatalf("log leaks the secret")
	}
}

func TestNewLoggerLevel(t *testing.T) {
	for _, tc := range []struct {
		level     string
		infoShown bool
	}{{"", true}, {"debug", true}, {"INFO", true}, {"WARN", false}, {"error", false}, {"nonsense", true}} {
		var buf bytes.Buffer
		function.NewLogger(&buf, tc.level).Info("hello")
		if got := buf.Len() > 0; got != tc.infoShown {
			t.Errorf("level %q: info shown = %v, want %v", tc.level, got, tc.infoShown)
		}
	}
}

// movingClock starts at the tests' fixed time and moves when told to.
type movingClock struct{ offset atomic.Int64 }

func (c *movingClock) Now() time.Time          { return clock().Add(time.Duration(c.offset.Load())) }
func (c *movingClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// buildWarm builds the hs256 function with SECRETS_TTL=1m on a
// clock the test moves.
func buildWarm(t *testing.T, srv *secretstest.Server, c *movingClock, logs *logtest.Buffer) *httpapi.Handler {
	t.Helper()
	env := hs256Env()
	env["SECRETS_TTL"] = "1m"
	h, err := function.Build(context.Background(), vendortest.Acme, function.Deps{
		Getenv:  func(k string) string { return env[k] },
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		Secrets: srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Now:     c.Now,
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return h
}

// until makes requests with the session of user-42, a bounded number of
// times, until done accepts the response, and returns that response.
func until(t *testing.T, h *httpapi.Handler, done func(events.APIGatewayV2HTTPResponse) bool) events.APIGatewayV2HTTPResponse {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{
		RouteKey: route,
		Headers:  map[string]string{"authorization": "Bearer " + sessionToken(t, "user-42")},
	}
	var resp events.APIGatewayV2HTTPResponse
	for range 200 {
		resp, _ = h.Handle(context.Background(), req)
		if done(resp) {
			return resp
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no request got the awaited answer; the last was %d %s", resp.StatusCode, resp.Body)
	return resp
}

// TestRereadSessionKeyIsChecked rotates the session key to one the
// verifier would refuse: the function keeps verifying with the last good
// key, and logs an error that names the setting.
func TestRereadSessionKeyIsChecked(t *testing.T) {
	var logs logtest.Buffer
	var c movingClock
	srv := newServer(t)
	h := buildWarm(t, srv, &c, &logs)

	const short = "short-but-secret"
	srv.Set("app/session", `{"signing_key":"`+short+`"}`)
	c.Advance(2 * time.Minute)
	rejected := `"msg":"secret read again fails its checks; keeping the last good value","setting":"SESSION_SECRET_ID"`
	resp := until(t, h, func(events.APIGatewayV2HTTPResponse) bool { return strings.Contains(logs.String(), rejected) })
	if resp.StatusCode != 200 {
		t.Errorf("with the rotated key refused: status %d %s, want 200 from the last good key", resp.StatusCode, resp.Body)
	}
	resp = until(t, h, func(events.APIGatewayV2HTTPResponse) bool { return true })
	if resp.StatusCode != 200 {
		t.Errorf("after the refused re-read: status %d %s, want 200", resp.StatusCode, resp.Body)
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"secret read again fails its checks`) {
		t.Errorf("no error is logged: %s", logs.String())
	}
	for _, secret := range []string{sessionKey, vendorKey, short} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("log leaks a secret: %s", logs.String())
		}
	}
}

// TestRereadWeakVendorKeyIsRefused rotates the vendor secret to a key too
// short to sign with, then to one with a trailing newline: the function
// keeps signing with the last good key, and logs an error naming the
// setting and the key.
func TestRereadWeakVendorKeyIsRefused(t *testing.T) {
	for _, tc := range []struct{ name, secret, says string }{
		{"one byte", `{"secret":"x"}`, `JSON key \"secret\" is shorter than 16 bytes`},
		{"trailing newline", `{"secret":"` + vendorKey + `-2\n"}`, `JSON key \"secret\" has white space at its start or end`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs logtest.Buffer
			var c movingClock
			srv := newServer(t)
			h := buildWarm(t, srv, &c, &logs)

			srv.Set("app/acme", tc.secret)
			c.Advance(2 * time.Minute)
			rejected := `"msg":"secret read again fails its checks; keeping the last good value","setting":"ACME_SECRET_ID"`
			until(t, h, func(events.APIGatewayV2HTTPResponse) bool { return strings.Contains(logs.String(), rejected) })
			resp := until(t, h, func(events.APIGatewayV2HTTPResponse) bool { return true })
			var body struct{ Token string }
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.StatusCode != 200 {
				t.Fatalf("after the refused re-read: status %d %s, want 200", resp.StatusCode, resp.Body)
			}
			if _, err := jwt.Parse([]byte(body.Token), jwt.WithKey(jwa.HS256(), []byte(vendorKey)), jwt.WithValidate(false)); err != nil {
				t.Errorf("the token is not signed with the last good key: %v", err)
			}
			if !strings.Contains(logs.String(), tc.says) {
				t.Errorf("the log does not say %s: %s", tc.says, logs.String())
			}
		})
	}
}

// TestRevokedSecretAnswersInternal deletes the vendor secret: once a
// re-read has seen that, requests get the contract's internal error.
func TestRevokedSecretAnswersInternal(t *testing.T) {
	var logs logtest.Buffer
	var c movingClock
	srv := newServer(t)
	h := buildWarm(t, srv, &c, &logs)

	srv.Delete("app/acme")
	c.Advance(2 * time.Minute)
	resp := until(t, h, func(r events.APIGatewayV2HTTPResponse) bool { return r.StatusCode != 200 })
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 500 || body.Error.Code != "internal" || body.Error.Message != "a secret the function needs is not available" {
		t.Errorf("got %d %s, want 500 internal with the safe message", resp.StatusCode, resp.Body)
	}
	for _, want := range []string{`"msg":"secret revoked`, `"setting":"ACME_SECRET_ID"`, "ResourceNotFoundException"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s: %s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), vendorKey) || strings.Contains(resp.Body, vendorKey) {
		t.Fatalf("a secret leaks")
	}
}

// TestBadSettingsReportedTogetherBeforeIO: a start with several bad
// settings, the vendor's among them, and a missing secret id fails with one
// error that names each, shows no value, and reads no secret.
func TestBadSettingsReportedTogetherBeforeIO(t *testing.T) {
	var logs bytes.Buffer
	srv := newServer(t)
	env := hs256Env()
	env["SECRETS_TTL"] = "forever-and-a-day"
	env["ACME_TOKEN_TTL"] = "ninety-winks"
	delete(env, "ACME_SECRET_ID")
	_, err := build(t, env, srv, &logs)
	if !errors.Is(err, function.ErrConfig) {
		t.Fatalf("Build error = %v, want ErrConfig", err)
	}
	for _, want := range []string{"SECRETS_TTL", "ACME_TOKEN_TTL", "ACME_SECRET_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	for _, value := range []string{"forever-and-a-day", "ninety-winks"} {
		if strings.Contains(err.Error(), value) {
			t.Errorf("error %q shows the value %q", err, value)
		}
	}
	if n := srv.Calls(); n != 0 {
		t.Errorf("Secrets Manager was called %d times before the settings were found bad", n)
	}
}

// TestBuildStartsTheWarmUpWithoutWaiting: a vendor's warm-up starts while
// the secrets are read, and Build returns once they are, however long the
// warm-up takes; with a bad setting it never starts.
func TestBuildStartsTheWarmUpWithoutWaiting(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string
		starts bool
	}{
		{"settings good", nil, true},
		{"a bad setting", map[string]string{"ACME_TOKEN_TTL": "a fortnight"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			srv.SetDelay(50 * time.Millisecond)
			started := make(chan struct{})
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			v := vendortest.Acme
			v.Configure = func(env *config.Env) descriptor.Setup {
				s := vendortest.Acme.Configure(env)
				s.Warm = func(context.Context, descriptor.Deps) {
					close(started)
					<-release // a warm-up that outlasts the start
				}
				return s
			}
			env := hs256Env()
			maps.Copy(env, tt.change)
			_, err := function.Build(context.Background(), v, function.Deps{
				Getenv:  func(k string) string { return env[k] },
				Logger:  slog.New(slog.DiscardHandler),
				Secrets: srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
				Now:     clock,
			})
			if (err == nil) != tt.starts {
				t.Fatalf("Build error = %v, want ok = %v", err, tt.starts)
			}
			select {
			case <-started:
				if !tt.starts {
					t.Error("the warm-up started despite a bad setting")
				}
			default:
				if tt.starts {
					t.Error("Build returned and the warm-up had not started")
				}
			}
		})
	}
}

// TestBuildMetrics: with METRICS_NAMESPACE, every request is counted by
// outcome, and in jwks mode every fetch of the issuer's keys; without it,
// nothing is written.
func TestBuildMetrics(t *testing.T) {
	issuer := httptest.NewServer(http.NotFoundHandler())
	defer issuer.Close()
	for _, c := range []struct {
		name      string
		env       map[string]string
		session   string
		wantLines []string // a substring of each line, in order
	}{
		{"off without a namespace", hs256Env(), "", nil},
		{"ok", withEnv(hs256Env(), "METRICS_NAMESPACE", "VT"), "user-1",
			[]string{`"Outcome":"ok","Requests":1,"Vendor":"acme"`}},
		{"unauthorized", withEnv(hs256Env(), "METRICS_NAMESPACE", "VT"), "",
			[]string{`"Outcome":"unauthorized","Requests":1,"Vendor":"acme"`}},
		{"jwks key fetch", withEnv(withEnv(withEnv(hs256Env(), "METRICS_NAMESPACE", "VT"), "SESSION_MODE", "jwks"), "SESSION_JWKS_URL", issuer.URL+"/jwks.json"), "",
			[]string{`"KeyRefreshes":1,"Result":"failed","Vendor":"acme"`, `"Outcome":"unauthorized"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			env := c.env
			h, err := function.Build(context.Background(), vendortest.Acme, function.Deps{
				Getenv:  func(k string) string { return env[k] },
				Logger:  slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)),
				Secrets: newServer(t).Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
				Now:     clock,
				Metrics: &out,
			})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			req := events.APIGatewayV2HTTPRequest{RouteKey: route}
			if c.session != "" {
				req.Headers = map[string]string{"authorization": "Bearer " + sessionToken(t, c.session)}
			}
			h.Handle(context.Background(), req)
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if out.Len() == 0 {
				lines = nil
			}
			if len(lines) != len(c.wantLines) {
				t.Fatalf("%d metric lines, want %d:\n%s", len(lines), len(c.wantLines), out.String())
			}
			for i, want := range c.wantLines {
				if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], `"Namespace":"VT"`) {
					t.Errorf("line %d = %s, want one with %s in namespace VT", i, lines[i], want)
				}
			}
		})
	}
}

func withEnv(env map[string]string, k, v string) map[string]string {
	env = maps.Clone(env)
	env[k] = v
	return env
}
