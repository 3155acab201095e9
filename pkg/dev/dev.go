package dev

import (
	"encoding/json"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Value is the dev-only value of a secret's JSON key: Value("acme",
// "client_secret") is "dev-only-acme-client-secret-not-for-production".
func Value(vendor, key string) string {
	return "dev-only-" + vendor + "-" + strings.ReplaceAll(key, "_", "-") + "-not-for-production"
}

// Secret is the dev-only JSON value of vendor's secret: every key it may
// hold, required and optional, with its Value.
func Secret(vendor string, spec secrets.Spec) string {
	values := map[string]string{}
	for _, key := range append(append([]string(nil), spec.Keys...), spec.Optional...) {
		values[key] = Value(vendor, key)
	}
	b, err := json.Marshal(values)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return string(b)
}

// Settings are the dev-only settings of v's function: its secret given in
// the environment, and the example of each required setting.
func Settings(v descriptor.Vendor) map[string]string {
	settings := map[string]string{v.Secret.OverrideSetting(): Secret(v.Name, v.Secret)}
	for _, s := range v.Settings {
		if s.Required {
			settings[s.Name] = s.Example
		}
	}
	return settings
}
