package localapi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

// DefaultSessionTTL is how long a dev session token is valid, unless asked
// otherwise.
const DefaultSessionTTL = time.Hour

// DevIdentity is the user of the session token that Run prints.
var DevIdentity = identity.Identity{UserID: "dev-user-1", Email: "dev-user-1@example.com", Name: "Dev User"}

// ErrNoDevSession: the settings do not let DevSession sign a token.
var ErrNoDevSession = errors.New("cannot sign a dev session")

// DevSession returns an HS256 session token for id that the settings
// (getenv, such as Getenv's) accept: signed with the signing_key of
// SESSION_SECRET_JSON, with their SESSION_ISSUER, first SESSION_AUDIENCE
// and identity claim names, issued at now and expiring ttl later. It needs
// SESSION_MODE hs256 and the key in SESSION_SECRET_JSON. An email is said
// to be verified.
func DevSession(getenv func(string) string, id identity.Identity, now time.Time, ttl time.Duration) (string, error) {
	setting := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	if mode := setting("SESSION_MODE", ""); mode != function.ModeHS256 {
		return "", fmt.Errorf("%w: SESSION_MODE is %q; dev sessions exist in hs256 mode only", ErrNoDevSession, mode)
	}
	override := function.SessionSecret.OverrideSetting()
	raw := setting(override, "")
	if raw == "" {
		return "", fmt.Errorf("%w: the signing key must be given in %s (it is read from Secrets Manager)", ErrNoDevSession, override)
	}
	// Read as the functions read it, so that they accept what it signs.
	secret, err := secrets.Parse(override, function.LocalSessionSecret, []byte(raw))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoDevSession, err)
	}
	key := secret["signing_key"]
	issuer, audience := setting("SESSION_ISSUER", ""), strings.TrimSpace(strings.Split(setting("SESSION_AUDIENCE", ""), ",")[0])
	switch {
	case issuer == "":
		return "", fmt.Errorf("%w: SESSION_ISSUER is not set", ErrNoDevSession)
	case audience == "":
		return "", fmt.Errorf("%w: SESSION_AUDIENCE is not set", ErrNoDevSession)
	case id.UserID == "":
		return "", fmt.Errorf("%w: no user id", ErrNoDevSession)
	case ttl <= 0:
		return "", fmt.Errorf("%w: the lifetime must be positive", ErrNoDevSession)
	}

	claims := jwt.MapClaims{
		"iss": issuer,
		"aud": audience,
		"iat": now.Unix(),
		"exp": now.Add(ttl).Unix(),
		setting("SESSION_USER_ID_CLAIM", session.DefaultClaimNames.UserID): id.UserID,
	}
	if id.Email != "" { // a dev address, said to be verified so that it counts
		claims[setting("SESSION_EMAIL_CLAIM", session.DefaultClaimNames.Email)] = id.Email
		claims[setting("SESSION_EMAIL_VERIFIED_CLAIM", session.DefaultClaimNames.EmailVerified)] = true
	}
	if id.Name != "" {
		claims[setting("SESSION_NAME_CLAIM", session.DefaultClaimNames.Name)] = id.Name
	}
	if scope := setting("SESSION_REQUIRED_SCOPE", ""); scope != "" {
		claims["scope"] = scope
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}
