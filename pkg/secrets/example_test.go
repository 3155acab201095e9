package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// exampleLogger logs as text without the time, so the output is stable.
func exampleLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// A secret given in the environment, as for sam local invoke: Secrets
// Manager is not called, and a warning says so.
func ExampleLoader_Load() {
	env := map[string]string{"ACME_SECRET_JSON": `{"private_key":"dev-only-key"}`}
	loader := &secrets.Loader{
		Getenv: func(name string) string { return env[name] },
		Logger: exampleLogger(),
	}
	loaded, err := loader.Load(context.Background(), secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"private_key"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	key := loaded[0].KeyFunc("private_key")
	b, err := key(context.Background())
	fmt.Println(len(b), err)
	// Output:
	// level=WARN msg="secret taken from the environment instead of Secrets Manager; for offline use only" setting=ACME_SECRET_JSON
	// 12 <nil>
}

// Errors name the setting and the JSON key, never the value.
func ExampleLoader_Load_missingKey() {
	env := map[string]string{"GLOBEX_SECRET_JSON": `{"client_id":"dev-only-id","client_secret":""}`}
	loader := &secrets.Loader{
		Getenv: func(name string) string { return env[name] },
		Logger: slog.New(slog.DiscardHandler),
	}
	_, err := loader.Load(context.Background(), secrets.Spec{Setting: "GLOBEX_SECRET_ID", Keys: []string{"client_id", "client_secret"}})
	fmt.Println(err)
	// Output:
	// GLOBEX_SECRET_JSON: secret lacks a required JSON key: JSON key "client_secret" is empty
}

func ExampleSpec_OverrideSetting() {
	fmt.Println(secrets.Spec{Setting: "ACME_SECRET_ID"}.OverrideSetting())
	// Output: ACME_SECRET_JSON
}

// A Spec's Check holds a value to rules of its own, at Load and at every
// re-read; its error names the setting and the key, never the value.
func ExampleSpec_check() {
	env := map[string]string{"SESSION_SECRET_JSON": `{"signing_key":"too-short"}`}
	spec := secrets.Spec{
		Setting: "SESSION_SECRET_ID",
		Keys:    []string{"signing_key"},
		Check: func(v secrets.Values) error {
			if len(v["signing_key"]) < 32 {
				return errors.New("JSON key signing_key is shorter than 32 bytes")
			}
			return nil
		},
	}
	loader := &secrets.Loader{
		Getenv: func(name string) string { return env[name] },
		Logger: slog.New(slog.DiscardHandler),
	}
	_, err := loader.Load(context.Background(), spec)
	fmt.Println(err)
	// Output:
	// SESSION_SECRET_JSON: secret fails its check: JSON key signing_key is shorter than 32 bytes
}
