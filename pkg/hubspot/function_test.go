package hubspot_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot/hubspottest"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
)

var now = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

// counting serves h and counts the calls it answers.
func counting(h http.Handler, calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		h.ServeHTTP(w, r)
	})
}

// newFunction builds the HubSpot function as deployed (trusting roots,
// when set), in authorizer mode, with the dev-only secret,
// HUBSPOT_BASE_URL at base and metrics on; its log (debug level) and
// metric lines go to the buffers returned.
func newFunction(t *testing.T, base string, roots *x509.CertPool) (*httpapi.Handler, *logtest.Buffer, *logtest.Buffer) {
	t.Helper()
	settings := map[string]string{
		"SESSION_MODE":        "authorizer",
		"HUBSPOT_BASE_URL":    base,
		"HUBSPOT_SECRET_JSON": dev.Secret(hubspot.Descriptor.Name, hubspot.Descriptor.Secret),
		"METRICS_NAMESPACE":   "VendorTokens",
	}
	v := hubspot.Descriptor
	if roots != nil {
		v = hubspot.Trusting(roots)
	}
	logs, metrics := &logtest.Buffer{}, &logtest.Buffer{}
	h, err := function.Build(t.Context(), v, function.Deps{
		Getenv:  func(k string) string { return settings[k] },
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:     func() time.Time { return now },
		Metrics: metrics,
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return h, logs, metrics
}

// request is POST /hubspot/token with the authorizer's claims.
func request(claims map[string]string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /hubspot/token"}
	req.RequestContext.HTTP.Method = http.MethodPost
	req.RequestContext.HTTP.Path = "/hubspot/token"
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
	}
	return req
}

var (
	verified   = map[string]string{"sub": "user-1", "email": "ada@example.com", "email_verified": "true", "name": "Ada Lovelace"}
	unverified = map[string]string{"sub": "user-2", "email": "eve@example.com", "email_verified": "false", "name": "Eve Mallory"}
	noEmail    = map[string]string{"sub": "user-3", "name": "Nobody Known"}
)

// leaked lists what must never be in a log line: the access token, the
// Authorization header, the visitors' emails and names, and the tokens.
func leaked(logs string, tokens ...string) []string {
	var found []string
	for _, s := range append([]string{dev.Value("hubspot", "access_token"), "Bearer", "@example.com", "Lovelace", "Mallory", "Nobody"}, tokens...) {
		if s != "" && strings.Contains(logs, s) {
			found = append(found, s)
		}
	}
	return found
}

func TestFunction(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(counting(hubspottest.Dev(), &calls))
	t.Cleanup(srv.Close)
	h, logs, metrics := newFunction(t, srv.URL, nil)

	type answer struct {
		Token     string `json:"token"`
		ExpiresAt int64  `json:"expires_at"`
		Error     struct{ Code, Message string }
	}
	handle := func(claims map[string]string) (int, answer) {
		t.Helper()
		resp, _ := h.Handle(context.Background(), request(claims))
		var a answer
		if err := json.Unmarshal([]byte(resp.Body), &a); err != nil {
			t.Fatalf("body %q: %v", resp.Body, err)
		}
		return resp.StatusCode, a
	}

	status, first := handle(verified)
	if status != http.StatusOK || first.Token == "" || first.ExpiresAt != now.Add(12*time.Hour).Unix() {
		t.Fatalf("%d %+v, want a token expiring 12 hours from now", status, first)
	}
	if status, again := handle(verified); status != http.StatusOK || again.Token != first.Token {
		t.Errorf("the same user again: %d %+v, want the same token", status, again)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("HubSpot was called %d times, want once", n)
	}
	for _, claims := range []map[string]string{unverified, noEmail} {
		status, a := handle(claims)
		if status != http.StatusForbidden || a.Error.Code != "forbidden" || !strings.Contains(a.Error.Message, "verified email") || a.Token != "" {
			t.Errorf("%s: %d %+v, want 403 forbidden, saying a verified email is needed", claims["sub"], status, a)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("HubSpot was called %d times, want once: not for a session without a verified email", n)
	}
	if !strings.Contains(metrics.String(), `"UpstreamExchanges":1`) || !strings.Contains(metrics.String(), `"Vendor":"hubspot"`) {
		t.Errorf("metrics = %s, want the exchange with HubSpot", metrics)
	}
	if found := leaked(logs.String(), first.Token); found != nil {
		t.Errorf("the log carries %q:\n%s", found, logs)
	}
}

// TestFunctionRefused: HubSpot refuses the access token; the secret, from
// the environment, holds no other, so the answer is 502 upstream_error at
// once, and the log says why without a secret.
func TestFunctionRefused(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(counting(hubspottest.StandIn{AccessToken: "pat-na1-00000000-0000-4000-8000-000000000000"}, &calls))
	t.Cleanup(srv.Close)
	h, logs, _ := newFunction(t, srv.URL, nil)
	resp, _ := h.Handle(context.Background(), request(verified))
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(resp.Body, `"upstream_error"`) || !strings.Contains(resp.Body, "HubSpot refused the request") {
		t.Errorf("%d %s, want 502 upstream_error", resp.StatusCode, resp.Body)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("HubSpot was called %d times, want once", n)
	}
	if !strings.Contains(logs.String(), `"msg":"hubspot: rejected credentials"`) || !strings.Contains(logs.String(), `"reason":"INVALID_AUTHENTICATION"`) {
		t.Errorf("log:\n%s\nwant the rejected credentials with HubSpot's category", logs)
	}
	if found := leaked(logs.String()); found != nil {
		t.Errorf("the log carries %q:\n%s", found, logs)
	}
}

// TestFunctionWarmsUp: at cold start, the function opens its connection to
// the host of HUBSPOT_BASE_URL, and the first request goes out on it.
func TestFunctionWarmsUp(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(hubspottest.Dev())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	h, logs, _ := newFunction(t, srv.URL, roots)
	for i := 0; !strings.Contains(logs.String(), "hubspot: connection warmed"); i++ {
		if i == 500 {
			t.Fatalf("no warm-up in:\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, _ := h.Handle(context.Background(), request(verified)); resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: the warmed one", n)
	}
}
