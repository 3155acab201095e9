package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// Access tokens shaped as HubSpot issues them, an identification token
// shaped as HubSpot's example, and content planted in upstream bodies.
const (
	accessToken  = "pat-na1-91d91373-8e94-4872-893c-e7d080224a56"
	rotatedToken = "pat-eu1-0b6f2c2e-7a51-4c1e-9d3a-5f0e1c2b3a49"
	visitorToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	// canary is planted in upstream bodies; it must never come out.
	canary = "UPSTREAM-BODY-CANARY"
)

var (
	original = secrets.Values{"access_token": []byte(accessToken)}
	rotated  = secrets.Values{"access_token": []byte(rotatedToken)}
	ada      = identity.Identity{UserID: "eff119c1-47c5-4a77-8fc8-667eb7e354d3", Email: "ada.lovelace@example.com", Name: "Ada King Lovelace"}
	grace    = identity.Identity{UserID: "0c1d8a52-6bf8-4d0c-9d3e-1f7a5b2c4e60", Email: "grace.hopper@example.com", Name: "Grace Hopper"}
	start    = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
)

// fakeCreds returns values until Reload, then reloaded.
type fakeCreds struct {
	mu        sync.Mutex
	values    secrets.Values
	reloaded  secrets.Values
	valuesErr error
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
	if c.reloaded != nil {
		c.values = c.reloaded
	}
	return c.values, nil
}

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// reply is one canned upstream answer; an empty body with status 200 is
// a fresh token for the email asked for.
type reply struct {
	status int
	body   string
	// accept, when set, answers as HubSpot does for an access token: 200
	// for the rotated one, 401 for any other.
	accept bool
}

// hubspotAPI is an httptest stand-in for HubSpot that answers the n-th
// call with replies[n] (the last one repeating), records the requests'
// bodies and counts calls. Its default token is "token-<n>-<email>".
type hubspotAPI struct {
	srv    *httptest.Server
	calls  atomic.Int32
	mu     sync.Mutex
	bodies []map[string]any
}

func newHubspotAPI(t *testing.T, replies ...reply) *hubspotAPI {
	t.Helper()
	if len(replies) == 0 {
		replies = []reply{{status: http.StatusOK}}
	}
	h := &hubspotAPI{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+Path {
			http.NotFound(w, r)
			return
		}
		n := int(h.calls.Add(1))
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
		rep := replies[min(n-1, len(replies)-1)]
		if rep.accept {
			rep = reply{status: http.StatusUnauthorized, body: hubspotError("INVALID_AUTHENTICATION", "The access token is not valid: "+canary)}
			if r.Header.Get("Authorization") == "Bearer "+rotatedToken {
				rep = reply{status: http.StatusOK}
			}
		}
		if rep.status == http.StatusOK && rep.body == "" {
			rep.body = fmt.Sprintf(`{"token": "token-%d-%v"}`, n, body["email"])
		}
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hubspotAPI) body(i int) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bodies[i]
}

// hubspotError is HubSpot's error body.
func hubspotError(category, message string) string {
	b, _ := json.Marshal(map[string]string{"status": "error", "message": message, "correlationId": "a2d3acb6-f78c-476e-9811-860509ae9e20", "category": category})
	return string(b)
}

// testMinter builds a Minter on base without the base URL check, on the
// clock c (nil: time.Now), and captures its log.
func testMinter(t *testing.T, base string, timeout time.Duration, creds Credentials, c *clock) (*Minter, *bytes.Buffer) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var now func() time.Time
	if c != nil {
		now = c.Now
	}
	var logs bytes.Buffer
	return newMinter(u, timeout, creds, slog.New(slog.NewJSONHandler(&logs, nil)), upstream.NewClient(nil), now), &logs
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

// assertNoSecrets fails if any text carries an access token, the
// Authorization header, an identification token, upstream body content,
// or the visitor's email or name.
func assertNoSecrets(t *testing.T, texts ...string) {
	t.Helper()
	forbidden := []string{accessToken, rotatedToken, "Bearer", visitorToken, "token-", canary,
		ada.Email, "Lovelace", grace.Email, "Hopper", "@example.com"}
	for _, text := range texts {
		for _, f := range forbidden {
			if strings.Contains(text, f) {
				t.Errorf("%q leaked into %q", f, text)
			}
		}
	}
}

// TestMintRequest: the call HubSpot documents, with the session's email
// and name, and the answer for the app.
func TestMintRequest(t *testing.T) {
	for _, tt := range []struct {
		name string
		id   identity.Identity
		want map[string]any
	}{
		{"first, middle and last name", ada, map[string]any{"email": ada.Email, "firstName": "Ada", "lastName": "King Lovelace"}},
		{"one name", identity.Identity{UserID: "u1", Email: "cher@example.com", Name: " Cher "}, map[string]any{"email": "cher@example.com", "firstName": "Cher"}},
		{"no name", identity.Identity{UserID: "u1", Email: "anon@example.com"}, map[string]any{"email": "anon@example.com"}},
		{"a blank name", identity.Identity{UserID: "u1", Email: "anon@example.com", Name: " \t\n"}, map[string]any{"email": "anon@example.com"}},
		{"characters JSON escapes", identity.Identity{UserID: "u1", Email: "o'brien+\"x\"@example.com", Name: "Zoë </script>\u2028 O'Brien"},
			map[string]any{"email": "o'brien+\"x\"@example.com", "firstName": "Zoë", "lastName": "</script> O'Brien"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				method, path, auth, contentType, accept string
				body                                    map[string]any
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got.method, got.path = r.Method, r.URL.Path
				got.auth, got.contentType, got.accept = r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("Accept")
				raw, _ := io.ReadAll(r.Body)
				if err := json.Unmarshal(raw, &got.body); err != nil {
					t.Errorf("body %q: %v", raw, err)
				}
				_, _ = io.WriteString(w, `{"token": "`+visitorToken+`"}`)
			}))
			t.Cleanup(srv.Close)
			c := &clock{now: start}
			m, logs := testMinter(t, srv.URL, time.Second, &fakeCreds{values: original}, c)

			resp, err := m.Mint(t.Context(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if want := (Response{Token: visitorToken, ExpiresAt: start.Add(12 * time.Hour).Unix()}); resp != want {
				t.Errorf("Mint = %+v, want %+v", resp, want)
			}
			if got.method != http.MethodPost || got.path != "/visitor-identification/2026-03/tokens/create" {
				t.Errorf("request = %s %s", got.method, got.path)
			}
			if got.auth != "Bearer "+accessToken || got.contentType != "application/json" || got.accept != "application/json" {
				t.Errorf("Authorization %q, Content-Type %q, Accept %q", got.auth, got.contentType, got.accept)
			}
			if fmt.Sprint(got.body) != fmt.Sprint(tt.want) {
				t.Errorf("body = %v, want %v", got.body, tt.want)
			}
			if logs.Len() != 0 {
				t.Errorf("a successful Mint logged %s", logs)
			}
		})
	}
}

func TestMintWithoutEmail(t *testing.T) {
	up := newHubspotAPI(t)
	m, logs := testMinter(t, up.srv.URL, time.Second, &fakeCreds{values: original}, nil)
	_, err := m.Mint(t.Context(), identity.Identity{UserID: "u1", Name: "Ada Lovelace"})
	if !errors.Is(err, ErrNoEmail) || !errors.Is(err, apierror.Forbidden) {
		t.Fatalf("Mint error = %v, want ErrNoEmail", err)
	}
	if kind, msg := apierror.Classify(err); kind.Status != http.StatusForbidden || !strings.Contains(msg, "verified email") {
		t.Errorf("answered %d %q", kind.Status, msg)
	}
	if up.calls.Load() != 0 {
		t.Error("HubSpot was called")
	}
	assertNoSecrets(t, logs.String(), err.Error())
}

// TestMintAnswers: HubSpot's answers as the function reads them, and the
// contract's errors they map to. The fault map and the retry rules as a
// whole are tested in package upstream.
func TestMintAnswers(t *testing.T) {
	unauthorized := reply{status: http.StatusUnauthorized, body: hubspotError("INVALID_AUTHENTICATION", "Authentication credentials not found. "+canary)}
	huge := `{"token": "` + visitorToken + `", "pad": "` + strings.Repeat("x", 64<<10) + `"}`

	tests := []struct {
		name         string
		replies      []reply
		sameOnReload bool
		wantErr      error // nil: success
		calls        int32
		reloads      int
		fault        string
		status       int
		reason       string
		level        string
	}{
		{name: "ok", replies: []reply{{status: 200}}, calls: 1},
		{name: "extra members", replies: []reply{{status: 200, body: `{"token": "token-x", "expiresIn": 43200}`}}, calls: 1},
		{name: "401, then ok with the rotated access token", replies: []reply{{accept: true}}, calls: 2, reloads: 1},
		{name: "503 then ok", replies: []reply{{status: 503, body: canary}, {status: 200}}, calls: 2},
		{name: "429 then ok", replies: []reply{{status: 429, body: hubspotError("RATE_LIMITS", "You have reached your secondly limit.")}, {status: 200}}, calls: 2},

		{name: "401 twice", replies: []reply{unauthorized}, wantErr: ErrRejected,
			calls: 2, reloads: 1, fault: "status", status: 401, reason: "INVALID_AUTHENTICATION", level: "ERROR"},
		{name: "401 and the secret holds the same token", replies: []reply{unauthorized}, sameOnReload: true, wantErr: ErrRejected,
			calls: 1, reloads: 1, fault: "status", status: 401, reason: "INVALID_AUTHENTICATION", level: "ERROR"},
		{name: "429 twice", replies: []reply{{status: 429, body: hubspotError("RATE_LIMITS", canary)}}, wantErr: ErrUnavailable,
			calls: 2, fault: "status", status: 429, reason: "RATE_LIMITS", level: "WARN"},
		{name: "502 page", replies: []reply{{status: 502, body: "<html>" + canary + "</html>"}}, wantErr: ErrUnavailable,
			calls: 2, fault: "status", status: 502, level: "WARN"},
		{name: "403: no subscription or scope", replies: []reply{{status: 403, body: hubspotError("MISSING_SCOPES", "This app hasn't been granted all required scopes. "+canary)}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 403, reason: "MISSING_SCOPES", level: "ERROR"},
		{name: "400", replies: []reply{{status: 400, body: hubspotError("VALIDATION_ERROR", "Invalid email "+ada.Email)}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 400, reason: "VALIDATION_ERROR", level: "ERROR"},
		{name: "500", replies: []reply{{status: 500}}, wantErr: ErrUpstream, calls: 1, fault: "status", status: 500, level: "ERROR"},
		{name: "redirect", replies: []reply{{status: 302, body: canary}}, wantErr: ErrUpstream, calls: 1, fault: "status", status: 302, level: "ERROR"},

		{name: "hostile category: a line break", replies: []reply{{status: 401, body: hubspotError("INVALID_AUTHENTICATION\n{\"level\":\"INFO\"}", canary)}},
			wantErr: ErrRejected, calls: 2, reloads: 1, fault: "status", status: 401, level: "ERROR"},
		{name: "hostile category: the access token", replies: []reply{{status: 403, body: hubspotError(accessToken, canary)}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 403, level: "ERROR"},
		{name: "hostile category: an email", replies: []reply{{status: 400, body: hubspotError(ada.Email, canary)}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 400, level: "ERROR"},
		{name: "hostile category: lower case", replies: []reply{{status: 403, body: hubspotError("pat-na1-0000", canary)}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 403, level: "ERROR"},
		{name: "category not a string", replies: []reply{{status: 400, body: `{"status": "error", "category": {"v": "` + canary + `"}}`}},
			wantErr: ErrUpstream, calls: 1, fault: "status", status: 400, level: "ERROR"},

		{name: "not JSON", replies: []reply{{status: 200, body: "<html>" + canary + "</html>"}},
			wantErr: ErrUpstream, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "empty object", replies: []reply{{status: 200, body: `{}`}},
			wantErr: ErrUpstream, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "another member", replies: []reply{{status: 200, body: `{"identificationToken": "` + canary + `"}`}},
			wantErr: ErrUpstream, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "token null", replies: []reply{{status: 200, body: `{"token": null}`}},
			wantErr: ErrUpstream, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "token blank", replies: []reply{{status: 200, body: `{"token": "  "}`}},
			wantErr: ErrUpstream, calls: 1, fault: "no_token", status: 200, level: "ERROR"},
		{name: "token a number", replies: []reply{{status: 200, body: `{"token": 42}`}},
			wantErr: ErrUpstream, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "token an object", replies: []reply{{status: 200, body: `{"token": {"token": "` + canary + `"}}`}},
			wantErr: ErrUpstream, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "an array", replies: []reply{{status: 200, body: `[{"token": "` + canary + `"}]`}},
			wantErr: ErrUpstream, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "truncated", replies: []reply{{status: 200, body: `{"token": "` + canary}},
			wantErr: ErrUpstream, calls: 1, fault: "invalid_body", status: 200, level: "ERROR"},
		{name: "over 64 KiB", replies: []reply{{status: 200, body: huge}},
			wantErr: ErrUpstream, calls: 1, fault: "body_too_large", status: 200, level: "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newHubspotAPI(t, tt.replies...)
			creds := &fakeCreds{values: original, reloaded: rotated}
			if tt.sameOnReload {
				creds.reloaded = nil
			}
			m, logs := testMinter(t, up.srv.URL, 2*time.Second, creds, &clock{now: start})

			got, err := m.Mint(t.Context(), ada)

			if calls := up.calls.Load(); calls != tt.calls {
				t.Errorf("upstream calls = %d, want %d", calls, tt.calls)
			}
			if creds.reloads != tt.reloads {
				t.Errorf("secret reloads = %d, want %d", creds.reloads, tt.reloads)
			}
			lines := parseLog(t, logs)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Mint: %v", err)
				}
				if r := got.(Response); r.Token == "" || r.ExpiresAt != start.Add(TokenLifetime).Unix() {
					t.Errorf("Mint = %+v", r)
				}
				for _, l := range lines {
					if l.Level != "INFO" {
						t.Errorf("a successful exchange logged %+v", l)
					}
				}
				assertNoSecrets(t, logs.String())
				return
			}
			assertNoSecrets(t, logs.String(), err.Error())
			if got != nil {
				t.Errorf("Mint returned %#v with its error", got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Mint error = %v, want %v", err, tt.wantErr)
			}
			if len(lines) != 1 {
				t.Fatalf("log lines = %+v, want one", lines)
			}
			want := logLine{Level: tt.level, Msg: lines[0].Msg, Fault: tt.fault, Attempts: int(tt.calls), UpstreamStatus: tt.status, Reason: tt.reason}
			if lines[0] != want || !strings.HasPrefix(lines[0].Msg, "hubspot: ") {
				t.Errorf("log line = %+v, want %+v", lines[0], want)
			}
			// A failure is not kept: the next request asks HubSpot again.
			_, _ = m.Mint(t.Context(), ada)
			if calls := up.calls.Load(); calls <= tt.calls {
				t.Errorf("after a failure, the next Mint did not call HubSpot")
			}
		})
	}
}

func TestMintErrors(t *testing.T) {
	for _, tt := range []struct {
		err     error
		status  int
		code    string
		message string
	}{
		{ErrNoEmail, 403, "forbidden", "HubSpot visitor identification needs a verified email address, and the session has none"},
		{ErrUnavailable, 503, "upstream_unavailable", "HubSpot could not be reached; try again"},
		{ErrRejected, 502, "upstream_error", "HubSpot refused the request"},
		{ErrUpstream, 502, "upstream_error", "HubSpot answered with an error"},
		{ErrCredentials, 500, "internal", "the HubSpot credentials are not available"},
	} {
		if kind, msg := apierror.Classify(tt.err); kind.Status != tt.status || kind.Code != tt.code || msg != tt.message {
			t.Errorf("%v: %d %s %q", tt.err, kind.Status, kind.Code, msg)
		}
	}
}

func TestMintTimeouts(t *testing.T) {
	var calls atomic.Int32
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client leave
		<-r.Context().Done()
	}))
	t.Cleanup(hang.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String()
	closed.Close()

	for _, tt := range []struct {
		name      string
		base      string
		timeout   time.Duration // HUBSPOT_TIMEOUT
		callerTTL time.Duration // the invocation's own deadline
		fault     string
		maxTook   time.Duration
	}{
		{"HubSpot hangs past HUBSPOT_TIMEOUT", hang.URL, 300 * time.Millisecond, time.Minute, "timeout", time.Second},
		{"HubSpot hangs past the invocation's deadline", hang.URL, upstream.MaxTimeout, upstream.ResponseMargin + 300*time.Millisecond, "timeout", time.Second},
		{"nothing listens", refused, time.Second, time.Minute, "connection_refused", 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, logs := testMinter(t, tt.base, tt.timeout, &fakeCreds{values: original}, nil)
			ctx, cancel := context.WithTimeout(t.Context(), tt.callerTTL)
			defer cancel()
			begin := time.Now()
			_, err := m.Mint(ctx, ada)
			if took := time.Since(begin); took > tt.maxTook {
				t.Errorf("Mint took %s", took)
			}
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, apierror.UpstreamUnavailable) {
				t.Fatalf("Mint error = %v, want ErrUnavailable", err)
			}
			if ctx.Err() != nil {
				t.Error("Mint returned after the caller's deadline: no time was left to answer")
			}
			lines := parseLog(t, logs)
			if len(lines) != 1 || lines[0].Fault != tt.fault || lines[0].Level != "WARN" {
				t.Errorf("log lines = %+v, want one warning of fault %s", lines, tt.fault)
			}
			assertNoSecrets(t, logs.String(), err.Error())
		})
	}
}

func TestMintRefusesBeforeCalling(t *testing.T) {
	for _, tt := range []struct {
		name  string
		creds *fakeCreds
	}{
		{"secret unreadable", &fakeCreds{valuesErr: errors.New("not loaded")}},
		{"no access_token", &fakeCreds{values: secrets.Values{"token": []byte(accessToken)}}},
		{"access_token too short", &fakeCreds{values: secrets.Values{"access_token": []byte("pat-na1-123")}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := newHubspotAPI(t)
			m, logs := testMinter(t, up.srv.URL, time.Second, tt.creds, nil)
			_, err := m.Mint(t.Context(), ada)
			if !errors.Is(err, ErrCredentials) || !errors.Is(err, apierror.Internal) {
				t.Fatalf("Mint error = %v, want ErrCredentials", err)
			}
			if up.calls.Load() != 0 {
				t.Error("HubSpot was called")
			}
			assertNoSecrets(t, logs.String(), err.Error())
		})
	}
}

func TestCheckAccessToken(t *testing.T) {
	for _, tt := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"private app token, North America", accessToken, true},
		{"private app token, Europe", rotatedToken, true},
		{"longer (OAuth)", "CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4", true},
		{"missing", "", false},
		{"one short", accessToken[:MinAccessTokenLen-1], false},
		{"a placeholder", "changeme", false},
		{"a trailing newline", accessToken + "\n", false},
		{"a space", "pat-na1-91d91373 8e94-4872-893c-e7d080224a56-x", false},
		{"not ASCII", "pat-na1-91d91373-8e94-4872-893c-e7d080224a5é", false},
		{"a control character", "pat-na1-91d91373-8e94-4872-893c-e7d080224a5\x00", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := secrets.Values{}
			if tt.token != "" {
				v["access_token"] = []byte(tt.token)
			}
			err := CheckAccessToken(v)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckAccessToken = %v, want ok = %v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), "access_token") {
					t.Errorf("error %v is not ErrCredentials naming the key", err)
				}
				if tt.token != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.token)) {
					t.Errorf("error %q repeats the value", err)
				}
			}
		})
	}
}

func TestSplitName(t *testing.T) {
	for _, tt := range []struct{ name, first, last string }{
		{"Ada Lovelace", "Ada", "Lovelace"},
		{"Ada King Lovelace", "Ada", "King Lovelace"},
		{"  Mary   Ann\tvan Dyke \n", "Mary", "Ann van Dyke"},
		{"Cher", "Cher", ""},
		{"", "", ""},
		{" \t ", "", ""},
		{"Zoë O'Brien-Smith", "Zoë", "O'Brien-Smith"},
		{"李 小龙", "李", "小龙"},
	} {
		if first, last := SplitName(tt.name); first != tt.first || last != tt.last {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", tt.name, first, last, tt.first, tt.last)
		}
	}
}
