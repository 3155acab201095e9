package functions_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

// eventFunctions maps each events/<vendor>.json to its vendor, for every
// vendor, so every event file is exercised and none is forgotten.
var eventFunctions = func() map[string]descriptor.Vendor {
	m := map[string]descriptor.Vendor{}
	for _, v := range vendors.All() {
		m[v.Name+".json"] = v
	}
	return m
}()

// responseFields are the members of the 200 body that v's minter makes
// when called directly, with settings, its dev secret and a full identity:
// what its handler must answer through an event, no more and no less.
func responseFields(t *testing.T, v descriptor.Vendor, settings map[string]string) []string {
	t.Helper()
	env := config.New(func(k string) string { return settings[k] })
	newMinter := v.Configure(env).NewMinter
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	secret := secretstest.Offline(t, v.Secret, dev.Secret(v.Name, v.Secret))
	out, err := newMinter(secret, descriptor.Deps{Logger: slog.New(slog.DiscardHandler)}).
		Mint(t.Context(), identity.Identity{UserID: "fields-user", Email: "fields@example.com", Name: "Fields"})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Keys(body))
}

// TestEventsWithEnvJSON runs every event file through its function's
// handler, built from the settings events/env.json gives that function, as
// `sam local invoke -e events/<name>.json --env-vars events/env.json` does.
func TestEventsWithEnvJSON(t *testing.T) {
	var envFile map[string]map[string]string
	readJSON(t, filepath.Join("..", "events", "env.json"), &envFile)

	files, err := filepath.Glob(filepath.Join("..", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, "env.json") { // env.json, start-api-env.json: settings, not events
			continue
		}
		v, ok := eventFunctions[name]
		if !ok {
			t.Errorf("events/%s belongs to no known function", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			settings, ok := envFile[v.LogicalID]
			if !ok {
				t.Fatalf("env.json has no %s entry", v.LogicalID)
			}
			settings = withStandIn(t, v, settings)
			h, err := function.Build(context.Background(), v, function.Deps{
				Getenv: func(k string) string { return settings[k] },
				Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatalf("Build with env.json settings: %v", err)
			}
			var req events.APIGatewayV2HTTPRequest
			readJSON(t, path, &req)
			resp, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			checkTokenResponse(t, resp, responseFields(t, v, settings))
		})
	}
	if seen != len(eventFunctions) {
		t.Fatalf("found %d event files, want one for each of %d functions", seen, len(eventFunctions))
	}
}

// checkTokenResponse asserts a 200 with the contract's headers whose JSON
// body has exactly fields, none of them empty.
func checkTokenResponse(t *testing.T, resp events.APIGatewayV2HTTPResponse, fields []string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Headers["Content-Type"] != "application/json" || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("response %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		if body[f] == nil || body[f] == "" {
			t.Errorf("response %s lacks %q", resp.Body, f)
		}
	}
	if len(body) != len(fields) {
		t.Errorf("response %s has fields beyond %v", resp.Body, fields)
	}
}

// withStandIn points a function that calls its vendor's API at a loopback
// stand-in of that API (pkg/vendors), which accepts the dev credentials,
// for the duration of the test. Other functions are left as they are.
func withStandIn(t *testing.T, v descriptor.Vendor, settings map[string]string) map[string]string {
	t.Helper()
	if v.Upstream == nil {
		return settings
	}
	srv := httptest.NewServer(vendors.StandIn(v.Name))
	t.Cleanup(srv.Close)
	out := maps.Clone(settings)
	out[v.Upstream.BaseURL] = srv.URL
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
