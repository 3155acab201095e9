package perf_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
)

// BenchmarkWarm measures each function's warm request path next to its
// cryptography floor, in the same run; see the package documentation.
func BenchmarkWarm(b *testing.B) {
	secrets := secretsServer(b)
	upstream := copilotUpstream(b)
	token := sessionToken(b)
	for _, f := range fixtures {
		b.Run(f.name+"/handler", func(b *testing.B) {
			var logs lineCounter
			env := f.env(upstream.URL)
			h, err := function.Build(context.Background(), f.vendor, function.Deps{
				Getenv:  func(k string) string { return env[k] },
				Logger:  function.NewLogger(&logs, "INFO").With("function", f.name),
				Secrets: secrets.Client(),
			})
			if err != nil {
				b.Fatal(err)
			}
			req := event(f.route, token)
			serve(b, h, req) // the first request may set up connections
			logs = lineCounter{}
			ctx := context.Background()
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				resp, _ := h.Handle(ctx, req)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
				n++
			}
			if logs.lines != n {
				b.Fatalf("%d log lines for %d requests", logs.lines, n)
			}
		})
		b.Run(f.name+"/floor", func(b *testing.B) {
			verify := floorVerify(b)
			mint := floorMinter(b, f, upstream.URL)
			b.ReportAllocs()
			for b.Loop() {
				mint(verify(token))
			}
		})
	}
}

// serve answers one request and fails b unless it is a 200.
func serve(b *testing.B, h *httpapi.Handler, req events.APIGatewayV2HTTPRequest) {
	b.Helper()
	resp, _ := h.Handle(context.Background(), req)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
}

// lineCounter is the log's writer: the JSON handler formats every line in
// full, and the count proves that each request was logged.
type lineCounter struct{ lines, bytes int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	c.bytes += len(p)
	return len(p), nil
}

// floorVerify returns golang-jwt's verification of the session token with
// the same checks as the functions' verifier. It decodes the claims into
// jwt.MapClaims, golang-jwt's default and its fastest way.
func floorVerify(b *testing.B) func(token string) identity.Identity {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
	)
	key := func(*jwt.Token) (any, error) { return []byte(sessionKey), nil }
	return func(token string) identity.Identity {
		var m jwt.MapClaims
		if _, err := parser.ParseWithClaims(token, &m, key); err != nil {
			b.Fatalf("floor verify: %v", err)
		}
		var id identity.Identity
		id.UserID, _ = m["sub"].(string)
		if verified, _ := m["email_verified"].(bool); verified {
			id.Email, _ = m["email"].(string)
		}
		id.Name, _ = m["name"].(string)
		if id.UserID != userID {
			b.Fatalf("floor verify: sub %q", id.UserID)
		}
		return id
	}
}

// floorMinter returns f's own minter, built from its settings and secret
// as the function builds it, called directly: the vendor's signing (or, for
// Copilot, its upstream exchange), without the request path around it.
func floorMinter(b *testing.B, f fixture, upstreamURL string) func(identity.Identity) {
	env := f.env(upstreamURL)
	cfg := config.New(func(k string) string { return env[k] })
	newMinter := f.vendor.Configure(cfg).NewMinter
	if err := cfg.Err(); err != nil {
		b.Fatal(err)
	}
	secret := secretstest.Offline(b, f.vendor.Secret, f.secret)
	m := newMinter(secret, descriptor.Deps{Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	return func(id identity.Identity) {
		if _, err := m.Mint(ctx, id); err != nil {
			b.Fatalf("floor mint: %v", err)
		}
	}
}
