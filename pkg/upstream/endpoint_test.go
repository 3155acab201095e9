package upstream

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// The test vendor: its API takes a Bearer key from the secret's JSON key
// api_key, answers {"token": "..."}, and explains errors with
// {"reason": "..."}.
const (
	testPath   = "/v1/tokens"
	apiKey     = "k9H2Nd3T5j5EW2Fu160l11Hal3x3oa"
	rotatedKey = "r0tated-S3cret-value-XYZ"

	token = "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4iOiJleUowZVhBaU9pSktWMVFp"
	// canary is planted in upstream bodies; it must never come out.
	canary = "UPSTREAM-BODY-CANARY"
)

var (
	original = secrets.Values{"api_key": []byte(apiKey)}
	rotated  = secrets.Values{"api_key": []byte(rotatedKey)}
	testErrs = NewErrors("Vendor")
	reqBody  = []byte(`{"user_id":"eff119c1-47c5-4a77-8fc8-667eb7e354d3"}`)
)

func bearer(v secrets.Values) (string, error) {
	if len(v["api_key"]) == 0 {
		return "", fmt.Errorf("%w: JSON key api_key is missing or empty", testErrs.Credentials)
	}
	return "Bearer " + string(v["api_key"]), nil
}

// fakeCreds returns values until Reload, then reloaded.
type fakeCreds struct {
	mu        sync.Mutex
	values    secrets.Values
	reloaded  secrets.Values
	valuesErr error
	reloadErr error
	reloads   int
}

func (c *fakeCreds) Values(context.Context) (secrets.Values, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.values, c.valuesErr
}

func (c *fakeCreds) Reload(context.Context) (secrets.Values, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reloads++
	if c.reloadErr != nil {
		return nil, c.reloadErr
	}
	if c.reloaded != nil {
		c.values = c.reloaded
	}
	return c.values, nil
}

func (c *fakeCreds) reloadCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reloads
}

// reply is one canned upstream answer.
type reply struct {
	status int
	body   string
	// accept, when set, answers 200 with token if the request carries the
	// rotated key and 401 otherwise.
	accept bool
}

// standIn is an httptest stand-in for the vendor that answers the n-th
// call with replies[n] (the last one repeating) and counts calls.
type standIn struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newStandIn(t *testing.T, replies ...reply) *standIn {
	t.Helper()
	u := &standIn{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != testPath {
			http.NotFound(w, r)
			return
		}
		n := int(u.calls.Add(1)) - 1
		rep := replies[min(n, len(replies)-1)]
		if rep.accept {
			rep = reply{status: http.StatusUnauthorized, body: `{"reason": "AUTH.UNAUTHORIZED"}`}
			if r.Header.Get("Authorization") == "Bearer "+rotatedKey {
				rep = reply{status: http.StatusOK, body: `{"token": "` + token + `"}`}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// newEndpoint returns the test vendor's Endpoint at base (not checked, so
// that a .invalid host can be used), on client, logging to logs.
func newEndpoint(base string, timeout time.Duration, creds Credentials, client *Client, logs io.Writer) *Endpoint[string] {
	return &Endpoint[string]{
		Name:        "vendor",
		What:        "token",
		URL:         base + testPath,
		Timeout:     timeout,
		Credentials: creds,
		Authorize:   bearer,
		Decode:      StringField("token"),
		Reason:      CodeField("reason"),
		Errors:      testErrs,
		Client:      client,
		Logger:      slog.New(slog.NewJSONHandler(logs, nil)),
	}
}

// testEndpoint is newEndpoint on a new client, with its log captured.
func testEndpoint(t *testing.T, base string, timeout time.Duration, creds Credentials) (*Endpoint[string], *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	return newEndpoint(base, timeout, creds, NewClient(nil), &logs), &logs
}

// trustingClient is the production client, trusting the stand-in's
// certificate.
func trustingClient(srv *httptest.Server) *Client {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return NewClient(roots)
}

// logLine is what the tests read from a captured log line.
type logLine struct {
	Level          string `json:"level"`
	Msg            string `json:"msg"`
	Fault          string `json:"fault"`
	Attempts       int    `json:"attempts"`
	UpstreamStatus int    `json:"upstream_status"`
	Reason         string `json:"reason"`
}

func parseLog(t *testing.T, logs *bytes.Buffer) []logLine {
	t.Helper()
	var lines []logLine
	for _, raw := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var l logLine
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// assertNoSecrets fails if any text carries a credential, the
// Authorization header, the token or upstream body content.
func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, f := range []string{apiKey, rotatedKey, "Bearer", token, canary} {
			if strings.Contains(text, f) {
				t.Errorf("%q leaked into %q", f, text)
			}
		}
	}
}

func TestCallAnswers(t *testing.T) {
	ok := reply{status: http.StatusOK, body: `{"token": "` + token + `"}`}
	unauthorized := reply{status: http.StatusUnauthorized, body: `{"reason": "AUTH.UNAUTHORIZED"}`}
	huge := `{"token": "` + token + `", "pad": "` + strings.Repeat("x", maxResponseBody) + `"}`

	tests := []struct {
		name      string
		replies   []reply
		reloadErr error
		// sameOnReload: the re-read after a 401 gives the credentials
		// already used (the read was rate limited, or the secret has not
		// been rotated).
		sameOnReload bool
		wantErr      error // nil: success
		wantKind     *apierror.Kind
		calls        int32
		reloads      int
		fault        string
		status       int
		reason       string
		level        string
	}{
		{name: "ok", replies: []reply{ok}, calls: 1},
		{name: "429 then ok", replies: []reply{{status: 429}, ok}, calls: 2},
		{name: "503 then ok", replies: []reply{{status: 503, body: canary}, ok}, calls: 2},
		{name: "401 then ok with rotated credentials", replies: []reply{{accept: true}}, calls: 2, reloads: 1},

		{name: "429", replies: []reply{{status: 429, body: `{"reason": "RATE.LIMITED", "detail": "` + canary + `"}`}},
			wantErr: testErrs.Unavailable, wantKind: apierror.UpstreamUnavailable, calls: 2, fault: "status", status: 429, reason: "RATE.LIMITED", level: "WARN"},
		{name: "502", replies: []reply{{status: 502, body: "<html>" + canary + "</html>"}},
			wantErr: testErrs.Unavailable, wantKind: apierror.UpstreamUnavailable, calls: 2, fault: "status", status: 502, level: "WARN"},
		{name: "503", replies: []reply{{status: 503}},
			wantErr: testErrs.Unavailable, wantKind: apierror.UpstreamUnavailable, calls: 2, fault: "status", status: 503, level: "WARN"},
		{name: "504", replies: []reply{{status: 504}},
			wantErr: testErrs.Unavailable, wantKind: apierror.UpstreamUnavailable, calls: 2, fault: "status", status: 504, level: "WARN"},

		{name: "401 twice", replies: []reply{unauthorized}, wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError,
			calls: 2, reloads: 1, fault: "status", status: 401, reason: "AUTH.UNAUTHORIZED", level: "ERROR"},
		{name: "401 and the re-read gives the same credentials", replies: []reply{unauthorized}, sameOnReload: true,
			wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError, calls: 1, reloads: 1, fault: "status", status: 401, reason: "AUTH.UNAUTHORIZED", level: "ERROR"},
		{name: "401 and the secret cannot be re-read", replies: []reply{unauthorized}, reloadErr: errors.New("secrets down"),
			wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError, calls: 1, reloads: 1, fault: "status", status: 401, reason: "AUTH.UNAUTHORIZED", level: "ERROR"},
		{name: "401 then 503", replies: []reply{unauthorized, {status: 503}}, wantErr: testErrs.Unavailable, wantKind: apierror.UpstreamUnavailable,
			calls: 2, reloads: 1, fault: "status", status: 503, level: "WARN"},
		{name: "503 then 401: one retry in all", replies: []reply{{status: 503}, unauthorized}, wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError,
			calls: 2, fault: "status", status: 401, reason: "AUTH.UNAUTHORIZED", level: "ERROR"},
		{name: "401 with a reason that is not a code", replies: []reply{{status: 401, body: `{"reason": "bad secret ` + canary + `"}`}},
			wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError, calls: 2, reloads: 1, fault: "status", status: 401, level: "ERROR"},

		{name: "401 echoing the key as its reason, twice", replies: []reply{{status: 401, body: `{"reason": "` + apiKey + `"}`}},
			wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError, calls: 2, reloads: 1, fault: "status", status: 401, level: "ERROR"},
		{name: "401 echoing the rotated key", replies: []reply{unauthorized, {status: 401, body: `{"reason": "` + rotatedKey + `"}`}},
			wantErr: testErrs.Rejected, wantKind: apierror.UpstreamError, calls: 2, reloads: 1, fault: "status", status: 401, level: "ERROR"},
		{name: "403 echoing a part of the key", replies: []reply{{status: 403, body: `{"reason": "` + apiKey[4:14] + `"}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 403, level: "ERROR"},
		{name: "400", replies: []reply{{status: 400, body: `{"reason": "REQUEST.INVALID"}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 400, reason: "REQUEST.INVALID", level: "ERROR"},
		{name: "403", replies: []reply{{status: 403, body: canary}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 403, level: "ERROR"},
		{name: "500", replies: []reply{{status: 500, body: `{"reason": "INTERNAL"}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 500, reason: "INTERNAL", level: "ERROR"},
		{name: "redirect is not followed", replies: []reply{{status: 307}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 307, level: "ERROR"},
		{name: "not JSON", replies: []reply{{status: 200, body: "<html>" + canary + "</html>"}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "empty body", replies: []reply{{status: 200}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "no token", replies: []reply{{status: 200, body: `{"auth_key": "` + canary + `"}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "empty token", replies: []reply{{status: 200, body: `{"token": ""}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "null token", replies: []reply{{status: 200, body: `{"token": null}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "token not a string", replies: []reply{{status: 200, body: `{"token": {"v": "` + canary + `"}}`}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "body over 64 KiB", replies: []reply{{status: 200, body: huge}},
			wantErr: testErrs.Upstream, wantKind: apierror.UpstreamError, calls: 1, fault: "body_too_large", status: 200, level: "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newStandIn(t, tt.replies...)
			creds := &fakeCreds{values: original, reloaded: rotated, reloadErr: tt.reloadErr}
			if tt.sameOnReload {
				creds.reloaded = nil
			}
			e, logs := testEndpoint(t, up.srv.URL, 2*time.Second, creds)

			got, err := e.Call(t.Context(), reqBody)

			if calls := up.calls.Load(); calls != tt.calls {
				t.Errorf("upstream calls = %d, want %d", calls, tt.calls)
			}
			if r := creds.reloadCount(); r != tt.reloads {
				t.Errorf("secret reloads = %d, want %d", r, tt.reloads)
			}
			lines := parseLog(t, logs)
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			assertNoSecrets(t, logs.String(), errText)

			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Call: %v", err)
				}
				if got != token {
					t.Errorf("Call = %q, want the token", got)
				}
				for _, l := range lines {
					if l.Level != "INFO" {
						t.Errorf("a successful exchange logged %+v", l)
					}
				}
				return
			}
			if got != "" {
				t.Errorf("Call returned %q with its error", got)
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, tt.wantKind) {
				t.Fatalf("Call error = %v, want %v of kind %s", err, tt.wantErr, tt.wantKind.Code)
			}
			if kind, _ := apierror.Classify(err); kind != tt.wantKind {
				t.Errorf("Classify = %s", kind.Code)
			}
			if len(lines) != 1 {
				t.Fatalf("log lines = %+v, want one", lines)
			}
			want := logLine{Level: tt.level, Msg: lines[0].Msg, Fault: tt.fault, Attempts: int(tt.calls), UpstreamStatus: tt.status, Reason: tt.reason}
			if lines[0] != want {
				t.Errorf("log line = %+v, want %+v", lines[0], want)
			}
			if !strings.HasPrefix(lines[0].Msg, "vendor: ") {
				t.Errorf("log message %q does not start with the vendor's name", lines[0].Msg)
			}
			if errors.Is(err, testErrs.Rejected) != strings.Contains(lines[0].Msg, "rejected credentials") {
				t.Errorf("log message %q", lines[0].Msg)
			}
		})
	}
}

func TestCallTransportFaults(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedURL := "http://" + closed.Addr().String()
	closed.Close()

	var blocked atomic.Int32
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		blocked.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)

	tests := []struct {
		name     string
		base     string
		timeout  time.Duration
		faults   []string // accepted faults
		attempts int
	}{
		{"connection refused", refusedURL, 2 * time.Second, []string{"connection_refused"}, 2},
		// .invalid never resolves (RFC 6761); offline resolvers may time out instead.
		{"DNS failure", "https://vendor.invalid", time.Second, []string{"dns", "timeout"}, 0},
		{"timeout", hang.URL, 200 * time.Millisecond, []string{"timeout"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := testEndpoint(t, tt.base, tt.timeout, &fakeCreds{values: original})
			start := time.Now()
			_, err := e.Call(t.Context(), reqBody)
			if took := time.Since(start); took > tt.timeout+time.Second {
				t.Errorf("Call took %s with a %s timeout", took, tt.timeout)
			}
			if !errors.Is(err, testErrs.Unavailable) || !errors.Is(err, apierror.UpstreamUnavailable) {
				t.Fatalf("Call error = %v, want Unavailable", err)
			}
			assertNoSecrets(t, logs.String(), err.Error())
			lines := parseLog(t, logs)
			if len(lines) != 1 || lines[0].Level != "WARN" || lines[0].UpstreamStatus != 0 {
				t.Fatalf("log lines = %+v, want one warning without a status", lines)
			}
			if !slices.Contains(tt.faults, lines[0].Fault) {
				t.Errorf("fault = %q, want one of %q", lines[0].Fault, tt.faults)
			}
			if tt.attempts != 0 && lines[0].Attempts != tt.attempts || lines[0].Attempts > maxAttempts {
				t.Errorf("attempts = %d, want %d", lines[0].Attempts, tt.attempts)
			}
		})
	}
	if n := blocked.Load(); n != 1 {
		t.Errorf("the hanging upstream was called %d times, want 1 (no retry without time left)", n)
	}
}

func TestCallKeepsToTheDeadline(t *testing.T) {
	tests := []struct {
		name      string
		timeout   time.Duration // the Endpoint's Timeout
		callerTTL time.Duration // the invocation's own deadline
		delay     time.Duration // before the upstream answers 503
		calls     int32
		maxTook   time.Duration
	}{
		{"the caller's deadline wins over the timeout", 5 * time.Second, ResponseMargin + 150*time.Millisecond, time.Hour, 1, time.Second},
		{"no retry when too little time remains", 300 * time.Millisecond, time.Minute, 250 * time.Millisecond, 1, time.Second},
		{"a retry when time remains", 2 * time.Second, time.Minute, 0, 2, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
				select {
				case <-time.After(tt.delay):
					w.WriteHeader(http.StatusServiceUnavailable)
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(srv.Close)
			e, _ := testEndpoint(t, srv.URL, tt.timeout, &fakeCreds{values: original})
			ctx, cancel := context.WithTimeout(t.Context(), tt.callerTTL)
			defer cancel()

			start := time.Now()
			_, err := e.Call(ctx, reqBody)
			took := time.Since(start)

			if !errors.Is(err, testErrs.Unavailable) {
				t.Fatalf("Call error = %v, want Unavailable", err)
			}
			if took > tt.maxTook {
				t.Errorf("Call took %s", took)
			}
			if n := calls.Load(); n != tt.calls {
				t.Errorf("upstream calls = %d, want %d", n, tt.calls)
			}
		})
	}
}

// TestCallRequest: the body goes out as given, with the Authorization
// header Authorize built and the JSON headers.
func TestCallRequest(t *testing.T) {
	var got struct {
		method, path, auth, contentType, accept string
		raw                                     []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.path = r.Method, r.URL.Path
		got.auth, got.contentType, got.accept = r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("Accept")
		got.raw, _ = io.ReadAll(r.Body)
		_, _ = io.WriteString(w, `{"token": "k"}`)
	}))
	t.Cleanup(srv.Close)
	e, _ := testEndpoint(t, srv.URL+"/base", time.Second, &fakeCreds{values: original})

	if v, err := e.Call(t.Context(), reqBody); err != nil || v != "k" {
		t.Fatalf("Call = %q, %v", v, err)
	}
	if got.method != http.MethodPost || got.path != "/base"+testPath {
		t.Errorf("request = %s %s", got.method, got.path)
	}
	if got.auth != "Bearer "+apiKey {
		t.Errorf("Authorization = %q", got.auth)
	}
	if got.contentType != "application/json" || got.accept != "application/json" {
		t.Errorf("Content-Type = %q, Accept = %q", got.contentType, got.accept)
	}
	if !bytes.Equal(got.raw, reqBody) {
		t.Errorf("body = %s, want %s", got.raw, reqBody)
	}
}

// TestCallReusesItsConnection: every Call is one exchange, on the one
// kept-alive connection.
func TestCallReusesItsConnection(t *testing.T) {
	var calls, conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_, _ = fmt.Fprintf(w, `{"token": "token-%d"}`, n)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	e, _ := testEndpoint(t, srv.URL, time.Second, &fakeCreds{values: original})

	seen := map[string]bool{}
	for range 3 {
		got, err := e.Call(t.Context(), reqBody)
		if err != nil {
			t.Fatal(err)
		}
		seen[got] = true
	}
	if calls.Load() != 3 || len(seen) != 3 {
		t.Errorf("3 Calls made %d upstream calls and returned %d distinct tokens, want 3 and 3", calls.Load(), len(seen))
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("3 Calls opened %d connections, want 1 reused", n)
	}
}

func TestCallRefusesBeforeCalling(t *testing.T) {
	// An Authorize error that does not wrap Errors.Credentials is wrapped.
	plain := func(secrets.Values) (string, error) { return "", errors.New("JSON key api_key is not usable") }
	tests := []struct {
		name      string
		creds     *fakeCreds
		authorize func(secrets.Values) (string, error)
	}{
		{"secret unreadable", &fakeCreds{valuesErr: errors.New("not loaded")}, bearer},
		{"no api_key", &fakeCreds{values: secrets.Values{"other": []byte(apiKey)}}, bearer},
		{"an Authorize error of its own", &fakeCreds{values: original}, plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newStandIn(t, reply{status: 200, body: `{"token": "k"}`})
			e, logs := testEndpoint(t, up.srv.URL, time.Second, tt.creds)
			e.Authorize = tt.authorize
			_, err := e.Call(t.Context(), reqBody)
			if !errors.Is(err, testErrs.Credentials) || !errors.Is(err, apierror.Internal) {
				t.Fatalf("Call error = %v, want Credentials", err)
			}
			if up.calls.Load() != 0 {
				t.Error("the vendor was called")
			}
			assertNoSecrets(t, logs.String(), err.Error())
		})
	}
}

func TestNewErrors(t *testing.T) {
	e := NewErrors("Vendor Chat")
	for _, tt := range []struct {
		err  *apierror.Error
		kind *apierror.Kind
		msg  string
	}{
		{e.Unavailable, apierror.UpstreamUnavailable, "Vendor Chat could not be reached; try again"},
		{e.Rejected, apierror.UpstreamError, "Vendor Chat refused the request"},
		{e.Upstream, apierror.UpstreamError, "Vendor Chat answered with an error"},
		{e.Credentials, apierror.Internal, "the Vendor Chat credentials are not available"},
	} {
		if kind, msg := apierror.Classify(tt.err); kind != tt.kind || msg != tt.msg {
			t.Errorf("%v: %s %q, want %s %q", tt.err, kind.Code, msg, tt.kind.Code, tt.msg)
		}
	}
}

func TestHTTPClient(t *testing.T) {
	c := NewClient(nil)
	tr := c.http.Transport.(*http.Transport)
	if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", tr.TLSClientConfig.MinVersion)
	}
	// The dialer's TLS settings are the transport's: the same least
	// version and roots, the server name left to each dial's host, and
	// the protocols net/http offers itself (HTTP/2 among them).
	if d := c.dialer.config; d.MinVersion != tls.VersionTLS12 || d.RootCAs != nil || d.ServerName != "" || d.InsecureSkipVerify ||
		!slices.Equal(d.NextProtos, tr.TLSClientConfig.NextProtos) || !slices.Contains(d.NextProtos, "h2") {
		t.Errorf("dialer TLS config = %+v", d)
	}
	if tr.TLSClientConfig.InsecureSkipVerify || tr.DisableKeepAlives || tr.MaxIdleConnsPerHost < 1 || tr.Proxy == nil {
		t.Errorf("transport = %+v", tr)
	}
	if c.http.CheckRedirect(nil, nil) != http.ErrUseLastResponse {
		t.Error("redirects are followed")
	}
}

// TestCallOverTLS runs the production client against an HTTPS stand-in,
// and checks that a server below TLS 1.2 is refused.
func TestCallOverTLS(t *testing.T) {
	tests := []struct {
		name      string
		maxVer    uint16
		wantErr   error
		wantCalls int32
	}{
		{"TLS 1.2+", 0, nil, 1},
		{"TLS 1.1 only", tls.VersionTLS11, testErrs.Unavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				_, _ = io.WriteString(w, `{"token": "k"}`)
			}))
			srv.TLS = &tls.Config{MaxVersion: tt.maxVer}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
			srv.StartTLS()
			t.Cleanup(srv.Close)

			e := newEndpoint(srv.URL, time.Second, &fakeCreds{values: original}, trustingClient(srv), io.Discard)

			got, err := e.Call(t.Context(), reqBody)
			if tt.wantErr == nil && (err != nil || got != "k") {
				t.Errorf("Call = %q, %v", got, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Call error = %v, want %v", err, tt.wantErr)
			}
			if n := calls.Load(); n != tt.wantCalls {
				t.Errorf("handler calls = %d, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestCallMetrics: every exchange is recorded with its latency and fault
// kind, retries included.
func TestCallMetrics(t *testing.T) {
	for _, tt := range []struct {
		name    string
		replies []reply
		faults  []string
	}{
		{"answered", []reply{{status: 200, body: `{"token":"k-123"}`}}, []string{`"Fault":"none"`}},
		{"503, retried", []reply{{status: 503}}, []string{`"Fault":"status"`, `"Fault":"status"`}},
		{"no token", []reply{{status: 200, body: `{}`}}, []string{`"Fault":"no_token"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newStandIn(t, tt.replies...)
			e, _ := testEndpoint(t, up.srv.URL, 2*time.Second, &fakeCreds{values: original})
			var out bytes.Buffer
			e.Metrics = metrics.New(&out, "VT", "vendor", nil)
			_, _ = e.Call(context.Background(), reqBody)
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(tt.faults) {
				t.Fatalf("%d metric lines, want %d:\n%s", len(lines), len(tt.faults), out.String())
			}
			for i, want := range tt.faults {
				if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], `"UpstreamLatency":`) || !strings.Contains(lines[i], `"Vendor":"vendor"`) {
					t.Errorf("line %d = %s, want UpstreamLatency with %s", i, lines[i], want)
				}
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	for _, tt := range []struct {
		raw string
		ok  bool
	}{
		{"https://api.example.com", true},
		{"https://api.example.com/prefix/", true},
		{"https://api.example.com:8443", true},
		{"http://localhost:8080", true},
		{"http://127.8.9.10:9", true},
		{"http://[::1]:9", true},
		{"", false},
		{"http://api.example.com", false},
		{"http://localhost.example.com", false},
		{"http://10.0.0.1", false},
		{"ftp://api.example.com", false},
		{"api.example.com", false},
		{"https://", false},
		{"https://id:pw@api.example.com", false},
		{"https://api.example.com/?x=1", false},
		{"https://api.example.com/?", false},
		{"https://api.example.com/#x", false},
		{"https:opaque", false},
	} {
		u, err := CheckBaseURL(tt.raw)
		if (err == nil) != tt.ok || (err == nil) != (u != nil) {
			t.Errorf("CheckBaseURL(%q) = %v, %v; want ok = %v", tt.raw, u, err, tt.ok)
		}
		if err != nil && tt.raw != "" && strings.Contains(err.Error(), tt.raw) {
			t.Errorf("the error %q repeats the URL", err)
		}
	}
}
