package copilot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// The vendor document's worked example, and a rotated pair.
const (
	clientID      = "ABABABABQQIRZ"
	clientSecret  = "k9H2Nd3T5j5EW2Fu160l11Hal3x3oa"
	basicExample  = "QUJBQkFCQUJRUUlSWjprOUgyTmQzVDVqNUVXMkZ1MTYwbDExSGFsM3gzb2E="
	rotatedID     = "ROTATEDCLIENT7"
	rotatedSecret = "r0tated-S3cret-value-XYZ"

	authKey = "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4iOiJleUowZVhBaU9pSktWMVFp"
	// canary is planted in upstream bodies; it must never come out.
	canary = "UPSTREAM-BODY-CANARY"
)

var (
	original = secrets.Values{"client_id": []byte(clientID), "client_secret": []byte(clientSecret)}
	rotated  = secrets.Values{"client_id": []byte(rotatedID), "client_secret": []byte(rotatedSecret)}
	user     = identity.Identity{UserID: "eff119c1-47c5-4a77-8fc8-667eb7e354d3", Email: "a@example.com", Name: "A"}
)

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
	// accept, when set, answers 200 with authKey if the request carries
	// this Basic credential and 401 otherwise.
	accept string
}

// copilotAPI is an httptest stand-in for Copilot that answers the n-th call
// with replies[n] (the last one repeating) and counts calls.
type copilotAPI struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newUpstream(t *testing.T, replies ...reply) *copilotAPI {
	t.Helper()
	u := &copilotAPI{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+Path {
			http.NotFound(w, r)
			return
		}
		n := int(u.calls.Add(1)) - 1
		rep := replies[min(n, len(replies)-1)]
		if rep.accept != "" {
			rep = reply{status: http.StatusUnauthorized, body: `{"reason": "AUTH.UNAUTHORIZED"}`}
			if r.Header.Get("Authorization") == BasicAuth(rotatedID, rotatedSecret) {
				rep = reply{status: http.StatusOK, body: `{"auth_key": "` + authKey + `"}`}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// testMinter builds a Minter on base without the base URL check (so a
// .invalid host can be used) and captures its log.
func testMinter(t *testing.T, base string, timeout time.Duration, creds Credentials) (*Minter, *bytes.Buffer) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	return newMinter(u, timeout, creds, slog.New(slog.NewJSONHandler(&logs, nil)), upstream.NewClient(nil)), &logs
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

// assertNoSecrets fails if any text carries a credential, the Basic
// header, the auth key or upstream body content.
func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	forbidden := []string{
		clientSecret, rotatedSecret, basicExample,
		strings.TrimPrefix(BasicAuth(rotatedID, rotatedSecret), "Basic "),
		"Basic ", authKey, canary,
	}
	for _, text := range texts {
		for _, f := range forbidden {
			if strings.Contains(text, f) {
				t.Errorf("%q leaked into %q", f, text)
			}
		}
	}
}

// TestMintAnswers: Copilot's answers as its function reads them: the
// auth_key member, Copilot's reason codes, its Basic credentials re-read
// after a 401, and Copilot's errors. The fault map and the retry rules as
// a whole are tested in package upstream.
func TestMintAnswers(t *testing.T) {
	ok := reply{status: http.StatusOK, body: `{"auth_key": "` + authKey + `"}`}
	unauthorized := reply{status: http.StatusUnauthorized, body: `{"reason": "AUTH.UNAUTHORIZED"}`}
	huge := `{"auth_key": "` + authKey + `", "pad": "` + strings.Repeat("x", 64<<10) + `"}`

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
		{name: "401 then ok with rotated credentials", replies: []reply{{accept: rotatedID}}, calls: 2, reloads: 1},

		{name: "503", replies: []reply{{status: 503}},
			wantErr: ErrUnavailable, wantKind: apierror.UpstreamUnavailable, calls: 2, fault: "status", status: 503, level: "WARN"},

		{name: "401 twice", replies: []reply{unauthorized}, wantErr: ErrRejected, wantKind: apierror.UpstreamError,
			calls: 2, reloads: 1, fault: "status", status: 401, reason: "AUTH.UNAUTHORIZED", level: "ERROR"},
		{name: "401 with a reason that is not a code", replies: []reply{{status: 401, body: `{"reason": "bad secret ` + canary + `"}`}},
			wantErr: ErrRejected, wantKind: apierror.UpstreamError, calls: 2, reloads: 1, fault: "status", status: 401, level: "ERROR"},

		{name: "400", replies: []reply{{status: 400, body: `{"reason": "REQUEST.INVALID"}`}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "status", status: 400, reason: "REQUEST.INVALID", level: "ERROR"},
		{name: "not JSON", replies: []reply{{status: 200, body: "<html>" + canary + "</html>"}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "no auth_key", replies: []reply{{status: 200, body: `{"token": "` + canary + `"}`}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_auth_key", status: 200, level: "ERROR"},
		{name: "empty auth_key", replies: []reply{{status: 200, body: `{"auth_key": ""}`}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_auth_key", status: 200, level: "ERROR"},
		{name: "null auth_key", replies: []reply{{status: 200, body: `{"auth_key": null}`}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "no_auth_key", status: 200, level: "ERROR"},
		{name: "auth_key not a string", replies: []reply{{status: 200, body: `{"auth_key": {"v": "` + canary + `"}}`}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "body over 64 KiB", replies: []reply{{status: 200, body: huge}},
			wantErr: ErrUpstream, wantKind: apierror.UpstreamError, calls: 1, fault: "body_too_large", status: 200, level: "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, tt.replies...)
			creds := &fakeCreds{values: original, reloaded: rotated, reloadErr: tt.reloadErr}
			if tt.sameOnReload {
				creds.reloaded = nil
			}
			m, logs := testMinter(t, up.srv.URL, 2*time.Second, creds)

			got, err := m.Mint(t.Context(), user)

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
					t.Fatalf("Mint: %v", err)
				}
				if want := (Response{AuthKey: authKey}); got != want {
					t.Errorf("Mint = %#v, want %#v", got, want)
				}
				for _, l := range lines {
					if l.Level != "INFO" {
						t.Errorf("a successful exchange logged %+v", l)
					}
				}
				return
			}
			if got != nil {
				t.Errorf("Mint returned %#v with its error", got)
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, tt.wantKind) {
				t.Fatalf("Mint error = %v, want %v of kind %s", err, tt.wantErr, tt.wantKind.Code)
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
			if errors.Is(err, ErrRejected) != strings.Contains(lines[0].Msg, "rejected credentials") {
				t.Errorf("log message %q", lines[0].Msg)
			}
		})
	}
}

func TestMintRequest(t *testing.T) {
	id := identity.Identity{UserID: "u\"1</script>\\\u2028é\x00"}
	var got struct {
		method, path, auth, contentType, accept string
		body                                    map[string]any
		raw                                     []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.method, got.path = r.Method, r.URL.Path
		got.auth, got.contentType, got.accept = r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("Accept")
		got.raw, _ = io.ReadAll(r.Body)
		_ = json.Unmarshal(got.raw, &got.body)
		_, _ = io.WriteString(w, `{"auth_key": "k"}`)
	}))
	t.Cleanup(srv.Close)
	m, _ := testMinter(t, srv.URL+"/base/", time.Second, &fakeCreds{values: original})

	if _, err := m.Mint(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if got.method != http.MethodPost || got.path != "/base/v2/api/management/your_own/auth/generate_user_auth_key" {
		t.Errorf("request = %s %s", got.method, got.path)
	}
	if got.auth != "Basic "+basicExample {
		t.Errorf("Authorization = %q", got.auth)
	}
	if got.contentType != "application/json" || got.accept != "application/json" {
		t.Errorf("Content-Type = %q, Accept = %q", got.contentType, got.accept)
	}
	if len(got.body) != 1 || got.body["user_id"] != id.UserID {
		t.Errorf("body = %s, want only user_id %q", got.raw, id.UserID)
	}
}

func TestMintIsNeverCached(t *testing.T) {
	var calls atomic.Int32
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_ = json.NewEncoder(w).Encode(Response{AuthKey: "key-" + string(rune('0'+n))})
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	m, _ := testMinter(t, srv.URL, time.Second, &fakeCreds{values: original})

	seen := map[any]bool{}
	for range 3 {
		got, err := m.Mint(t.Context(), user)
		if err != nil {
			t.Fatal(err)
		}
		seen[got] = true
	}
	if calls.Load() != 3 || len(seen) != 3 {
		t.Errorf("3 Mints made %d upstream calls and returned %d distinct keys, want 3 and 3", calls.Load(), len(seen))
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("3 Mints opened %d connections, want 1 reused", n)
	}
}

func TestMintRefusesBeforeCalling(t *testing.T) {
	tests := []struct {
		name     string
		id       identity.Identity
		creds    *fakeCreds
		wantErr  error
		wantKind *apierror.Kind
	}{
		{"secret unreadable", user, &fakeCreds{valuesErr: errors.New("not loaded")}, ErrCredentials, apierror.Internal},
		{"no client_id", user, &fakeCreds{values: secrets.Values{"client_secret": []byte(clientSecret)}}, ErrCredentials, apierror.Internal},
		{"empty client_secret", user, &fakeCreds{values: secrets.Values{"client_id": []byte(clientID), "client_secret": nil}}, ErrCredentials, apierror.Internal},
		{"colon in client_id", user, &fakeCreds{values: secrets.Values{"client_id": []byte("a:b"), "client_secret": []byte(clientSecret)}}, ErrCredentials, apierror.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newUpstream(t, reply{status: 200, body: `{"auth_key": "k"}`})
			m, logs := testMinter(t, up.srv.URL, time.Second, tt.creds)
			_, err := m.Mint(t.Context(), tt.id)
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, tt.wantKind) {
				t.Fatalf("Mint error = %v, want %v", err, tt.wantErr)
			}
			if up.calls.Load() != 0 {
				t.Error("Copilot was called")
			}
			assertNoSecrets(t, logs.String(), err.Error())
		})
	}
}

func TestBasicAuthVendorExample(t *testing.T) {
	if got, want := BasicAuth(clientID, clientSecret), "Basic "+basicExample; got != want {
		t.Errorf("BasicAuth = %q, want %q", got, want)
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		ok      bool
		timeout time.Duration
	}{
		{"https", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx"}, true, DefaultTimeout},
		{"https with a path and timeout", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx/prefix/", "COPILOT_TIMEOUT": "1500ms"}, true, 1500 * time.Millisecond},
		{"http localhost", map[string]string{"COPILOT_BASE_URL": "http://localhost:8080"}, true, DefaultTimeout},
		{"http 127.0.0.0/8", map[string]string{"COPILOT_BASE_URL": "http://127.8.9.10:9"}, true, DefaultTimeout},
		{"http ::1", map[string]string{"COPILOT_BASE_URL": "http://[::1]:9"}, true, DefaultTimeout},
		{"missing", map[string]string{}, false, 0},
		{"http elsewhere", map[string]string{"COPILOT_BASE_URL": "http://api.copilot.cx"}, false, 0},
		{"http to a name that only looks local", map[string]string{"COPILOT_BASE_URL": "http://localhost.example.com"}, false, 0},
		{"http to a private address", map[string]string{"COPILOT_BASE_URL": "http://10.0.0.1"}, false, 0},
		{"other scheme", map[string]string{"COPILOT_BASE_URL": "ftp://api.copilot.cx"}, false, 0},
		{"no scheme", map[string]string{"COPILOT_BASE_URL": "api.copilot.cx"}, false, 0},
		{"no host", map[string]string{"COPILOT_BASE_URL": "https://"}, false, 0},
		{"user info", map[string]string{"COPILOT_BASE_URL": "https://id:pw@api.copilot.cx"}, false, 0},
		{"query", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx/?x=1"}, false, 0},
		{"fragment", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx/#x"}, false, 0},
		{"longest timeout", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx", "COPILOT_TIMEOUT": upstream.MaxTimeout.String()}, true, upstream.MaxTimeout},
		{"timeout over the longest", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx", "COPILOT_TIMEOUT": (upstream.MaxTimeout + time.Millisecond).String()}, false, DefaultTimeout},
		{"bad timeout", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx", "COPILOT_TIMEOUT": "soon"}, false, DefaultTimeout},
		{"timeout too long", map[string]string{"COPILOT_BASE_URL": "https://api.copilot.cx", "COPILOT_TIMEOUT": "5m"}, false, DefaultTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(k string) string { return tt.env[k] })
			newMinter := configure(env).NewMinter
			err := env.Err()
			if (err == nil) != tt.ok {
				t.Fatalf("env.Err() = %v, want ok = %v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, config.ErrInvalid) && !errors.Is(err, config.ErrMissing) {
					t.Errorf("error %v is not a config error", err)
				}
				if v := tt.env["COPILOT_BASE_URL"]; v != "" && strings.Contains(err.Error(), v) {
					t.Errorf("error %q repeats the setting's value", err)
				}
			}
			if tt.timeout == 0 {
				return
			}
			secret := secretstest.Offline(t, Descriptor.Secret, dev.Secret(Descriptor.Name, Descriptor.Secret))
			if m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*Minter); m.api.Timeout != tt.timeout {
				t.Errorf("Minter = %+v, want timeout %s", m, tt.timeout)
			}
		})
	}
}

// TestUpstreamMetrics: every exchange with Copilot is recorded with its
// latency and fault kind, retries included.
func TestUpstreamMetrics(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"auth_key":"k-123"}`)
	}))
	defer ok.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	for _, tt := range []struct {
		name   string
		url    string
		faults []string
	}{
		{"answered", ok.URL, []string{`"Fault":"none"`}},
		{"503, retried", failing.URL, []string{`"Fault":"status"`, `"Fault":"status"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(k string) string { return map[string]string{"COPILOT_BASE_URL": tt.url}[k] })
			newMinter := configure(env).NewMinter
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			secret := secretstest.Offline(t, Descriptor.Secret, dev.Secret(Descriptor.Name, Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Metrics: metrics.New(&out, "VT", "copilot", nil)})
			_, _ = m.Mint(context.Background(), identity.Identity{UserID: "u1"})
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(tt.faults) {
				t.Fatalf("%d metric lines, want %d:\n%s", len(lines), len(tt.faults), out.String())
			}
			for i, want := range tt.faults {
				if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], `"UpstreamLatency":`) {
					t.Errorf("line %d = %s, want UpstreamLatency with %s", i, lines[i], want)
				}
			}
		})
	}
}
