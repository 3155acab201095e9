package intercom

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Intercom Messenger token function, POST
// /intercom/token[?platform=web|ios|android]. Its secret
// (INTERCOM_SECRET_ID) holds the Messenger API secret of at least one
// platform, under "web", "ios" or "android"; its one setting is
// INTERCOM_TOKEN_TTL (1h by default, 1m to 24h, whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "intercom",
	LogicalID: "IntercomFunction",
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/intercom/token"}},
	Secret:    secrets.Spec{Setting: "INTERCOM_SECRET_ID", Check: checkPlatforms},
	Dev: map[string]string{
		"INTERCOM_SECRET_JSON": `{"web":"dev-only-intercom-web-secret-not-for-production","ios":"dev-only-intercom-ios-secret-not-for-production","android":"dev-only-intercom-android-secret-not-for-production"}`,
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.WholeSeconds("INTERCOM_TOKEN_TTL", DefaultTTL, time.Minute, 24*time.Hour)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Secret: s.Values, TTL: ttl, Now: d.Now}
	}}
}
