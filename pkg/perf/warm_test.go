package perf_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

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

// sessionClaims are the verified session's identity claims.
type sessionClaims struct{ Subject, Email, Name string }

// floorVerify returns golang-jwt's verification of the session token with
// the same checks as the functions' verifier. It decodes the claims into
// jwt.MapClaims, golang-jwt's default and its fastest way.
func floorVerify(b *testing.B) func(token string) *sessionClaims {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(30*time.Second),
	)
	key := func(*jwt.Token) (any, error) { return []byte(sessionKey), nil }
	return func(token string) *sessionClaims {
		var m jwt.MapClaims
		if _, err := parser.ParseWithClaims(token, &m, key); err != nil {
			b.Fatalf("floor verify: %v", err)
		}
		c := &sessionClaims{}
		c.Subject, _ = m["sub"].(string)
		c.Email, _ = m["email"].(string)
		c.Name, _ = m["name"].(string)
		if c.Subject != userID {
			b.Fatalf("floor verify: sub %q", c.Subject)
		}
		return c
	}
}

// floorMinter returns the least work that makes f's response from verified
// claims.
func floorMinter(b *testing.B, f fixture, upstreamURL string) func(*sessionClaims) {
	key := f.vendorKey(b)
	sign := func(claims jwt.Claims) {
		if _, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key); err != nil {
			b.Fatal(err)
		}
	}
	switch f.name {
	case "kustomer":
		return func(c *sessionClaims) {
			sign(struct {
				ExternalID string `json:"externalId"`
				jwt.RegisteredClaims
			}{c.Subject, jwt.RegisteredClaims{IssuedAt: jwt.NewNumericDate(time.Now())}})
		}
	case "ccai":
		return func(c *sessionClaims) {
			now := time.Now()
			sign(struct {
				jwt.RegisteredClaims
				Identifier string `json:"identifier"`
				Name       string `json:"name"`
				Email      string `json:"email"`
			}{jwt.RegisteredClaims{
				Issuer:    "example-company",
				IssuedAt:  jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
			}, c.Subject, c.Name, c.Email})
		}
	case "decagon":
		return func(c *sessionClaims) {
			mac := hmac.New(sha256.New, key)
			mac.Write(strconv.AppendInt([]byte(c.Subject), time.Now().Unix()+86400, 10))
			_ = hex.EncodeToString(mac.Sum(nil))
		}
	case "copilot":
		return copilotRoundTrip(b, f, upstreamURL)
	}
	b.Fatalf("no floor for %s", f.name)
	return nil
}

// copilotRoundTrip returns one plain HTTP exchange with the upstream: the
// request Copilot's API takes, and its auth_key decoded.
func copilotRoundTrip(b *testing.B, f fixture, upstreamURL string) func(*sessionClaims) {
	var creds struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(f.secret), &creds); err != nil {
		b.Fatal(err)
	}
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(creds.ID+":"+creds.Secret))
	url := strings.TrimSuffix(upstreamURL, "/") + "/v2/api/management/your_own/auth/generate_user_auth_key"
	client := &http.Client{Transport: &http.Transport{}}
	b.Cleanup(client.CloseIdleConnections)
	return func(c *sessionClaims) {
		body, _ := json.Marshal(struct {
			UserID string `json:"user_id"`
		}{c.Subject})
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out struct {
			AuthKey string `json:"auth_key"`
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || json.Unmarshal(raw, &out) != nil || out.AuthKey == "" {
			b.Fatalf("upstream: %v %s", err, raw)
		}
	}
}
