package copilot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// DefaultTimeout is the COPILOT_TIMEOUT used when the setting is unset.
const DefaultTimeout = 3 * time.Second

// minTimeout is the least COPILOT_TIMEOUT.
const minTimeout = 100 * time.Millisecond

// Time bounds of one Mint. The longest Mint takes MaxTimeout of upstream
// time, plus ReloadTimeout for re-reading the credentials after a 401,
// plus the short wait of a credential read (secrets.RefreshWait); a test
// holds that sum under the function's Timeout in template.yaml, so the
// contract's 503 body is written before Lambda ends the invocation.
const (
	// MaxTimeout is the largest COPILOT_TIMEOUT.
	MaxTimeout = 5 * time.Second
	// ReloadTimeout bounds the re-read of the credentials after a 401. It
	// is not part of the COPILOT_TIMEOUT budget.
	ReloadTimeout = 2 * time.Second
	// ResponseMargin is how long before the caller's own deadline (the
	// invocation's) Mint gives up, so that the error can still be answered.
	ResponseMargin = 250 * time.Millisecond
)

// Path is the management API call, relative to COPILOT_BASE_URL.
const Path = "v2/api/management/your_own/auth/generate_user_auth_key"

// Sentinel errors of Mint. Details for the log are wrapped after them; they
// never include an upstream body, a credential or an auth key.
var (
	ErrUnavailable = apierror.New(apierror.UpstreamUnavailable, "Copilot.cx could not be reached; try again")
	ErrRejected    = apierror.New(apierror.UpstreamError, "Copilot.cx refused the request")
	ErrUpstream    = apierror.New(apierror.UpstreamError, "Copilot.cx answered with an error")
	ErrCredentials = apierror.New(apierror.Internal, "the Copilot.cx credentials are not available")
)

// Credentials is the Copilot secret, with the JSON keys client_id and
// client_secret. *secrets.Secret implements it: Values is the current
// snapshot, Reload a forced (rate-limited) re-read after a 401, which
// returns the values it read, or the current ones when it was not time to
// read.
type Credentials interface {
	Values(ctx context.Context) (secrets.Values, error)
	Reload(ctx context.Context) (secrets.Values, error)
}

var _ Credentials = (*secrets.Secret)(nil)

// Response is the 200 body Mint returns for the app.
type Response struct {
	AuthKey string `json:"auth_key"`
}

// Minter calls generate_user_auth_key for a verified identity.
type Minter struct {
	endpoint string
	timeout  time.Duration
	creds    Credentials
	client   httpClient
	log      *slog.Logger
	metrics  *metrics.Recorder // nil records nothing
}

// Retry pacing: a transient fault is retried once after retryPause plus up
// to retryJitter, and only if at least minAttempt would remain after it.
const (
	maxAttempts = 2
	retryPause  = 25 * time.Millisecond
	retryJitter = 75 * time.Millisecond
	minAttempt  = 100 * time.Millisecond
)

// New returns a Minter for the Copilot API at baseURL, which must be an
// https:// URL; http:// is accepted only for a loopback host (localhost,
// 127.0.0.0/8, ::1), for local use and tests. The error text never repeats
// baseURL. A nil logger means slog.Default(); creds must not be nil.
func New(baseURL string, timeout time.Duration, creds Credentials, logger *slog.Logger) (*Minter, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if timeout < minTimeout || timeout > MaxTimeout {
		return nil, fmt.Errorf("timeout must be between %s and %s", minTimeout, MaxTimeout)
	}
	return newMinter(base, timeout, creds, logger, newHTTPClient(nil)), nil
}

// newMinter builds a Minter for an already checked base URL, on client.
func newMinter(base *url.URL, timeout time.Duration, creds Credentials, logger *slog.Logger, client httpClient) *Minter {
	if creds == nil {
		panic("copilot: nil Credentials")
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Minter{
		endpoint: base.JoinPath(Path).String(),
		timeout:  timeout,
		creds:    creds,
		client:   client,
		log:      logger,
	}
}

// checkBaseURL accepts https://host[:port][/path], or http:// to a loopback
// host; no user info, query or fragment, which could leak into logs.
func checkBaseURL(raw string) (*url.URL, error) {
	const rule = "must use the https scheme, with a host and no user info, query or fragment (http only for a loopback host)"
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New(rule)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback.IsHost(u.Hostname()):
	default:
		return nil, errors.New(rule)
	}
	return u, nil
}

// Mint asks Copilot for an auth key for id.UserID and returns it as a
// Response. Every call is a fresh upstream exchange.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	// Marshalling a string cannot fail; it escapes what JSON needs escaped.
	body, _ := json.Marshal(struct {
		UserID string `json:"user_id"`
	}{id.UserID})

	creds, err := m.creds.Values(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: reading the secret: %v", ErrCredentials, err)
	}
	auth, err := authorization(creds)
	if err != nil {
		return nil, err
	}

	// The upstream budget starts once the credentials are in hand.
	b := startBudget(ctx, m.timeout)
	defer b.stop()
	var o outcome
	attempts, staleRetried := 0, false
	for attempts < maxAttempts {
		attempts++
		start := time.Now()
		o = m.exchange(b.ctx, auth, body)
		m.metrics.Upstream(time.Since(start), string(o.fault))
		if o.stale && !staleRetried && b.ctx.Err() == nil {
			// A pooled connection that Copilot closed while the function
			// was frozen: go again at once, on a new connection, within
			// the same budget. This is not one of the attempts.
			staleRetried = true
			attempts--
			m.log.LogAttrs(ctx, slog.LevelDebug, "copilot: a pooled connection was closed; sending again on a new one")
			m.client.CloseIdleConnections() // the others idled as long
			continue
		}
		if o.fault == "" {
			if attempts > 1 {
				m.log.LogAttrs(ctx, slog.LevelInfo, "copilot: auth key obtained after a retry", slog.Int("attempts", attempts))
			}
			return Response{AuthKey: o.authKey}, nil
		}
		if attempts == maxAttempts || !m.mayRetry(ctx, b, &o, &auth) {
			break
		}
	}
	return nil, m.fail(ctx, o, attempts)
}

// mayRetry prepares the one retry o allows: after a 401, re-read the
// credentials and retry only if they changed; after a transient fault,
// pause briefly when the budget leaves time for another attempt. It
// reports false when there is to be no retry.
func (m *Minter) mayRetry(ctx context.Context, b *budget, o *outcome, auth *string) bool {
	switch {
	case o.unauthorized():
		var fresh secrets.Values
		var err error
		b.pause(func() {
			rctx, cancel := withDeadline(ctx, time.Now().Add(ReloadTimeout))
			defer cancel()
			fresh, err = m.creds.Reload(rctx)
		})
		if err != nil {
			o.detail = fmt.Sprintf("re-reading the secret: %v", err)
			return false
		}
		next, err := authorization(fresh)
		switch {
		case err != nil:
			o.detail = fmt.Sprintf("re-reading the secret: %v", err)
			return false
		case next == *auth:
			o.detail = "the credentials are unchanged since they were read"
			return false
		}
		*auth = next
		return true
	case o.unavailable():
		pause := retryPause + rand.N(retryJitter)
		deadline, _ := b.ctx.Deadline() // always set: startBudget sets it
		if b.ctx.Err() != nil || time.Until(deadline) < pause+minAttempt {
			return false
		}
		t := time.NewTimer(pause)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-b.ctx.Done():
			return false
		}
	}
	return false
}

// budget is the upstream time of one Mint: COPILOT_TIMEOUT, spent while
// Copilot is being called or a retry awaited, never while credentials are
// read. Its ctx ends when the budget is spent, or ResponseMargin before
// the caller's deadline.
type budget struct {
	parent   context.Context
	deadline time.Time
	ctx      context.Context
	cancel   context.CancelFunc
}

func startBudget(parent context.Context, timeout time.Duration) *budget {
	b := &budget{parent: parent, deadline: time.Now().Add(timeout)}
	b.ctx, b.cancel = withDeadline(parent, b.deadline)
	return b
}

// pause runs fn with the budget's clock stopped.
func (b *budget) pause(fn func()) {
	b.cancel()
	start := time.Now()
	fn()
	b.deadline = b.deadline.Add(time.Since(start))
	b.ctx, b.cancel = withDeadline(b.parent, b.deadline)
}

func (b *budget) stop() { b.cancel() }

// withDeadline is context.WithDeadline, moved earlier when needed to end
// ResponseMargin before ctx's own deadline.
func withDeadline(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	if caller, ok := ctx.Deadline(); ok && caller.Add(-ResponseMargin).Before(d) {
		d = caller.Add(-ResponseMargin)
	}
	return context.WithDeadline(ctx, d)
}

// fail logs the failed exchange once and returns its error.
func (m *Minter) fail(ctx context.Context, o outcome, attempts int) error {
	sentinel, level, msg := ErrUpstream, slog.LevelError, "copilot: upstream error"
	switch {
	case o.unavailable():
		sentinel, level, msg = ErrUnavailable, slog.LevelWarn, "copilot: upstream unavailable"
	case o.unauthorized():
		sentinel, msg = ErrRejected, "copilot: rejected credentials"
	}
	attrs := []slog.Attr{slog.String("fault", string(o.fault)), slog.Int("attempts", attempts)}
	if o.status != 0 {
		attrs = append(attrs, slog.Int("upstream_status", o.status))
	}
	if o.reason != "" {
		attrs = append(attrs, slog.String("reason", o.reason))
	}
	m.log.LogAttrs(ctx, level, msg, attrs...)
	return fmt.Errorf("%w: %s after %d attempt(s)", sentinel, o, attempts)
}

// exchange makes one request and classifies its result.
func (m *Minter) exchange(ctx context.Context, auth string, body []byte) outcome {
	// A connection opened before this request, pooled or the warm-up's,
	// may have been closed by the peer meanwhile.
	var opened bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(c httptrace.GotConnInfo) { opened = c.Reused || m.client.dialer.fromWarmUp(c.Conn) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, bytes.NewReader(body))
	if err != nil {
		return outcome{fault: faultNetwork, detail: "building the request: " + err.Error()}
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		o := transportOutcome(err)
		o.stale = opened && o.fault == faultNetwork
		return o
	}
	defer resp.Body.Close()
	return readOutcome(resp)
}
