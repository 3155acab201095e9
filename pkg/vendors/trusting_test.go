package vendors_test

import (
	"crypto/x509"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestTrusting: exactly the vendors whose function calls the vendor's API
// have a Trusting, the vendor itself with another HTTP client: its minter
// reaches the vendor's stand-in served over TLS with a certificate of its
// own, which the vendor's deployed descriptor refuses.
func TestTrusting(t *testing.T) {
	t.Parallel()
	for _, v := range vendors.All() {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			trusting, ok := vendors.Trusting(v.Name, x509.NewCertPool())
			if v.Upstream == nil {
				if ok {
					t.Error("a vendor that calls no API has a Trusting")
				}
				return
			}
			if !ok {
				t.Fatalf("calls its vendor's API (%s) but has no Trusting", v.Upstream.BaseURL)
			}
			if trusting.Name != v.Name || trusting.LogicalID != v.LogicalID || trusting.Upstream == nil || trusting.Upstream.BaseURL != v.Upstream.BaseURL {
				t.Fatalf("Trusting is not the vendor: %s %s", trusting.Name, trusting.LogicalID)
			}

			srv := httptest.NewUnstartedServer(vendors.StandIn(v.Name))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
			srv.StartTLS()
			t.Cleanup(srv.Close)
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			trusting, _ = vendors.Trusting(v.Name, roots)
			if err := mint(t, trusting, srv.URL); err != nil {
				t.Errorf("Trusting: %v", err)
			}
			if err := mint(t, v, srv.URL); err == nil {
				t.Error("the deployed descriptor trusts the stand-in's own certificate")
			}
		})
	}
}

// mint mints once with v's minter, built over v's dev settings and secret
// with its API at baseURL.
func mint(t *testing.T, v descriptor.Vendor, baseURL string) error {
	t.Helper()
	settings := dev.Settings(v)
	settings[v.Upstream.BaseURL] = baseURL
	env := config.New(func(k string) string { return settings[k] })
	newMinter := v.Configure(env).NewMinter
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	secret := secretstest.Offline(t, v.Secret, dev.Secret(v.Name, v.Secret))
	_, err := newMinter(secret, descriptor.Deps{Logger: slog.New(slog.DiscardHandler)}).
		Mint(t.Context(), identity.Identity{UserID: "user-1", Email: "user-1@example.com", Name: "User One"})
	return err
}
