package ccai

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// Errors returned by Sign and Mint.
var (
	ErrEmptyKey  = errors.New("ccai: the signing key is empty")
	ErrNoCompany = errors.New("ccai: the company name is empty")
)

// claims is the token payload: iss, iat and exp, then the user.
type claims struct {
	jwt.RegisteredClaims
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

// Sign returns the HS256 JWT, with the header {"alg":"HS256"}, that
// identifies user to CCAI Platform for company, issued at iat and expiring
// ttl later (both in whole seconds). It returns ErrEmptyKey for an empty
// key and ErrNoCompany for an empty company.
func Sign(key []byte, company string, user identity.Identity, iat time.Time, ttl time.Duration) (string, error) {
	switch {
	case len(key) == 0:
		return "", ErrEmptyKey
	case company == "":
		return "", ErrNoCompany
	}
	iat = iat.Truncate(time.Second)
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    company,
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(iat.Add(ttl)),
		},
		Identifier: user.UserID,
		Name:       user.Name,
		Email:      user.Email,
	})
	delete(token.Header, "typ") // the vendor's header is {"alg":"HS256"}
	signed, err := token.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("ccai: sign: %w", err)
	}
	return signed, nil
}

// Response is the 200 body of GET or POST /ccai/token.
type Response struct {
	Token string `json:"token"`
	// ExpiresAt is the token's exp claim, in Unix seconds.
	ExpiresAt int64 `json:"expires_at"`
}

// Minter mints a CCAI Platform token for a verified session identity.
type Minter struct {
	// Key returns the current company secret; an error from it is internal.
	Key func(context.Context) ([]byte, error)
	// Company is the company name, the iss claim.
	Company string
	// TTL is how long a token is valid (exp - iat); a whole number of seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("ccai: signing key: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	iat := now().Truncate(time.Second) // the claims' precision, as Sign uses it
	token, err := Sign(key, m.Company, id, iat, m.TTL)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: jwt.NewNumericDate(iat.Add(m.TTL)).Unix()}, nil
}
