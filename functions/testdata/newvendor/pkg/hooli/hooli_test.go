package hooli_test

import (
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/hooli"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

var vendor = vendortest.HS256{Vendor: hooli.Descriptor, Key: "signing_key", ExpiresAt: "exp", Header: `{"alg":"HS256","typ":"JWT"}`}

// claims are an Hooli token's claims: sub, iat and exp.
func claims(user identity.Identity, ttl time.Duration) map[string]any {
	iat := vendortest.Now.Truncate(time.Second)
	return map[string]any{"sub": user.UserID, "iat": iat, "exp": iat.Add(ttl)}
}

func TestMint(t *testing.T) {
	ana := identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"}
	vendor.Mint(t, []vendortest.Case{
		{Name: "the session's user", Identity: ana, Claims: claims(ana, time.Hour)},
		{Name: "a shorter lifetime", Settings: map[string]string{"HOOLI_TOKEN_TTL": "1m"}, Identity: ana, Claims: claims(ana, time.Minute)},
	})
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, hooli.Descriptor, map[string]string{"HOOLI_TOKEN_TTL": "default 1h, 1m to 24h, whole seconds"})
	vendortest.Settings(t, hooli.Descriptor, func(m httpapi.Minter) map[string]any {
		return map[string]any{"HOOLI_TOKEN_TTL": m.(*hooli.Minter).TTL}
	})
}
