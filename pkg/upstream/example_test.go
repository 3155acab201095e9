package upstream_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// fixedSecret stands in for *secrets.Secret.
type fixedSecret secrets.Values

func (s fixedSecret) Values(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }
func (s fixedSecret) Reload(context.Context) (secrets.Values, error) { return secrets.Values(s), nil }

// A vendor's call: POST {"user_id"} with a Bearer key, answered
// {"token"}. The vendor package gives the URL, the body, how its secret
// becomes the Authorization header and how its answers read; Call does
// the rest.
func ExampleEndpoint_Call() {
	vendorAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s\n", r.Method, r.URL.Path, body)
		if r.Header.Get("Authorization") != "Bearer example-key" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"reason": "AUTH.UNAUTHORIZED"}`)
			return
		}
		_, _ = io.WriteString(w, `{"token": "t-123"}`)
	}))
	defer vendorAPI.Close()

	base, err := upstream.CheckBaseURL(vendorAPI.URL)
	if err != nil {
		panic(err)
	}
	errs := upstream.NewErrors("Example Chat")
	endpoint := &upstream.Endpoint[string]{
		Name:        "example",
		What:        "token",
		URL:         base.JoinPath("v1/tokens").String(),
		Timeout:     3 * time.Second,
		Credentials: fixedSecret{"api_key": []byte("example-key")},
		Authorize: func(v secrets.Values) (string, error) {
			if len(v["api_key"]) == 0 {
				return "", fmt.Errorf("%w: JSON key api_key is missing", errs.Credentials)
			}
			return "Bearer " + string(v["api_key"]), nil
		},
		Decode: upstream.StringField("token"),
		Reason: upstream.CodeField("reason"),
		Errors: errs,
		Client: upstream.NewClient(nil),
		Logger: slog.New(slog.DiscardHandler),
	}

	token, err := endpoint.Call(context.Background(), []byte(`{"user_id":"u1"}`))
	fmt.Println(token, err)

	// The same call with a key the vendor refuses: the secret is re-read,
	// gives the same key, and the call is not made again.
	endpoint.Credentials = fixedSecret{"api_key": []byte("revoked-key")}
	_, err = endpoint.Call(context.Background(), []byte(`{"user_id":"u1"}`))
	fmt.Println(err)
	// Output:
	// POST /v1/tokens {"user_id":"u1"}
	// t-123 <nil>
	// POST /v1/tokens {"user_id":"u1"}
	// upstream_error: Example Chat refused the request: status (upstream status 401, reason AUTH.UNAUTHORIZED): the credentials are unchanged since they were read after 1 attempt(s)
}
