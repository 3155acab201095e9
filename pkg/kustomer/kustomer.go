package kustomer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// IdentifyBy names the claim that identifies the customer to Kustomer.
type IdentifyBy string

// The ways to identify a customer (the values of KUSTOMER_IDENTIFY_BY).
const (
	ByExternalID IdentifyBy = "external_id" // claim externalId = the session's user id
	ByEmail      IdentifyBy = "email"       // claim email = the session's verified email
)

// Errors returned by Sign and Mint.
var (
	// ErrNoEmail: email mode, and the session carries no email that it says
	// is verified (identity.Identity.Email is empty).
	ErrNoEmail  = apierror.New(apierror.Forbidden, "a verified email address is required, and the session has none")
	ErrEmptyKey = errors.New("kustomer: the signing key is empty")
)

// claims is the token payload: one of externalId or email, and iat.
type claims struct {
	ExternalID string `json:"externalId,omitempty"`
	Email      string `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// Sign returns the HS256 JWT that identifies user to Kustomer by by (its
// user id as externalId, or its email as email; never both), issued at iat
// (whole seconds). It returns ErrNoEmail when by is ByEmail and user has no
// (verified) email, and ErrEmptyKey for an empty key.
func Sign(key []byte, by IdentifyBy, user identity.Identity, iat time.Time) (string, error) {
	if len(key) == 0 {
		return "", ErrEmptyKey
	}
	c := claims{RegisteredClaims: jwt.RegisteredClaims{IssuedAt: jwt.NewNumericDate(iat)}}
	switch by {
	case ByExternalID:
		c.ExternalID = user.UserID
	case ByEmail:
		if user.Email == "" {
			return "", ErrNoEmail
		}
		c.Email = user.Email
	default:
		return "", fmt.Errorf("kustomer: unknown IdentifyBy %q", by)
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("kustomer: sign: %w", err)
	}
	return token, nil
}

// Response is the 200 body of POST /kustomer/token.
type Response struct {
	Token string `json:"token"`
	// ExpiresAt is when Kustomer stops accepting the token, in Unix
	// seconds: its iat plus AcceptWindow.
	ExpiresAt int64 `json:"expires_at"`
}

// AcceptWindow is how long after its iat Kustomer accepts a token (Kustomer
// Chat SDK documentation, "Log in as a specific user": "The
// iat for a token must be within 15 minutes or the token will be
// invalid").
const AcceptWindow = 15 * time.Minute

// Minter mints a Kustomer token for a verified session identity.
type Minter struct {
	// Key returns the current chat secret; an error from it is internal.
	Key        func(context.Context) ([]byte, error)
	IdentifyBy IdentifyBy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("kustomer: signing key: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	iat := now().Truncate(time.Second) // the claim's precision
	token, err := Sign(key, m.IdentifyBy, id, iat)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: iat.Add(AcceptWindow).Unix()}, nil
}
