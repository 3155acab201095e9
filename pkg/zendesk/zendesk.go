package zendesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// DefaultTTL is how long a token is valid unless ZENDESK_TOKEN_TTL says
// otherwise.
const DefaultTTL = 10 * time.Minute

// Errors returned by Sign and Mint.
var (
	ErrEmptyKey   = errors.New("zendesk: the signing key's secret is empty")
	ErrEmptyKeyID = errors.New("zendesk: the signing key's id is empty")
)

// Key is a messaging signing key from Zendesk Admin Center.
type Key struct {
	ID     string // the key id, sent as the header's kid
	Secret []byte // the shared secret
}

// claims is the token payload, in the documented names; of the registered
// claims only exp is set.
type claims struct {
	Scope         string `json:"scope"`
	ExternalID    string `json:"external_id"`
	Name          string `json:"name,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	jwt.RegisteredClaims
}

// Sign returns the HS256 JWT that authenticates user to Zendesk messaging,
// signed with key, and its expiry: now plus ttl, in whole seconds. The
// header is {"alg":"HS256","kid":key.ID,"typ":"JWT"}. It returns
// ErrEmptyKey or ErrEmptyKeyID when one of those is empty. user's UserID is
// never empty: the session verifier refuses a session without one.
func Sign(key Key, user identity.Identity, now time.Time, ttl time.Duration) (token string, exp time.Time, err error) {
	switch {
	case len(key.Secret) == 0:
		return "", time.Time{}, ErrEmptyKey
	case key.ID == "":
		return "", time.Time{}, ErrEmptyKeyID
	}
	exp = now.Truncate(time.Second).Add(ttl)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Scope:            "user",
		ExternalID:       user.UserID,
		Name:             user.Name,
		Email:            user.Email,
		EmailVerified:    user.Email != "", // set only when the session verified it
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)},
	})
	t.Header["kid"] = key.ID
	token, err = t.SignedString(key.Secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("zendesk: sign: %w", err)
	}
	return token, exp, nil
}

// Response is the 200 body of POST /zendesk/token.
type Response struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"` // exp, Unix seconds
}

// Minter mints a Zendesk messaging token for a verified session identity.
type Minter struct {
	// Secret returns the current secret, with "key_id" and "secret" read
	// together so a rotation never pairs one key's id with another's
	// secret; an error from it is internal.
	Secret func(context.Context) (secrets.Values, error)
	// TTL is how long a token is valid; a whole number of seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	values, err := m.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("zendesk: signing key: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	token, exp, err := Sign(Key{ID: string(values["key_id"]), Secret: values["secret"]}, id, now(), m.TTL)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: exp.Unix()}, nil
}
