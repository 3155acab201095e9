package upstream

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// maxParkedAge is how long the warm-up's connection waits for the first
// request. Older, it is closed and the request dials anew: a server may
// drop a connection that has carried no request for a while, and a
// function initialised ahead of its first request (provisioned
// concurrency) may wait much longer than that.
const maxParkedAge = 30 * time.Second

// Warm opens the client's connection to the host of base at cold start:
// TCP and TLS, nothing more, so no request and no credential is sent. The
// connection is parked in the client's dialer, where the first request's
// dial takes it (see dialer); the warm-up costs the two handshakes only.
// Its log lines, at debug level, start with name and a colon.
//
// It does nothing for an http:// base URL (loopback only, with no
// handshake worth saving) or when a proxy applies to the base URL: the
// connection would then go to the proxy, not to the vendor's host. It
// gives up after timeout; a failure is logged at debug level and changes
// nothing, the first call then dials as it would have without it.
func (c *Client) Warm(ctx context.Context, name string, base *url.URL, timeout time.Duration, logger *slog.Logger) {
	if base.Scheme != "https" {
		return
	}
	if proxy, err := c.proxy(&http.Request{URL: base}); err != nil || proxy != nil {
		logger.LogAttrs(ctx, slog.LevelDebug, name+": no warm-up through a proxy")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	if err := c.dialer.park(ctx, net.JoinHostPort(base.Hostname(), cmp.Or(base.Port(), "443"))); err != nil {
		logger.LogAttrs(ctx, slog.LevelDebug, name+": warm-up failed", slog.String("error", transportOutcome(err).String()))
		return
	}
	logger.LogAttrs(ctx, slog.LevelDebug, name+": connection warmed", slog.Int64("duration_ms", time.Since(start).Milliseconds()))
}

// errParked is park's answer when the dialer already holds, or held, the
// warm-up's connection.
var errParked = errors.New("a connection was parked already")

// dialer opens the client's TLS connections (its transport's
// DialTLSContext) as net/http would itself: TCP, then the TLS handshake
// with the transport's TLS settings, which verifies the certificate for
// the host dialled, and offers the same protocols (ALPN), so HTTP/2 is
// used where the server speaks it. The one difference is the warm-up's
// connection, parked by park: the first dial of its address takes it.
//
// A connection enters net/http's idle pool only once an exchange on it has
// ended; a dialer that hands over a ready connection is how a warm-up can
// save the handshakes without sending a request of its own.
type dialer struct {
	tcp    net.Dialer
	config *tls.Config // a copy of the transport's, never changed
	maxAge time.Duration

	mu     sync.Mutex
	parked *parked  // the warm-up's connection, until a dial takes it
	taken  net.Conn // the warm-up's connection, once a dial took it
	used   bool     // park was called
}

// parked is the warm-up's connection: being opened until ready is closed,
// then conn, or nil if that failed.
type parked struct {
	addr  string
	ready chan struct{}
	conn  *tls.Conn
	at    time.Time // when the handshake ended
}

// newDialer returns a dialer with a copy of config: net/http has set its
// protocols (NextProtos) by then; see NewClient.
func newDialer(config *tls.Config) *dialer {
	return &dialer{
		tcp:    net.Dialer{Timeout: MaxTimeout, KeepAlive: 30 * time.Second},
		config: config.Clone(),
		maxAge: maxParkedAge,
	}
}

// DialTLSContext returns the parked connection when addr is its address
// and it is younger than maxAge, and otherwise a new one. A dial that
// finds the warm-up still under way waits for it rather than starting
// its own handshakes: the warm-up, started earlier on the same path, ends
// sooner than new handshakes would. If it failed, the dial goes on at once.
func (d *dialer) DialTLSContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if c := d.take(ctx, addr); c != nil {
		return c, nil
	}
	return d.dial(ctx, network, addr)
}

// dial opens a TLS connection to addr; MaxTimeout bounds the TCP and TLS
// handshakes. Its ServerName is the host of addr, as net/http sets it.
func (d *dialer) dial(ctx context.Context, network, addr string) (*tls.Conn, error) {
	c, err := (&tls.Dialer{NetDialer: &d.tcp, Config: d.config}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return c.(*tls.Conn), nil
}

// park opens a connection to addr for the first dial of addr to take. It
// parks one connection in the dialer's life; later calls return errParked.
// A parked connection that no dial took within maxAge is closed.
func (d *dialer) park(ctx context.Context, addr string) error {
	p := &parked{addr: addr, ready: make(chan struct{})}
	d.mu.Lock()
	if d.used {
		d.mu.Unlock()
		return errParked
	}
	d.used, d.parked = true, p
	d.mu.Unlock()

	conn, err := d.dial(ctx, "tcp", addr)
	p.conn, p.at = conn, time.Now()
	close(p.ready)
	if err != nil {
		d.mu.Lock()
		if d.parked == p {
			d.parked = nil
		}
		d.mu.Unlock()
		return err
	}
	time.AfterFunc(d.maxAge, func() {
		d.mu.Lock()
		unclaimed := d.parked == p
		if unclaimed {
			d.parked = nil
		}
		d.mu.Unlock()
		if unclaimed {
			conn.Close()
		}
	})
	return nil
}

// take returns the parked connection if it is to addr, waiting for its
// handshake if need be, and nil when there is none to take: none parked,
// another address, a failed or abandoned warm-up, or one older than maxAge
// (closed then). Only one dial ever gets it.
func (d *dialer) take(ctx context.Context, addr string) *tls.Conn {
	d.mu.Lock()
	p := d.parked
	if p == nil || p.addr != addr {
		d.mu.Unlock()
		return nil
	}
	d.parked = nil
	d.mu.Unlock()

	select {
	case <-p.ready:
	case <-ctx.Done():
		go func() {
			<-p.ready
			if p.conn != nil {
				p.conn.Close()
			}
		}()
		return nil
	}
	if p.conn == nil {
		return nil
	}
	if time.Since(p.at) > d.maxAge {
		p.conn.Close()
		return nil
	}
	d.mu.Lock()
	d.taken = p.conn
	d.mu.Unlock()
	return p.conn
}

// fromWarmUp reports whether c is the warm-up's connection. Like a pooled
// one, it was opened before the request it carries, so the peer may have
// closed it meanwhile.
func (d *dialer) fromWarmUp(c net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return c != nil && c == d.taken
}
