package hooli

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Hooli token function, POST /hooli/token.
var Descriptor = descriptor.Vendor{
	Name:      "hooli",
	LogicalID: "HooliFunction",
	Title:     "Hooli Chat",
	Summary:   "an Hooli Chat JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs:      []string{"https://hooli.example.com/docs/identity"},
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/hooli/token"}},
	Secret: secrets.Spec{
		Setting:     "HOOLI_SECRET_ID",
		Keys:        []string{"signing_key"},
		MinLen:      map[string]int{"signing_key": secrets.MinKeyLen},
		Description: "the signing key from Hooli's console",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "HOOLI_TOKEN_TTL",
	Description:  "Lifetime of an Hooli Chat JWT (exp).",
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
