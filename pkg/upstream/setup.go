package upstream

import (
	"context"
	"net/url"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// NewMinter builds a vendor's minter for its API at base, within timeout,
// once the secret is loaded.
type NewMinter func(base *url.URL, timeout time.Duration, s *secrets.Secret, d descriptor.Deps) httpapi.Minter

// Setup reads the settings baseURL and timeout of the vendor called name
// from env and returns its descriptor.Setup: the minter newMinter builds,
// and a warm-up that opens client's connection to the base URL at cold
// start. newMinter's minter must use client, so that the first request
// finds that connection.
func Setup(env *config.Env, name string, baseURL, timeout config.Setting, client *Client, newMinter NewMinter) descriptor.Setup {
	base := BaseURL(env, baseURL)
	budget := env.Period(timeout)
	return descriptor.Setup{
		NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			return newMinter(base, budget, s, d)
		},
		Warm: func(ctx context.Context, d descriptor.Deps) {
			if base != nil {
				client.Warm(ctx, name, base, budget, d.Logger)
			}
		},
	}
}
