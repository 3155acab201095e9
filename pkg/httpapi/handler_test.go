package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

const (
	sessionToken = "eyJhbGciOiJIUzI1NiJ9.session-token-under-test.c2lnbmF0dXJl"
	mintedToken  = "minted-token-that-must-stay-in-the-body"
)

// fakeSession accepts exactly one bearer token and returns a fixed identity.
type fakeSession struct{ err error }

func (f fakeSession) Verify(_ context.Context, req *events.APIGatewayV2HTTPRequest) (identity.Identity, error) {
	if f.err != nil {
		return identity.Identity{}, f.err
	}
	if req.Headers["authorization"] != "Bearer "+sessionToken {
		return identity.Identity{}, session.ErrNoSession
	}
	return identity.Identity{UserID: "user-1", Email: "u1@example.com", Name: "User One"}, nil
}

// fakeMinter records the identity it was asked for.
type fakeMinter struct {
	err   error
	panic bool
	got   []identity.Identity
}

func (f *fakeMinter) Mint(_ context.Context, id identity.Identity) (any, error) {
	if f.panic {
		panic("minter exploded")
	}
	f.got = append(f.got, id)
	if f.err != nil {
		return nil, f.err
	}
	return map[string]string{"token": mintedToken}, nil
}

func request(body string) events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		RouteKey: "POST /acme/token",
		Headers:  map[string]string{"authorization": "Bearer " + sessionToken},
		Body:     body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-123",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/acme/token"},
		},
	}
}

type errorEnvelope struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

func newHandler(v httpapi.Verifier, m httpapi.Minter, logs *bytes.Buffer) *httpapi.Handler {
	tick := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &httpapi.Handler{
		Session: v,
		Minter:  m,
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		Now: func() time.Time {
			tick = tick.Add(1500 * time.Microsecond)
			return tick
		},
	}
}

func TestHandleBodies(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name   string
		body   string
		base64 bool
		status int
		code   string
	}{
		{name: "absent", body: "", status: 200},
		{name: "empty object", body: "{}", status: 200},
		{name: "whitespace only", body: " \n\t ", status: 200},
		{name: "identity in body is ignored", body: `{"user_id":"someone-else","externalId":"x","email":"evil@example.com","sub":"admin"}`, status: 200},
		{name: "base64 object", body: b64([]byte(`{"user_id":"someone-else"}`)), base64: true, status: 200},
		{name: "array", body: `["user_id"]`, status: 400, code: "bad_request"},
		{name: "string", body: `"user"`, status: 400, code: "bad_request"},
		{name: "not json", body: "user_id=someone-else", status: 400, code: "bad_request"},
		{name: "truncated json", body: `{"user_id":`, status: 400, code: "bad_request"},
		{name: "trailing garbage", body: `{} {}`, status: 400, code: "bad_request"},
		{name: "nul bytes", body: "{\x00}", status: 400, code: "bad_request"},
		{name: "oversized", body: `{"pad":"` + strings.Repeat("a", httpapi.MaxBodyBytes) + `"}`, status: 400, code: "bad_request"},
		{name: "oversized base64", body: b64(bytes.Repeat([]byte("a"), httpapi.MaxBodyBytes+1)), base64: true, status: 400, code: "bad_request"},
		{name: "invalid base64", body: "%%%not-base64%%%", base64: true, status: 400, code: "bad_request"},
		{name: "base64 of non-json", body: b64([]byte("hello")), base64: true, status: 400, code: "bad_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			minter := &fakeMinter{}
			req := request(tc.body)
			req.IsBase64Encoded = tc.base64
			resp, err := newHandler(fakeSession{}, minter, &logs).Handle(context.Background(), req)
			if err != nil {
				t.Fatalf("Handle returned error %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tc.status, resp.Body)
			}
			assertContractHeaders(t, resp)
			if tc.status == 200 {
				if len(minter.got) != 1 || minter.got[0].UserID != "user-1" || minter.got[0].Email != "u1@example.com" {
					t.Fatalf("minter got %+v, want the session's identity only", minter.got)
				}
				return
			}
			if len(minter.got) != 0 {
				t.Fatalf("minter called for a rejected request")
			}
			assertErrorBody(t, resp.Body, tc.code, "req-123")
		})
	}
}

func TestHandleErrors(t *testing.T) {
	upstreamDown := apierror.New(apierror.UpstreamUnavailable, "Acme could not be reached")
	tests := []struct {
		name     string
		verify   error
		mint     error
		panic    bool
		status   int
		code     string
		message  string
		wwwAuth  bool
		mintRuns bool
	}{
		{name: "no session", verify: session.ErrNoSession, status: 401, code: "unauthorized", wwwAuth: true},
		{name: "invalid session with detail", verify: fmt.Errorf("%w: signature mismatch for %s", session.ErrInvalid, sessionToken), status: 401, code: "unauthorized", wwwAuth: true},
		{name: "forbidden", mint: apierror.New(apierror.Forbidden, "the session has no email"), status: 403, code: "forbidden", message: "the session has no email", mintRuns: true},
		{name: "upstream unavailable wrapped", mint: fmt.Errorf("%w: dial tcp: connection refused", upstreamDown), status: 503, code: "upstream_unavailable", message: "Acme could not be reached", mintRuns: true},
		{name: "upstream error kind", mint: apierror.UpstreamError, status: 502, code: "upstream_error", mintRuns: true},
		{name: "unclassified error is internal", mint: errors.New("key material " + mintedToken), status: 500, code: "internal", message: "internal error", mintRuns: true},
		{name: "panic is internal", panic: true, status: 500, code: "internal", message: "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			minter := &fakeMinter{err: tc.mint, panic: tc.panic}
			resp, _ := newHandler(fakeSession{err: tc.verify}, minter, &logs).Handle(context.Background(), request(""))
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			assertContractHeaders(t, resp)
			if got := resp.Headers["WWW-Authenticate"]; (got == "Bearer") != tc.wwwAuth {
				t.Fatalf("WWW-Authenticate = %q, want present=%v", got, tc.wwwAuth)
			}
			env := assertErrorBody(t, resp.Body, tc.code, "req-123")
			if tc.message != "" && env.Error.Message != tc.message {
				t.Fatalf("message = %q, want %q", env.Error.Message, tc.message)
			}
			if (len(minter.got) == 1) != tc.mintRuns {
				t.Fatalf("minter calls = %d, want run=%v", len(minter.got), tc.mintRuns)
			}
			for _, secret := range []string{sessionToken, mintedToken, "signature mismatch", "connection refused"} {
				if strings.Contains(resp.Body, secret) {
					t.Fatalf("response body leaks %q: %s", secret, resp.Body)
				}
			}
			line := oneLogLine(t, &logs)
			if line["error_code"] != tc.code || line["status"] != float64(tc.status) {
				t.Fatalf("log line %v does not record code %s / status %d", line, tc.code, tc.status)
			}
		})
	}
}

func TestHandleSuccessLogLine(t *testing.T) {
	var logs bytes.Buffer
	resp, _ := newHandler(fakeSession{}, &fakeMinter{}, &logs).Handle(context.Background(), request(`{}`))
	if resp.StatusCode != 200 || resp.Body != `{"token":"`+mintedToken+`"}` {
		t.Fatalf("response = %d %s", resp.StatusCode, resp.Body)
	}
	line := oneLogLine(t, &logs)
	want := map[string]any{"msg": "request", "level": "INFO", "request_id": "req-123", "route": "POST /acme/token", "status": float64(200), "duration_ms": 1.5}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["error_code"]; ok {
		t.Errorf("success line has an error_code: %v", line)
	}
	if strings.Contains(logs.String(), mintedToken) || strings.Contains(logs.String(), sessionToken) {
		t.Fatalf("log leaks a token: %s", logs.String())
	}
}

// TestHandleAuditTrail: the log line names the verified user as user_id,
// also when minting fails after the session verified, and no user when it
// did not verify; no line holds the email, the name or a token.
func TestHandleAuditTrail(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		verify error
		mint   error
		panic  bool
		userID string // "": no user_id attribute
	}{
		{name: "token issued", userID: "user-1"},
		{name: "minting refused", mint: apierror.New(apierror.Forbidden, "a verified email is required"), userID: "user-1"},
		{name: "upstream unavailable", mint: apierror.UpstreamUnavailable, userID: "user-1"},
		{name: "minter panics", panic: true, userID: "user-1"},
		{name: "no session", verify: session.ErrNoSession},
		{name: "session does not verify", verify: session.ErrInvalid},
		{name: "bad body, session not verified", body: "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			minter := &fakeMinter{err: tc.mint, panic: tc.panic}
			newHandler(fakeSession{err: tc.verify}, minter, &logs).Handle(context.Background(), request(tc.body))
			line := oneLogLine(t, &logs)
			got, ok := line["user_id"]
			if tc.userID == "" && ok {
				t.Errorf("user_id = %v for a request whose session did not verify", got)
			}
			if tc.userID != "" && got != tc.userID {
				t.Errorf("user_id = %v, want %q; line %v", got, tc.userID, line)
			}
			for _, never := range []string{"u1@example.com", "User One", sessionToken, mintedToken} {
				if strings.Contains(logs.String(), never) {
					t.Errorf("the log holds %q: %s", never, logs.String())
				}
			}
		})
	}
}

func TestHandleRequestIDFallback(t *testing.T) {
	var logs bytes.Buffer
	req := request("")
	req.RequestContext.RequestID = ""
	resp, _ := newHandler(fakeSession{err: session.ErrNoSession}, &fakeMinter{}, &logs).Handle(context.Background(), req)
	var env errorEnvelope
	if err := json.Unmarshal([]byte(resp.Body), &env); err != nil || len(env.Error.RequestID) != 24 {
		t.Fatalf("request_id = %q (%v), want a generated id", env.Error.RequestID, err)
	}
	if line := oneLogLine(t, &logs); line["request_id"] != env.Error.RequestID {
		t.Fatalf("log request_id %v differs from body %q", line["request_id"], env.Error.RequestID)
	}
}

func assertContractHeaders(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	if resp.Headers["Content-Type"] != "application/json" || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("headers = %v, want JSON and no-store", resp.Headers)
	}
}

func assertErrorBody(t *testing.T, body, code, requestID string) errorEnvelope {
	t.Helper()
	var env errorEnvelope
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("error body %s is not the contract's shape: %v", body, err)
	}
	if env.Error.Code != code || env.Error.RequestID != requestID || env.Error.Message == "" {
		t.Fatalf("error body = %+v, want code %s and request id %s", env.Error, code, requestID)
	}
	return env
}

func oneLogLine(t *testing.T, logs *bytes.Buffer) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want exactly one log line, got %d: %s", len(lines), logs.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	return line
}

// queryMinter records what Query returns inside Mint.
type queryMinter struct{ got map[string]string }

func (q *queryMinter) Mint(ctx context.Context, _ identity.Identity) (any, error) {
	q.got = httpapi.Query(ctx)
	return map[string]string{"token": mintedToken}, nil
}

// TestQuery: the minter sees the request's query parameters, and nothing
// outside a request.
func TestQuery(t *testing.T) {
	tests := []struct {
		name  string
		query map[string]string
	}{
		{"none", nil},
		{"one", map[string]string{"platform": "ios"}},
		{"repeated, joined by API Gateway", map[string]string{"platform": "ios,web", "x": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			m := &queryMinter{}
			req := request(``)
			req.QueryStringParameters = tt.query
			if resp, _ := newHandler(fakeSession{}, m, &logs).Handle(context.Background(), req); resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			if !maps.Equal(m.got, tt.query) {
				t.Errorf("Query = %v, want %v", m.got, tt.query)
			}
		})
	}
	if q := httpapi.Query(context.Background()); q != nil {
		t.Errorf("Query outside a request = %v, want nil", q)
	}
}

// TestHandleLogBoundsCallerText: an error whose text holds a long run of
// caller-chosen bytes (control and format characters included), and a
// request without a route key whose path is such a run, give a log line
// that is bounded and escaped.
func TestHandleLogBoundsCallerText(t *testing.T) {
	chosen := "\x1b[2J\u202e\x00\n" + strings.Repeat("x", 4<<10) + `"},"level":"INFO","msg":"forged`
	var logs bytes.Buffer
	req := request("")
	req.RouteKey = ""
	req.RequestContext.HTTP.Path = "/" + chosen
	newHandler(fakeSession{err: fmt.Errorf("%w: kid %s", session.ErrInvalid, chosen)}, &fakeMinter{}, &logs).Handle(context.Background(), req)
	if strings.Contains(logs.String(), "forged") {
		t.Errorf("the log holds the end of the caller's text: %s", logs.String())
	}
	line := oneLogLine(t, &logs)
	for field, limit := range map[string]int{"error": httpapi.MaxLoggedError + len("..."), "route": 256 + len("...")} {
		text, _ := line[field].(string)
		if len(text) > limit {
			t.Errorf("%s is %d bytes, over %d", field, len(text), limit)
		}
		for _, r := range text {
			if !unicode.IsGraphic(r) {
				t.Errorf("%s holds %U: %q", field, r, text)
			}
		}
		if !strings.Contains(text, `\x1b[2J\u202e\x00\nxxx`) {
			t.Errorf("%s does not start the caller's text escaped: %q", field, text)
		}
	}
}
