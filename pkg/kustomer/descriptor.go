package kustomer

import (
	"net/http"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Kustomer token function, POST /kustomer/token. Its
// secret (KUSTOMER_SECRET_ID) holds the chat secret as "secret"; its one
// setting is KUSTOMER_IDENTIFY_BY: external_id (the default) or email.
var Descriptor = descriptor.Vendor{
	Name:      "kustomer",
	LogicalID: "KustomerFunction",
	Title:     "Kustomer Chat",
	Summary:   "a Kustomer Chat JWT for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <iat + 900>}`,
	Docs:      []string{"Kustomer Chat SDKs: Log in and authentication (the chat secret from GET https://<org>.api.kustomerapp.com/v1/auth/customer/settings)"},
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/kustomer/token"}},
	Secret: secrets.Spec{
		Setting:     "KUSTOMER_SECRET_ID",
		Keys:        []string{"secret"},
		MinLen:      map[string]int{"secret": secrets.MinKeyLen},
		Description: "the chat secret: attributes.secret of GET https://<org>.api.kustomerapp.com/v1/auth/customer/settings",
	},
	Settings:  []config.Setting{identifyBy},
	Configure: configure,
}

var identifyBy = config.Setting{
	Name:        "KUSTOMER_IDENTIFY_BY",
	Description: "Which identity the Kustomer token carries: the claim externalId (the session's user id) or email (the session's verified email), never both.",
	Default:     string(ByExternalID),
	Values:      []string{string(ByExternalID), string(ByEmail)},
}

func configure(env *config.Env) descriptor.Setup {
	by := IdentifyBy(env.Text(identifyBy))
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("secret"), IdentifyBy: by, Now: d.Now}
	}}
}
