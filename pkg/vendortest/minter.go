package vendortest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// Now is the tests' fixed time: Unix 1700000000 and a fraction of a
// second, so that a claim that must be whole seconds shows it.
var Now = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC)

// Clock is a clock fixed at Now.
func Clock() time.Time { return Now }

// Key returns a key function, as a minter takes it, that returns key.
func Key(key []byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return key, nil }
}

// DevKey is the dev-only value of the JSON key name of v's secret, as
// NewMinter's default secret holds it.
func DevKey(v descriptor.Vendor, name string) []byte { return []byte(dev.Value(v.Name, name)) }

// NewMinter builds v's minter as its function builds it: v.Configure
// reads settings (a Required setting that settings leaves out takes its
// Example), then the minter is made from secretJSON, the secret's JSON
// (dev.Secret's when ""), with now as its clock (nil: the real one). It
// fails tb when the settings or the secret are refused.
func NewMinter(tb testing.TB, v descriptor.Vendor, settings map[string]string, secretJSON string, now func() time.Time) httpapi.Minter {
	tb.Helper()
	newMinter, err := configure(v, settings)
	if err != nil {
		tb.Fatalf("%s settings %v: %v", v.Name, settings, err)
	}
	if secretJSON == "" {
		secretJSON = dev.Secret(v.Name, v.Secret)
	}
	secret := secretstest.Offline(tb, v.Secret, secretJSON)
	return newMinter(secret, descriptor.Deps{Logger: slog.New(slog.DiscardHandler), Now: now})
}

// configure runs v.Configure over settings, with each Required setting
// that settings leaves out at its Example, and returns its NewMinter or
// the errors it recorded.
func configure(v descriptor.Vendor, settings map[string]string) (descriptor.NewMinter, error) {
	env := config.New(func(name string) string {
		if value, ok := settings[name]; ok {
			return value
		}
		if s, ok := v.Setting(name); ok && s.Required {
			return s.Example
		}
		return ""
	})
	newMinter := v.Configure(env).NewMinter
	return newMinter, env.Err()
}
