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

// Secret is the dev-only JSON value of vendor's secret: the object that
// spec.Dev lays out, with values from Values(vendor); without spec.Dev,
// every key it may hold, required and optional, with its Value.
func Secret(vendor string, spec secrets.Spec) string {
	var values map[string]string
	if spec.Dev != nil {
		values = spec.Dev(Values(vendor))
	} else {
		values = map[string]string{}
		for _, key := range append(append([]string(nil), spec.Keys...), spec.Optional...) {
			values[key] = Value(vendor, key)
		}
	}
	b, err := json.Marshal(values)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return string(b)
}

// Values returns the maker of vendor's dev-only values, for a
// secrets.Spec.Dev: Text is Value, and RSAPrivateKey a key derived from
// Value (see RSAPrivateKey).
func Values(vendor string) secrets.DevValues { return values{vendor} }

type values struct{ vendor string }

func (v values) Text(key string) string { return Value(v.vendor, key) }

func (v values) RSAPrivateKey(key string, bits int) string {
	return RSAPrivateKey(Value(v.vendor, key), bits)
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
