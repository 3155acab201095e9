package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

const publicRoute = "GET /acme/keys.json"

// document is what the fake publisher answers.
const document = `{"keys":[{"kid":"k1"}]}`

// fakePublisher answers document, or err, and records whether a request's
// query reached it.
type fakePublisher struct {
	err   error
	calls int
	query map[string]string
}

func (p *fakePublisher) Publish(ctx context.Context) (any, error) {
	p.calls++
	p.query = httpapi.Query(ctx)
	if p.err != nil {
		return nil, p.err
	}
	return map[string][]map[string]string{"keys": {{"kid": "k1"}}}, nil
}

// sessionNeverRead fails the test when the handler asks it to verify a
// session, or mint for one.
type sessionNeverRead struct{ t *testing.T }

func (s sessionNeverRead) Verify(context.Context, *events.APIGatewayV2HTTPRequest) (identity.Identity, error) {
	s.t.Error("the public route verified a session")
	return identity.Identity{UserID: "someone"}, nil
}

func (s sessionNeverRead) Mint(context.Context, identity.Identity) (any, error) {
	s.t.Error("the public route minted")
	return nil, nil
}

// fakeGate refuses every request with err.
type fakeGate struct {
	err   error
	calls int
}

func (g *fakeGate) Check(context.Context, *events.APIGatewayV2HTTPRequest) error {
	g.calls++
	return g.err
}

func publicRequest() events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		RouteKey: publicRoute,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "req-pub",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/acme/keys.json"},
		},
	}
}

// TestPublicRoute: a route in Handler.Public is answered with its
// publisher's document, cacheable for PublicMaxAge, whatever the request
// carries (no session, a bad one, a hostile query), without the session
// verifier or the minter ever being called and without the query reaching
// the publisher; a bad body gets the contract's error, not cacheable.
func TestPublicRoute(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	hostile := strings.Repeat("\x1b[2J<script>", 2000)
	tests := []struct {
		name   string
		edit   func(*events.APIGatewayV2HTTPRequest)
		status int
		code   string
	}{
		{"no session", func(*events.APIGatewayV2HTTPRequest) {}, 200, ""},
		{"a session that does not verify", func(r *events.APIGatewayV2HTTPRequest) {
			r.Headers = map[string]string{"authorization": "Bearer not-a-token"}
		}, 200, ""},
		{"authorizer claims", func(r *events.APIGatewayV2HTTPRequest) {
			r.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "admin"}},
			}
		}, 200, ""},
		{"hostile query", func(r *events.APIGatewayV2HTTPRequest) {
			r.QueryStringParameters = map[string]string{"kid": hostile, hostile: "x"}
			r.RawQueryString = "kid=" + hostile
		}, 200, ""},
		{"empty JSON body", func(r *events.APIGatewayV2HTTPRequest) { r.Body = "{}" }, 200, ""},
		{"body not JSON", func(r *events.APIGatewayV2HTTPRequest) { r.Body = "kid=k1" }, 400, "bad_request"},
		{"oversized body", func(r *events.APIGatewayV2HTTPRequest) {
			r.Body = `{"pad":"` + strings.Repeat("a", httpapi.MaxBodyBytes) + `"}`
		}, 400, "bad_request"},
		{"oversized base64 body", func(r *events.APIGatewayV2HTTPRequest) {
			r.Body, r.IsBase64Encoded = b64(bytes.Repeat([]byte("a"), httpapi.MaxBodyBytes+1)), true
		}, 400, "bad_request"},
		{"invalid base64 body", func(r *events.APIGatewayV2HTTPRequest) {
			r.Body, r.IsBase64Encoded = "%%%", true
		}, 400, "bad_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			pub := &fakePublisher{}
			h := newHandler(sessionNeverRead{t}, sessionNeverRead{t}, &logs)
			h.Public = map[string]httpapi.Publisher{publicRoute: pub}
			req := publicRequest()
			tc.edit(&req)
			resp, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatalf("Handle returned error %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, body %s; want %d", resp.StatusCode, resp.Body, tc.status)
			}
			line := oneLogLine(t, &logs)
			if _, ok := line["user_id"]; ok {
				t.Errorf("log line has a user_id: %v", line)
			}
			if line["route"] != publicRoute || line["status"] != float64(tc.status) {
				t.Errorf("log line = %v, want route %s and status %d", line, publicRoute, tc.status)
			}
			if strings.Contains(logs.String(), "not-a-token") || strings.Contains(logs.String(), "<script>") {
				t.Errorf("the log line holds what the caller sent: %s", logs.String())
			}
			if tc.status != 200 {
				assertContractHeaders(t, resp)
				assertErrorBody(t, resp.Body, tc.code, "req-pub")
				if pub.calls != 0 {
					t.Errorf("the publisher answered a request refused for its body")
				}
				return
			}
			if resp.Body != document {
				t.Errorf("body = %s, want %s", resp.Body, document)
			}
			want := map[string]string{
				"Content-Type":           "application/json",
				"Cache-Control":          "public, max-age=300",
				"X-Content-Type-Options": "nosniff",
			}
			if fmt.Sprint(resp.Headers) != fmt.Sprint(want) {
				t.Errorf("headers = %v, want %v", resp.Headers, want)
			}
			if pub.calls != 1 || pub.query != nil {
				t.Errorf("publisher calls = %d, query = %v; want one call, without the query", pub.calls, pub.query)
			}
		})
	}
}

// TestPublicRouteErrors: a gate's refusal and a publisher's failure are
// answered with the contract's error body, no-store, and the gate runs
// before the publisher.
func TestPublicRouteErrors(t *testing.T) {
	forbidden := apierror.New(apierror.Forbidden, "not through the front")
	tests := []struct {
		name      string
		gate      *fakeGate
		publisher error
		status    int
		code      string
		published bool
	}{
		{"gate open", &fakeGate{}, nil, 200, "", true},
		{"gate closed", &fakeGate{err: forbidden}, nil, 403, "forbidden", false},
		{"publisher fails", nil, errors.New("the secret is revoked"), 500, "internal", true},
		{"publisher fails with a kind", nil, fmt.Errorf("%w: key set unavailable", apierror.Internal), 500, "internal", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			pub := &fakePublisher{err: tc.publisher}
			h := newHandler(sessionNeverRead{t}, sessionNeverRead{t}, &logs)
			h.Public = map[string]httpapi.Publisher{publicRoute: pub}
			if tc.gate != nil {
				h.Gate = tc.gate
			}
			resp, _ := h.Handle(context.Background(), publicRequest())
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, body %s; want %d", resp.StatusCode, resp.Body, tc.status)
			}
			if tc.gate != nil && tc.gate.calls != 1 {
				t.Errorf("gate checked %d times, want once", tc.gate.calls)
			}
			if (pub.calls == 1) != tc.published {
				t.Errorf("publisher called %d times, want called = %v", pub.calls, tc.published)
			}
			if tc.status == 200 {
				return
			}
			assertContractHeaders(t, resp)
			env := assertErrorBody(t, resp.Body, tc.code, "req-pub")
			if strings.Contains(env.Error.Message, "revoked") || strings.Contains(env.Error.Message, "unavailable") {
				t.Errorf("message %q holds the error's detail", env.Error.Message)
			}
		})
	}
}

// TestPublicOnlyItsRoute: a route key that Public does not name, an empty
// one included, still needs a session, and the gate is not consulted for
// it (the session verifier does its own checks).
func TestPublicOnlyItsRoute(t *testing.T) {
	for _, key := range []string{"POST /acme/token", "", "$default", "get /acme/keys.json", "GET /acme/keys.json/"} {
		t.Run(key, func(t *testing.T) {
			var logs bytes.Buffer
			gate := &fakeGate{}
			pub := &fakePublisher{}
			h := newHandler(fakeSession{}, &fakeMinter{}, &logs)
			h.Public = map[string]httpapi.Publisher{publicRoute: pub}
			h.Gate = gate
			req := publicRequest()
			req.RouteKey = key
			resp, _ := h.Handle(context.Background(), req)
			if resp.StatusCode != 401 || pub.calls != 0 || gate.calls != 0 {
				t.Errorf("status %d, publisher calls %d, gate calls %d; want 401 from the session, neither called", resp.StatusCode, pub.calls, gate.calls)
			}
			assertErrorBody(t, resp.Body, "unauthorized", "req-pub")
		})
	}
}
