package intercom

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// DefaultTTL is how long a token is valid unless INTERCOM_TOKEN_TTL says
// otherwise.
const DefaultTTL = time.Hour

// Platforms are the values of the platform query parameter, and the JSON
// keys of the secret that hold each platform's Messenger API secret.
var Platforms = []string{"web", "ios", "android"}

// DefaultPlatform is the platform of a request without the platform
// parameter. A parameter that is present but empty (?platform= or
// ?platform) is not absent: it is refused with ErrBadPlatform.
const DefaultPlatform = "web"

// Errors returned by Sign, Mint and the secret's check.
var (
	ErrEmptyKey  = errors.New("intercom: the Messenger API secret is empty")
	ErrNoSecrets = errors.New(`holds none of the JSON keys "web", "ios", "android"`)
	// ErrBadPlatform: the platform parameter is present and not one of
	// Platforms, the empty value included.
	ErrBadPlatform = apierror.New(apierror.BadRequest, "the platform parameter must be web, ios or android")
	// ErrPlatformNotConfigured: the secret holds no key for the platform.
	ErrPlatformNotConfigured = apierror.New(apierror.BadRequest, "Messenger security is not configured for this platform")
)

func checkPlatforms(v secrets.Values) error {
	for _, p := range Platforms {
		if _, ok := v[p]; ok {
			return nil
		}
	}
	return ErrNoSecrets
}

// claims is the token payload: user_id, email when verified, and exp.
type claims struct {
	UserID string `json:"user_id"`
	Email  string `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// Sign returns the HS256 JWT, header {"alg":"HS256","typ":"JWT"}, that
// identifies user to the Intercom Messenger, and its expiry: now plus ttl,
// in whole seconds. It returns ErrEmptyKey for an empty key. user's UserID
// is never empty: the session verifier refuses a session without one.
func Sign(key []byte, user identity.Identity, now time.Time, ttl time.Duration) (token string, exp time.Time, err error) {
	if len(key) == 0 {
		return "", time.Time{}, ErrEmptyKey
	}
	exp = now.Truncate(time.Second).Add(ttl)
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		UserID:           user.UserID,
		Email:            user.Email, // set only when the session verified it
		RegisteredClaims: jwt.RegisteredClaims{ExpiresAt: jwt.NewNumericDate(exp)},
	}).SignedString(key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("intercom: sign: %w", err)
	}
	return token, exp, nil
}

// Response is the 200 body of POST /intercom/token.
type Response struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"` // exp, Unix seconds
}

// Minter mints an Intercom Messenger token for a verified session identity,
// signed with the secret of the platform the request names.
type Minter struct {
	// Secret returns the current secret; an error from it is internal.
	Secret func(context.Context) (secrets.Values, error)
	// TTL is how long a token is valid; a whole number of seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now, signed with
// the secret of the request's platform parameter (httpapi.Query), or of
// DefaultPlatform when the parameter is absent. It returns ErrBadPlatform
// (400) for a parameter that is present but not one of Platforms, empty
// included, and ErrPlatformNotConfigured (400) for a platform the secret
// holds no key for.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	platform, given := httpapi.Query(ctx)["platform"]
	if !given { // only when absent: an empty value is refused below
		platform = DefaultPlatform
	}
	if !slices.Contains(Platforms, platform) {
		return nil, ErrBadPlatform
	}
	values, err := m.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("intercom: signing key: %w", err)
	}
	key, ok := values[platform]
	if !ok {
		return nil, ErrPlatformNotConfigured
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	token, exp, err := Sign(key, id, now(), m.TTL)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: exp.Unix()}, nil
}
