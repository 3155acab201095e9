package perf_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"

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
)

// fixture is one function as the benchmarks configure it: a vendor, with
// its dev settings and dev secret (held in the Secrets Manager stand-in),
// served through its first route.
type fixture struct {
	name     string
	vendor   descriptor.Vendor
	route    string            // "METHOD /path"
	secret   string            // the vendor secret's JSON value
	settings map[string]string // the vendor's own settings; the secret id is added
}

// fixtures are every vendor's function, in the order of vendors.All.
var fixtures = func() []fixture {
	var fs []fixture
	for _, v := range vendors.All() {
		settings := dev.Settings(v)
		delete(settings, v.Secret.OverrideSetting())
		fs = append(fs, fixture{
			name:     v.Name,
			vendor:   v,
			route:    v.Routes[0].Key(),
			secret:   dev.Secret(v.Name, v.Secret),
			settings: settings,
		})
	}
	return fs
}()

// secretIDs are the Secrets Manager ids of the fixture's two secrets.
func (f fixture) secretIDs() (session, vendor string) {
	return "perf/session", "perf/" + f.name
}

// env returns the function's complete settings: hs256 sessions, both
// secrets from Secrets Manager, and, for a function that calls its
// vendor's API, that API at upstreamURL (see standIn).
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
	if f.vendor.Upstream != nil {
		env[f.vendor.Upstream.BaseURL] = upstreamURL
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

// standIn starts, for a function that calls its vendor's API, the
// vendor's stand-in for that API (vendors.StandIn) on loopback, over plain
// http, which accepts the dev credentials the fixture holds, and returns
// its URL; "" for any other function.
func (f fixture) standIn(tb testing.TB) string {
	if f.vendor.Upstream == nil {
		return ""
	}
	srv := httptest.NewServer(vendors.StandIn(f.name))
	tb.Cleanup(srv.Close)
	return srv.URL
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
