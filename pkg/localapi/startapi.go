package localapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// ErrNoSessionKey: `make start-api` needs a session signing key of the
// developer's own, since the bootstraps SAM runs refuse the dev-only one.
var ErrNoSessionKey = errors.New("sam local start-api runs the functions as deployed, which refuse the dev-only session key: give SESSION_SECRET_JSON a signing_key of your own (at least 32 bytes)")

// StartAPIEnv returns the env file for `sam local start-api
// --env-vars`: envFile (events/start-api-env.json, one object of settings
// per function) with SESSION_SECRET_JSON, taken from getenv, in every
// function. The key is checked as the functions check it: one they would
// refuse, the dev-only key among them, is an error naming the setting.
func StartAPIEnv(envFile []byte, getenv func(string) string) ([]byte, error) {
	name := function.SessionSecret.OverrideSetting()
	raw := strings.TrimSpace(getenv(name))
	if raw == "" {
		return nil, fmt.Errorf("%s is not set: %w", name, ErrNoSessionKey)
	}
	if _, err := secrets.Parse(name, function.SessionSecret, []byte(raw)); err != nil {
		return nil, fmt.Errorf("%w (%w)", err, ErrNoSessionKey)
	}
	var functions map[string]map[string]string
	if err := json.Unmarshal(envFile, &functions); err != nil {
		return nil, fmt.Errorf("the env file is not a JSON object of settings per function: %w", err)
	}
	for _, settings := range functions {
		settings[name] = raw
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(functions); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
