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
	Routes: []descriptor.Route{
		{Method: http.MethodGet, Path: "/ccai/token"},
		{Method: http.MethodPost, Path: "/ccai/token"},
	},
	Secret: secrets.Spec{Setting: "CCAI_SECRET_ID", Keys: []string{"company_secret"}},
	Dev: map[string]string{
		"CCAI_SECRET_JSON":  `{"company_secret":"dev-only-ccai-company-secret-not-for-production"}`,
		"CCAI_COMPANY_NAME": "dev-only-company",
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	company := env.Required("CCAI_COMPANY_NAME")
	ttl := env.WholeSeconds("CCAI_TOKEN_TTL", time.Hour, time.Minute, 24*time.Hour)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("company_secret"), Company: company, TTL: ttl, Now: d.Now}
	}}
}
