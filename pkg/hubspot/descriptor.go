package hubspot

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

// Descriptor is the HubSpot visitor identification function, POST
// /hubspot/token. Its secret (HUBSPOT_SECRET_ID) holds a private app's
// "access_token"; its settings are HUBSPOT_BASE_URL (DefaultBaseURL by
// default; see New) and HUBSPOT_TIMEOUT (DefaultTimeout by default,
// between upstream.MinTimeout and upstream.MaxTimeout).
var Descriptor = descriptor.Vendor{
	Name:      "hubspot",
	LogicalID: "HubspotFunction",
	Title:     "HubSpot",
	Summary:   "a HubSpot visitor identification token for the session's verified email (the same one for up to an hour)",
	Response:  `{"token": "...", "expires_at": <issued + 43200>}`,
	Docs: []string{
		"https://developers.hubspot.com/docs/api-reference/2026-03/conversations/visitor-identification/create-visitor-identification",
		"https://developers.hubspot.com/docs/api/conversation/visitor-identification",
		"https://developers.hubspot.com/docs/api/conversation/chat-widget-sdk",
		"https://developers.hubspot.com/docs/faq/api-error-responses",
		"https://developers.hubspot.com/docs/api-reference/legacy/migration-guide",
	},
	Routes: []descriptor.Route{{Method: http.MethodPost, Path: "/hubspot/token"}},
	Secret: secrets.Spec{
		Setting:     "HUBSPOT_SECRET_ID",
		Keys:        []string{"access_token"},
		Check:       CheckAccessToken,
		Description: "the access token of a HubSpot private app with the conversations.visitor_identification.tokens.create scope",
	},
	Settings:  []config.Setting{baseURL, timeoutSetting},
	Upstream:  &descriptor.Upstream{BaseURL: baseURL.Name},
	Configure: configure,
}

var (
	baseURL = config.Setting{
		Name:        "HUBSPOT_BASE_URL",
		Description: "Base URL of HubSpot's API: https:// (plain http:// only to loopback, for local use).",
		Default:     DefaultBaseURL,
		Pattern:     upstream.BaseURLPattern,
		PatternHelp: upstream.BaseURLPatternHelp,
	}
	timeoutSetting = upstream.TimeoutSetting("HUBSPOT_TIMEOUT", "HubSpot", DefaultTimeout)
)

func configure(env *config.Env) descriptor.Setup {
	return configureClient(env, upstream.NewClient(nil))
}

// Trusting returns Descriptor, except that its HTTP client trusts the
// certificates in roots instead of the system's. It is for tests and
// benchmarks whose HubSpot stand-in speaks TLS with a certificate of its
// own; functions/hubspot deploys Descriptor, which has no such setting.
func Trusting(roots *x509.CertPool) descriptor.Vendor {
	v := Descriptor
	v.Configure = func(env *config.Env) descriptor.Setup { return configureClient(env, upstream.NewClient(roots)) }
	return v
}

// configureClient is configure with the HTTP client that the warm-up and
// the minter share.
func configureClient(env *config.Env, client *upstream.Client) descriptor.Setup {
	return upstream.Setup(env, "hubspot", baseURL, timeoutSetting, client,
		func(base *url.URL, timeout time.Duration, s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			m := newMinter(base, timeout, s, d.Logger, client, d.Now)
			m.api.Metrics = d.Metrics
			return m
		})
}
