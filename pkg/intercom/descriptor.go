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
	Title:     "Intercom Messenger",
	Summary:   "an Intercom Messenger JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs: []string{
		"https://developers.intercom.com/installing-intercom/web/identity-verification",
		"https://developers.intercom.com/installing-intercom/ios/identity-verification",
		"https://www.intercom.com/help/en/articles/10589769-authenticating-users-in-the-messenger-with-json-web-tokens-jwts",
	},
	Routes: []descriptor.Route{{Method: http.MethodPost, Path: "/intercom/token", Query: "platform=web|ios|android"}},
	Secret: secrets.Spec{
		Setting:     "INTERCOM_SECRET_ID",
		Optional:    Platforms,
		MinLen:      map[string]int{"web": secrets.MinKeyLen, "ios": secrets.MinKeyLen, "android": secrets.MinKeyLen},
		Check:       checkPlatforms,
		Description: "the Messenger API secret of each platform, from the workspace's Messenger security settings",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "INTERCOM_TOKEN_TTL",
	Description:  "Lifetime of an Intercom Messenger JWT (exp).",
	Default:      config.FormatDuration(DefaultTTL),
	Min:          time.Minute,
	Max:          24 * time.Hour,
	WholeSeconds: true,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Secret: s.Values, TTL: ttl, Now: d.Now}
	}}
}
