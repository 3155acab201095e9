package functions_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

const startAPIEnv = "start-api-env.json"

// TestStartAPIEnv: `sam local start-api --env-vars events/start-api-env.json`
// (make start-api) runs every function in hs256 mode with the local
// server's dev settings, which SAM can serve (it cannot run the JWT
// authorizer). SAM CLI is not needed: each function is built from that
// file's settings as its bootstrap builds it, and answers a bearer dev
// session with a token.
func TestStartAPIEnv(t *testing.T) {
	tpl := mustReadTemplate(t)
	var envFile map[string]map[string]string
	readJSON(t, filepath.Join("..", "events", startAPIEnv), &envFile)
	var want []string
	for _, v := range vendors.All() {
		want = append(want, v.LogicalID)
	}
	if got := slices.Sorted(maps.Keys(envFile)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("events/%s functions = %v, want %v", startAPIEnv, got, want)
	}
	for _, v := range vendors.All() {
		t.Run(v.LogicalID, func(t *testing.T) {
			settings := envFile[v.LogicalID]
			declared := mergeGlobals(field(tpl, "Globals", "Function", "Environment", "Variables"),
				field(tpl, "Resources", v.LogicalID, "Properties", "Environment", "Variables")).(map[string]any)
			for name := range settings {
				if _, ok := declared[name]; !ok {
					t.Errorf("%s: not declared in template.yaml, so sam local would ignore it", name)
				}
			}
			if settings["SESSION_MODE"] != function.ModeHS256 {
				t.Fatalf("SESSION_MODE = %q, want hs256", settings["SESSION_MODE"])
			}

			settings = withCopilotStandIn(t, settings)
			getenv := func(k string) string { return settings[k] }
			h, err := function.Build(context.Background(), v, function.Deps{
				Getenv: getenv,
				Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			token, err := localapi.DevSession(getenv, identity.Identity{UserID: "dev-user-1", Email: "dev-user-1@example.com", Name: "Dev User"}, time.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			var req events.APIGatewayV2HTTPRequest
			readJSON(t, filepath.Join("..", "events", v.Name+".json"), &req)
			req.RequestContext.Authorizer = nil // SAM runs no authorizer
			req.Headers = map[string]string{"authorization": "Bearer " + token, "content-type": "application/json"}
			resp, err := h.Handle(context.Background(), req)
			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			checkTokenResponse(t, resp, responseFields(t, v, settings))
		})
	}
}

// samconfig.toml's local_start_api section reads the env file and gives
// the template hs256 mode, so that TokenApi has no JWT authorizer.
func TestSamconfigStartAPI(t *testing.T) {
	data, err := os.ReadFile("../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		section string
		want    []string
	}{
		{"default.local_start_api", []string{`env_vars = "events/` + startAPIEnv + `"`, `SessionMode="hs256"`}},
		// CI re-deploys without changes do not fail.
		{"default.deploy", []string{"fail_on_empty_changeset = false"}},
		{"prod.deploy", []string{"fail_on_empty_changeset = false"}},
	} {
		_, after, ok := strings.Cut(string(data), "["+c.section+".parameters]\n")
		if !ok {
			t.Errorf("samconfig.toml has no [%s.parameters]", c.section)
			continue
		}
		body, _, _ := strings.Cut(after, "\n[")
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("[%s.parameters] lacks %s", c.section, want)
			}
		}
		if m := regexp.MustCompile(`(?s)parameter_overrides = """(.*?)"""`).FindStringSubmatch(body); m != nil {
			values := map[string]string{}
			for _, kv := range regexp.MustCompile(`(\w+)="([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
				values[kv[1]] = kv[2]
			}
			if _, err := newStack(mustReadTemplate(t), values); err != nil {
				t.Errorf("[%s.parameters] parameter_overrides: %v", c.section, err)
			}
		}
	}
}
