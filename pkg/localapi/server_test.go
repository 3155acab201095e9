package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

var (
	quiet  = slog.New(slog.NewJSONHandler(io.Discard, nil))
	testID = identity.Identity{UserID: "user-42", Email: "ada@example.com", Name: "Ada Lovelace"}
)

// start serves the local API on an httptest server, built as Run builds it:
// env (nil for none) over DevSettings, with every API a function calls
// answered by the server's own stand-in for it. It returns the server's URL
// and the settings.
func start(t *testing.T, env map[string]string) (string, func(string) string) {
	t.Helper()
	return startLogging(t, env, quiet)
}

// startLogging is start with the functions' logs going to logger.
func startLogging(t *testing.T, env map[string]string, logger *slog.Logger) (string, func(string) string) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	url := "http://" + ts.Listener.Addr().String()
	defaults := localapi.DevSettings()
	for _, v := range vendors.All() {
		if v.Upstream != nil {
			defaults[v.Upstream.BaseURL] = url + localapi.StandInPath(v)
		}
	}
	getenv := localapi.Getenv(func(k string) string { return env[k] }, defaults)
	srv, err := localapi.New(t.Context(), function.Deps{Getenv: getenv, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	return url, getenv
}

func devToken(t *testing.T, getenv func(string) string, id identity.Identity) string {
	t.Helper()
	token, err := localapi.DevSession(getenv, id, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url, token string, body []byte) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// upstreamVendors are the vendors whose function calls the vendor's API.
func upstreamVendors() []descriptor.Vendor {
	var vs []descriptor.Vendor
	for _, v := range vendors.All() {
		if v.Upstream != nil {
			vs = append(vs, v)
		}
	}
	return vs
}

// responseFields are the members of the 200 body that v's own minter
// makes when called directly, with the settings getenv gives (its secret
// from <NAME>_SECRET_JSON) and testID: what its route must answer through
// the server, no more and no less.
func responseFields(t *testing.T, v descriptor.Vendor, getenv func(string) string) []string {
	t.Helper()
	env := config.New(getenv)
	newMinter := v.Configure(env).NewMinter
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	secret := secretstest.Offline(t, v.Secret, getenv(v.Secret.OverrideSetting()))
	out, err := newMinter(secret, descriptor.Deps{Logger: slog.New(slog.DiscardHandler)}).Mint(t.Context(), testID)
	if err != nil {
		t.Fatalf("%s: the minter itself: %v", v.Name, err)
	}
	return slices.Sorted(maps.Keys(jsonObjectOf(t, mustJSON(t, out))))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonObjectOf decodes body, which must be a JSON object.
func jsonObjectOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		t.Fatalf("not a JSON object: %q: %v", body, err)
	}
	return m
}

// checkAnswer fails t unless resp is a 200 with the contract's headers and
// a JSON body of exactly fields, none of them empty.
func checkAnswer(t *testing.T, resp response, fields []string) {
	t.Helper()
	if resp.status != http.StatusOK {
		t.Fatalf("status %d: %s", resp.status, resp.body)
	}
	if resp.header.Get("Content-Type") != "application/json" || resp.header.Get("Cache-Control") != "no-store" ||
		resp.header.Get("Apigw-Requestid") == "" {
		t.Errorf("headers %v", resp.header)
	}
	body := jsonObjectOf(t, resp.body)
	for _, f := range fields {
		if body[f] == nil || body[f] == "" {
			t.Errorf("body %s lacks %q", resp.body, f)
		}
	}
	if len(body) != len(fields) {
		t.Errorf("body %s has members beyond %v", resp.body, fields)
	}
}

// TestRoutes calls every route through the real handlers with a dev
// session: each answers 200 with exactly the members its vendor's own
// minter gives with the same dev settings and secret, the functions that
// call their vendor's API reaching it through the server's stand-in. What
// each member holds is checked by the vendor's own tests.
func TestRoutes(t *testing.T) {
	t.Parallel()
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	for _, r := range localapi.Routes {
		if r.Public {
			continue // TestPublicRoutes
		}
		t.Run(r.Key(), func(t *testing.T) {
			t.Parallel()
			var body []byte
			if r.Method == http.MethodPost {
				body = []byte(`{}`)
			}
			checkAnswer(t, call(t, r.Method, url+r.Path, token, body), responseFields(t, r.Vendor, getenv))
		})
	}
}

// TestPublicRoutes: a route that needs no session (descriptor.Route.Public)
// answers without one, cacheable, whatever session, body or query it is
// sent, the same document every time; a bad body still gets the contract's
// error, and the function's other routes still need a session.
func TestPublicRoutes(t *testing.T) {
	t.Parallel()
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	var public int
	for _, r := range localapi.Routes {
		if !r.Public {
			continue
		}
		public++
		t.Run(r.Key(), func(t *testing.T) {
			t.Parallel()
			first := call(t, r.Method, url+r.Path, "", nil)
			if first.status != http.StatusOK || first.header.Get("Cache-Control") != "public, max-age=300" ||
				first.header.Get("Content-Type") != "application/json" || !json.Valid(first.body) {
				t.Fatalf("without a session: %d %v %s", first.status, first.header, first.body)
			}
			for _, c := range []struct {
				name, query, token string
				body               []byte
			}{
				{"with a session", "", token, nil},
				{"with a forged session", "", token + "x", nil},
				{"with a hostile query", "?kid=%1b%5b2J&" + strings.Repeat("a=b&", 500), "", nil},
				{"with an empty object", "", "", []byte(`{}`)},
			} {
				resp := call(t, r.Method, url+r.Path+c.query, c.token, c.body)
				if resp.status != http.StatusOK || !bytes.Equal(resp.body, first.body) {
					t.Errorf("%s: %d %s, want the same document", c.name, resp.status, resp.body)
				}
			}
			checkError(t, call(t, r.Method, url+r.Path, "", []byte(`{"a":`)), 400, "bad_request")
			checkError(t, call(t, r.Method, url+r.Path, "", jsonObject(5000)), 400, "bad_request")
			for _, other := range r.Vendor.Routes {
				if !other.Public {
					checkError(t, call(t, other.Method, url+other.Path, "", nil), 401, "unauthorized")
				}
			}
		})
	}
	if public == 0 {
		t.Skip("no vendor has a route that needs no session")
	}
}

// checkError fails unless resp is the contract's error with status and code.
func checkError(t *testing.T, resp response, status int, code string) {
	t.Helper()
	var out struct{ Error struct{ Code string } }
	if resp.status != status || json.Unmarshal(resp.body, &out) != nil || out.Error.Code != code ||
		resp.header.Get("Cache-Control") != "no-store" {
		t.Errorf("got %d %v %s, want %d %s, no-store", resp.status, resp.header, resp.body, status, code)
	}
}

// errorCase is a request and the error the contract answers it with.
type errorCase struct {
	name, method, path, token string
	body                      []byte
	status                    int
	code, message             string
	header                    map[string]string
}

// TestErrors: what the contract answers to bad requests, from every
// function's handler and from the server itself.
func TestErrors(t *testing.T) {
	t.Parallel()
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	expired, err := localapi.DevSession(getenv, testID, time.Now().Add(-2*time.Hour), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := localapi.Getenv(func(k string) string {
		if k == "SESSION_SECRET_JSON" {
			return `{"signing_key":"another-key-of-at-least-thirty-two-bytes"}`
		}
		return ""
	}, localapi.DevSettings())
	forged := devToken(t, otherKey, testID)

	const notJSON = "the request body must be empty or a JSON object"
	var tests []errorCase
	for _, r := range localapi.Routes {
		if r.Public {
			continue // needs no session: TestPublicRoutes
		}
		m, p, k := r.Method, r.Path, r.Key()+": "
		tests = append(tests,
			errorCase{k + "no session", m, p, "", nil, 401, "unauthorized", "a session is required", map[string]string{"WWW-Authenticate": "Bearer"}},
			errorCase{k + "expired session", m, p, expired, nil, 401, "unauthorized", "the session is not valid", nil},
			errorCase{k + "session signed with another key", m, p, forged, nil, 401, "unauthorized", "the session is not valid", nil},
			errorCase{k + "malformed body", m, p, token, []byte(`{"a":`), 400, "bad_request", notJSON, nil},
			errorCase{k + "array body", m, p, token, []byte(`[1]`), 400, "bad_request", notJSON, nil},
			errorCase{k + "binary body", m, p, token, []byte{0xff, 0xfe, 0}, 400, "bad_request", notJSON, nil},
			errorCase{k + "oversized body", m, p, token, jsonObject(5000), 400, "bad_request", "the request body is larger than 4096 bytes", nil},
			errorCase{k + "trailing slash", m, p + "/", token, nil, 404, "not_found", "", nil},
		)
	}
	// A method no route of a path has: 405, with the path's methods.
	allowed := map[string][]string{}
	for _, r := range localapi.Routes {
		if r.Public {
			continue // needs no session: TestPublicRoutes
		}
		allowed[r.Path] = append(allowed[r.Path], r.Method)
	}
	for path, methods := range allowed {
		slices.Sort(methods)
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if !slices.Contains(methods, m) {
				tests = append(tests, errorCase{"wrong method: " + m + " " + path, m, path, token, nil, 405, "method_not_allowed", "",
					map[string]string{"Allow": strings.Join(methods, ", ")}})
			}
		}
	}
	first := localapi.Routes[0]
	tests = append(tests,
		errorCase{"body over the read limit", first.Method, first.Path, token, jsonObject(localapi.MaxRequestBytes + 1), 400, "bad_request", "the request body is larger than 4096 bytes", nil},
		errorCase{"unknown path", "POST", "/no-such-vendor/token", token, nil, 404, "not_found", "", nil},
		errorCase{"root", "GET", "/", "", nil, 404, "not_found", "", nil},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := call(t, tt.method, url+tt.path, tt.token, tt.body)
			var out struct {
				Error struct {
					Code      string `json:"code"`
					Message   string `json:"message"`
					RequestID string `json:"request_id"`
				} `json:"error"`
			}
			if err := json.Unmarshal(resp.body, &out); err != nil {
				t.Fatalf("status %d, body %q: %v", resp.status, resp.body, err)
			}
			e := out.Error
			if resp.status != tt.status || e.Code != tt.code || e.Message == "" || (tt.message != "" && e.Message != tt.message) {
				t.Errorf("got %d %s, want %d %s %q", resp.status, resp.body, tt.status, tt.code, tt.message)
			}
			if e.RequestID == "" || e.RequestID != resp.header.Get("Apigw-Requestid") {
				t.Errorf("request_id %q, Apigw-Requestid %q", e.RequestID, resp.header.Get("Apigw-Requestid"))
			}
			if resp.header.Get("Content-Type") != "application/json" || resp.header.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", resp.header)
			}
			for k, v := range tt.header {
				if got := resp.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// jsonObject returns a JSON object of n bytes.
func jsonObject(n int) []byte {
	b := []byte(`{"pad":"`)
	b = append(b, bytes.Repeat([]byte("x"), n-len(b)-2)...)
	return append(b, `"}`...)
}

// TestUpstreamFailures: each route of a function that calls its vendor's
// API, through the server, when the stand-in refuses the credentials (dev
// values, but not the ones it accepts), and when the API cannot be reached.
func TestUpstreamFailures(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, v := range upstreamVendors() {
		for _, tt := range []struct {
			name   string
			env    map[string]string
			status int
			code   string
		}{
			{"wrong credentials", map[string]string{v.Secret.OverrideSetting(): wrongSecret(t, v)}, 502, "upstream_error"},
			{"unreachable", map[string]string{v.Upstream.BaseURL: closed.URL}, 503, "upstream_unavailable"},
		} {
			t.Run(v.Name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				url, getenv := start(t, tt.env)
				for _, r := range v.Routes {
					resp := call(t, r.Method, url+r.Path, devToken(t, getenv, testID), nil)
					assertErrorBody(t, resp.status, resp.header, resp.body, tt.status, tt.code)
				}
			})
		}
	}
}

// wrongSecret is v's dev secret with every value changed, still dev-only
// and as long as before, or longer: a secret the function accepts and
// the stand-in of its API does not.
func wrongSecret(t *testing.T, v descriptor.Vendor) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(localapi.DevSettings()[v.Secret.OverrideSetting()]), &m); err != nil || len(m) == 0 {
		t.Fatalf("DevSettings %s: %v", v.Secret.OverrideSetting(), err)
	}
	for k, value := range m {
		m[k] = strings.Replace(value, "dev-only-", "dev-only-wrong-", 1)
	}
	return string(mustJSON(t, m))
}

// TestNewFails: a setting the functions refuse stops New, naming the
// setting and each function it stops.
func TestNewFails(t *testing.T) {
	t.Parallel()
	getenv := localapi.Getenv(func(k string) string {
		return map[string]string{"SESSION_MODE": "bogus"}[k]
	}, localapi.DevSettings())
	_, err := localapi.New(t.Context(), function.Deps{Getenv: getenv, Logger: quiet})
	if err == nil {
		t.Fatal("New succeeded")
	}
	want := []string{"SESSION_MODE"}
	for _, v := range vendors.All() {
		want = append(want, v.LogicalID)
	}
	for _, want := range want {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestHostNotLoopback: the server answers only requests whose Host names a
// loopback host, so that a page whose name is made to resolve to 127.0.0.1
// (DNS rebinding) cannot reach it from a browser; the others get 403 with
// the contract's body and reach no handler, nor any stand-in.
func TestHostNotLoopback(t *testing.T) {
	t.Parallel()
	first := localapi.Routes[0]
	paths := []string{first.Path}
	for _, v := range upstreamVendors() {
		paths = append(paths, localapi.StandInPath(v)+"/")
	}
	for _, tt := range []struct {
		host string
		ok   bool
	}{
		{"localhost", true},
		{"localhost:3000", true},
		{"LOCALHOST:3000", true},
		{"127.0.0.1", true},
		{"127.0.0.1:3000", true},
		{"127.9.9.9:3000", true},
		{"[::1]", true},
		{"[::1]:3000", true},
		{"", false},
		{"evil.example", false},
		{"evil.example:3000", false},
		{"127.0.0.1.evil.example", false},
		{"127.0.0.1.evil.example:3000", false},
		{"localhost.evil", false},
		{"localhost.evil:3000", false},
		{"::1", false},
		{"[::]:3000", false},
		{"[2001:db8::1]:3000", false},
		{"0.0.0.0:3000", false},
		{"192.168.1.10:3000", false},
		{"10.0.2.2:3000", false},
		{"localhost@evil.example", false},
		{"127.0.0.1:http", false},
	} {
		for _, path := range paths {
			t.Run(tt.host+path, func(t *testing.T) {
				t.Parallel()
				h := &fakeHandler{resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}}
				srv := localapi.NewServer(map[string]localapi.Handler{first.Vendor.LogicalID: h}, nil)
				r := httptest.NewRequest(first.Method, path, nil)
				r.Host = tt.host
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				if tt.ok {
					if w.Code == http.StatusForbidden {
						t.Fatalf("refused: %s", w.Body)
					}
					return
				}
				if len(h.got) != 0 {
					t.Error("the handler was called")
				}
				assertErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), http.StatusForbidden, "forbidden")
			})
		}
	}

	// On the wire, through the functions' own handlers.
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	port := url[strings.LastIndex(url, ":"):]
	for host, status := range map[string]int{
		"localhost" + port:              http.StatusOK,
		"[::1]" + port:                  http.StatusOK,
		"evil.example" + port:           http.StatusForbidden,
		"127.0.0.1.evil.example" + port: http.StatusForbidden,
	} {
		req, err := http.NewRequestWithContext(t.Context(), first.Method, url+first.Path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("Host %s: %d %s, want %d", host, resp.StatusCode, body, status)
		}
		if status == http.StatusForbidden {
			assertErrorBody(t, resp.StatusCode, resp.Header, body, http.StatusForbidden, "forbidden")
		}
	}
}

// assertErrorBody checks a response of the local server's own: the
// contract's error body, headers and request id.
func assertErrorBody(t *testing.T, status int, header http.Header, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var out struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("status %d, body %q: %v", status, body, err)
	}
	e := out.Error
	if status != wantStatus || e.Code != wantCode || e.Message == "" {
		t.Errorf("got %d %s, want %d %s", status, body, wantStatus, wantCode)
	}
	if e.RequestID == "" || e.RequestID != header.Get("Apigw-Requestid") {
		t.Errorf("request_id %q, Apigw-Requestid %q", e.RequestID, header.Get("Apigw-Requestid"))
	}
	if header.Get("Content-Type") != "application/json" || header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", header)
	}
}

// TestAuditTrail: through every function's own handler, each request's log
// line names the verified user as user_id, also when the function refuses
// the request after the session verified (a session without an email, which
// a function that needs one answers with 403), and names no user when it
// did not verify. No log line holds the user's email or name, the session
// token or anything minted.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	url, getenv := startLogging(t, nil, slog.New(slog.NewJSONHandler(&logs, nil)))
	token := devToken(t, getenv, testID)
	noEmail := devToken(t, getenv, identity.Identity{UserID: testID.UserID, Name: testID.Name})

	type want struct {
		route  string
		status int
		userID string // "": no user_id attribute
	}
	var wants []want
	never := []string{testID.Email, testID.Name, token, noEmail}
	refused := 0
	for _, r := range localapi.Routes {
		if r.Public {
			continue // needs no session: TestPublicRoutes
		}
		for _, c := range []struct {
			name, token string
			verifies    bool
		}{
			{"session", token, true},
			{"session without an email", noEmail, true},
			{"no session", "", false},
			{"forged session", token + "x", false},
		} {
			resp := call(t, r.Method, url+r.Path, c.token, nil)
			switch {
			case !c.verifies && resp.status != http.StatusUnauthorized,
				c.token == token && resp.status != http.StatusOK,
				c.token == noEmail && resp.status != http.StatusOK && resp.status != http.StatusForbidden:
				t.Fatalf("%s, %s: %d %s", r.Key(), c.name, resp.status, resp.body)
			}
			if c.verifies && resp.status == http.StatusForbidden {
				refused++
			}
			if resp.status == http.StatusOK {
				for _, v := range jsonObjectOf(t, resp.body) {
					// A body may carry the user's own id, which the log names.
					if s, ok := v.(string); ok && s != testID.UserID {
						never = append(never, s)
					}
				}
			}
			w := want{r.Key(), resp.status, ""}
			if c.verifies {
				w.userID = testID.UserID
			}
			wants = append(wants, w)
		}
	}
	if refused == 0 {
		t.Error("no function refused a session without an email: nothing here shows a refusal after the session verified")
	}

	var requests []map[string]any
	for line := range strings.Lines(logs.String()) {
		for _, s := range never {
			if strings.Contains(line, s) {
				t.Errorf("a log line holds %q: %s", s, line)
			}
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" {
			requests = append(requests, m)
		}
	}
	if len(requests) != len(wants) {
		t.Fatalf("%d request lines for %d requests:\n%s", len(requests), len(wants), logs.String())
	}
	for i, w := range wants {
		line := requests[i]
		if line["route"] != w.route || line["status"] != float64(w.status) {
			t.Errorf("line %d: %v, want %s %d", i, line, w.route, w.status)
		}
		got, ok := line["user_id"]
		if w.userID == "" && ok || w.userID != "" && got != w.userID {
			t.Errorf("line %d: user_id %v, want %q: %v", i, got, w.userID, line)
		}
	}
}

// TestStandIns: the server serves each vendor's stand-in (vendors.StandIn)
// under the vendor's StandInPath, exactly for the vendors whose function
// calls an API: a request there gets the stand-in's own answer, the same as
// the stand-in gives directly, not one of the server's (which all carry
// Apigw-Requestid). TestRoutes shows that each function reaches its
// stand-in there, relative to that path.
func TestStandIns(t *testing.T) {
	t.Parallel()
	srv := localapi.NewServer(nil, nil)
	for _, v := range vendors.All() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			path := localapi.StandInPath(v)
			if v.Upstream == nil {
				if path != "" {
					t.Errorf("StandInPath = %q for a vendor that calls no API", path)
				}
				w := httptest.NewRecorder()
				srv.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000/"+v.Name+"-standin/x", nil))
				assertErrorBody(t, w.Code, w.Header(), w.Body.Bytes(), http.StatusNotFound, "not_found")
				return
			}
			if want := "/" + v.Name + "-standin"; path != want {
				t.Fatalf("StandInPath = %q, want %q", path, want)
			}
			// The same request, through the server and to the stand-in itself.
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "http://127.0.0.1:3000"+path+"/some/call", strings.NewReader("{}")))
			direct := httptest.NewRecorder()
			vendors.StandIn(v.Name).ServeHTTP(direct, httptest.NewRequest(http.MethodPost, "/some/call", strings.NewReader("{}")))
			if w.Code != direct.Code || w.Header().Get("Content-Type") != direct.Header().Get("Content-Type") ||
				!sameMembers(w.Body.Bytes(), direct.Body.Bytes()) || w.Header().Get("Apigw-Requestid") != "" {
				t.Errorf("through the server: %d %v %s; the stand-in itself: %d %v %s", w.Code, w.Header(), w.Body, direct.Code, direct.Header(), direct.Body)
			}
		})
	}
}

// sameMembers reports whether a and b are the same bytes, or JSON objects
// with the same members (whose values may differ, such as a random id).
func sameMembers(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var ma, mb map[string]json.RawMessage
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		return false
	}
	return slices.Equal(slices.Sorted(maps.Keys(ma)), slices.Sorted(maps.Keys(mb)))
}

// TestQuery: a route's query string reaches its function as API Gateway
// passes it (see ParseQuery), and a query with a parameter that cannot be
// decoded is refused with the contract's 400 without reaching the function,
// so that it never answers as if the parameter were absent.
func TestQuery(t *testing.T) {
	t.Parallel()
	first := localapi.Routes[0]
	for _, tt := range []struct {
		query   string
		want    map[string]string
		refused bool
	}{
		{"", nil, false},
		{"?platform=android", map[string]string{"platform": "android"}, false},
		{"?platform=android&x=1", map[string]string{"platform": "android", "x": "1"}, false},
		{"?platform=ios;", map[string]string{"platform": "ios;"}, false},
		{"?platform=", map[string]string{"platform": ""}, false},
		{"?a=1&a=2", map[string]string{"a": "1,2"}, false},
		{"?platform=android&x=%zz", nil, true},
		{"?%zz=1", nil, true},
	} {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			h := &fakeHandler{resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}}
			ts := httptest.NewServer(localapi.NewServer(map[string]localapi.Handler{first.Vendor.LogicalID: h}, nil))
			t.Cleanup(ts.Close)
			resp := call(t, first.Method, ts.URL+first.Path+tt.query, "tok", nil)
			if tt.refused {
				assertErrorBody(t, resp.status, resp.header, resp.body, http.StatusBadRequest, "bad_request")
				if !strings.Contains(string(resp.body), `"message":"`+localapi.ErrBadQuery.Message+`"`) || len(h.got) != 0 {
					t.Errorf("body %s, %d calls of the function; want the message %q and none", resp.body, len(h.got), localapi.ErrBadQuery.Message)
				}
				return
			}
			if resp.status != http.StatusOK || len(h.got) != 1 {
				t.Fatalf("%d %s, %d calls of the function", resp.status, resp.body, len(h.got))
			}
			if e := h.got[0]; !maps.Equal(e.QueryStringParameters, tt.want) || e.RawQueryString != strings.TrimPrefix(tt.query, "?") {
				t.Errorf("queryStringParameters %v, rawQueryString %q", e.QueryStringParameters, e.RawQueryString)
			}
		})
	}
}

// TestDocumentedQuery: every value a route documents for a query parameter
// (descriptor.Route.Query, "name=a|b|c") is answered through the server
// with the route's fields.
func TestDocumentedQuery(t *testing.T) {
	t.Parallel()
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	for _, r := range localapi.Routes {
		if r.Public {
			continue // needs no session: TestPublicRoutes
		}
		if r.Query == "" {
			continue
		}
		name, values, ok := strings.Cut(r.Query, "=")
		if !ok || name == "" || values == "" {
			t.Fatalf("%s: Query %q is not name=a|b|c", r.Key(), r.Query)
		}
		for value := range strings.SplitSeq(values, "|") {
			t.Run(r.Key()+"?"+name+"="+value, func(t *testing.T) {
				t.Parallel()
				checkAnswer(t, call(t, r.Method, url+r.Path+"?"+name+"="+value, token, nil), responseFields(t, r.Vendor, getenv))
			})
		}
	}
}
