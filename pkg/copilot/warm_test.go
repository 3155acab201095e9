package copilot

import (
	"crypto/x509"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// waitForLog waits, at most five seconds, for a log line containing msg.
func waitForLog(t *testing.T, logs *logtest.Buffer, msg string) {
	t.Helper()
	for range 500 {
		if strings.Contains(logs.String(), msg) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line %q in:\n%s", msg, logs.String())
}

// tlsStandIn is an HTTPS stand-in for Copilot that records each request
// (method, protocol, and whether it carried an Authorization header) and
// the connections it accepts.
type tlsStandIn struct {
	srv *httptest.Server

	mu       sync.Mutex
	conns    []net.Conn
	requests []string // "METHOD HTTP/x" or "METHOD HTTP/x +auth"
}

func newTLSStandIn(t *testing.T, http2 bool) *tlsStandIn {
	t.Helper()
	s := &tlsStandIn{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := r.Method + " " + r.Proto
		if r.Header.Get("Authorization") != "" {
			rec += " +auth"
		}
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		if r.Method == http.MethodPost && r.URL.Path == "/"+Path {
			_, _ = io.WriteString(w, `{"auth_key": "`+authKey+`"}`)
			return
		}
		http.NotFound(w, r)
	}))
	s.srv.EnableHTTP2 = http2
	s.srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.conns = append(s.conns, c)
		}
	}
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()
	t.Cleanup(s.srv.Close)
	return s
}

func (s *tlsStandIn) seen() (conns int, requests []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns), append([]string(nil), s.requests...)
}

// trustingClient is the production client, trusting the stand-in's
// certificate.
func trustingClient(srv *httptest.Server) *upstream.Client {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return upstream.NewClient(roots)
}

// buildCopilot builds the Copilot function with function.Build, its
// settings in env, its client trusting srv, and a debug log.
func buildCopilot(t *testing.T, env map[string]string, client *upstream.Client) (*httpapi.Handler, *logtest.Buffer) {
	t.Helper()
	v := Descriptor
	v.Configure = func(e *config.Env) descriptor.Setup { return configureClient(e, client) }
	logs := &logtest.Buffer{}
	settings := map[string]string{
		"SESSION_MODE":        "authorizer",
		"COPILOT_SECRET_JSON": `{"client_id":"` + clientID + `","client_secret":"` + clientSecret + `"}`,
	}
	for k, val := range env {
		settings[k] = val
	}
	h, err := function.Build(t.Context(), v, function.Deps{
		Getenv: func(k string) string { return settings[k] },
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return h, logs
}

// mintOK mints for user and fails t unless it gets the auth key.
func mintOK(t *testing.T, m httpapi.Minter) {
	t.Helper()
	got, err := m.Mint(t.Context(), user)
	if err != nil || got != (Response{AuthKey: authKey}) {
		t.Fatalf("Mint = %v, %v; want the auth key", got, err)
	}
}

// TestWarmUpConnectionIsReused: the connection the warm-up opens at cold
// start, TCP and TLS without any request, is the one the first Mint goes
// out on, over HTTP/2 where the server speaks it as without the warm-up.
// The server sees one connection and one request: the call, the only one
// with credentials. This checks that Copilot's Setup wires the warm-up to
// COPILOT_BASE_URL on the minter's client; how the warm-up's connection is
// kept, waited for, aged and replaced is tested in package upstream.
func TestWarmUpConnectionIsReused(t *testing.T) {
	for _, tt := range []struct {
		name  string
		http2 bool
		proto string
	}{
		{"HTTP/1.1", false, "HTTP/1.1"},
		{"HTTP/2", true, "HTTP/2.0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newTLSStandIn(t, tt.http2)
			h, logs := buildCopilot(t, map[string]string{"COPILOT_BASE_URL": up.srv.URL}, trustingClient(up.srv))
			waitForLog(t, logs, "copilot: connection warmed")
			if _, requests := up.seen(); len(requests) != 0 {
				t.Fatalf("requests after the warm-up = %q, want none", requests)
			}
			mintOK(t, h.Minter)
			conns, requests := up.seen()
			if conns != 1 {
				t.Errorf("the stand-in accepted %d connections, want 1: the warmed one, reused", conns)
			}
			if want := []string{http.MethodPost + " " + tt.proto + " +auth"}; !slices.Equal(requests, want) {
				t.Errorf("requests = %q, want %q: the call alone", requests, want)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}
