package copilot

import (
	"crypto/x509"
	"net/http"
	"net/url"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// Descriptor is the Copilot function, POST /copilot/auth-key. Its secret
// (COPILOT_SECRET_ID) holds "client_id" and "client_secret"; its settings
// are COPILOT_BASE_URL (required; see New) and COPILOT_TIMEOUT (DefaultTimeout
// by default, between upstream.MinTimeout and upstream.MaxTimeout).
var Descriptor = descriptor.Vendor{
	Name:      "copilot",
	LogicalID: "CopilotFunction",
	Title:     "Copilot.cx",
	Summary:   "a Copilot.cx auth key for the session's user (proxied, never cached)",
	Response:  `{"auth_key": "..."}`,
	Docs: []string{
		"Copilot.cx YourOwn SDK and API: generate_user_auth_key (the TokenProvider, connectivity and general errors, no caching)",
		"Copilot.cx Server API: authentication (HTTP Basic from CLIENT_ID:CLIENT_SECRET)",
	},
	Routes: []descriptor.Route{{Method: http.MethodPost, Path: "/copilot/auth-key"}},
	Secret: secrets.Spec{
		Setting:     "COPILOT_SECRET_ID",
		Keys:        []string{"client_id", "client_secret"},
		MinLen:      map[string]int{"client_secret": secrets.MinKeyLen},
		Check:       CheckCredentials,
		Description: "the management API client id and secret, from your Copilot.cx Customer Success contact",
	},
	Settings:  []config.Setting{baseURL, timeoutSetting},
	Upstream:  &descriptor.Upstream{BaseURL: baseURL.Name},
	Configure: configure,
}

var (
	baseURL = config.Setting{
		Name:        "COPILOT_BASE_URL",
		Description: "Base URL of the Copilot.cx management API, as given by Copilot.cx: https:// (plain http:// only to loopback, for local use).",
		Required:    true,
		Example:     "https://copilot.example.com",
		Pattern:     upstream.BaseURLPattern,
		PatternHelp: upstream.BaseURLPatternHelp,
	}
	timeoutSetting = upstream.TimeoutSetting("COPILOT_TIMEOUT", "Copilot.cx", DefaultTimeout)
)

func configure(env *config.Env) descriptor.Setup {
	return configureClient(env, upstream.NewClient(nil))
}

// Trusting returns Descriptor, except that its HTTP client trusts the
// certificates in roots instead of the system's. It is for tests and
// benchmarks whose Copilot stand-in speaks TLS with a certificate of its
// own; functions/copilot deploys Descriptor, which has no such setting.
func Trusting(roots *x509.CertPool) descriptor.Vendor {
	v := Descriptor
	v.Configure = func(env *config.Env) descriptor.Setup { return configureClient(env, upstream.NewClient(roots)) }
	return v
}

// configureClient is configure with the HTTP client that the warm-up and
// the minter share.
func configureClient(env *config.Env, client *upstream.Client) descriptor.Setup {
	return upstream.Setup(env, "copilot", baseURL, timeoutSetting, client,
		func(base *url.URL, timeout time.Duration, s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			m := newMinter(base, timeout, s, d.Logger, client)
			m.api.Metrics = d.Metrics
			return m
		})
}
