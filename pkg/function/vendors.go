package function

import (
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// The four vendors, as DESIGN.md lays out their secrets and settings.
var (
	Kustomer = Vendor{
		Name:   "kustomer",
		Secret: secrets.Spec{Setting: "KUSTOMER_SECRET_ID", Keys: []string{"secret"}},
		NewMinter: func(env *config.Env, s *secrets.Secret, d Deps) httpapi.Minter {
			m := kustomer.FromEnv(env, s.Key("secret"))
			m.Now = d.Now
			return m
		},
	}
	CCAI = Vendor{
		Name:   "ccai",
		Secret: secrets.Spec{Setting: "CCAI_SECRET_ID", Keys: []string{"company_secret"}},
		NewMinter: func(env *config.Env, s *secrets.Secret, d Deps) httpapi.Minter {
			m := ccai.FromEnv(env, s.Key("company_secret"))
			m.Now = d.Now
			return m
		},
	}
	Decagon = Vendor{
		Name:   "decagon",
		Secret: secrets.Spec{Setting: "DECAGON_SECRET_ID", Keys: []string{"private_key"}},
		NewMinter: func(env *config.Env, s *secrets.Secret, d Deps) httpapi.Minter {
			m := decagon.FromEnv(env, s.Key("private_key"))
			m.Now = d.Now
			return m
		},
	}
	Copilot = Vendor{
		Name:   "copilot",
		Secret: secrets.Spec{Setting: "COPILOT_SECRET_ID", Keys: []string{"client_id", "client_secret"}, Check: copilot.CheckCredentials},
		NewMinter: func(env *config.Env, s *secrets.Secret, d Deps) httpapi.Minter {
			return copilot.FromEnv(env, s, d.Logger)
		},
	}
)
