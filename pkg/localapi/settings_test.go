package localapi_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestGetenv: the environment wins over the defaults where it is not
// blank, and naming a vendor's secret (<NAME>_SECRET_ID) drops that
// vendor's default secret, and no other.
func TestGetenv(t *testing.T) {
	t.Parallel()
	all := vendors.All()
	named := all[0] // its secret is named in the environment
	environ := map[string]string{
		"SESSION_MODE":       "jwks",
		"SESSION_ISSUER":     "  ",
		named.Secret.Setting: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf",
	}
	for _, v := range upstreamVendors() {
		environ[v.Upstream.BaseURL] = "https://api.example.com"
	}
	defaults := localapi.DevSettings()
	getenv := localapi.Getenv(func(k string) string { return environ[k] }, defaults)
	want := map[string]string{
		"SESSION_MODE":                 "jwks",                             // the environment wins
		"SESSION_ISSUER":               "https://dev-only-issuer.invalid/", // blank is unset
		"SESSION_AUDIENCE":             "dev-only-app",                     // default
		named.Secret.Setting:           environ[named.Secret.Setting],      // not a default
		named.Secret.OverrideSetting(): "",                                 // dropped: the secret is named
		"UNKNOWN":                      "",
	}
	for _, v := range all[1:] {
		want[v.Secret.OverrideSetting()] = defaults[v.Secret.OverrideSetting()] // kept
	}
	for _, v := range upstreamVendors() {
		want[v.Upstream.BaseURL] = "https://api.example.com" // set
	}
	for name, want := range want {
		if got := getenv(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if defaults[named.Secret.OverrideSetting()] == "" {
		t.Error("Getenv modified the defaults")
	}
}

// TestDevSettings: every default secret is a JSON object whose values say
// they are dev-only, and every default is a setting the functions read.
func TestDevSettings(t *testing.T) {
	t.Parallel()
	for name, value := range localapi.DevSettings() {
		if !strings.HasSuffix(name, "_SECRET_JSON") {
			continue
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(value), &m); err != nil || len(m) == 0 {
			t.Errorf("%s is not a JSON object of strings: %v", name, err)
		}
		for k, v := range m {
			if !strings.Contains(v, "dev-only") {
				t.Errorf("%s %s does not say dev-only", name, k)
			}
		}
	}
	a, b := localapi.DevSettings(), localapi.DevSettings()
	a["SESSION_MODE"] = "changed"
	if b["SESSION_MODE"] != "hs256" {
		t.Error("DevSettings shares its map")
	}
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

// TestDevSession: a dev session follows the settings' claim names,
// audiences and required scope, which every function honours: each route
// answers it (one that needs an email only if the email claim was read),
// and each request's log line names the user of the user id claim.
func TestDevSession(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SESSION_USER_ID_CLAIM":  "uid",
		"SESSION_EMAIL_CLAIM":    "mail",
		"SESSION_AUDIENCE":       "first-app, second-app",
		"SESSION_REQUIRED_SCOPE": "tokens:issue",
	}
	var logs logtest.Buffer
	url, getenv := startLogging(t, env, slog.New(slog.NewJSONHandler(&logs, nil)))
	sent := 0
	for _, r := range localapi.Routes {
		if r.Public {
			continue // needs no session: TestPublicRoutes
		}
		sent++
		resp := call(t, r.Method, url+r.Path, devToken(t, getenv, testID), nil)
		checkAnswer(t, resp, responseFields(t, r.Vendor, getenv))
	}
	requests := 0
	for line := range strings.Lines(logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "request" {
			requests++
			if m["user_id"] != testID.UserID {
				t.Errorf("user_id %v, want %s: %s", m["user_id"], testID.UserID, line)
			}
		}
	}
	if requests != sent {
		t.Errorf("%d request lines for %d requests", requests, sent)
	}

	// Its own claims.
	now := time.Unix(1_700_000_000, 0)
	token, err := localapi.DevSession(getenv, testID, now, 90*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	claims := verifyJWT(t, token, devSecret(t, "SESSION_SECRET_JSON", "signing_key"))
	for k, want := range map[string]any{
		"iss": "https://dev-only-issuer.invalid/", "aud": "first-app", "uid": testID.UserID, "mail": testID.Email,
		"name": testID.Name, "scope": "tokens:issue", "iat": float64(now.Unix()), "exp": float64(now.Unix() + 5400),
	} {
		if claims[k] != want {
			t.Errorf("%s = %v, want %v", k, claims[k], want)
		}
	}
	if _, ok := claims["sub"]; ok {
		t.Error("sub is set although SESSION_USER_ID_CLAIM is uid")
	}
}

func TestDevSessionRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		id   string
		ttl  time.Duration
		want string
	}{
		{"jwks mode", map[string]string{"SESSION_MODE": "jwks"}, "u", time.Hour, `SESSION_MODE is "jwks"`},
		{"key in Secrets Manager", map[string]string{"SESSION_SECRET_ID": "session"}, "u", time.Hour, "must be given in SESSION_SECRET_JSON"},
		{"bad JSON", map[string]string{"SESSION_SECRET_JSON": `{"signing_key":1}`}, "u", time.Hour, `SESSION_SECRET_JSON: secret is not a JSON object of strings: JSON key "signing_key" is not a string`},
		{"case-variant key only", map[string]string{"SESSION_SECRET_JSON": `{"SIGNING_KEY":"an-own-session-key-of-at-least-32-bytes"}`}, "u", time.Hour, `SESSION_SECRET_JSON: secret lacks a required JSON key: JSON key "signing_key" is missing`},
		{"short key", map[string]string{"SESSION_SECRET_JSON": `{"signing_key":"short"}`}, "u", time.Hour, "shorter than 32 bytes"},
		{"no user id", nil, "", time.Hour, "no user id"},
		{"no lifetime", nil, "u", 0, "lifetime"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := localapi.Getenv(func(k string) string { return tt.env[k] }, localapi.DevSettings())
			_, err := localapi.DevSession(getenv, testIDWith(tt.id), time.Now(), tt.ttl)
			if !errors.Is(err, localapi.ErrNoDevSession) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrNoDevSession with %q", err, tt.want)
			}
		})
	}
}

// checkCase is settings over DevSettings and what CheckDevSessionKey
// makes of them.
type checkCase struct {
	name    string
	env     map[string]string
	refused []string // the settings the error must name; none: accepted
	message string   // the start of the error's text, when refused; "" for any
}

// TestCheckDevSessionKey: the published dev session key may guard dev
// vendor settings only. Refusals name the settings and what to set, never a
// value.
func TestCheckDevSessionKey(t *testing.T) {
	t.Parallel()
	const (
		base      = "http://127.0.0.1:3000"
		secretARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vendor-AbCdEf"
		realURL   = "https://api.example.com/base"
		ownKey    = `{"signing_key":"an-own-session-key-of-at-least-32-bytes"}`
	)
	defaults := localapi.DevSettings()
	devKey := defaults["SESSION_SECRET_JSON"]
	all := vendors.All()
	a, b := all[0], all[1]
	aID := a.Secret.Setting
	two := []string{a.Secret.Setting, b.Secret.Setting}
	slices.Sort(two)
	every, everyID := map[string]string{}, []string(nil)
	for i, v := range all {
		every[v.Secret.Setting] = "secret-name-" + string(rune('a'+i))
		everyID = append(everyID, v.Secret.Setting)
	}
	slices.Sort(everyID)
	refusal := localapi.ErrDevSessionKey.Error() + ": "

	tests := []checkCase{
		{"dev settings only", nil, nil, ""},
		{"dev secret given again", map[string]string{a.Secret.OverrideSetting(): defaults[a.Secret.OverrideSetting()]}, nil, ""},
		{"real secret, dev key", map[string]string{aID: secretARN}, []string{aID},
			refusal + "the setting " + aID + " reaches a real vendor, and anyone can sign"},
		{"real secret, dev key given again", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": devKey}, []string{aID}, ""},
		{"real secrets of two vendors", map[string]string{two[0]: "first-secret-name", two[1]: "second-secret-name"}, two,
			refusal + "the settings " + two[0] + " and " + two[1] + " reach real vendors, and anyone can sign"},
		{"real secrets of every vendor", every, everyID,
			refusal + "the settings " + strings.Join(everyID[:len(everyID)-1], ", ") + " and " + everyID[len(everyID)-1] + " reach real vendors"},
		{"own vendor secret inline, dev key", map[string]string{a.Secret.OverrideSetting(): strings.ReplaceAll(defaults[a.Secret.OverrideSetting()], "dev-only-", "own-")},
			[]string{a.Secret.OverrideSetting()}, ""},
		{"real secret, own session key", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": ownKey}, nil, ""},
		{"real secret, session key in Secrets Manager", map[string]string{aID: secretARN, "SESSION_SECRET_ID": "session-secret-name"}, nil, ""},
		{"real secret, jwks sessions", map[string]string{aID: secretARN, "SESSION_MODE": "jwks", "SESSION_JWKS_URL": "https://issuer.example.com/jwks"}, nil, ""},
		// The functions read SESSION_SECRET_JSON's signing_key, exactly;
		// another spelling beside it must not hide the dev key.
		{"dev key beside a case-variant key", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","SIGNING_KEY":"x"}`}, []string{aID}, ""},
		{"dev key beside a case-variant number", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","Signing_Key":1}`}, []string{aID}, ""},
		{"dev key given twice, last", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": `{"signing_key":"an-own-session-key-of-at-least-32-bytes","signing_key":"` + devSigningKey + `"}`}, []string{aID}, ""},
		{"own key given twice, last", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","signing_key":"an-own-session-key-of-at-least-32-bytes"}`}, nil, ""},
		{"dev key under a case-variant key only", map[string]string{aID: secretARN, "SESSION_SECRET_JSON": `{"SIGNING_KEY":"` + devSigningKey + `","signing_key":"an-own-session-key-of-at-least-32-bytes"}`}, nil, ""},
	}
	// The base URL of each API a function calls: its stand-in on this
	// server is a dev setting, any other URL reaches a real vendor.
	for _, v := range upstreamVendors() {
		url, standIn := v.Upstream.BaseURL, base+localapi.StandInPath(v)
		tests = append(tests,
			checkCase{v.Name + ": stand-in URL given", map[string]string{url: standIn}, nil, ""},
			checkCase{v.Name + ": stand-in URL with a slash", map[string]string{url: standIn + "/"}, nil, ""},
			checkCase{v.Name + ": real URL, dev key", map[string]string{url: realURL}, []string{url},
				refusal + "the setting " + url + " reaches a real vendor, and anyone can sign"},
			checkCase{v.Name + ": another loopback URL, dev key", map[string]string{url: "http://127.0.0.1:8080"}, []string{url}, ""},
			checkCase{v.Name + ": the stand-in of a server elsewhere, dev key", map[string]string{url: "http://127.0.0.1:8080" + localapi.StandInPath(v)}, []string{url}, ""},
			checkCase{v.Name + ": real URL and secret, own session key", map[string]string{url: realURL, v.Secret.Setting: "real-secret-name", "SESSION_SECRET_JSON": ownKey}, nil, ""},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := localapi.Getenv(func(k string) string { return tt.env[k] }, localapi.DevSettings())
			err := localapi.CheckDevSessionKey(getenv, base)
			if tt.refused == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, localapi.ErrDevSessionKey) {
				t.Fatalf("got %v, want ErrDevSessionKey", err)
			}
			if tt.message != "" && !strings.HasPrefix(err.Error(), tt.message) {
				t.Errorf("error %q\ndoes not start with %q", err, tt.message)
			}
			for _, want := range append(tt.refused, "SESSION_SECRET_ID", "SESSION_SECRET_JSON", "SESSION_MODE=jwks") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not name %s: %v", want, err)
				}
			}
			for name, value := range tt.env {
				if len(value) > 1 && strings.Contains(err.Error(), value) {
					t.Errorf("the error holds the value of %s: %v", name, err)
				}
			}
			for _, secret := range []string{"dev-only-session-signing-key", "127.0.0.1"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error holds %q: %v", secret, err)
				}
			}
		})
	}
}

// devSigningKey is the signing_key of DevSettings' SESSION_SECRET_JSON.
const devSigningKey = "dev-only-session-signing-key-not-for-production"

// TestCheckDevSessionKeyAgreesWithFunctions: for every spelling of
// SESSION_SECRET_JSON, a function built from it accepts a session signed
// with the dev key exactly when CheckDevSessionKey, beside a real setting,
// says that the dev key is in use. The function is one that answers
// without calling an API, so that it needs no server.
func TestCheckDevSessionKeyAgreesWithFunctions(t *testing.T) {
	t.Parallel()
	i := slices.IndexFunc(vendors.All(), func(v descriptor.Vendor) bool { return v.Upstream == nil })
	if i < 0 {
		t.Skip("every function calls an API")
	}
	v := vendors.All()[i]
	const own = "an-own-session-key-of-at-least-32-bytes"
	devToken := devToken(t, localapi.Getenv(func(string) string { return "" }, localapi.DevSettings()), testID)
	for _, raw := range []string{
		`{"signing_key":"` + devSigningKey + `"}`,
		`{"signing_key":"` + own + `"}`,
		`{"signing_key":"` + devSigningKey + `","SIGNING_KEY":"` + own + `"}`,
		`{"SIGNING_KEY":"` + own + `","signing_key":"` + devSigningKey + `"}`,
		`{"signing_key":"` + devSigningKey + `","Signing_Key":1}`,
		`{"signing_key":"` + own + `","signing_key":"` + devSigningKey + `"}`,
		`{"signing_key":"` + devSigningKey + `","signing_key":"` + own + `"}`,
		`{"SIGNING_KEY":"` + devSigningKey + `","signing_key":"` + own + `"}`,
		` {"signing_key" : "` + devSigningKey + `"} `,
	} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"SESSION_SECRET_JSON": raw}
			getenv := localapi.Getenv(func(k string) string { return env[k] }, localapi.DevSettings())
			h, err := function.Build(t.Context(), v, function.Deps{Getenv: getenv, Logger: quiet, AllowDevSessionKey: true})
			if err != nil {
				t.Fatal(err)
			}
			req := events.APIGatewayV2HTTPRequest{RouteKey: v.Routes[0].Key(), Headers: map[string]string{"authorization": "Bearer " + devToken}}
			resp, err := h.Handle(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			accepts := resp.StatusCode == http.StatusOK

			env[v.Secret.Setting] = "real-secret-name"
			refused := errors.Is(localapi.CheckDevSessionKey(getenv, "http://"+localapi.DefaultAddr), localapi.ErrDevSessionKey)
			if accepts != refused {
				t.Errorf("the function accepts a dev-key session: %t (%d); CheckDevSessionKey refuses: %t", accepts, resp.StatusCode, refused)
			}
		})
	}
}

func testIDWith(userID string) identity.Identity {
	id := testID
	id.UserID = userID
	return id
}
