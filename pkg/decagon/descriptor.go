package decagon

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Decagon token function, POST /decagon/token. Its
// secret (DECAGON_SECRET_ID) holds "private_key"; its one setting is
// DECAGON_TOKEN_TTL (24h by default, 1m to 24h, whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "decagon",
	LogicalID: "DecagonFunction",
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/decagon/token"}},
	Secret:    secrets.Spec{Setting: "DECAGON_SECRET_ID", Keys: []string{"private_key"}},
	Dev: map[string]string{
		"DECAGON_SECRET_JSON": `{"private_key":"dev-only-decagon-private-key-not-for-production"}`,
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.WholeSeconds("DECAGON_TOKEN_TTL", 24*time.Hour, time.Minute, 24*time.Hour)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("private_key"), TTL: ttl, Now: d.Now}
	}}
}
