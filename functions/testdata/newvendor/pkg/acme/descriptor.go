package acme

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Acme token function, POST /acme/token.
var Descriptor = descriptor.Vendor{
	Name:      "acme",
	LogicalID: "AcmeFunction",
	Title:     "Acme Chat",
	Summary:   "an Acme Chat JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs:      []string{"https://acme.example.com/docs/identity"},
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/acme/token"}},
	Secret: secrets.Spec{
		Setting:     "ACME_SECRET_ID",
		Keys:        []string{"signing_key"},
		Description: "the signing key from Acme's console",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "ACME_TOKEN_TTL",
	Description:  "Lifetime of an Acme Chat JWT (exp).",
	Default:      "1h",
	Min:          time.Minute,
	Max:          24 * time.Hour,
	WholeSeconds: true,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("signing_key"), TTL: ttl, Now: d.Now}
	}}
}
