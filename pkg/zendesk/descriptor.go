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
	Title:     "Zendesk Messaging",
	Summary:   "a Zendesk messaging JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs: []string{
		"https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/enabling_auth_visitors",
		"https://developer.zendesk.com/api-reference/widget-messaging/web/authentication/",
		"https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/ios/authentication",
		"https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/android/authentication",
		"https://support.zendesk.com/hc/en-us/articles/4411666638746",
	},
	Routes: []descriptor.Route{{Method: http.MethodPost, Path: "/zendesk/token"}},
	Secret: secrets.Spec{
		Setting:     "ZENDESK_SECRET_ID",
		Keys:        []string{"key_id", "secret"},
		MinLen:      map[string]int{"secret": secrets.MinKeyLen},
		Description: "a messaging signing key's id and shared secret: Admin Center > Account > Security > End user authentication > Messaging",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "ZENDESK_TOKEN_TTL",
	Description:  "Lifetime of a Zendesk messaging JWT (exp).",
	Default:      config.FormatDuration(DefaultTTL),
	Min:          time.Minute,
	Max:          time.Hour,
	WholeSeconds: true,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Secret: s.Values, TTL: ttl, Now: d.Now}
	}}
}
