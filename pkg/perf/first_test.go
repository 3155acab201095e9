package perf_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// secretRead is how long the Secrets Manager stand-in takes to answer in
// BenchmarkFirstRequest: two of the simulated round trips. It stands for
// what a cold start does before its first request: the runtime's and the
// SDK's start, then the secret reads (an in-region endpoint, but its own
// TCP and TLS handshakes and the service's decryption).
const secretRead = 2 * roundTrip

// firstSubject is one function of BenchmarkFirstRequest: its vendor's
// descriptor with the warm-up and without it, its settings and its
// request, and the first requests' times.
type firstSubject struct {
	name             string
	warmed, unwarmed descriptor.Vendor
	env              map[string]string
	req              events.APIGatewayV2HTTPRequest
	with, without    []time.Duration
}

// BenchmarkFirstRequest measures, per cold start, how long the first
// request of each function that calls its vendor's API takes:
// function.Build with Secrets Manager answering after secretRead, then the
// first Handle, timed, against a TLS stand-in for the vendor's API
// (vendors.StandIn) behind a proxy that simulates a roundTrip network; once
// with the warm-up and once without it. The function's client trusts the
// stand-in's certificate only (vendors.Trusting). It reports the medians
// in round trips, per function; see the package documentation. Run it
// with -benchtime Nx.
func BenchmarkFirstRequest(b *testing.B) {
	sm := secretsServer(b)
	sm.SetDelay(secretRead)
	token := sessionToken(b)

	var subjects []*firstSubject
	for _, f := range fixtures {
		if f.vendor.Upstream == nil {
			continue
		}
		upstream := httptest.NewUnstartedServer(vendors.StandIn(f.name))
		upstream.Config.ErrorLog = log.New(io.Discard, "", 0)
		upstream.StartTLS()
		b.Cleanup(upstream.Close)
		network := newSlowNetwork(b, upstream.Listener.Addr().String(), roundTrip)

		roots := x509.NewCertPool()
		roots.AddCert(upstream.Certificate())
		warmed, ok := vendors.Trusting(f.name, roots)
		if !ok {
			b.Fatalf("%s calls its vendor's API but has no Trusting in pkg/vendors", f.name)
		}
		unwarmed := warmed
		unwarmed.Configure = func(env *config.Env) descriptor.Setup {
			s := warmed.Configure(env)
			s.Warm = nil
			return s
		}
		subjects = append(subjects, &firstSubject{
			name:     f.name,
			warmed:   warmed,
			unwarmed: unwarmed,
			env:      f.env("https://" + network.Addr()),
			req:      event(f.route, token),
		})
	}
	if len(subjects) == 0 {
		b.Skip("no function calls its vendor's API")
	}

	b.ReportAllocs()
	for b.Loop() {
		for _, s := range subjects {
			s.with = append(s.with, firstRequest(b, s.warmed, s.env, sm, s.req))
			s.without = append(s.without, firstRequest(b, s.unwarmed, s.env, sm, s.req))
		}
	}
	for _, s := range subjects {
		b.ReportMetric(float64(median(s.with))/float64(roundTrip), s.name+"-first-warmed-rtt")
		b.ReportMetric(float64(median(s.without))/float64(roundTrip), s.name+"-first-unwarmed-rtt")
	}
}

// firstRequest builds a function of v, as a cold start does, and returns
// how long its first request took.
func firstRequest(b *testing.B, v descriptor.Vendor, env map[string]string, sm *secretstest.Server, req events.APIGatewayV2HTTPRequest) time.Duration {
	ctx := context.Background()
	h, err := function.Build(ctx, v, function.Deps{
		Getenv:  func(k string) string { return env[k] },
		Logger:  slog.New(slog.DiscardHandler),
		Secrets: sm.Client(),
	})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	resp, _ := h.Handle(ctx, req)
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	return took
}

// slowNetwork is a loopback TCP proxy to target that simulates a network
// with round trip rtt: it delivers the data of each direction rtt/2 after
// it was sent, in order. A TCP connection's own handshake, which the
// loopback completes at once, is charged to the first bytes the client
// sends, one more rtt later: a TLS client writes its hello as soon as it
// is connected, so the server reads it at 1.5 rtt, as it would over that
// network.
type slowNetwork struct {
	ln     net.Listener
	target string
	rtt    time.Duration

	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

func newSlowNetwork(tb testing.TB, target string, rtt time.Duration) *slowNetwork {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	n := &slowNetwork{ln: ln, target: target, rtt: rtt}
	n.wg.Go(n.serve)
	tb.Cleanup(n.close)
	return n
}

// Addr is the address the clients dial.
func (n *slowNetwork) Addr() string { return n.ln.Addr().String() }

func (n *slowNetwork) serve() {
	for {
		client, err := n.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", n.target)
		if err != nil {
			client.Close()
			continue
		}
		if !n.track(client, server) {
			return
		}
		n.wg.Go(func() { delay(server, client, n.rtt/2, n.rtt) })
		n.wg.Go(func() { delay(client, server, n.rtt/2, 0) })
	}
}

// track records conns for close, or closes them when the network is
// closed already, and reports whether it recorded them.
func (n *slowNetwork) track(conns ...net.Conn) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	n.conns = append(n.conns, conns...)
	return true
}

// close stops the listener and every connection, and waits for the
// goroutines.
func (n *slowNetwork) close() {
	n.ln.Close()
	n.mu.Lock()
	n.closed = true
	for _, c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
}

// delay copies src to dst, each read delivered oneWay after it was read,
// the first one extra later still, and none ahead of an earlier one. It
// closes dst's writing side when src ends.
func delay(dst, src net.Conn, oneWay, extra time.Duration) {
	type chunk struct {
		data []byte
		at   time.Time
	}
	chunks := make(chan chunk, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		failed := false
		for c := range chunks {
			if failed {
				continue // drain, so the reader never blocks
			}
			time.Sleep(time.Until(c.at))
			if _, err := dst.Write(c.data); err != nil {
				failed = true
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok && !failed {
			_ = tc.CloseWrite()
		}
	}()
	wait := oneWay + extra
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			chunks <- chunk{buf[:n], time.Now().Add(wait)}
			wait = oneWay
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				dst.Close()
			}
			break
		}
	}
	close(chunks)
	<-done
}
