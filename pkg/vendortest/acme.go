package vendortest

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// AcmeTTL is Acme's one setting: how long its token lives.
var AcmeTTL = config.Setting{
	Name:         "ACME_TOKEN_TTL",
	Description:  "How long an Acme token is valid after it is issued.",
	Default:      "10m",
	Min:          time.Minute,
	Max:          time.Hour,
	WholeSeconds: true,
}

// Acme is a made-up vendor, so that the tests of the shared packages
// (function, localapi, ...) build a whole function without naming a real
// one. Its route is POST /acme/token; its secret, named by ACME_SECRET_ID,
// holds one key, "secret", of at least secrets.MinKeyLen bytes; its one
// setting is ACME_TOKEN_TTL (AcmeTTL). It answers {"token", "expires_at"}:
// an HS256 JWT, header {"alg":"HS256","typ":"JWT"}, signed with the secret,
// whose claims are sub (the session's user id), email (only when the
// session's email is verified), iat and exp (iat plus the TTL), with
// expires_at equal to exp.
var Acme = descriptor.Vendor{
	Name:      "acme",
	LogicalID: "AcmeFunction",
	Title:     "Acme Chat",
	Summary:   "an Acme Chat JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/acme/token"}},
	Secret: secrets.Spec{
		Setting:     "ACME_SECRET_ID",
		Keys:        []string{"secret"},
		MinLen:      map[string]int{"secret": secrets.MinKeyLen},
		Description: "the key Acme tokens are signed with",
	},
	Settings: []config.Setting{AcmeTTL},
	Configure: func(env *config.Env) descriptor.Setup {
		ttl := env.Period(AcmeTTL)
		return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			return &acmeMinter{key: s.KeyFunc("secret"), ttl: ttl, now: d.Now}
		}}
	},
}

// AcmeHS256 describes Acme's answer, for HS256.Check and HS256.Mint.
var AcmeHS256 = HS256{Vendor: Acme, Header: `{"alg":"HS256","typ":"JWT"}`, Key: "secret", ExpiresAt: "exp"}

// acmeMinter mints Acme's tokens.
type acmeMinter struct {
	key func(context.Context) ([]byte, error)
	ttl time.Duration
	now func() time.Time // nil means time.Now
}

// acmeClaims are an Acme token's claims.
type acmeClaims struct {
	Email string `json:"email,omitempty"`
	jwt.RegisteredClaims
}

// acmeResponse is Acme's 200 body.
type acmeResponse struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"`
}

func (m *acmeMinter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.key(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if m.now != nil {
		now = m.now
	}
	iat := now().Truncate(time.Second)
	exp := iat.Add(m.ttl)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, acmeClaims{
		Email: id.Email,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   id.UserID,
			IssuedAt:  jwt.NewNumericDate(iat),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}).SignedString(key)
	if err != nil {
		return nil, fmt.Errorf("acme: sign: %w", err)
	}
	return acmeResponse{Token: token, ExpiresAt: exp.Unix()}, nil
}
