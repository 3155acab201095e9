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
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

// eventFunctions maps each events/<name>.json to its function, so every
// event file is exercised and none is forgotten.
var eventFunctions = map[string]struct {
	logicalID string
	vendor    function.Vendor
	fields    []string
}{
	"kustomer.json": {"KustomerFunction", function.Kustomer, []string{"token"}},
	"ccai.json":     {"CcaiFunction", function.CCAI, []string{"token"}},
	"decagon.json":  {"DecagonFunction", function.Decagon, []string{"user_id", "epoch", "signature"}},
	"copilot.json":  {"CopilotFunction", function.Copilot, []string{"auth_key"}},
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
		if name == "env.json" {
			continue
		}
		fn, ok := eventFunctions[name]
		if !ok {
			t.Errorf("events/%s belongs to no known function", name)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			settings, ok := envFile[fn.logicalID]
			if !ok {
				t.Fatalf("env.json has no %s entry", fn.logicalID)
			}
			if fn.logicalID == "CopilotFunction" {
				settings = withCopilotStandIn(t, settings)
			}
			h, err := function.Build(context.Background(), fn.vendor, function.Deps{
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
			checkTokenResponse(t, resp, fn.fields)
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

// withCopilotStandIn points the Copilot function at a loopback stand-in of
// Copilot's management API for the duration of the test.
func withCopilotStandIn(t *testing.T, settings map[string]string) map[string]string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v2/api/management/your_own/auth/generate_user_auth_key") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"auth_key":"stand-in-auth-key"}`)
	}))
	t.Cleanup(srv.Close)
	out := maps.Clone(settings)
	out["COPILOT_BASE_URL"] = srv.URL
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
