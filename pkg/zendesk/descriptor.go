package zendesk

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Zendesk messaging token function, POST /zendesk/token.
// Its secret (ZENDESK_SECRET_ID) holds the signing key's "key_id" and
// "secret"; its one setting is ZENDESK_TOKEN_TTL (10m by default, 1m to 1h,
// whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "zendesk",
	LogicalID: "ZendeskFunction",
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/zendesk/token"}},
	Secret:    secrets.Spec{Setting: "ZENDESK_SECRET_ID", Keys: []string{"key_id", "secret"}},
	Dev: map[string]string{
		"ZENDESK_SECRET_JSON": `{"key_id":"dev-only-zendesk-key-id","secret":"dev-only-zendesk-signing-secret-not-for-production"}`,
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.WholeSeconds("ZENDESK_TOKEN_TTL", DefaultTTL, time.Minute, time.Hour)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Secret: s.Values, TTL: ttl, Now: d.Now}
	}}
}
