package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// DefaultTTL is how long a token is valid unless STREAM_TOKEN_TTL says
// otherwise.
const DefaultTTL = time.Hour

// IssuedAtSkew is how far before the moment of signing iat is put, in
// whole seconds: Stream refuses a token whose iat is later than its own
// clock ("token used before issue at (iat)"), and its server SDKs set iat
// a few seconds early for that reason.
const IssuedAtSkew = 5 * time.Second

// MinKeyLen is the shortest API secret Sign and the secret's check
// accept, in bytes: the 256 bits RFC 7518 (section 3.2) asks of an HS256
// key. Stream issues 64-character secrets; the 12-character API key,
// pasted in the secret's place, is refused.
const MinKeyLen = 32

// MaxUserIDLen is the longest user id Stream accepts.
const MaxUserIDLen = 255

// SecretKey is the JSON key of the secret (STREAM_SECRET_ID) that holds
// the app's API secret.
const SecretKey = "api_secret"

// Errors returned by Sign, Mint and the secret's check.
var (
	ErrKeyTooShort = fmt.Errorf("stream: the API secret is shorter than %d bytes", MinKeyLen)
	ErrNoLifetime  = errors.New("stream: the token lifetime must be positive")
	// ErrUserID: the session's user id is not one Stream accepts, so a
	// token for it could never connect.
	ErrUserID = apierror.New(apierror.Forbidden,
		"the session's user id is not a valid Stream user id: Stream allows 1 to 255 characters, each a letter (a-z, A-Z), a digit, @, _ or -")
)

func checkSecret(v secrets.Values) error {
	if err := checkKey(v[SecretKey]); err != nil {
		return fmt.Errorf("JSON key %s: %w", SecretKey, err)
	}
	return nil
}

func checkKey(key []byte) error {
	if len(key) < MinKeyLen {
		return ErrKeyTooShort
	}
	return nil
}

// CheckUserID returns ErrUserID (403 forbidden) unless id is a user id
// Stream accepts: 1 to MaxUserIDLen characters, each an ASCII letter, a
// digit, '@', '_' or '-'. It never changes an id: mapping the characters
// Stream refuses onto ones it takes could make two users one.
func CheckUserID(id string) error {
	if id == "" || len(id) > MaxUserIDLen {
		return ErrUserID
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '@', c == '_', c == '-':
		default:
			return ErrUserID
		}
	}
	return nil
}

// claims is the token payload: user_id, then exp and iat.
type claims struct {
	UserID string `json:"user_id"`
	jwt.RegisteredClaims
}

// Sign returns the HS256 JWT, header {"alg":"HS256","typ":"JWT"}, that
// authenticates user to Stream Chat, signed with the app's API secret key,
// and its expiry. iat is now, in whole seconds, less IssuedAtSkew; exp is
// iat plus ttl. It returns ErrUserID for a user id Stream would refuse,
// ErrKeyTooShort for a key shorter than MinKeyLen and ErrNoLifetime for a
// ttl that is not positive.
func Sign(key []byte, user identity.Identity, now time.Time, ttl time.Duration) (token string, exp time.Time, err error) {
	switch {
	case CheckUserID(user.UserID) != nil:
		return "", time.Time{}, ErrUserID
	case checkKey(key) != nil:
		return "", time.Time{}, ErrKeyTooShort
	case ttl <= 0:
		return "", time.Time{}, ErrNoLifetime
	}
	iat := now.Truncate(time.Second).Add(-IssuedAtSkew)
	exp = iat.Add(ttl)
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		UserID: user.UserID,
		RegisteredClaims: jwt.RegisteredClaims{
			ExpiresAt: jwt.NewNumericDate(exp),
			IssuedAt:  jwt.NewNumericDate(iat),
		},
	}).SignedString(key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("stream: sign: %w", err)
	}
	return token, exp, nil
}

// Response is the 200 body of POST /stream/token.
type Response struct {
	Token string `json:"token"`
	// UserID is the token's user_id, the session's user id: the app
	// passes it to connectUser, which Stream refuses for any other id.
	UserID    string `json:"user_id"`
	ExpiresAt int64  `json:"expires_at"` // exp, Unix seconds
}

// Minter mints a Stream Chat user token for a verified session identity.
type Minter struct {
	// Key returns the current API secret; an error from it is internal.
	Key func(context.Context) ([]byte, error)
	// TTL is how long a token is valid; a whole number of seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response holding a token for id, issued now. It returns
// ErrUserID (403 forbidden) for a user id Stream would refuse, before the
// secret is read.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	if err := CheckUserID(id.UserID); err != nil {
		return nil, err
	}
	key, err := m.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream: API secret: %w", err)
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	token, exp, err := Sign(key, id, now(), m.TTL)
	if err != nil {
		return nil, err
	}
	return Response{Token: token, UserID: id.UserID, ExpiresAt: exp.Unix()}, nil
}
