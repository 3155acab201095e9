package localapi

import (
	"encoding/json"
	"maps"
	"strings"
)

// Dev-only values. They are published in this repository: anything signed
// or authenticated with them proves nothing. The vendor secrets are those
// of events/env.json, so `sam local invoke` and the local server agree.
const (
	devSessionIssuer       = "https://dev-only-issuer.invalid/"
	devSessionAudience     = "dev-only-app"
	devSessionSigningKey   = "dev-only-session-signing-key-not-for-production"
	devCopilotClientID     = "dev-only-copilot-client-id"
	devCopilotClientSecret = "dev-only-copilot-client-secret-not-for-production"
)

// DevSettings returns the dev-only defaults of the local server: hs256
// sessions with a dev signing key, issuer and audience, dev vendor secrets
// given as *_SECRET_JSON, and a dev CCAI company name. COPILOT_BASE_URL is
// not among them: Run points it at its own CopilotStandIn.
func DevSettings() map[string]string {
	return map[string]string{
		"SESSION_MODE":         "hs256",
		"SESSION_ISSUER":       devSessionIssuer,
		"SESSION_AUDIENCE":     devSessionAudience,
		"SESSION_SECRET_JSON":  secretJSON("signing_key", devSessionSigningKey),
		"KUSTOMER_SECRET_JSON": secretJSON("secret", "dev-only-kustomer-chat-secret-not-for-production"),
		"CCAI_SECRET_JSON":     secretJSON("company_secret", "dev-only-ccai-company-secret-not-for-production"),
		"CCAI_COMPANY_NAME":    "dev-only-company",
		"DECAGON_SECRET_JSON":  secretJSON("private_key", "dev-only-decagon-private-key-not-for-production"),
		"COPILOT_SECRET_JSON":  secretJSON("client_id", devCopilotClientID, "client_secret", devCopilotClientSecret),
	}
}

// secretJSON returns the JSON object of the key/value pairs kv.
func secretJSON(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Getenv returns the settings of the local server: the value environ gives
// (os.Getenv) where it is not blank, else the default. A default secret
// (NAME_SECRET_JSON) is dropped when environ names that secret
// (NAME_SECRET_ID), so that the secret is read from Secrets Manager.
func Getenv(environ func(string) string, defaults map[string]string) func(string) string {
	defaults = maps.Clone(defaults)
	for name := range defaults {
		if base, ok := strings.CutSuffix(name, "_SECRET_JSON"); ok && set(environ, base+"_SECRET_ID") {
			delete(defaults, name)
		}
	}
	return func(name string) string {
		if v := environ(name); strings.TrimSpace(v) != "" {
			return v
		}
		return defaults[name]
	}
}

func set(environ func(string) string, name string) bool {
	return strings.TrimSpace(environ(name)) != ""
}
