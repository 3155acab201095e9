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

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

// BenchmarkWarm measures each function's warm request path against its
// cryptography floor, interleaved in the same loop so that whatever else
// the machine does weighs on both alike; see the package documentation.
// One iteration (b.N) is one handler call and one floor call.
func BenchmarkWarm(b *testing.B) {
	secrets := secretsServer(b)
	token := sessionToken(b)
	for _, f := range fixtures {
		b.Run(f.name, func(b *testing.B) {
			var logs lineCounter
			upstreamURL := f.standIn(b)
			env := f.env(upstreamURL)
			h, err := function.Build(context.Background(), f.vendor, function.Deps{
				Getenv:  func(k string) string { return env[k] },
				Logger:  function.NewLogger(&logs, "INFO").With("function", f.name),
				Secrets: secrets.Client(),
			})
			if err != nil {
				b.Fatal(err)
			}
			req := event(f.route, token)
			ctx := context.Background()
			handler := func() {
				resp, _ := h.Handle(ctx, req)
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
			}
			verify := floorVerify(b)
			mint := floorMinter(b, f, upstreamURL)
			floor := func() { mint(verify(token)) }

			handler() // the first request may set up connections
			floor()
			logs = lineCounter{}
			p := measurePaired(b, handler, floor)
			if logs.lines != b.N {
				b.Fatalf("%d log lines for %d requests", logs.lines, b.N)
			}
			b.ReportMetric(p.handler, "handler-ns/op")
			b.ReportMetric(p.floor, "floor-ns/op")
			b.ReportMetric(p.ratio, "handler/floor")
			b.ReportMetric(testing.AllocsPerRun(100, handler), "handler-allocs/op")
		})
	}
}

// batchTarget is about how long a batch of calls of one side lasts in
// measurePaired: long enough that reading the clock costs nothing, short
// enough that a change in the machine's load seldom falls between the two
// batches of a pair.
const batchTarget = 200 * time.Microsecond

// paired is what measurePaired measured: the medians, over the pairs of
// batches, of each side's time per call and of their ratio.
type paired struct {
	handler, floor, ratio float64
}

// measurePaired calls handler and floor b.N times each, in alternating
// batches of the same size (the handler's batch first in one pair, the
// floor's in the next), and returns the medians over the pairs. Other work
// on the machine slows both batches of a pair alike, which the pair's
// ratio cancels; a burst that hits one batch only makes an outlier, which
// the median ignores. Only the calls are timed.
func measurePaired(b *testing.B, handler, floor func()) paired {
	b.Helper()
	batch := 1 // sized on the floor, whose calls have no side effect
	for batch < 1<<16 && timeCalls(floor, batch) < batchTarget {
		batch *= 2
	}
	var handlers, floors, ratios []float64
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(batch, b.N-done)
		var th, tf time.Duration
		if len(ratios)%2 == 0 {
			th, tf = timeCalls(handler, n), timeCalls(floor, n)
		} else {
			tf, th = timeCalls(floor, n), timeCalls(handler, n)
		}
		done += n
		handlers = append(handlers, float64(th)/float64(n))
		floors = append(floors, float64(tf)/float64(n))
		ratios = append(ratios, float64(th)/float64(tf))
	}
	b.StopTimer()
	return paired{handler: median(handlers), floor: median(floors), ratio: median(ratios)}
}

// timeCalls returns how long n calls of f take.
func timeCalls(f func(), n int) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
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
// as the function builds it, called directly: the vendor's signing (or,
// for a function that calls its vendor's API, its exchange with the same
// stand-in at upstreamURL), without the request path around it.
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
