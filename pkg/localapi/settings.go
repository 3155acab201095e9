package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// Dev-only session values. They are published in this repository:
// anything signed with them proves nothing.
const (
	devSessionIssuer     = "https://dev-only-issuer.invalid/"
	devSessionAudience   = "dev-only-app"
	devSessionSigningKey = "dev-only-session-signing-key-not-for-production"
)

// DevSettings returns the dev-only defaults of the local server: hs256
// sessions with a dev signing key, issuer and audience, and every vendor's
// dev settings (package dev), which events/env.json repeats so
// that `sam local invoke` and the local server agree. COPILOT_BASE_URL is
// not among them: Run points it at its own Copilot stand-in.
func DevSettings() map[string]string {
	settings := map[string]string{
		"SESSION_MODE":        "hs256",
		"SESSION_ISSUER":      devSessionIssuer,
		"SESSION_AUDIENCE":    devSessionAudience,
		"SESSION_SECRET_JSON": `{"signing_key":"` + devSessionSigningKey + `"}`,
	}
	for _, v := range vendors.All() {
		maps.Copy(settings, dev.Settings(v))
	}
	return settings
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

// ErrDevSessionKey: settings that reach a real vendor are configured while
// sessions are still verified with the published dev signing key, with
// which anyone can sign a session and get real tokens.
var ErrDevSessionKey = errors.New("refusing to start with the dev session signing key published in this repository")

// CheckDevSessionKey returns ErrDevSessionKey when the settings (getenv,
// such as Getenv's over DevSettings) verify sessions with the dev signing
// key of DevSettings (hs256 mode, that key in SESSION_SECRET_JSON) and
// also reach a real vendor: a vendor secret read from Secrets Manager
// (<NAME>_SECRET_ID), a vendor secret given in <NAME>_SECRET_JSON other
// than the dev one, or a COPILOT_BASE_URL other than standIn, the URL of
// this server's CopilotStandIn. The error names those settings and what to
// set instead, never a value.
func CheckDevSessionKey(getenv func(string) string, standIn string) error {
	if !usesDevSessionKey(getenv) {
		return nil
	}
	dev := DevSettings()
	var real []string
	for _, r := range Routes {
		id, inline := r.Vendor.Secret.Setting, r.Vendor.Secret.OverrideSetting()
		switch v := strings.TrimSpace(getenv(inline)); {
		case strings.TrimSpace(getenv(id)) != "":
			real = append(real, id)
		case v != "" && v != dev[inline]:
			real = append(real, inline)
		}
	}
	if base := strings.TrimSuffix(strings.TrimSpace(getenv("COPILOT_BASE_URL")), "/"); base != standIn {
		real = append(real, "COPILOT_BASE_URL")
	}
	if len(real) == 0 {
		return nil
	}
	slices.Sort(real)
	real = slices.Compact(real) // a vendor may serve several routes
	names := strings.Join(real, ", ")
	return fmt.Errorf("%w: %s reach a real vendor, and anyone can sign a session with that key and get real tokens; "+
		"give sessions your own key with SESSION_SECRET_ID, or SESSION_SECRET_JSON holding your own signing_key, "+
		"or verify them with your identity provider (SESSION_MODE=jwks with SESSION_JWKS_URL, SESSION_ISSUER and SESSION_AUDIENCE); "+
		"or unset %s to use the dev-only ones", ErrDevSessionKey, names, names)
}

// usesDevSessionKey reports whether the settings verify sessions with the
// dev signing key.
func usesDevSessionKey(getenv func(string) string) bool {
	if strings.TrimSpace(getenv("SESSION_MODE")) != function.ModeHS256 {
		return false
	}
	var secret struct {
		SigningKey string `json:"signing_key"`
	}
	raw := getenv(function.SessionSecret.OverrideSetting())
	return json.Unmarshal([]byte(raw), &secret) == nil && secret.SigningKey == devSessionSigningKey
}
