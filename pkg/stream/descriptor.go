package stream

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Stream Chat token function, POST /stream/token. Its
// secret (STREAM_SECRET_ID) holds the app's API secret under "api_secret",
// at least MinKeyLen bytes; its one setting is STREAM_TOKEN_TTL (1h by
// default, 1m to 24h, whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "stream",
	LogicalID: "StreamFunction",
	Title:     "Stream Chat",
	Summary:   "a Stream Chat user token for the session's user, with the user id to connect with",
	Response:  `{"token": "<JWT>", "user_id": "<the session's user id>", "expires_at": <exp>}`,
	Docs: []string{
		"https://getstream.io/chat/docs/node/tokens_and_authentication/",
		"https://getstream.io/chat/docs/node/init_and_users/",
		"https://getstream.io/chat/docs/ios-swift/init_and_users/",
		"https://getstream.io/chat/docs/sdk/android/client/guides/handling-user-connection/",
		"https://getstream.github.io/stream-cli/imports.html",
	},
	Routes: []descriptor.Route{{Method: http.MethodPost, Path: "/stream/token"}},
	Secret: secrets.Spec{
		Setting:     "STREAM_SECRET_ID",
		Keys:        []string{SecretKey},
		Check:       checkSecret,
		Description: "the app's API secret (not its API key), at least " + strconv.Itoa(MinKeyLen) + " bytes: Stream Dashboard > the app > App Access Keys",
	},
	Settings:  []config.Setting{tokenTTL},
	Configure: configure,
}

var tokenTTL = config.Setting{
	Name:         "STREAM_TOKEN_TTL",
	Description:  "Lifetime of a Stream Chat user token (exp - iat).",
	Default:      config.FormatDuration(DefaultTTL),
	Min:          time.Minute,
	Max:          24 * time.Hour,
	WholeSeconds: true,
}

func configure(env *config.Env) descriptor.Setup {
	ttl := env.Period(tokenTTL)
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc(SecretKey), TTL: ttl, Now: d.Now}
	}}
}
