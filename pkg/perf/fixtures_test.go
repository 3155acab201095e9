package perf_test

import (
	"encoding/json"
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// The app session every benchmark presents: hs256 mode, the mode in which a
// function reads two secrets at cold start.
const (
	sessionKey = "perf-session-signing-key-0123456789abcdef"
	issuer     = "https://app.example.com"
	audience   = "support-tokens"
	userID     = "user-7f3c9a12"
	authKey    = "Y2lPaUpJVXpJMU5eyJhY2Nlc3NfdG9rZW4iOiJleUowZVhBaU9pSktWMVFp"
)

// fixture is one function as the benchmarks configure it.
type fixture struct {
	name     string
	vendor   descriptor.Vendor
	route    string            // "METHOD /path"
	secret   string            // the vendor secret's JSON value
	settings map[string]string // the vendor's own settings; the secret id is added
}

// fixtures are the four functions, in the order of the report.
var fixtures = []fixture{
	{
		name: "kustomer", vendor: kustomer.Descriptor, route: "POST /kustomer/token",
		secret:   `{"secret":"perf-kustomer-chat-secret-0123456789"}`,
		settings: map[string]string{"KUSTOMER_IDENTIFY_BY": "external_id"},
	},
	{
		name: "ccai", vendor: ccai.Descriptor, route: "GET /ccai/token",
		secret:   `{"company_secret":"perf-ccai-company-secret-0123456789"}`,
		settings: map[string]string{"CCAI_COMPANY_NAME": "example-company", "CCAI_TOKEN_TTL": "1h"},
	},
	{
		name: "decagon", vendor: decagon.Descriptor, route: "POST /decagon/token",
		secret:   `{"private_key":"perf-decagon-private-key-0123456789"}`,
		settings: map[string]string{"DECAGON_TOKEN_TTL": "24h"},
	},
	{
		name: "copilot", vendor: copilot.Descriptor, route: "POST /copilot/auth-key",
		secret:   `{"client_id":"PERFCLIENT","client_secret":"perf-copilot-client-secret-0123"}`,
		settings: map[string]string{"COPILOT_TIMEOUT": "3s"}, // COPILOT_BASE_URL: see env
	},
}

// vendorKey returns the one signing key in the fixture's secret (Copilot has
// none: it returns the client secret).
func (f fixture) vendorKey(tb testing.TB) []byte {
	var values map[string]string
	if err := json.Unmarshal([]byte(f.secret), &values); err != nil {
		tb.Fatal(err)
	}
	for _, k := range f.vendor.Secret.Keys {
		if k != "client_id" {
			return []byte(values[k])
		}
	}
	tb.Fatalf("%s: no key in the secret", f.name)
	return nil
}

// secretIDs are the Secrets Manager ids of the fixture's two secrets.
func (f fixture) secretIDs() (session, vendor string) {
	return "perf/session", "perf/" + f.name
}

// env returns the function's complete settings: hs256 sessions, both
// secrets from Secrets Manager, and Copilot's upstream at upstreamURL.
func (f fixture) env(upstreamURL string) map[string]string {
	sessionID, vendorID := f.secretIDs()
	env := maps.Clone(f.settings)
	maps.Copy(env, map[string]string{
		"SESSION_MODE":          "hs256",
		"SESSION_ISSUER":        issuer,
		"SESSION_AUDIENCE":      audience,
		"SESSION_SECRET_ID":     sessionID,
		f.vendor.Secret.Setting: vendorID,
		"SECRETS_TTL":           "5m",
	})
	if f.name == "copilot" {
		env["COPILOT_BASE_URL"] = upstreamURL
	}
	return env
}

// secretsServer starts the Secrets Manager stand-in holding the session key
// and every fixture's vendor secret.
func secretsServer(tb testing.TB) *secretstest.Server {
	values := map[string]string{}
	for _, f := range fixtures {
		sessionID, vendorID := f.secretIDs()
		values[sessionID] = `{"signing_key":"` + sessionKey + `"}`
		values[vendorID] = f.secret
	}
	return secretstest.NewServer(tb, values)
}

// copilotUpstream starts a loopback stand-in for Copilot's management API
// that answers every request with an auth key.
func copilotUpstream(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); !ok || r.Method != http.MethodPost {
			http.Error(w, `{"reason":"AUTH.UNAUTHORIZED"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"auth_key":"` + authKey + `"}`))
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// sessionToken returns an app session for userID, valid for an hour from
// now: the functions run on the real clock.
func sessionToken(tb testing.TB) string {
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss":            issuer,
		"aud":            audience,
		"sub":            userID,
		"email":          "jane.doe@example.com",
		"email_verified": true,
		"name":           "Jane Doe",
		"iat":            now.Unix() - 60,
		"exp":            now.Add(time.Hour).Unix(),
	}).SignedString([]byte(sessionKey))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// event returns the API Gateway HTTP API (payload 2.0) event of a request
// to route with the bearer token, shaped like events/*.json.
func event(route, token string) events.APIGatewayV2HTTPRequest {
	method, path, _ := strings.Cut(route, " ")
	body, length := "{}", "2"
	if method == http.MethodGet {
		body, length = "", "0"
	}
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: route,
		RawPath:  path,
		Headers: map[string]string{
			"accept":            "application/json",
			"accept-encoding":   "gzip",
			"authorization":     "Bearer " + token,
			"content-length":    length,
			"content-type":      "application/json",
			"host":              "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
			"user-agent":        "ExampleApp/2.4.0 (iPhone; iOS 17.4)",
			"x-amzn-trace-id":   "Root=1-6553f100-c5f1d7a23e9b4c1a9f0e6b2d",
			"x-forwarded-for":   "203.0.113.24",
			"x-forwarded-port":  "443",
			"x-forwarded-proto": "https",
		},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID:    "123456789012",
			APIID:        "a1b2c3d4e5",
			DomainName:   "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
			DomainPrefix: "a1b2c3d4e5",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1",
				SourceIP: "203.0.113.24", UserAgent: "ExampleApp/2.4.0 (iPhone; iOS 17.4)",
			},
			RequestID: "Fj3kQhZ0IAMEbXw=",
			RouteKey:  route,
			Stage:     "$default",
			TimeEpoch: 1700000000000,
		},
		Body: body,
	}
}
