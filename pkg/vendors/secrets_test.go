package vendors_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// marker is in every value these tests give; no error may show it.
const marker = "s3cr3t"

// load loads v's secret from its offline override, set to value.
func load(t *testing.T, v descriptor.Vendor, value string) error {
	t.Helper()
	loader := &secrets.Loader{
		Getenv: func(name string) string {
			if name == v.Secret.OverrideSetting() {
				return value
			}
			return ""
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	_, err := loader.Load(t.Context(), v.Secret)
	if err != nil && strings.Contains(err.Error(), marker) {
		t.Errorf("the error shows a value: %v", err)
	}
	return err
}

// devWith is v's dev secret with key set to value.
func devWith(t *testing.T, v descriptor.Vendor, key string, value any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(dev.Secret(v.Name, v.Secret)), &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// devValue is the value of key in v's dev secret.
func devValue(t *testing.T, v descriptor.Vendor, key string) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(dev.Secret(v.Name, v.Secret)), &m); err != nil || m[key] == "" {
		t.Fatalf("%s: the dev secret has no %s (%v)", v.Name, key, err)
	}
	return m[key]
}

// TestDevSecretsPass: the dev-only values of package dev pass every
// vendor's checks, so the local server and sam local start with them.
func TestDevSecretsPass(t *testing.T) {
	for _, v := range vendors.All() {
		if err := load(t, v, dev.Secret(v.Name, v.Secret)); err != nil {
			t.Errorf("%s: the dev secret fails: %v", v.Name, err)
		}
	}
}

// leastLength is the fewest bytes v's function accepts for key, the other
// keys holding their dev values: found by trying, not read from a table,
// so that it holds whatever the spec and its Check say.
func leastLength(t *testing.T, v descriptor.Vendor, key string) int {
	t.Helper()
	for n := 1; n <= 128; n++ {
		value := strings.Repeat("k", n)
		if n >= len(marker) {
			value = marker + value[len(marker):]
		}
		if load(t, v, devWith(t, v, key, value)) == nil {
			return n
		}
	}
	t.Fatalf("%s: no value of %s up to 128 bytes is accepted", v.Name, key)
	return 0
}

// TestVendorKeyRules: every vendor's secret has a key of at least
// secrets.MinKeyLen bytes (what it signs or authenticates with; the
// others are identifiers), each key is refused one byte short of its least
// length, and no value may start or end with white space or be other than
// a string. The errors name the setting and the key, never the value.
//
// A secret that lays out its own dev value (secrets.Spec.Dev) holds values
// that hold only together, such as a kid beside the key it names: each
// key is tried with its dev value, for white space and type, and the
// strength of what it signs with is its Check's, which its vendor's tests
// hold (an RSA key's size, say).
func TestVendorKeyRules(t *testing.T) {
	for _, v := range vendors.All() {
		laidOut := v.Secret.Dev != nil
		strongest := 0
		for _, key := range append(append([]string(nil), v.Secret.Keys...), v.Secret.Optional...) {
			var n int
			var long string
			if laidOut {
				n, long = 1, devValue(t, v, key)
			} else {
				n = leastLength(t, v, key)
				long = marker + strings.Repeat("k", max(n-len(marker), 0))
			}
			strongest = max(strongest, n)
			for _, tc := range []struct {
				name  string
				value any
				want  error // nil for none
				says  string
			}{
				{"least length", long, nil, ""},
				{"one byte short", long[:n-1], secrets.ErrInvalid, ""},
				{"trailing newline", long + "\n", secrets.ErrInvalid, "white space at its start or end"},
				{"trailing space", long + " ", secrets.ErrInvalid, "white space at its start or end"},
				{"leading tab", "\t" + long, secrets.ErrInvalid, "white space at its start or end"},
				{"number", 12345, secrets.ErrMalformed, "not a string"},
			} {
				t.Run(v.Name+"/"+key+"/"+tc.name, func(t *testing.T) {
					err := load(t, v, devWith(t, v, key, tc.value))
					if tc.want == nil {
						if err != nil {
							t.Fatalf("Load: %v", err)
						}
						return
					}
					if n == 1 && tc.name == "one byte short" {
						return // an identifier: any value is long enough
					}
					if !errors.Is(err, tc.want) && !(tc.name == "one byte short" && err != nil) {
						t.Fatalf("Load = %v, want %v", err, tc.want)
					}
					for _, word := range []string{v.Secret.OverrideSetting(), key, tc.says} {
						if !strings.Contains(err.Error(), word) {
							t.Errorf("error %q does not say %s", err, word)
						}
					}
				})
			}
		}
		if strongest < secrets.MinKeyLen && !laidOut {
			t.Errorf("%s: no key of its secret needs %d bytes or more (the longest least length is %d)", v.Name, secrets.MinKeyLen, strongest)
		}
	}
}
