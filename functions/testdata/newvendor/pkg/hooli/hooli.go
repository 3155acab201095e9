package hooli

import (
	"context"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// Response is the 200 body of POST /hooli/token.
type Response struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"`
}

// Minter mints an Hooli token for a verified session identity.
type Minter struct {
	Key func(context.Context) ([]byte, error)
	TTL time.Duration
	Now func() time.Time // nil means time.Now
}

// Mint returns a Response holding a token for id.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.Key(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	iat := now().Truncate(time.Second)
	exp := iat.Add(m.TTL)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject:   id.UserID,
		IssuedAt:  jwt.NewNumericDate(iat),
		ExpiresAt: jwt.NewNumericDate(exp),
	}).SignedString(key)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: exp.Unix()}, nil
}
