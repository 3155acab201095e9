package localapi_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

func TestGetenv(t *testing.T) {
	t.Parallel()
	environ := map[string]string{
		"SESSION_MODE":       "jwks",
		"CCAI_COMPANY_NAME":  "  ",
		"KUSTOMER_SECRET_ID": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf",
		"COPILOT_BASE_URL":   "https://copilot.example.com",
	}
	defaults := localapi.DevSettings()
	getenv := localapi.Getenv(func(k string) string { return environ[k] }, defaults)
	for name, want := range map[string]string{
		"SESSION_MODE":         "jwks",                             // the environment wins
		"CCAI_COMPANY_NAME":    defaults["CCAI_COMPANY_NAME"],      // blank is unset
		"KUSTOMER_SECRET_ID":   environ["KUSTOMER_SECRET_ID"],      // not a default
		"KUSTOMER_SECRET_JSON": "",                                 // dropped: the secret is named
		"DECAGON_SECRET_JSON":  defaults["DECAGON_SECRET_JSON"],    // kept
		"COPILOT_BASE_URL":     "https://copilot.example.com",      // set
		"SESSION_ISSUER":       "https://dev-only-issuer.invalid/", // default
		"UNKNOWN":              "",
	} {
		if got := getenv(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if defaults["KUSTOMER_SECRET_JSON"] == "" {
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

func TestDevSession(t *testing.T) {
	t.Parallel()
	// Claim names, several audiences and a required scope, all honoured by
	// the real handlers.
	env := map[string]string{
		"SESSION_USER_ID_CLAIM":  "uid",
		"SESSION_EMAIL_CLAIM":    "mail",
		"SESSION_AUDIENCE":       "first-app, second-app",
		"SESSION_REQUIRED_SCOPE": "tokens:issue",
	}
	url, getenv := start(t, env)
	resp := call(t, "GET", url+"/ccai/token", devToken(t, getenv, testID), nil)
	if resp.status != http.StatusOK {
		t.Fatalf("%d %s", resp.status, resp.body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(resp.body, &out); err != nil {
		t.Fatal(err)
	}
	claims := verifyJWT(t, out.Token, devSecret(t, "CCAI_SECRET_JSON", "company_secret"))
	if claims["identifier"] != testID.UserID || claims["email"] != testID.Email {
		t.Errorf("claims %v", claims)
	}

	// Its own claims.
	now := time.Unix(1_700_000_000, 0)
	token, err := localapi.DevSession(getenv, testID, now, 90*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	claims = verifyJWT(t, token, devSecret(t, "SESSION_SECRET_JSON", "signing_key"))
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

// TestCheckDevSessionKey: the published dev session key may guard dev
// vendor settings only. Refusals name the settings and what to set, never a
// value.
func TestCheckDevSessionKey(t *testing.T) {
	t.Parallel()
	const (
		base      = "http://127.0.0.1:3000"
		standIn   = base + "/copilot-standin"
		secretARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kustomer-AbCdEf"
		realURL   = "https://copilot.example.com/base"
		ownKey    = `{"signing_key":"an-own-session-key-of-at-least-32-bytes"}`
	)
	devKey := localapi.DevSettings()["SESSION_SECRET_JSON"]
	for _, tt := range []struct {
		name    string
		env     map[string]string
		refused []string // the settings the error must name; none: accepted
		message string   // the start of the error's text, when refused; "" for any
	}{
		{"dev settings only", nil, nil, ""},
		{"dev secret given again", map[string]string{"KUSTOMER_SECRET_JSON": localapi.DevSettings()["KUSTOMER_SECRET_JSON"]}, nil, ""},
		{"stand-in URL given", map[string]string{"COPILOT_BASE_URL": standIn}, nil, ""},
		{"stand-in URL with a slash", map[string]string{"COPILOT_BASE_URL": standIn + "/"}, nil, ""},
		{"real secret, dev key", map[string]string{"KUSTOMER_SECRET_ID": secretARN}, []string{"KUSTOMER_SECRET_ID"},
			localapi.ErrDevSessionKey.Error() + ": the setting KUSTOMER_SECRET_ID reaches a real vendor, and anyone can sign"},
		{"real secret, dev key given again", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": devKey}, []string{"KUSTOMER_SECRET_ID"}, ""},
		{"real secrets of two vendors", map[string]string{"CCAI_SECRET_ID": "ccai-secret-name", "COPILOT_SECRET_ID": "copilot-secret-name"}, []string{"CCAI_SECRET_ID", "COPILOT_SECRET_ID"},
			localapi.ErrDevSessionKey.Error() + ": the settings CCAI_SECRET_ID and COPILOT_SECRET_ID reach real vendors, and anyone can sign"},
		{"real secrets of every vendor", map[string]string{"CCAI_SECRET_ID": "c", "COPILOT_SECRET_ID": "c", "DECAGON_SECRET_ID": "d", "INTERCOM_SECRET_ID": "i", "KUSTOMER_SECRET_ID": "k", "ZENDESK_SECRET_ID": "z"},
			[]string{"CCAI_SECRET_ID", "COPILOT_SECRET_ID", "DECAGON_SECRET_ID", "INTERCOM_SECRET_ID", "KUSTOMER_SECRET_ID", "ZENDESK_SECRET_ID"},
			localapi.ErrDevSessionKey.Error() + ": the settings CCAI_SECRET_ID, COPILOT_SECRET_ID, DECAGON_SECRET_ID, INTERCOM_SECRET_ID, KUSTOMER_SECRET_ID and ZENDESK_SECRET_ID reach real vendors"},
		{"own vendor secret inline, dev key", map[string]string{"DECAGON_SECRET_JSON": `{"private_key":"a-real-decagon-key"}`}, []string{"DECAGON_SECRET_JSON"}, ""},
		{"real Copilot URL, dev key", map[string]string{"COPILOT_BASE_URL": realURL}, []string{"COPILOT_BASE_URL"}, ""},
		{"another loopback Copilot, dev key", map[string]string{"COPILOT_BASE_URL": "http://127.0.0.1:8080"}, []string{"COPILOT_BASE_URL"}, ""},
		{"the stand-in of a server elsewhere, dev key", map[string]string{"COPILOT_BASE_URL": "http://127.0.0.1:8080/copilot-standin"}, []string{"COPILOT_BASE_URL"}, ""},
		{"real secret, own session key", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": ownKey}, nil, ""},
		{"real secret, session key in Secrets Manager", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_ID": "session-secret-name"}, nil, ""},
		{"real Copilot URL, own session key", map[string]string{"COPILOT_BASE_URL": realURL, "COPILOT_SECRET_ID": "copilot-secret-name", "SESSION_SECRET_JSON": ownKey}, nil, ""},
		{"real secret, jwks sessions", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_MODE": "jwks", "SESSION_JWKS_URL": "https://issuer.example.com/jwks"}, nil, ""},
		// The functions read SESSION_SECRET_JSON's signing_key, exactly;
		// another spelling beside it must not hide the dev key.
		{"dev key beside a case-variant key", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","SIGNING_KEY":"x"}`}, []string{"KUSTOMER_SECRET_ID"}, ""},
		{"dev key beside a case-variant number", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","Signing_Key":1}`}, []string{"KUSTOMER_SECRET_ID"}, ""},
		{"dev key given twice, last", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": `{"signing_key":"an-own-session-key-of-at-least-32-bytes","signing_key":"` + devSigningKey + `"}`}, []string{"KUSTOMER_SECRET_ID"}, ""},
		{"own key given twice, last", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": `{"signing_key":"` + devSigningKey + `","signing_key":"an-own-session-key-of-at-least-32-bytes"}`}, nil, ""},
		{"dev key under a case-variant key only", map[string]string{"KUSTOMER_SECRET_ID": secretARN, "SESSION_SECRET_JSON": `{"SIGNING_KEY":"` + devSigningKey + `","signing_key":"an-own-session-key-of-at-least-32-bytes"}`}, nil, ""},
	} {
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
// says that the dev key is in use.
func TestCheckDevSessionKeyAgreesWithFunctions(t *testing.T) {
	t.Parallel()
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
			h, err := function.Build(t.Context(), kustomer.Descriptor, function.Deps{Getenv: getenv, Logger: quiet, AllowDevSessionKey: true})
			if err != nil {
				t.Fatal(err)
			}
			req := events.APIGatewayV2HTTPRequest{RouteKey: "POST /kustomer/token", Headers: map[string]string{"authorization": "Bearer " + devToken}}
			resp, err := h.Handle(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			accepts := resp.StatusCode == http.StatusOK

			env["KUSTOMER_SECRET_ID"] = "kustomer-secret-name"
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
