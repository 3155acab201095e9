package function_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/front"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

const publicKey = "GET /acme/keys.json"

// keyMinter answers {"token": "<the secret's kid>"} for any identity.
type keyMinter struct{ secret *secrets.Secret }

func (m keyMinter) Mint(ctx context.Context, _ identity.Identity) (any, error) {
	v, err := m.secret.Values(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": "signed-with-" + string(v["kid"])}, nil
}

// keyPublisher answers {"kid": "<the secret's kid>"}: the public part of
// the secret the minter signs with.
type keyPublisher struct{ secret *secrets.Secret }

func (p keyPublisher) Publish(ctx context.Context) (any, error) {
	v, err := p.secret.Values(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"kid": string(v["kid"])}, nil
}

// publishingVendor is a vendor with a route that needs no session; with
// routePublic or withPublisher false, its descriptor lacks one half.
func publishingVendor(routePublic, withPublisher bool) descriptor.Vendor {
	return descriptor.Vendor{
		Name:      "acme",
		LogicalID: "AcmeFunction",
		Routes: []descriptor.Route{
			{Method: http.MethodPost, Path: "/acme/token"},
			{Method: http.MethodGet, Path: "/acme/keys.json", Public: routePublic},
		},
		Secret: secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"kid", "key"}},
		Configure: func(*config.Env) descriptor.Setup {
			s := descriptor.Setup{NewMinter: func(secret *secrets.Secret, _ descriptor.Deps) httpapi.Minter { return keyMinter{secret} }}
			if withPublisher {
				s.NewPublisher = func(secret *secrets.Secret, _ descriptor.Deps) httpapi.Publisher { return keyPublisher{secret} }
			}
			return s
		},
	}
}

func buildVendor(t *testing.T, v descriptor.Vendor, env map[string]string, srv *secretstest.Server, logs *bytes.Buffer) (*httpapi.Handler, error) {
	t.Helper()
	return function.Build(context.Background(), v, function.Deps{
		Getenv:  func(k string) string { return env[k] },
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		Secrets: srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Now:     clock,
	})
}

// TestBuildPublicRoute: a route the descriptor marks Public is answered by
// its NewPublisher over the vendor's secret, without a session, cacheable;
// the vendor's other routes still need one; with the protected front, the
// public route too answers only what came through it.
func TestBuildPublicRoute(t *testing.T) {
	const origin = "origin-token-for-tests-0123456789abcdef0123456789"
	srv := secretstest.NewServer(t, map[string]string{
		"app/session": `{"signing_key":"` + sessionKey + `"}`,
		"app/acme":    `{"kid":"k1","key":"acme-key-for-tests-0123456789"}`,
		"app/front":   `{"origin_token":"` + origin + `"}`,
	})
	env := withEnv(hs256Env(), "ACME_SECRET_ID", "app/acme")
	session := "Bearer " + sessionToken(t, "user-42")
	for _, c := range []struct {
		name    string
		front   bool
		route   string
		headers map[string]string
		status  int
		body    string
	}{
		{"public, no session", false, publicKey, nil, 200, `{"kid":"k1"}`},
		{"public, a session that does not verify", false, publicKey, map[string]string{"authorization": "Bearer forged"}, 200, `{"kid":"k1"}`},
		{"token, no session", false, "POST /acme/token", nil, 401, ""},
		{"token, a session", false, "POST /acme/token", map[string]string{"authorization": session}, 200, `{"token":"signed-with-k1"}`},
		{"public, through the front", true, publicKey, map[string]string{front.OriginHeader: origin}, 200, `{"kid":"k1"}`},
		{"public, around the front", true, publicKey, nil, 403, ""},
		{"token, around the front", true, "POST /acme/token", map[string]string{"authorization": session}, 403, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := env
			if c.front {
				env = withEnv(env, "FRONT_SECRET_ID", "app/front")
			}
			var logs bytes.Buffer
			h, err := buildVendor(t, publishingVendor(true, true), env, srv, &logs)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: c.route, Headers: c.headers})
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, resp.Body)
			}
			if c.body != "" && resp.Body != c.body {
				t.Errorf("body = %s, want %s", resp.Body, c.body)
			}
			cache := "no-store"
			if c.route == publicKey && c.status == 200 {
				cache = "public, max-age=300"
			}
			if resp.Headers["Cache-Control"] != cache {
				t.Errorf("Cache-Control = %q, want %q", resp.Headers["Cache-Control"], cache)
			}
			if strings.Contains(logs.String(), origin) {
				t.Errorf("the log shows the origin token")
			}
		})
	}
}

// TestBuildPublicRouteMismatch: a Public route without a NewPublisher, or
// a NewPublisher without a Public route, stops the start before any
// secret is read.
func TestBuildPublicRouteMismatch(t *testing.T) {
	for _, c := range []struct {
		name                       string
		routePublic, withPublisher bool
	}{
		{"public route, no publisher", true, false},
		{"publisher, no public route", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t)
			var logs bytes.Buffer
			_, err := buildVendor(t, publishingVendor(c.routePublic, c.withPublisher), withEnv(hs256Env(), "ACME_SECRET_ID", "app/acme"), srv, &logs)
			if !errors.Is(err, function.ErrConfig) || !errors.Is(err, function.ErrPublisher) {
				t.Fatalf("Build = %v, want ErrConfig and ErrPublisher", err)
			}
			if srv.Calls() != 0 {
				t.Errorf("%d secrets read before the descriptor was refused", srv.Calls())
			}
		})
	}
}
