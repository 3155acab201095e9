package salesforce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Algorithm is the tokens' signature algorithm. Salesforce accepts RS256
// and RS512; RS256 is the one every Salesforce guide shows.
const Algorithm = "RS256"

// DefaultTTL is how long a token is valid unless SALESFORCE_TOKEN_TTL says
// otherwise.
const DefaultTTL = time.Hour

// Errors returned by Sign.
var (
	ErrNoIssuer   = errors.New("salesforce: the issuer must not be empty")
	ErrNoLifetime = errors.New("salesforce: the token lifetime must be positive")
	ErrNoUser     = errors.New("salesforce: the user id must not be empty")
)

// claims is the token payload: iss, sub, exp and iat, in that order.
type claims struct {
	jwt.RegisteredClaims
}

// Sign returns the RS256 JWT that identifies user to Salesforce's user
// verification, signed with the keyset's signing key, and its expiry. Its
// header is {"alg":"RS256","kid":"<the signing kid>","typ":"JWT"}; its
// claims are exactly iss (issuer, the keyset's issuer in Salesforce
// Setup), sub (the user id), iat (now, in whole seconds) and exp (iat +
// ttl).
func (s *Keyset) Sign(issuer string, user identity.Identity, now time.Time, ttl time.Duration) (token string, exp time.Time, err error) {
	switch {
	case issuer == "":
		return "", time.Time{}, ErrNoIssuer
	case user.UserID == "":
		return "", time.Time{}, ErrNoUser
	case ttl <= 0:
		return "", time.Time{}, ErrNoLifetime
	}
	iat := now.Truncate(time.Second)
	exp = iat.Add(ttl)
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{jwt.RegisteredClaims{
		Issuer:    issuer,
		Subject:   user.UserID,
		ExpiresAt: jwt.NewNumericDate(exp),
		IssuedAt:  jwt.NewNumericDate(iat),
	}})
	t.Header["kid"] = s.signing.Kid
	token, err = t.SignedString(s.signing.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("salesforce: sign: %w", err)
	}
	return token, exp, nil
}

// Response is the 200 body of POST /salesforce/token.
type Response struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"` // exp, Unix seconds
}

// Minter mints a user verification token for a verified session identity.
type Minter struct {
	// Keys returns the current keyset; an error from it is internal.
	Keys func(context.Context) (*Keyset, error)
	// Issuer is every token's iss.
	Issuer string
	// TTL is how long a token is valid; a whole number of seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now, signed with
// the current signing key.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	keys, err := m.Keys(ctx)
	if err != nil {
		return nil, fmt.Errorf("salesforce: keys: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	token, exp, err := keys.Sign(m.Issuer, id, now(), m.TTL)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, ExpiresAt: exp.Unix()}, nil
}

// Publisher answers GET /salesforce/jwks.json: the JWK set of every key of
// the current secret.
type Publisher struct {
	// Keys returns the current keyset; an error from it is internal.
	Keys func(context.Context) (*Keyset, error)
}

// Publish returns the current JWKS.
func (p *Publisher) Publish(ctx context.Context) (any, error) {
	keys, err := p.Keys(ctx)
	if err != nil {
		return nil, fmt.Errorf("salesforce: keys: %w", err)
	}
	return keys.JWKS(), nil
}

// Keyring gives the keyset of a secret's current value, read anew only
// when the value has changed (a rotation): parsing the keys and making
// their certificates is done once per value, not per request. It is safe
// for concurrent use.
type Keyring struct {
	values func(context.Context) (secrets.Values, error)
	cur    atomic.Pointer[ringEntry]
}

type ringEntry struct {
	values secrets.Values
	keys   *Keyset
}

// NewKeyring returns the Keyring of secret's current value.
func NewKeyring(secret *secrets.Secret) *Keyring {
	return &Keyring{values: secret.Values}
}

// Keys returns the keyset of the secret's current value; an error is the
// secret's (such as secrets.ErrRevoked).
func (r *Keyring) Keys(ctx context.Context) (*Keyset, error) {
	v, err := r.values(ctx)
	if err != nil {
		return nil, err
	}
	if e := r.cur.Load(); e != nil && sameValues(e.values, v) {
		return e.keys, nil
	}
	keys, err := NewKeyset(v) // the secret's Check passed, so only a failing certificate can fail it
	if err != nil {
		return nil, err
	}
	r.cur.Store(&ringEntry{values: v, keys: keys})
	return keys, nil
}

// sameValues reports whether a and b hold the same keys and values.
func sameValues(a, b secrets.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		if vb, ok := b[k]; !ok || !bytes.Equal(va, vb) {
			return false
		}
	}
	return true
}
