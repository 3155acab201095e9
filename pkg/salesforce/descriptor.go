package salesforce

import (
	"net/http"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Descriptor is the Salesforce Enhanced Chat user verification function:
// POST /salesforce/token signs the session's user a JWT with the signing
// key of its secret (SALESFORCE_SECRET_ID), and GET /salesforce/jwks.json,
// which needs no session, publishes the public halves of every key of that
// secret for Salesforce to verify the tokens with. Its settings are
// SALESFORCE_ISSUER (required, the tokens' iss) and SALESFORCE_TOKEN_TTL
// (1h by default, 1m to 24h, whole seconds).
var Descriptor = descriptor.Vendor{
	Name:      "salesforce",
	LogicalID: "SalesforceFunction",
	Title:     "Salesforce Enhanced Chat",
	Summary:   "a Salesforce Enhanced Chat user verification JWT (RS256) for the session's user",
	Response:  `{"token": "<JWT>", "expires_at": <exp>}`,
	Docs: []string{
		"https://help.salesforce.com/s/articleView?id=service.user_verification_overview.htm&type=5",
		"https://help.salesforce.com/s/articleView?id=service.user_verification_terms.htm&type=5",
		"https://help.salesforce.com/s/articleView?id=service.miaw_token_based_user_verification_setup.htm&type=5",
		"https://help.salesforce.com/s/articleView?id=service.user_verification_troubleshooting.htm&type=5",
		"https://developer.salesforce.com/docs/service/messaging-in-app/guide/ios-user-verification.html",
		"https://developer.salesforce.com/docs/service/messaging-in-app/guide/android-user-verification.html",
		"https://developer.salesforce.com/docs/service/messaging-web/guide/user-verification.html",
		"https://github.com/Salesforce-Async-Messaging/key-command-line-utility",
	},
	Routes: []descriptor.Route{
		{Method: http.MethodPost, Path: "/salesforce/token"},
		{Method: http.MethodGet, Path: "/salesforce/jwks.json", Public: true,
			Summary: "the public halves of the keys of SALESFORCE_SECRET_ID as a JWK set, for Salesforce to verify the tokens with"},
	},
	Secret: secrets.Spec{
		Setting: "SALESFORCE_SECRET_ID",
		Keys:    []string{SigningKidKey},
		Check:   CheckSecret,
		Dev:     devSecret,
		Description: `your RSA private keys, each under "key.<kid>" (PEM, 2048 bits or more), and "signing_kid", the kid of the one that signs; ` +
			"you generate them, and give Salesforce their public halves (pkg/salesforce/README.md)",
	},
	Settings:  []config.Setting{issuer, tokenTTL},
	Configure: configure,
}

var (
	issuer = config.Setting{
		Name: "SALESFORCE_ISSUER",
		Description: "The tokens' iss: the issuer of the keyset in Salesforce Setup (Enhanced Chat User Verification), " +
			"which must match it exactly.",
		Required: true,
		Example:  "https://app.example.com",
	}
	tokenTTL = config.Setting{
		Name:         "SALESFORCE_TOKEN_TTL",
		Description:  "Lifetime of a user verification token (exp - iat).",
		Default:      config.FormatDuration(DefaultTTL),
		Min:          time.Minute,
		Max:          24 * time.Hour,
		WholeSeconds: true,
	}
)

// devSecret lays out the dev-only secret: one 2048-bit key, derived by
// package dev, under the dev-only kid, which signs. The kid says dev-only
// in the published JWK set too.
func devSecret(gen secrets.DevValues) map[string]string {
	kid := gen.Text(SigningKidKey)
	return map[string]string{SigningKidKey: kid, KeyPrefix + kid: gen.RSAPrivateKey("key", MinKeyBits)}
}

func configure(env *config.Env) descriptor.Setup {
	iss := env.Text(issuer)
	ttl := env.Period(tokenTTL)
	// The minter and the publisher share one Keyring, so a rotated secret
	// is parsed once for both.
	var (
		ring   *Keyring
		ringOf *secrets.Secret
	)
	keyring := func(s *secrets.Secret) *Keyring {
		if ring == nil || ringOf != s {
			ring, ringOf = NewKeyring(s), s
		}
		return ring
	}
	return descriptor.Setup{
		NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
			return &Minter{Keys: keyring(s).Keys, Issuer: iss, TTL: ttl, Now: d.Now}
		},
		NewPublisher: func(s *secrets.Secret, _ descriptor.Deps) httpapi.Publisher {
			return &Publisher{Keys: keyring(s).Keys}
		},
	}
}
