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

// Descriptor is the Copilot function, POST /copilot/auth-key. Its secret
// (COPILOT_SECRET_ID) holds "client_id" and "client_secret"; its settings
// are COPILOT_BASE_URL (required; see New) and COPILOT_TIMEOUT (DefaultTimeout
// by default, between 100ms and MaxTimeout).
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
		Pattern:     `^https://[^\s/]+(/\S*)?$`,
		PatternHelp: "must be an https:// URL",
	}
	timeoutSetting = config.Setting{
		Name:        "COPILOT_TIMEOUT",
		Description: "Upper bound for one Copilot.cx exchange, retry included; credential reads do not count. At most 5s, so that an answer is always written within the function's Timeout.",
		Default:     config.FormatDuration(DefaultTimeout),
		Min:         minTimeout,
		Max:         MaxTimeout,
		Pattern:     `^(0?\.[1-9]\d*s|[1-4](\.\d+)?s|5(\.0+)?s|[1-9]\d{2}ms|[1-4]\d{3}ms|5000ms)$`,
		PatternHelp: "must be a duration from 100ms to 5s, such as 3s or 1500ms",
	}
)

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
	raw := env.Text(baseURL)
	timeout := env.Period(timeoutSetting)
	var base *url.URL
	if raw != "" {
		var err error
		if base, err = checkBaseURL(raw); err != nil {
			env.Fail(baseURL.Name, err.Error())
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
