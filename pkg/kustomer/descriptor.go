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
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/kustomer/token"}},
	Secret:    secrets.Spec{Setting: "KUSTOMER_SECRET_ID", Keys: []string{"secret"}},
	Dev: map[string]string{
		"KUSTOMER_SECRET_JSON": `{"secret":"dev-only-kustomer-chat-secret-not-for-production"}`,
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	by := IdentifyBy(env.OneOf("KUSTOMER_IDENTIFY_BY", string(ByExternalID), string(ByExternalID), string(ByEmail)))
	return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
		return &Minter{Key: s.KeyFunc("secret"), IdentifyBy: by, Now: d.Now}
	}}
}
