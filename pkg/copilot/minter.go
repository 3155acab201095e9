package copilot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// DefaultTimeout is the COPILOT_TIMEOUT used when the setting is unset.
const DefaultTimeout = 3 * time.Second

// Path is the management API call, relative to COPILOT_BASE_URL.
const Path = "v2/api/management/your_own/auth/generate_user_auth_key"

// errs are Copilot's errors of the upstream contract (package upstream).
var errs = upstream.NewErrors("Copilot.cx")

// Sentinel errors of Mint. Details for the log are wrapped after them; they
// never include an upstream body, a credential or an auth key.
var (
	ErrUnavailable = errs.Unavailable // 503 upstream_unavailable: Copilot could not be reached, timed out, or answered 429, 502, 503 or 504
	ErrRejected    = errs.Rejected    // 502 upstream_error: Copilot refused the credentials (401)
	ErrUpstream    = errs.Upstream    // 502 upstream_error: any other answer without a usable auth_key
	ErrCredentials = errs.Credentials // 500 internal: the secret cannot be had or is not usable (CheckCredentials)
)

// Credentials is the Copilot secret, with the JSON keys client_id and
// client_secret. *secrets.Secret implements it: Values is the current
// snapshot, Reload a forced (rate-limited) re-read after a 401.
type Credentials = upstream.Credentials

// Response is the 200 body Mint returns for the app.
type Response struct {
	AuthKey string `json:"auth_key"`
}

// Minter calls generate_user_auth_key for a verified identity.
type Minter struct {
	api *upstream.Endpoint[string]
}

// New returns a Minter for the Copilot API at baseURL, which must be an
// https:// URL; http:// is accepted only for a loopback host (localhost,
// 127.0.0.0/8, ::1), for local use and tests. The error text never repeats
// baseURL. timeout is COPILOT_TIMEOUT, from upstream.MinTimeout to
// upstream.MaxTimeout. A nil logger means slog.Default(); creds must not be
// nil.
func New(baseURL string, timeout time.Duration, creds Credentials, logger *slog.Logger) (*Minter, error) {
	base, err := upstream.CheckBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if timeout < upstream.MinTimeout || timeout > upstream.MaxTimeout {
		return nil, fmt.Errorf("timeout must be between %s and %s", upstream.MinTimeout, upstream.MaxTimeout)
	}
	return newMinter(base, timeout, creds, logger, upstream.NewClient(nil)), nil
}

// newMinter builds a Minter for an already checked base URL, on client.
func newMinter(base *url.URL, timeout time.Duration, creds Credentials, logger *slog.Logger, client *upstream.Client) *Minter {
	if creds == nil {
		panic("copilot: nil Credentials")
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Minter{api: &upstream.Endpoint[string]{
		Name:        "copilot",
		What:        "auth key",
		URL:         base.JoinPath(Path).String(),
		Timeout:     timeout,
		Credentials: creds,
		Authorize:   authorization,
		Decode:      upstream.StringField("auth_key"),
		Reason:      upstream.CodeField("reason"),
		Errors:      errs,
		Client:      client,
		Logger:      logger,
	}}
}

// Mint asks Copilot for an auth key for id.UserID and returns it as a
// Response. Every call is a fresh upstream exchange.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	// Marshalling a string cannot fail; it escapes what JSON needs escaped.
	body, _ := json.Marshal(struct {
		UserID string `json:"user_id"`
	}{id.UserID})
	key, err := m.api.Call(ctx, body)
	if err != nil {
		return nil, err
	}
	return Response{AuthKey: key}, nil
}
