package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Time bounds of one Call. The longest Call takes MaxTimeout of upstream
// time, plus ReloadTimeout for re-reading the credentials after a 401,
// plus the short wait of a credential read (secrets.RefreshWait); a test
// holds that sum under the function's Timeout in template.yaml, so the
// contract's 503 body is written before Lambda ends the invocation.
const (
	// MinTimeout and MaxTimeout bound an Endpoint's Timeout (a vendor's
	// <VENDOR>_TIMEOUT setting; see TimeoutSetting).
	MinTimeout = 100 * time.Millisecond
	MaxTimeout = 5 * time.Second
	// ReloadTimeout bounds the re-read of the credentials after a 401. It
	// is not part of the Timeout budget.
	ReloadTimeout = 2 * time.Second
	// ResponseMargin is how long before the caller's own deadline (the
	// invocation's) Call gives up, so that the error can still be answered.
	ResponseMargin = 250 * time.Millisecond
)

// Retry pacing: a transient fault is retried once after retryPause plus up
// to retryJitter, and only if at least minAttempt would remain after it.
const (
	maxAttempts = 2
	retryPause  = 25 * time.Millisecond
	retryJitter = 75 * time.Millisecond
	minAttempt  = 100 * time.Millisecond
)

// Credentials is a vendor's secret as a Call reads it. *secrets.Secret
// implements it: Values is the current snapshot, Reload a forced
// (rate-limited) re-read after a 401, which returns the values it read,
// or the current ones when it was not time to read.
type Credentials interface {
	Values(ctx context.Context) (secrets.Values, error)
	Reload(ctx context.Context) (secrets.Values, error)
}

var _ Credentials = (*secrets.Secret)(nil)

// Errors are a vendor's sentinel errors, the ones Call returns (wrapped
// with details for the log). NewErrors makes them.
type Errors struct {
	// Unavailable (503 upstream_unavailable): the vendor could not be
	// reached, timed out, or answered 429, 502, 503 or 504.
	Unavailable *apierror.Error
	// Rejected (502 upstream_error): the vendor refused the credentials
	// (401).
	Rejected *apierror.Error
	// Upstream (502 upstream_error): any other answer that is not a 2xx
	// response that Decode accepts.
	Upstream *apierror.Error
	// Credentials (500 internal): the secret cannot be had (revoked, for
	// one) or does not hold usable credentials.
	Credentials *apierror.Error
}

// NewErrors returns the Errors of the vendor whose product is called
// title ("Example Chat"), with messages for the app that name it.
func NewErrors(title string) Errors {
	return Errors{
		Unavailable: apierror.New(apierror.UpstreamUnavailable, title+" could not be reached; try again"),
		Rejected:    apierror.New(apierror.UpstreamError, title+" refused the request"),
		Upstream:    apierror.New(apierror.UpstreamError, title+" answered with an error"),
		Credentials: apierror.New(apierror.Internal, "the "+title+" credentials are not available"),
	}
}

// Endpoint is one call of a vendor's API as its function makes it: a POST
// of a JSON body to URL, with the Authorization header that Authorize
// builds from the vendor's secret, whose 2xx answer Decode reads. Set its
// fields, then use it for every request; it is safe for concurrent use and
// must not be changed once in use. Every field is required unless it says
// otherwise.
type Endpoint[T any] struct {
	// Name is the vendor's short name, which starts each log line:
	// "<Name>: upstream error".
	Name string
	// What names what a call obtains, for the log: "auth key".
	What string
	// URL is the endpoint's full URL, on a base URL that CheckBaseURL
	// accepted.
	URL string
	// Timeout bounds the upstream time of one Call (MinTimeout to
	// MaxTimeout).
	Timeout     time.Duration
	Credentials Credentials
	// Authorize returns the Authorization header value from the secret's
	// values, or an error that names the JSON key at fault, never its
	// value; Call wraps it with Errors.Credentials if it does not already.
	Authorize func(secrets.Values) (string, error)
	// Decode reads a 2xx body of at most 64 KiB. Its error text must not
	// quote the body; a DecodeError names its fault (StringField's do).
	Decode func(body []byte) (T, error)
	// Reason, when set, returns the vendor's reason code from the first
	// 4 KiB of an error body, for the log; a value that is not a short
	// code is dropped (CodeField is one).
	Reason func(body []byte) string
	Errors Errors
	Client *Client
	// Logger is nil for slog.Default(); Metrics nil records nothing.
	Logger  *slog.Logger
	Metrics *metrics.Recorder
}

// Call posts body to the endpoint and returns what Decode read from the
// answer.
//
// The budget (Timeout) starts once the credentials are in hand, and stops
// while they are re-read after a 401 (within ReloadTimeout); Call also
// gives up ResponseMargin before ctx's deadline, so the error can be
// answered before the invocation ends. A transient fault (Unavailable) is
// retried once, after a short random pause, when the budget leaves time
// for it. A 401 makes Call re-read the credentials (Credentials.Reload,
// rate limited) and retry once only if that gave different ones, so a
// rotation is picked up without a redeploy and a storm of 401s costs one
// upstream call per request. A 401 after the retry of a transient fault is
// not retried: Call makes at most two calls. A request that fails without
// an answer on a connection opened before it (pooled, or the warm-up's)
// goes out again at once on a new one, within the same budget and without
// counting as a call.
//
// Each exchange is recorded in Metrics (UpstreamLatency and
// UpstreamExchanges by Fault); a failed Call logs one line, with the
// upstream status and reason code only. No error text or log line carries
// the secret, the Authorization header, a body, or what Decode returned.
func (e *Endpoint[T]) Call(ctx context.Context, body []byte) (T, error) {
	var zero T
	creds, err := e.Credentials.Values(ctx)
	if err != nil {
		return zero, fmt.Errorf("%w: reading the secret: %v", e.Errors.Credentials, err)
	}
	auth, err := e.authorize(creds)
	if err != nil {
		return zero, err
	}

	// The upstream budget starts once the credentials are in hand.
	b := startBudget(ctx, e.Timeout)
	defer b.stop()
	var o outcome
	var v T
	known := []secrets.Values{creds} // every credential sent, for leaks
	attempts, staleRetried := 0, false
	for attempts < maxAttempts {
		attempts++
		start := time.Now()
		o = e.exchange(b.ctx, auth, body)
		if o.reason != "" && leaks(o.reason, known...) {
			o.reason = ""
		}
		if o.fault == "" {
			if v, err = e.Decode(o.body); err != nil {
				o.fault, o.detail = decodeFault(err), err.Error()
			}
		}
		e.Metrics.Upstream(time.Since(start), string(o.fault))
		if o.stale && !staleRetried && b.ctx.Err() == nil {
			// A pooled connection that the vendor closed while the
			// function was frozen: go again at once, on a new connection,
			// within the same budget. This is not one of the attempts.
			staleRetried = true
			attempts--
			e.logger().LogAttrs(ctx, slog.LevelDebug, e.Name+": a pooled connection was closed; sending again on a new one")
			e.Client.http.CloseIdleConnections() // the others idled as long
			continue
		}
		if o.fault == "" {
			if attempts > 1 {
				e.logger().LogAttrs(ctx, slog.LevelInfo, e.Name+": "+e.What+" obtained after a retry", slog.Int("attempts", attempts))
			}
			return v, nil
		}
		if attempts == maxAttempts || !e.mayRetry(ctx, b, &o, &creds, &auth) {
			break
		}
		known = append(known, creds)
	}
	return zero, e.fail(ctx, o, attempts)
}

func (e *Endpoint[T]) logger() *slog.Logger {
	if e.Logger == nil {
		return slog.Default()
	}
	return e.Logger
}

// authorize builds the header from the secret's values.
func (e *Endpoint[T]) authorize(v secrets.Values) (string, error) {
	auth, err := e.Authorize(v)
	if err != nil && !errors.Is(err, e.Errors.Credentials) {
		err = fmt.Errorf("%w: %v", e.Errors.Credentials, err)
	}
	return auth, err
}

// mayRetry prepares the one retry o allows: after a 401, re-read the
// credentials and retry only if they changed; after a transient fault,
// pause briefly when the budget leaves time for another attempt. It
// reports false when there is to be no retry. After a re-read, creds and
// auth are the new credentials and header.
func (e *Endpoint[T]) mayRetry(ctx context.Context, b *budget, o *outcome, creds *secrets.Values, auth *string) bool {
	switch {
	case o.unauthorized():
		var fresh secrets.Values
		var err error
		b.pause(func() {
			rctx, cancel := withDeadline(ctx, time.Now().Add(ReloadTimeout))
			defer cancel()
			fresh, err = e.Credentials.Reload(rctx)
		})
		if err != nil {
			o.detail = fmt.Sprintf("re-reading the secret: %v", err)
			return false
		}
		next, err := e.authorize(fresh)
		switch {
		case err != nil:
			o.detail = fmt.Sprintf("re-reading the secret: %v", err)
			return false
		case next == *auth:
			o.detail = "the credentials are unchanged since they were read"
			return false
		}
		*creds, *auth = fresh, next
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

// budget is the upstream time of one Call: Timeout, spent while the
// vendor is being called or a retry awaited, never while credentials are
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

// leaks reports whether reason, a vendor's reason code, carries a value of
// the secrets, or a part of one of 8 characters or more: a vendor that
// echoes the credentials it refused must not have them logged.
func leaks(reason string, sets ...secrets.Values) bool {
	const minPart = 8
	for _, v := range sets {
		for _, value := range v {
			if len(value) >= minPart && strings.Contains(reason, string(value)) ||
				len(reason) >= minPart && strings.Contains(string(value), reason) {
				return true
			}
		}
	}
	return false
}

// fail logs the failed exchange once and returns its error.
func (e *Endpoint[T]) fail(ctx context.Context, o outcome, attempts int) error {
	sentinel, level, msg := e.Errors.Upstream, slog.LevelError, "upstream error"
	switch {
	case o.unavailable():
		sentinel, level, msg = e.Errors.Unavailable, slog.LevelWarn, "upstream unavailable"
	case o.unauthorized():
		sentinel, msg = e.Errors.Rejected, "rejected credentials"
	}
	attrs := []slog.Attr{slog.String("fault", string(o.fault)), slog.Int("attempts", attempts)}
	if o.status != 0 {
		attrs = append(attrs, slog.Int("upstream_status", o.status))
	}
	if o.reason != "" {
		attrs = append(attrs, slog.String("reason", o.reason))
	}
	e.logger().LogAttrs(ctx, level, e.Name+": "+msg, attrs...)
	return fmt.Errorf("%w: %s after %d attempt(s)", sentinel, o, attempts)
}

// exchange makes one request and classifies its result.
func (e *Endpoint[T]) exchange(ctx context.Context, auth string, body []byte) outcome {
	// A connection opened before this request, pooled or the warm-up's,
	// may have been closed by the peer meanwhile.
	var opened bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(c httptrace.GotConnInfo) { opened = c.Reused || e.Client.dialer.fromWarmUp(c.Conn) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return outcome{fault: FaultNetwork, detail: "building the request: " + err.Error()}
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := e.Client.http.Do(req)
	if err != nil {
		o := transportOutcome(err)
		o.stale = opened && o.fault == FaultNetwork
		return o
	}
	defer resp.Body.Close()
	return readOutcome(resp, e.Reason)
}
