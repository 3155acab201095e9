package upstream

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
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

// tlsStandIn is an HTTPS stand-in for the vendor that records each request
// (method, protocol, and whether it carried an Authorization header) and
// the connections it accepts. hello, when set, is called with each TLS
// ClientHello before the handshake goes on; an error refuses it.
type tlsStandIn struct {
	srv *httptest.Server

	mu       sync.Mutex
	conns    []net.Conn
	closed   int
	requests []string // "METHOD HTTP/x" or "METHOD HTTP/x +auth"
	hello    func() error
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
		if r.Method == http.MethodPost && r.URL.Path == testPath {
			_, _ = io.WriteString(w, `{"token": "`+token+`"}`)
			return
		}
		http.NotFound(w, r)
	}))
	s.srv.EnableHTTP2 = http2
	s.srv.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		s.mu.Lock()
		hello := s.hello
		s.mu.Unlock()
		if hello != nil {
			return nil, hello()
		}
		return nil, nil
	}}
	s.srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch st {
		case http.StateNew:
			s.conns = append(s.conns, c)
		case http.StateClosed, http.StateHijacked:
			s.closed++
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

func (s *tlsStandIn) onHello(f func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hello = f
}

// waitFor waits, at most five seconds, until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting until %s", what)
}

// startWarm starts the client's warm-up to base as a function does at
// cold start, without waiting for it, and returns the Endpoint that shares
// the client and the debug log both write to.
func startWarm(t *testing.T, base string, client *Client) (*Endpoint[string], *logtest.Buffer) {
	t.Helper()
	u, err := CheckBaseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	go client.Warm(t.Context(), "vendor", u, 2*time.Second, logger)
	e := newEndpoint(base, 2*time.Second, &fakeCreds{values: original}, client, io.Discard)
	e.Logger = logger
	return e, logs
}

// callOK calls e and fails t unless it gets the token.
func callOK(t *testing.T, e *Endpoint[string]) {
	t.Helper()
	got, err := e.Call(t.Context(), reqBody)
	if err != nil || got != token {
		t.Fatalf("Call = %q, %v; want the token", got, err)
	}
}

// TestWarmUpConnectionIsReused: the connection the warm-up opens at cold
// start, TCP and TLS without any request, is the one the first Call goes
// out on, over HTTP/2 where the server speaks it as without the warm-up.
// The server sees one connection and one request: the call, the only one
// with credentials.
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
			e, logs := startWarm(t, up.srv.URL, trustingClient(up.srv))
			waitForLog(t, logs, "vendor: connection warmed")
			if _, requests := up.seen(); len(requests) != 0 {
				t.Fatalf("requests after the warm-up = %q, want none", requests)
			}
			callOK(t, e)
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

// TestFirstRequestWaitsForTheWarmUp: a Call whose dial finds the warm-up
// still handshaking takes the warm-up's connection when it is ready rather
// than opening a second one.
func TestFirstRequestWaitsForTheWarmUp(t *testing.T) {
	up := newTLSStandIn(t, false)
	hellos, release := make(chan struct{}, 2), make(chan struct{})
	up.onHello(func() error {
		hellos <- struct{}{}
		<-release
		return nil
	})
	client := trustingClient(up.srv)
	e, logs := startWarm(t, up.srv.URL, client)
	<-hellos // the warm-up is handshaking
	done := make(chan struct{})
	go func() {
		defer close(done)
		callOK(t, e)
	}()
	waitFor(t, "the Call's dial takes the warm-up's connection", func() bool {
		client.dialer.mu.Lock()
		defer client.dialer.mu.Unlock()
		return client.dialer.parked == nil
	})
	close(release)
	<-done
	if conns, requests := up.seen(); conns != 1 || len(requests) != 1 {
		t.Errorf("%d connections, requests %q; want the warm-up's connection and the call", conns, requests)
	}
	waitForLog(t, logs, "vendor: connection warmed")
}

// TestOldParkedConnectionIsDiscarded: a warm-up's connection that waited
// longer than the dialer's bound is closed, whether its timer or the dial
// finds it first, and the first Call opens a new one.
func TestOldParkedConnectionIsDiscarded(t *testing.T) {
	for _, tt := range []struct {
		name   string
		maxAge time.Duration
		age    func(d *dialer) // run once the warm-up is done
	}{
		{"closed by its timer", time.Millisecond, func(*dialer) {}},
		{"refused by the dial", maxParkedAge, func(d *dialer) {
			d.mu.Lock()
			defer d.mu.Unlock()
			d.parked.at = d.parked.at.Add(-maxParkedAge - time.Second)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newTLSStandIn(t, false)
			client := trustingClient(up.srv)
			client.dialer.maxAge = tt.maxAge
			e, logs := startWarm(t, up.srv.URL, client)
			waitForLog(t, logs, "vendor: connection warmed")
			tt.age(client.dialer)
			closed := func() bool {
				up.mu.Lock()
				defer up.mu.Unlock()
				return up.closed == 1
			}
			if tt.maxAge < maxParkedAge {
				// The timer closes it with no call at all; a call made
				// before the timer fires would rightly take it instead.
				waitFor(t, "the timer closes the old connection", closed)
			}
			callOK(t, e)
			waitFor(t, "the old connection is closed", closed)
			if conns, requests := up.seen(); conns != 2 || len(requests) != 1 {
				t.Errorf("%d connections, requests %q; want the discarded one and the call's own", conns, requests)
			}
		})
	}
}

// TestClosedParkedConnectionNeverSurfaces: the warm-up's connection,
// closed by the vendor before the first Call, is treated as a stale pooled
// one: the call goes out again at once on a new connection, with no retry
// of a fault.
func TestClosedParkedConnectionNeverSurfaces(t *testing.T) {
	up := newTLSStandIn(t, false)
	e, logs := startWarm(t, up.srv.URL, trustingClient(up.srv))
	waitForLog(t, logs, "vendor: connection warmed")
	up.mu.Lock()
	up.conns[0].Close()
	up.mu.Unlock()
	callOK(t, e)
	if conns, _ := up.seen(); conns != 2 {
		t.Errorf("%d connections, want 2: the closed one and a new one", conns)
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, `"msg":"vendor:`) && !strings.Contains(l, `"level":"DEBUG"`) {
			t.Errorf("log line above debug level, want none: %s", l)
		}
	}
}

// TestWarmUpFailureIsIgnored: a warm-up that cannot connect leaves the
// start as it was and a debug line in the log; the first Call dials its
// own connection.
func TestWarmUpFailureIsIgnored(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "https://" + closed.Addr().String()
	closed.Close()
	for _, tt := range []struct {
		name string
		// setup returns the base URL; up, when it is that, serves the Call.
		setup func(up *tlsStandIn) string
	}{
		{"nothing listening", func(*tlsStandIn) string { return closedURL }},
		{"handshake refused", func(up *tlsStandIn) string {
			var hellos atomic.Int32
			up.onHello(func() error {
				if hellos.Add(1) == 1 {
					return errors.New("the warm-up's handshake is refused")
				}
				return nil
			})
			return up.srv.URL
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newTLSStandIn(t, false)
			base := tt.setup(up)
			e, logs := startWarm(t, base, trustingClient(up.srv))
			waitForLog(t, logs, "vendor: warm-up failed")
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(l, "warm-up") && !strings.Contains(l, `"level":"DEBUG"`) {
					t.Errorf("warm-up log line above debug level: %s", l)
				}
			}
			if base == up.srv.URL {
				callOK(t, e)
				if _, requests := up.seen(); len(requests) != 1 {
					t.Errorf("requests = %q, want the call alone", requests)
				}
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// TestNoWarmUp: no connection is opened ahead for a plain http:// base URL
// (loopback, with no handshake to save), nor through a proxy, where it
// would go to the proxy rather than to the vendor's host.
func TestNoWarmUp(t *testing.T) {
	var conns atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	for _, tt := range []struct {
		name  string
		base  string
		proxy bool
		log   string
	}{
		{"http", "http://" + ln.Addr().String(), false, ""},
		{"through a proxy", "https://" + ln.Addr().String(), true, "vendor: no warm-up through a proxy"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClient(nil)
			if tt.proxy {
				c.proxy = func(*http.Request) (*url.URL, error) { return url.Parse("http://proxy.invalid:3128") }
			}
			var logs bytes.Buffer
			c.Warm(t.Context(), "vendor", mustParse(t, tt.base), time.Second, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if got := strings.TrimSpace(logs.String()); !strings.Contains(got, tt.log) || tt.log == "" && got != "" {
				t.Errorf("log = %s, want %q", got, tt.log)
			}
			if c.dialer.used {
				t.Error("a connection was opened ahead")
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections reached the host, want none", n)
	}
}

// closingServer is a stand-in for the vendor that answers the first
// request on each connection and then drops the connection as its next
// request arrives, without ever saying Connection: close: as a vendor does
// with a connection that idled past its timeout while the function was
// frozen. The first together calls are answered only once all of them
// arrived, so that each keeps a connection of its own.
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
		_, _ = io.WriteString(w, `{"token": "`+token+`"}`)
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
// connections in the pool, the vendor drops them all; the next Call still
// gets its token, from one attempt, on a new connection, without spending
// the retry a transient fault may have.
func TestClosedPooledConnectionNeverSurfaces(t *testing.T) {
	for _, idle := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d idle", idle), func(t *testing.T) {
			srv, conns := closingServer(t, idle)
			var logs bytes.Buffer
			e := newEndpoint(srv.URL, 2*time.Second, &fakeCreds{values: original}, trustingClient(srv), &logs)

			var wg sync.WaitGroup
			for range idle {
				wg.Go(func() {
					if _, err := e.Call(t.Context(), reqBody); err != nil {
						t.Errorf("first Call: %v", err)
					}
				})
			}
			wg.Wait()
			if n := conns(); n != idle {
				t.Fatalf("%d connections after the first calls, want %d idle ones", n, idle)
			}

			got, err := e.Call(t.Context(), reqBody)
			if err != nil || got != token {
				t.Fatalf("Call on a pool of closed connections = %q, %v; want the token", got, err)
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
	e := newEndpoint(srv.URL, 2*time.Second, &fakeCreds{values: original}, trustingClient(srv), io.Discard)
	_, err := e.Call(t.Context(), reqBody)
	if !errors.Is(err, testErrs.Unavailable) {
		t.Fatalf("Call error = %v, want Unavailable", err)
	}
	if n := conns(); n != maxAttempts {
		t.Errorf("%d connections, want %d: one per attempt, none extra", n, maxAttempts)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := CheckBaseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
