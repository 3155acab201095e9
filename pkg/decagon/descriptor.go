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
	Title:     "Decagon",
	Summary:   "a Decagon user id, epoch and signature for the session's user",
	Response:  `{"user_id": "...", "epoch": 1700000000, "signature": "...", "expires_at": 1700000000}`,
	Docs:      []string{"Decagon: Generating an authentication token (HMAC-SHA256 over user_id + str(epoch), setUserIdAuth, X-DECAGON-AUTH-* headers)"},
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/decagon/token"}},
	Secret: secrets.Spec{
		Setting:     "DECAGON_SECRET_ID",
		Keys:        []string{"private_key"},
		MinLen:      map[string]int{"private_key": secrets.MinKeyLen},
		Description: "the private key Decagon gives you",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "DECAGON_TOKEN_TTL",
	Description:  "How far ahead the Decagon epoch lies: the signature's lifetime.",
	Default:      "24h",
	Min:          time.Minute,
	Max:          24 * time.Hour,
	WholeSeconds: true,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("private_key"), TTL: ttl, Now: d.Now}
	}}
}
