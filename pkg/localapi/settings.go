package localapi

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// Dev-only session values. They are published in this repository:
// anything signed with them proves nothing.
const (
	devSessionIssuer     = "https://dev-only-issuer.invalid/"
	devSessionAudience   = "dev-only-app"
	devSessionSigningKey = "dev-only-session-signing-key-not-for-production"
)

// DevSettings returns the dev-only defaults of the local server at
// DefaultAddr: hs256 sessions with a dev signing key, issuer and audience,
// every vendor's dev settings (package dev), which events/env.json repeats
// so that `sam local invoke` and the local server agree, and for every
// vendor that calls its vendor's API (descriptor.Vendor.Upstream), that
// API's base URL setting pointing at the server's stand-in for it
// (http://127.0.0.1:3000/<name>-standin; see StandInPath). Run, which may
// listen elsewhere, points those at its own address.
func DevSettings() map[string]string {
	return devSettings("http://" + DefaultAddr)
}

// devSettings are DevSettings for a server reached at base, such as
// "http://127.0.0.1:3000".
func devSettings(base string) map[string]string {
	settings := map[string]string{
		"SESSION_MODE":        "hs256",
		"SESSION_ISSUER":      devSessionIssuer,
		"SESSION_AUDIENCE":    devSessionAudience,
		"SESSION_SECRET_JSON": `{"signing_key":"` + devSessionSigningKey + `"}`,
	}
	for _, v := range vendors.All() {
		maps.Copy(settings, dev.Settings(v))
		if v.Upstream != nil {
			settings[v.Upstream.BaseURL] = base + StandInPath(v)
		}
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
// key of DevSettings (hs256 mode, that key in SESSION_SECRET_JSON, as the
// functions read it) and also reach a real vendor. For every vendor
// (vendors.All), these are real settings: its secret read from Secrets
// Manager (<NAME>_SECRET_ID), its secret given in <NAME>_SECRET_JSON other
// than the dev one, and the base URL setting of the API it calls
// (descriptor.Upstream.BaseURL) other than its stand-in on the server at
// base, such as "http://127.0.0.1:3000" (base + StandInPath). The error
// names those settings and what to set instead, never a value.
func CheckDevSessionKey(getenv func(string) string, base string) error {
	if !usesDevSessionKey(getenv) {
		return nil
	}
	var real []string
	for _, v := range vendors.All() {
		real = append(real, realSettings(getenv, v, base)...)
	}
	if len(real) == 0 {
		return nil
	}
	slices.Sort(real)
	real = slices.Compact(real)
	subject := "the setting " + real[0] + " reaches a real vendor"
	if len(real) > 1 {
		subject = "the settings " + joinAnd(real) + " reach real vendors"
	}
	return fmt.Errorf("%w: %s, and anyone can sign a session with that key and get real tokens; "+
		"give sessions your own key with SESSION_SECRET_ID, or SESSION_SECRET_JSON holding your own signing_key, "+
		"or verify them with your identity provider (SESSION_MODE=jwks with SESSION_JWKS_URL, SESSION_ISSUER and SESSION_AUDIENCE); "+
		"or unset %s to use the dev-only defaults", ErrDevSessionKey, subject, joinAnd(real))
}

// joinAnd joins names as a list in English: "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// realSettings returns v's settings that reach the real vendor.
func realSettings(getenv func(string) string, v descriptor.Vendor, base string) []string {
	var real []string
	id, inline := v.Secret.Setting, v.Secret.OverrideSetting()
	switch value := strings.TrimSpace(getenv(inline)); {
	case strings.TrimSpace(getenv(id)) != "":
		real = append(real, id)
	case value != "" && value != dev.Secret(v.Name, v.Secret):
		real = append(real, inline)
	}
	if v.Upstream != nil {
		url := strings.TrimSuffix(strings.TrimSpace(getenv(v.Upstream.BaseURL)), "/")
		if url != base+StandInPath(v) {
			real = append(real, v.Upstream.BaseURL)
		}
	}
	return real
}

// usesDevSessionKey reports whether the settings verify sessions with the
// dev signing key. The key is read from SESSION_SECRET_JSON exactly as the
// functions read it (secrets.Parse), so that no spelling of the JSON, such
// as a key given twice or in another case, can give the functions the dev
// key while this check sees another.
func usesDevSessionKey(getenv func(string) string) bool {
	if strings.TrimSpace(getenv("SESSION_MODE")) != function.ModeHS256 {
		return false
	}
	name := function.SessionSecret.OverrideSetting()
	raw := getenv(name)
	if strings.TrimSpace(raw) == "" {
		return false // read from Secrets Manager (SESSION_SECRET_ID)
	}
	values, err := secrets.Parse(name, function.LocalSessionSecret, []byte(raw))
	// A value the functions refuse stops them from starting.
	return err == nil && string(values["signing_key"]) == devSessionSigningKey
}
