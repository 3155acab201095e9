package hubspot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// fixedSecret stands in for *secrets.Secret.
type fixedSecret secrets.Values

func (s fixedSecret) Values(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }
func (s fixedSecret) Reload(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }

func ExampleMinter_Mint() {
	// A stand-in for HubSpot's API, on loopback.
	hubspotAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s\n", r.Method, r.URL.Path, body)
		_, _ = io.WriteString(w, `{"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"}`)
	}))
	defer hubspotAPI.Close()

	secret := fixedSecret{"access_token": []byte("pat-na1-91d91373-8e94-4872-893c-e7d080224a56")}
	minter, err := hubspot.New(hubspotAPI.URL, 3*time.Second, secret, slog.Default())
	if err != nil {
		panic(err)
	}

	user := identity.Identity{UserID: "eff119c1", Email: "ada@example.com", Name: "Ada King Lovelace"}
	for range 2 { // the second time, the token is reused: HubSpot is not called
		resp, err := minter.Mint(context.Background(), user)
		if err != nil {
			panic(err)
		}
		r := resp.(hubspot.Response)
		fmt.Println(r.Token, time.Until(time.Unix(r.ExpiresAt, 0)).Round(time.Hour))
	}

	_, err = minter.Mint(context.Background(), identity.Identity{UserID: "u2", Name: "No Email"})
	fmt.Println(err)
	// Output:
	// POST /visitor-identification/2026-03/tokens/create {"email":"ada@example.com","firstName":"Ada","lastName":"King Lovelace"}
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig 12h0m0s
	// eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig 12h0m0s
	// forbidden: HubSpot visitor identification needs a verified email address, and the session has none
}

func ExampleSplitName() {
	for _, name := range []string{"Ada King Lovelace", "Cher", ""} {
		first, last := hubspot.SplitName(name)
		fmt.Printf("%q %q\n", first, last)
	}
	// Output:
	// "Ada" "King Lovelace"
	// "Cher" ""
	// "" ""
}

// The HubSpot secret's check, applied when it is loaded and each time it is
// read again: a private app's access token is 44 characters.
func ExampleCheckAccessToken() {
	fmt.Println(hubspot.CheckAccessToken(secrets.Values{"access_token": []byte("pat-na1-91d91373-8e94-4872-893c-e7d080224a56")}))
	fmt.Println(hubspot.CheckAccessToken(secrets.Values{"access_token": []byte("changeme")}))
	// Output:
	// <nil>
	// internal: the HubSpot credentials are not available: JSON key access_token is shorter than 44 characters
}
