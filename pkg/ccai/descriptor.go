package ccai

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the CCAI token function, GET (or POST) /ccai/token. Its
// secret (CCAI_SECRET_ID) holds "company_secret"; its settings are
// CCAI_COMPANY_NAME (required, the token's iss) and CCAI_TOKEN_TTL (1h by
// default, 1m to 24h, whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "ccai",
	LogicalID: "CcaiFunction",
	Title:     "CCAI Platform",
	Summary:   "a CCAI Platform JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs:      []string{"Google CCAI Platform developer guide: Authenticate (the token endpoint and the company secret)"},
	Routes: []descriptor.Route{
		{Method: http.MethodGet, Path: "/ccai/token"},
		{Method: http.MethodPost, Path: "/ccai/token"},
	},
	Secret: secrets.Spec{
		Setting:     "CCAI_SECRET_ID",
		Keys:        []string{"company_secret"},
		MinLen:      map[string]int{"company_secret": secrets.MinKeyLen},
		Description: "the company secret: CCAI Platform portal, Settings > Developer Settings",
	},
	Settings:  []config.Setting{companyName, tokenTTL},
	Configure: configure,
}

var (
	companyName = config.Setting{
		Name:        "CCAI_COMPANY_NAME",
		Description: "The CCAI Platform company name, the token's iss.",
		Required:    true,
		Example:     "example-company",
	}
	tokenTTL = config.Setting{
		Name:         "CCAI_TOKEN_TTL",
		Description:  "Lifetime of a CCAI token (exp - iat).",
		Default:      "1h",
		Min:          time.Minute,
		Max:          24 * time.Hour,
		WholeSeconds: true,
	}
)

func configure(env *config.Env) descriptor.Setup {
	company := env.Text(companyName)
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("company_secret"), Company: company, TTL: ttl, Now: d.Now}
	}}
}
