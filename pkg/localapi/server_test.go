package localapi_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

var (
	quiet  = slog.New(slog.NewJSONHandler(io.Discard, nil))
	testID = identity.Identity{UserID: "user-42", Email: "ada@example.com", Name: "Ada Lovelace"}
)

// start serves the local API on an httptest server, built as Run builds it:
// env (nil for none) over DevSettings, with Copilot answered by the
// server's own stand-in. It returns the server's URL and the settings.
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

// devSecret returns a JSON key of a dev secret.
func devSecret(t *testing.T, setting, key string) []byte {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(localapi.DevSettings()[setting]), &m); err != nil || m[key] == "" {
		t.Fatalf("DevSettings %s has no %s: %v", setting, key, err)
	}
	return []byte(m[key])
}

// verifyJWT checks token's HS256 signature with key and returns its claims.
func verifyJWT(t *testing.T, token string, key []byte) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation()).ParseWithClaims(token, claims,
		func(*jwt.Token) (any, error) { return key, nil })
	if err != nil {
		t.Fatalf("token does not verify with the dev secret: %v", err)
	}
	return claims
}

// TestRoutes calls every route through the real handlers with a dev
// session and checks each vendor's answer with the dev secrets.
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
			resp := call(t, r.Method, url+r.Path, token, body)
			if resp.status != http.StatusOK {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			if resp.header.Get("Content-Type") != "application/json" || resp.header.Get("Cache-Control") != "no-store" ||
				resp.header.Get("Apigw-Requestid") == "" {
				t.Errorf("headers %v", resp.header)
			}
			var out map[string]any
			if err := json.Unmarshal(resp.body, &out); err != nil {
				t.Fatal(err)
			}
			switch r.Vendor.LogicalID {
			case "KustomerFunction":
				claims := verifyJWT(t, out["token"].(string), devSecret(t, "KUSTOMER_SECRET_JSON", "secret"))
				if claims["externalId"] != testID.UserID || claims["iat"] == nil || len(out) != 2 ||
					out["expires_at"] != claims["iat"].(float64)+900 {
					t.Errorf("body %s, claims %v", resp.body, claims)
				}
			case "CcaiFunction":
				claims := verifyJWT(t, out["token"].(string), devSecret(t, "CCAI_SECRET_JSON", "company_secret"))
				if claims["identifier"] != testID.UserID || claims["email"] != testID.Email || claims["name"] != testID.Name ||
					claims["iss"] != "example-company" || len(out) != 2 || out["expires_at"] != claims["exp"] {
					t.Errorf("body %s, claims %v", resp.body, claims)
				}
			case "DecagonFunction":
				epoch, _ := out["epoch"].(float64)
				mac := hmac.New(sha256.New, devSecret(t, "DECAGON_SECRET_JSON", "private_key"))
				mac.Write([]byte(testID.UserID + strconv.FormatInt(int64(epoch), 10)))
				if out["user_id"] != testID.UserID || int64(epoch) <= time.Now().Unix() ||
					out["signature"] != hex.EncodeToString(mac.Sum(nil)) || len(out) != 4 || out["expires_at"] != out["epoch"] {
					t.Errorf("body %s", resp.body)
				}
			case "ZendeskFunction":
				claims := verifyJWT(t, out["token"].(string), devSecret(t, "ZENDESK_SECRET_JSON", "secret"))
				if claims["external_id"] != testID.UserID || claims["scope"] != "user" || claims["exp"] != out["expires_at"] || len(out) != 2 {
					t.Errorf("body %s, claims %v", resp.body, claims)
				}
			case "IntercomFunction":
				claims := verifyJWT(t, out["token"].(string), devSecret(t, "INTERCOM_SECRET_JSON", "web"))
				if claims["user_id"] != testID.UserID || claims["exp"] != out["expires_at"] || len(out) != 2 {
					t.Errorf("body %s, claims %v", resp.body, claims)
				}
			case "CopilotFunction":
				if key, _ := out["auth_key"].(string); key == "" || len(out) != 1 {
					t.Errorf("body %s", resp.body)
				}
			default: // a vendor its own package tests: a JSON object of values, none empty
				if len(out) == 0 {
					t.Errorf("%s: empty body %s", r.Vendor.LogicalID, resp.body)
				}
				for k, v := range out {
					if v == nil || v == "" {
						t.Errorf("%s: %s is empty in %s", r.Vendor.LogicalID, k, resp.body)
					}
				}
			}
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

// TestErrors: what the contract answers to bad requests, from the handlers
// and from the server itself.
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

	tests := []struct {
		name, method, path, token string
		body                      []byte
		status                    int
		code, message             string
		header                    map[string]string
	}{
		{"no session", "POST", "/kustomer/token", "", nil, 401, "unauthorized", "a session is required", map[string]string{"WWW-Authenticate": "Bearer"}},
		{"expired session", "POST", "/kustomer/token", expired, nil, 401, "unauthorized", "the session is not valid", nil},
		{"session signed with another key", "GET", "/ccai/token", forged, nil, 401, "unauthorized", "the session is not valid", nil},
		{"malformed body", "POST", "/decagon/token", token, []byte(`{"a":`), 400, "bad_request", "the request body must be empty or a JSON object", nil},
		{"array body", "POST", "/decagon/token", token, []byte(`[1]`), 400, "bad_request", "the request body must be empty or a JSON object", nil},
		{"binary body", "POST", "/copilot/auth-key", token, []byte{0xff, 0xfe, 0}, 400, "bad_request", "the request body must be empty or a JSON object", nil},
		{"oversized body", "POST", "/kustomer/token", token, jsonObject(5000), 400, "bad_request", "the request body is larger than 4096 bytes", nil},
		{"body over the read limit", "POST", "/kustomer/token", token, jsonObject(localapi.MaxRequestBytes + 1), 400, "bad_request", "the request body is larger than 4096 bytes", nil},
		{"wrong method", "GET", "/kustomer/token", token, nil, 405, "method_not_allowed", "", map[string]string{"Allow": "POST"}},
		{"wrong method, two allowed", "DELETE", "/ccai/token", token, nil, 405, "method_not_allowed", "", map[string]string{"Allow": "GET, POST"}},
		{"unknown path", "POST", "/no-such-vendor/token", token, nil, 404, "not_found", "", nil},
		{"trailing slash", "POST", "/kustomer/token/", token, nil, 404, "not_found", "", nil},
		{"root", "GET", "/", "", nil, 404, "not_found", "", nil},
	}
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

// TestCopilotUpstream: the Copilot route through its stand-in when the
// credentials are wrong, and when Copilot cannot be reached.
func TestCopilotUpstream(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tt := range []struct {
		name   string
		env    map[string]string
		status int
		code   string
	}{
		{"wrong credentials", map[string]string{"COPILOT_SECRET_JSON": `{"client_id":"dev-only-x","client_secret":"dev-only-wrong-client-secret"}`}, 502, "upstream_error"},
		{"unreachable", map[string]string{"COPILOT_BASE_URL": closed.URL}, 503, "upstream_unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, getenv := start(t, tt.env)
			resp := call(t, "POST", url+"/copilot/auth-key", devToken(t, getenv, testID), nil)
			if resp.status != tt.status || !strings.Contains(string(resp.body), `"code":"`+tt.code+`"`) {
				t.Errorf("got %d %s, want %d %s", resp.status, resp.body, tt.status, tt.code)
			}
		})
	}
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
	for _, want := range []string{"KustomerFunction", "CcaiFunction", "DecagonFunction", "CopilotFunction", "SESSION_MODE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestHostNotLoopback: the server answers only requests whose Host names a
// loopback host, so that a page whose name is made to resolve to 127.0.0.1
// (DNS rebinding) cannot reach it from a browser; the others get 403 with
// the contract's body and reach no handler, nor the Copilot stand-in.
func TestHostNotLoopback(t *testing.T) {
	t.Parallel()
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
		for _, path := range []string{"/kustomer/token", "/copilot-standin/"} {
			t.Run(tt.host+path, func(t *testing.T) {
				t.Parallel()
				h := &fakeHandler{resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "{}"}}
				srv := localapi.NewServer(map[string]localapi.Handler{"KustomerFunction": h}, nil)
				r := httptest.NewRequest(http.MethodPost, path, nil)
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
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/kustomer/token", nil)
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
// line names the verified user as user_id, also when minting fails after
// the session verified, and names no user when it did not verify. No log
// line holds the user's email or name, the session token or anything
// minted.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	var logs logtest.Buffer
	url, getenv := startLogging(t, map[string]string{"KUSTOMER_IDENTIFY_BY": "email"}, slog.New(slog.NewJSONHandler(&logs, nil)))
	token := devToken(t, getenv, testID)
	noEmail := devToken(t, getenv, identity.Identity{UserID: testID.UserID, Name: testID.Name})

	type want struct {
		route  string
		status int
		userID string // "": no user_id attribute
	}
	var wants []want
	never := []string{testID.Email, testID.Name, token, noEmail}
	for _, r := range localapi.Routes {
		if r.Path == "/kustomer/token" {
			continue // below, in email mode
		}
		if r.Public {
			resp := call(t, r.Method, url+r.Path, token, nil)
			if resp.status != http.StatusOK {
				t.Fatalf("%s: %d %s", r.Key(), resp.status, resp.body)
			}
			wants = append(wants, want{r.Key(), http.StatusOK, ""}) // no session read, so no user
			continue
		}
		resp := call(t, r.Method, url+r.Path, token, nil)
		if resp.status != http.StatusOK {
			t.Fatalf("%s: %d %s", r.Key(), resp.status, resp.body)
		}
		var body map[string]any
		if err := json.Unmarshal(resp.body, &body); err != nil {
			t.Fatal(err)
		}
		for k, v := range body {
			if s, ok := v.(string); ok && k != "user_id" { // Decagon's user_id is the user's
				never = append(never, s)
			}
		}
		wants = append(wants, want{r.Key(), http.StatusOK, testID.UserID})
	}
	for _, c := range []struct {
		token string
		want  want
	}{
		{token, want{"POST /kustomer/token", http.StatusOK, testID.UserID}},
		{noEmail, want{"POST /kustomer/token", http.StatusForbidden, testID.UserID}}, // verified, then refused
		{"", want{"POST /kustomer/token", http.StatusUnauthorized, ""}},
		{token + "x", want{"POST /kustomer/token", http.StatusUnauthorized, ""}},
	} {
		resp := call(t, http.MethodPost, url+"/kustomer/token", c.token, nil)
		if resp.status != c.want.status {
			t.Fatalf("kustomer: %d %s, want %d", resp.status, resp.body, c.want.status)
		}
		if resp.status == http.StatusOK {
			var body map[string]any
			if err := json.Unmarshal(resp.body, &body); err != nil {
				t.Fatal(err)
			}
			never = append(never, body["token"].(string))
		}
		wants = append(wants, c.want)
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
// under the vendor's StandInPath, relative to that path, exactly for the
// vendors whose function calls an API.
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
			if w.Code != direct.Code || w.Body.String() != direct.Body.String() || strings.Contains(w.Body.String(), `"error"`) {
				t.Errorf("through the server: %d %s; the stand-in itself: %d %s", w.Code, w.Body, direct.Code, direct.Body)
			}
		})
	}
	copilot := slices.IndexFunc(vendors.All(), func(v descriptor.Vendor) bool { return v.Name == "copilot" })
	if got := localapi.StandInPath(vendors.All()[copilot]); got != localapi.StandInPrefix {
		t.Errorf("StandInPath(copilot) = %q, StandInPrefix %q", got, localapi.StandInPrefix)
	}
}

// TestQueryParameters: Intercom's platform parameter through the server.
// A query with a parameter that cannot be decoded is refused with the
// contract's 400, and ";" is part of a value, so neither falls back to the
// web key without a word.
func TestQueryParameters(t *testing.T) {
	t.Parallel()
	url, getenv := start(t, nil)
	token := devToken(t, getenv, testID)
	for _, tt := range []struct {
		query    string
		platform string // the key that signs; "" when refused
		message  string
	}{
		{"", "web", ""},
		{"?platform=android", "android", ""},
		{"?platform=android&x=1", "android", ""},
		{"?platform=android&x=%zz", "", localapi.ErrBadQuery.Message},
		{"?platform=ios;", "", "the platform parameter must be web, ios or android"},
		{"?platform=", "", "the platform parameter must be web, ios or android"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			resp := call(t, http.MethodPost, url+"/intercom/token"+tt.query, token, nil)
			if tt.platform == "" {
				assertErrorBody(t, resp.status, resp.header, resp.body, http.StatusBadRequest, "bad_request")
				if !strings.Contains(string(resp.body), `"message":"`+tt.message+`"`) {
					t.Errorf("body %s, want the message %q", resp.body, tt.message)
				}
				return
			}
			var out struct{ Token string }
			if resp.status != http.StatusOK || json.Unmarshal(resp.body, &out) != nil {
				t.Fatalf("%d %s", resp.status, resp.body)
			}
			verifyJWT(t, out.Token, devSecret(t, "INTERCOM_SECRET_JSON", tt.platform))
		})
	}
}
