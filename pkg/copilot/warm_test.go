package copilot

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
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
// (method and whether it carried an Authorization header) and counts the
// connections it accepts.
type tlsStandIn struct {
	srv *httptest.Server

	mu       sync.Mutex
	conns    int
	requests []string // "METHOD" or "METHOD+auth"
}

func newTLSStandIn(t *testing.T) *tlsStandIn {
	t.Helper()
	s := &tlsStandIn{}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := r.Method
		if r.Header.Get("Authorization") != "" {
			rec += "+auth"
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
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
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
	return s.conns, append([]string(nil), s.requests...)
}

// trustingClient is the production client, trusting the stand-in's
// certificate.
func trustingClient(srv *httptest.Server) *http.Client {
	c := newHTTPClient()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c.Transport.(*http.Transport).TLSClientConfig.RootCAs = roots
	return c
}

// buildCopilot builds the Copilot function with function.Build, its
// settings in env, its client trusting srv, and a debug log.
func buildCopilot(t *testing.T, env map[string]string, client *http.Client) (*httpapi.Handler, *logtest.Buffer) {
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

// TestWarmUpConnectionIsReused: the connection the warm-up opens at cold
// start, with a request that carries no credentials, is the one the first
// Mint goes out on.
func TestWarmUpConnectionIsReused(t *testing.T) {
	up := newTLSStandIn(t)
	h, logs := buildCopilot(t, map[string]string{"COPILOT_BASE_URL": up.srv.URL}, trustingClient(up.srv))
	waitForLog(t, logs, "copilot: connection warmed")

	got, err := h.Minter.Mint(t.Context(), user)
	if err != nil || got != (Response{AuthKey: authKey}) {
		t.Fatalf("Mint = %v, %v; want the auth key", got, err)
	}
	conns, requests := up.seen()
	if conns != 1 {
		t.Errorf("the stand-in accepted %d connections, want 1: the warmed one, reused", conns)
	}
	if want := []string{http.MethodHead, http.MethodPost + "+auth"}; strings.Join(requests, " ") != strings.Join(want, " ") {
		t.Errorf("requests = %q, want %q: a warm-up without credentials, then the call", requests, want)
	}
	assertNoSecrets(t, logs.String())
}

// TestWarmUpFailureIsIgnored: a warm-up that cannot connect leaves the
// start as it was and a debug line in the log.
func TestWarmUpFailureIsIgnored(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + closed.Addr().String()
	closed.Close()

	_, logs := buildCopilot(t, map[string]string{"COPILOT_BASE_URL": base}, newHTTPClient())
	waitForLog(t, logs, "copilot: warm-up failed")
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, "warm-up") && !strings.Contains(l, `"level":"DEBUG"`) {
			t.Errorf("warm-up log line above debug level: %s", l)
		}
	}
	assertNoSecrets(t, logs.String())
}

// closingServer is a Copilot stand-in that answers the first request on
// each connection and then drops the connection as its next request
// arrives, without ever saying Connection: close: as Copilot does with a
// connection that idled past its timeout while the function was frozen.
// The first together calls are answered only once all of them arrived, so
// that each keeps a connection of its own.
func closingServer(t *testing.T, together int) (*httptest.Server, func() int) {
	t.Helper()
	var mu sync.Mutex
	served := map[string]bool{}
	conns, first := 0, 0
	var ready sync.WaitGroup
	ready.Add(together)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		again := served[r.RemoteAddr]
		served[r.RemoteAddr] = true
		if !again {
			first++
		}
		wait := !again && first <= together
		mu.Unlock()
		if again {
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		if wait {
			ready.Done()
			ready.Wait()
		}
		_, _ = io.WriteString(w, `{"auth_key": "`+authKey+`"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, func() int {
		mu.Lock()
		defer mu.Unlock()
		return conns
	}
}

// TestClosedPooledConnectionNeverSurfaces: after calls that leave idle
// connections in the pool, Copilot drops them all; the next Mint still
// gets its auth key, from one attempt, on a new connection, without
// spending the retry a transient fault may have.
func TestClosedPooledConnectionNeverSurfaces(t *testing.T) {
	for _, idle := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d idle", idle), func(t *testing.T) {
			srv, conns := closingServer(t, idle)
			var logs bytes.Buffer
			m := newMinter(mustParse(t, srv.URL), 2*time.Second, &fakeCreds{values: original},
				slog.New(slog.NewJSONHandler(&logs, nil)), trustingClient(srv))

			var wg sync.WaitGroup
			for range idle {
				wg.Go(func() {
					if _, err := m.Mint(t.Context(), user); err != nil {
						t.Errorf("first Mint: %v", err)
					}
				})
			}
			wg.Wait()
			if n := conns(); n != idle {
				t.Fatalf("%d connections after the first calls, want %d idle ones", n, idle)
			}

			got, err := m.Mint(t.Context(), user)
			if err != nil || got != (Response{AuthKey: authKey}) {
				t.Fatalf("Mint on a pool of closed connections = %v, %v; want the auth key", got, err)
			}
			if n := conns(); n != idle+1 {
				t.Errorf("%d connections, want %d: the call went out again on a new one", n, idle+1)
			}
			if s := logs.String(); s != "" {
				t.Errorf("log = %s, want nothing: no retry of a fault was needed", s)
			}
		})
	}
}

func TestStaleOnlyOnAReusedConnection(t *testing.T) {
	// A connection that fails on its first request is no stale pooled one:
	// it gets the transient-fault retry, not the immediate one.
	srv, conns := closingServer(t, 0)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	})
	m := newMinter(mustParse(t, srv.URL), 2*time.Second, &fakeCreds{values: original}, slog.New(slog.DiscardHandler), trustingClient(srv))
	_, err := m.Mint(t.Context(), user)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Mint error = %v, want ErrUnavailable", err)
	}
	if n := conns(); n != maxAttempts {
		t.Errorf("%d connections, want %d: one per attempt, none extra", n, maxAttempts)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := checkBaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
