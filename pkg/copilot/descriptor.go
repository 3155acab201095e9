package copilot

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Dev-only Copilot credentials: published here, so they authenticate
// nothing but the stand-in of package copilottest.
const (
	DevClientID     = "dev-only-copilot-client-id"
	DevClientSecret = "dev-only-copilot-client-secret-not-for-production"
)

// Descriptor is the Copilot function, POST /copilot/auth-key. Its secret
// (COPILOT_SECRET_ID) holds "client_id" and "client_secret"; its settings
// are COPILOT_BASE_URL (required; see New) and COPILOT_TIMEOUT (DefaultTimeout
// by default, between 100ms and MaxTimeout).
var Descriptor = descriptor.Vendor{
	Name:      "copilot",
	LogicalID: "CopilotFunction",
	Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/copilot/auth-key"}},
	Secret: secrets.Spec{
		Setting: "COPILOT_SECRET_ID",
		Keys:    []string{"client_id", "client_secret"},
		Check:   CheckCredentials,
	},
	Dev: map[string]string{
		"COPILOT_SECRET_JSON": `{"client_id":"` + DevClientID + `","client_secret":"` + DevClientSecret + `"}`,
	},
	Configure: configure,
}

func configure(env *config.Env) descriptor.Setup {
	return configureClient(env, newHTTPClient(nil))
}

// Trusting returns Descriptor, except that its HTTP client trusts the
// certificates in roots instead of the system's. It is for tests and
// benchmarks whose Copilot stand-in speaks TLS with a certificate of its
// own; functions/copilot deploys Descriptor, which has no such setting.
func Trusting(roots *x509.CertPool) descriptor.Vendor {
	v := Descriptor
	v.Configure = func(env *config.Env) descriptor.Setup { return configureClient(env, newHTTPClient(roots)) }
	return v
}

// configureClient is configure with the HTTP client that the warm-up and
// the minter share.
func configureClient(env *config.Env, client httpClient) descriptor.Setup {
	raw := env.Required(settingBaseURL)
	timeout := env.Duration(settingTimeout, DefaultTimeout, minTimeout, MaxTimeout)
	var base *url.URL
	if raw != "" {
		var err error
		if base, err = checkBaseURL(raw); err != nil {
			env.Fail(settingBaseURL, err.Error())
		}
	}
	return descriptor.Setup{
		NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			m := newMinter(base, timeout, s, d.Logger, client)
			m.metrics = d.Metrics
			return m
		},
		Warm: func(ctx context.Context, d descriptor.Deps) {
			if base != nil {
				warm(ctx, client, base, timeout, d.Logger)
			}
		},
	}
}
