package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// DefaultBaseURL is the HUBSPOT_BASE_URL used when the setting is unset:
// the root of HubSpot's public APIs.
const DefaultBaseURL = "https://api.hubapi.com"

// DefaultTimeout is the HUBSPOT_TIMEOUT used when the setting is unset.
const DefaultTimeout = 3 * time.Second

// Path is HubSpot's "Generate a visitor identification token" call,
// relative to HUBSPOT_BASE_URL, in the date-based version 2026-03 of
// HubSpot's APIs. It takes and answers what the legacy
// visitor-identification/v3/tokens/create did, which HubSpot supports no
// longer than September 2027.
const Path = "visitor-identification/2026-03/tokens/create"

// TokenLifetime is how long HubSpot accepts a visitor identification
// token: "Tokens are temporary and will expire after 12 hours" (HubSpot's
// visitor identification guide).
const TokenLifetime = 12 * time.Hour

// MinAccessTokenLen is the least length of the access_token JSON key: a
// private app's access token is "pat-", a three-character region ("na1",
// "eu1"), "-" and a UUID, 44 characters in all; HubSpot's OAuth access
// tokens are longer. Anything shorter is a placeholder or cut off.
const MinAccessTokenLen = 44

// errs are HubSpot's errors of the upstream contract (package upstream).
var errs = upstream.NewErrors("HubSpot")

// Sentinel errors of Mint. Details for the log are wrapped after them; they
// never include an upstream body, the access token, an identification
// token, the email or the name.
var (
	// ErrNoEmail: the session carries no email that it says is verified
	// (identity.Identity.Email is empty). HubSpot identifies a visitor by
	// email alone, so there is no token to give.
	ErrNoEmail     = apierror.New(apierror.Forbidden, "HubSpot visitor identification needs a verified email address, and the session has none")
	ErrUnavailable = errs.Unavailable // 503 upstream_unavailable: HubSpot could not be reached, timed out, or answered 429, 502, 503 or 504
	ErrRejected    = errs.Rejected    // 502 upstream_error: HubSpot refused the access token (401)
	ErrUpstream    = errs.Upstream    // 502 upstream_error: any other answer without a usable token (such as 403: no qualifying subscription or scope)
	ErrCredentials = errs.Credentials // 500 internal: the secret cannot be had or is not usable (CheckAccessToken)
)

// Credentials is the HubSpot secret, with the JSON key access_token.
// *secrets.Secret implements it.
type Credentials = upstream.Credentials

// Response is the 200 body Mint returns for the app.
type Response struct {
	Token string `json:"token"`
	// ExpiresAt is when HubSpot stops accepting Token, in Unix seconds: the
	// time it was asked for, plus TokenLifetime, rounded down.
	ExpiresAt int64 `json:"expires_at"`
}

// Minter obtains visitor identification tokens for verified identities,
// and keeps each for reuse (see cache). It is safe for concurrent use.
type Minter struct {
	api   *upstream.Endpoint[string]
	cache *cache
	now   func() time.Time
}

// New returns a Minter for HubSpot's API at baseURL, which must be an
// https:// URL; http:// is accepted only for a loopback host (localhost,
// 127.0.0.0/8, ::1), for local use and tests. The error text never repeats
// baseURL. timeout is HUBSPOT_TIMEOUT, from upstream.MinTimeout to
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
	return newMinter(base, timeout, creds, logger, upstream.NewClient(nil), nil), nil
}

// newMinter builds a Minter for an already checked base URL, on client; a
// nil now means time.Now.
func newMinter(base *url.URL, timeout time.Duration, creds Credentials, logger *slog.Logger, client *upstream.Client, now func() time.Time) *Minter {
	if creds == nil {
		panic("hubspot: nil Credentials")
	}
	if logger == nil {
		logger = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Minter{
		api: &upstream.Endpoint[string]{
			Name:        "hubspot",
			What:        "visitor token",
			URL:         base.JoinPath(Path).String(),
			Timeout:     timeout,
			Credentials: creds,
			Authorize:   authorization,
			Decode:      upstream.StringField("token"),
			Reason:      category,
			Errors:      errs,
			Client:      client,
			Logger:      logger,
		},
		cache: newCache(CacheSize, CacheTTL),
		now:   now,
	}
}

// categoryField reads HubSpot's error category.
var categoryField = upstream.CodeField("category")

// category returns HubSpot's error category from an error body (such as
// {"status": "error", "message": "...", "correlationId": "...",
// "category": "INVALID_AUTHENTICATION"}), for the log: upper-case words
// joined by underscores, as HubSpot's categories are. Anything else is
// dropped, so an answer cannot put other data in the log through it.
func category(body []byte) string {
	c := categoryField(body)
	for _, r := range c {
		if (r < 'A' || r > 'Z') && r != '_' {
			return ""
		}
	}
	return c
}

// request is the body of HubSpot's call.
type request struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// Mint returns a visitor identification token for id's verified email, and
// its first and last name when the session has one (see SplitName): one
// it obtained for exactly these within CacheTTL, or a new one from HubSpot.
// It returns ErrNoEmail, without calling HubSpot, when id has no email.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	if id.Email == "" {
		return nil, ErrNoEmail
	}
	first, last := SplitName(id.Name)
	req := request{Email: id.Email, FirstName: first, LastName: last}
	if token, issued, ok := m.cache.get(req, m.now()); ok {
		return response(token, issued), nil
	}
	// Marshalling strings cannot fail; it escapes what JSON needs escaped.
	body, _ := json.Marshal(req)
	// HubSpot issues the token after it is asked for: its 12 hours end no
	// sooner than 12 hours from now.
	issued := m.now()
	token, err := m.api.Call(ctx, body)
	if err != nil {
		return nil, err
	}
	m.cache.put(req, token, issued)
	return response(token, issued), nil
}

func response(token string, issued time.Time) Response {
	return Response{Token: token, ExpiresAt: issued.Add(TokenLifetime).Unix()}
}

// SplitName splits the session's name into HubSpot's firstName and
// lastName: the first word, and the words after it, joined by single
// spaces ("Mary Ann van Dyke" gives "Mary" and "Ann van Dyke"). A name of
// one word is a first name alone; an empty or blank name gives neither,
// and HubSpot is then sent the email alone. Words are separated by any
// white space.
func SplitName(name string) (first, last string) {
	words := strings.Fields(name)
	if len(words) == 0 {
		return "", ""
	}
	return words[0], strings.Join(words[1:], " ")
}

// CheckAccessToken reports whether v holds a usable HubSpot access token:
// access_token of at least MinAccessTokenLen characters, all printable
// ASCII without spaces (an HTTP header value). It is the secret's
// secrets.Spec.Check, so a rotated value is held to it before it is used.
// Errors name the JSON key, never its value.
func CheckAccessToken(v secrets.Values) error {
	t := v["access_token"]
	switch {
	case len(t) == 0:
		return fmt.Errorf("%w: JSON key access_token is missing or empty", ErrCredentials)
	case len(t) < MinAccessTokenLen:
		return fmt.Errorf("%w: JSON key access_token is shorter than %d characters", ErrCredentials, MinAccessTokenLen)
	}
	for _, c := range t {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: JSON key access_token holds a space or a character that is not printable ASCII", ErrCredentials)
		}
	}
	return nil
}

// authorization builds the header from the secret's JSON key.
func authorization(v secrets.Values) (string, error) {
	if err := CheckAccessToken(v); err != nil {
		return "", err
	}
	return "Bearer " + string(v["access_token"]), nil
}
