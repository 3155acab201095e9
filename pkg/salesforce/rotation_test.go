package salesforce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

const (
	tokenRoute = "POST /salesforce/token"
	jwksRoute  = "GET /salesforce/jwks.json"
	secretID   = "app/salesforce"
)

// withIssuer is settings with SALESFORCE_ISSUER at testIssuer.
func withIssuer(settings map[string]string) map[string]string {
	out := map[string]string{"SALESFORCE_ISSUER": testIssuer}
	maps.Copy(out, settings)
	return out
}

// configEnv is a config.Env of withIssuer(settings).
func configEnv(settings map[string]string) *config.Env {
	s := withIssuer(settings)
	return config.New(func(name string) string { return s[name] })
}

// movingClock is a clock that the test moves.
type movingClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *movingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *movingClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// build is the function as Lambda runs it: sessions from API Gateway's JWT
// authorizer, the secret read from srv (secretID) again once SECRETS_TTL
// (1m) has passed on clock.
func build(t *testing.T, srv *secretstest.Server, clock *movingClock, logs *bytes.Buffer) *httpapi.Handler {
	t.Helper()
	env := map[string]string{
		"SESSION_MODE":         "authorizer",
		"SALESFORCE_SECRET_ID": secretID,
		"SALESFORCE_ISSUER":    testIssuer,
		"SECRETS_TTL":          "1m",
	}
	handler := slog.DiscardHandler
	if logs != nil {
		handler = slog.NewJSONHandler(logs, nil)
	}
	h, err := function.Build(context.Background(), salesforce.Descriptor, function.Deps{
		Getenv:  func(k string) string { return env[k] },
		Logger:  slog.New(handler),
		Secrets: srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Now:     clock.now,
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return h
}

// get sends route to h, with a session of user (none when ""), and returns
// the status and body.
func get(t *testing.T, h *httpapi.Handler, route, user string) (int, string) {
	t.Helper()
	req := events.APIGatewayV2HTTPRequest{RouteKey: route}
	if user != "" {
		req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": user}},
		}
	}
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Body
}

// published returns the kids of the JWK set h publishes now, and the set.
func published(t *testing.T, h *httpapi.Handler) ([]string, []byte) {
	t.Helper()
	status, body := get(t, h, jwksRoute, "")
	if status != http.StatusOK {
		t.Fatalf("%s: %d %s", jwksRoute, status, body)
	}
	var doc salesforce.JWKS
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range doc.Keys {
		kids = append(kids, k.Kid)
	}
	return kids, []byte(body)
}

// awaitPublished asks for the JWK set until it publishes kids: a re-read
// of the secret runs off the request path, and ends within a few requests.
func awaitPublished(t *testing.T, h *httpapi.Handler, kids []string) []byte {
	t.Helper()
	var got []string
	var set []byte
	for range 100 {
		if got, set = published(t, h); slices.Equal(got, kids) {
			return set
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("published kids = %v, want %v", got, kids)
	return nil
}

// minted is a token the function signed at some step of a rotation.
type minted struct {
	token, kid, step string
	exp              time.Time
}

// TestRotation follows the runbook of README.md through the very function,
// its secret in Secrets Manager read again after SECRETS_TTL: add a key
// (published at once, the old one still signs), switch signing to it,
// then, once the longest token lifetime has passed, remove the old one. At
// every step, each token signed so far that has not expired verifies
// against the JWK set published at that step (checked by a second JOSE
// library), and a token whose key is no longer published has expired. A
// mistaken secret (a signing kid without its key, a key that does not
// parse) is refused at its re-read, and the last good keys stay in use.
func TestRotation(t *testing.T) {
	k1, k2 := pemKey("k1", 2048), pemKey("k2", 2048)
	steps := []struct {
		name    string
		secret  string
		wait    time.Duration // on the clock, before the step's value is read
		signs   string
		publish []string
		refused string // when the value is refused: the JSON key the log names
	}{
		{"start: k1 signs", secretJSON("k1", map[string]string{"k1": k1}), 0, "k1", []string{"k1"}, ""},
		{"add k2: published at once, k1 still signs", secretJSON("k1", map[string]string{"k1": k1, "k2": k2}), 2 * time.Minute, "k1", []string{"k1", "k2"}, ""},
		{"a mistake: signing_kid names no key", secretJSON("k3", map[string]string{"k1": k1, "k2": k2}), 2 * time.Minute, "k1", []string{"k1", "k2"}, "signing_kid"},
		{"a mistake: k2 does not parse", secretJSON("k2", map[string]string{"k1": k1, "k2": k2[:200]}), 2 * time.Minute, "k1", []string{"k1", "k2"}, "key.k2"},
		{"switch: k2 signs, k1 still published", secretJSON("k2", map[string]string{"k1": k1, "k2": k2}), 2 * time.Minute, "k2", []string{"k2", "k1"}, ""},
		{"remove k1 once every k1 token has expired", secretJSON("k2", map[string]string{"k2": k2}), salesforce.DefaultTTL + time.Minute, "k2", []string{"k2"}, ""},
	}
	srv := secretstest.NewServer(t, map[string]string{secretID: steps[0].secret})
	clock := &movingClock{at: time.Unix(1_767_000_000, 0)}
	var logs bytes.Buffer
	h := build(t, srv, clock, &logs)
	var tokens []minted
	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if i > 0 {
				srv.Set(secretID, step.secret)
				clock.advance(step.wait)
			}
			if step.refused != "" {
				calls := srv.CallsFor(secretID)
				for range 100 { // until the re-read has been made and refused
					if published(t, h); srv.CallsFor(secretID) > calls && strings.Contains(logs.String(), step.refused) {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
				if !strings.Contains(logs.String(), "keeping the last good value") || !strings.Contains(logs.String(), step.refused) {
					t.Fatalf("the refused value is not logged naming %s:\n%s", step.refused, logs.String())
				}
				if strings.Contains(logs.String(), k2[100:160]) {
					t.Error("the log quotes a key")
				}
			}
			set := awaitPublished(t, h, step.publish)

			status, body := get(t, h, tokenRoute, "user-"+step.signs)
			if status != http.StatusOK {
				t.Fatalf("%s: %d %s", tokenRoute, status, body)
			}
			var resp salesforce.Response
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatal(err)
			}
			verify(t, resp.Token, set, step.signs) // checks the header's kid
			tokens = append(tokens, minted{resp.Token, step.signs, step.name, time.Unix(resp.ExpiresAt, 0)})

			for _, tok := range tokens {
				err := verifyErr(tok.token, set)
				live := clock.now().Before(tok.exp)
				switch {
				case live && err != nil:
					t.Errorf("a live token of %q (kid %s) does not verify: %v", tok.step, tok.kid, err)
				case err != nil && slices.Contains(step.publish, tok.kid):
					t.Errorf("a token of %q (kid %s) does not verify against its published key: %v", tok.step, tok.kid, err)
				case err == nil && !slices.Contains(step.publish, tok.kid):
					t.Errorf("a token of %q (kid %s) verifies without its key", tok.step, tok.kid)
				}
			}
		})
	}
}
