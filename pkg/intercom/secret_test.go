package intercom_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// loadSecret loads Intercom's secret from its offline override, set to
// value, as the function does at start.
func loadSecret(t *testing.T, value string) error {
	t.Helper()
	spec := intercom.Descriptor.Secret
	loader := &secrets.Loader{
		Getenv: func(name string) string {
			if name == spec.OverrideSetting() {
				return value
			}
			return ""
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	_, err := loader.Load(t.Context(), spec)
	if err != nil && strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows a value: %v", err)
	}
	return err
}

// TestPlatformKeys: a platform key that is present must hold a usable
// secret, at start as at every re-read: a number or an empty string is
// refused, not left for a 400 on that platform's requests.
func TestPlatformKeys(t *testing.T) {
	good := `"s3cr3t-web-messenger-key"`
	for _, tc := range []struct {
		name, secret string
		want         error // nil for none
	}{
		{"one platform", `{"web":` + good + `}`, nil},
		{"null counts as absent", `{"web":` + good + `,"ios":null}`, nil},
		{"number", `{"web":12345}`, secrets.ErrMalformed},
		{"number beside a good key", `{"web":12345,"ios":` + good + `}`, secrets.ErrMalformed},
		{"empty", `{"web":""}`, secrets.ErrInvalid},
		{"empty beside a good key", `{"web":` + good + `,"android":""}`, secrets.ErrInvalid},
		{"blank", `{"web":` + good + `,"ios":"  "}`, secrets.ErrInvalid},
		{"object", `{"web":{"key":` + good + `}}`, secrets.ErrMalformed},
		{"none", `{}`, secrets.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := loadSecret(t, tc.secret)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "INTERCOM_SECRET_JSON") {
				t.Fatalf("Load = %v, want %v naming INTERCOM_SECRET_JSON", err, tc.want)
			}
		})
	}
}
