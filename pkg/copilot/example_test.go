package copilot_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot/copilottest"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// The worked example of Copilot's server API documentation.
func ExampleBasicAuth() {
	fmt.Println(copilot.BasicAuth("ABABABABQQIRZ", "k9H2Nd3T5j5EW2Fu160l11Hal3x3oa"))
	// Output: Basic QUJBQkFCQUJRUUlSWjprOUgyTmQzVDVqNUVXMkZ1MTYwbDExSGFsM3gzb2E=
}

// fixedSecret stands in for *secrets.Secret.
type fixedSecret secrets.Values

func (s fixedSecret) Values(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }
func (s fixedSecret) Reload(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }

func ExampleMinter_Mint() {
	// A stand-in for Copilot's management API, on loopback.
	copilotAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s\n", r.Method, r.URL.Path, body)
		_, _ = io.WriteString(w, `{"auth_key": "Y2lPaUpJVXpJMU5"}`)
	}))
	defer copilotAPI.Close()

	secret := fixedSecret{"client_id": []byte("ABABABABQQIRZ"), "client_secret": []byte("k9H2Nd3T5j5EW2Fu160l11Hal3x3oa")}
	minter, err := copilot.New(copilotAPI.URL, 3*time.Second, secret, slog.Default())
	if err != nil {
		panic(err)
	}

	resp, err := minter.Mint(context.Background(), identity.Identity{UserID: "eff119c1-47c5-4a77-8fc8-667eb7e354d3"})
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(resp)
	fmt.Println(string(out))
	// Output:
	// POST /v2/api/management/your_own/auth/generate_user_auth_key {"user_id":"eff119c1-47c5-4a77-8fc8-667eb7e354d3"}
	// {"auth_key":"Y2lPaUpJVXpJMU5"}
}

// The Copilot secret's check, applied when it is loaded and each time it is
// read again: HTTP Basic cannot carry a client_id with a colon.
func ExampleCheckCredentials() {
	fmt.Println(copilot.CheckCredentials(secrets.Values{"client_id": []byte("ABABABABQQIRZ"), "client_secret": []byte("k9H2Nd3T5j5EW2Fu160l11Hal3x3oa")}))
	fmt.Println(copilot.CheckCredentials(secrets.Values{"client_id": []byte("ABAB:QQIRZ"), "client_secret": []byte("k9H2Nd3T5j5EW2Fu160l11Hal3x3oa")}))
	// Output:
	// <nil>
	// internal: the Copilot.cx credentials are not available: JSON key client_id contains a colon
}

// A test's Copilot stand-in over TLS, with a certificate of its own: the
// function built from Trusting accepts it, as the deployed one accepts
// Copilot's.
func ExampleTrusting() {
	copilotAPI := httptest.NewUnstartedServer(copilottest.Dev())
	copilotAPI.StartTLS()
	defer copilotAPI.Close()
	roots := x509.NewCertPool()
	roots.AddCert(copilotAPI.Certificate())

	settings := map[string]string{
		"SESSION_MODE":        "authorizer",
		"COPILOT_BASE_URL":    copilotAPI.URL,
		"COPILOT_SECRET_JSON": dev.Secret(copilot.Descriptor.Name, copilot.Descriptor.Secret),
	}
	h, err := function.Build(context.Background(), copilot.Trusting(roots), function.Deps{
		Getenv: func(k string) string { return settings[k] },
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	resp, err := h.Minter.Mint(context.Background(), identity.Identity{UserID: "eff119c1-47c5-4a77-8fc8-667eb7e354d3"})
	fmt.Println(err == nil && resp.(copilot.Response).AuthKey != "")
	// Output: true
}
