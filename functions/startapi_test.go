package functions_test

import (
	"context"
	"encoding/json"
	"errors"
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

// ownSessionKey is a session key of the developer's own, as make
// start-api needs: the functions refuse the dev-only one.
const ownSessionKey = `{"signing_key":"a-session-key-of-my-own-0123456789abcdef"}`

// TestStartAPIEnv: `make start-api` runs every function in hs256 mode with
// the local server's dev settings (events/start-api-env.json) and the
// developer's own session key, which SAM can serve (it cannot run the JWT
// authorizer). SAM CLI is not needed: each function is built from the env
// file make start-api writes, as its bootstrap builds it, and answers a
// session signed by make dev-session with that key.
func TestStartAPIEnv(t *testing.T) {
	tpl := mustReadTemplate(t)
	raw, err := os.ReadFile(filepath.Join("..", "events", startAPIEnv))
	if err != nil {
		t.Fatal(err)
	}
	written, err := localapi.StartAPIEnv(raw, func(k string) string { return map[string]string{"SESSION_SECRET_JSON": ownSessionKey}[k] })
	if err != nil {
		t.Fatal(err)
	}
	var envFile map[string]map[string]string
	if err := json.Unmarshal(written, &envFile); err != nil {
		t.Fatal(err)
	}
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

			settings = withStandIn(t, v, settings)
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
		{"default.local_start_api", []string{`env_vars = "bin/` + startAPIEnv + `"`, `SessionMode="hs256"`}},
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

// make start-api refuses to write its env file without a session key of
// the developer's own: the functions would refuse the dev-only one.
func TestStartAPIEnvNeedsOwnKey(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "events", startAPIEnv))
	if err != nil {
		t.Fatal(err)
	}
	dev := localapi.DevSettings()["SESSION_SECRET_JSON"]
	for name, key := range map[string]string{"none": "", "the dev-only key": dev, "too short": `{"signing_key":"short"}`} {
		_, err := localapi.StartAPIEnv(raw, func(k string) string { return map[string]string{"SESSION_SECRET_JSON": key}[k] })
		if !errors.Is(err, localapi.ErrNoSessionKey) {
			t.Errorf("%s: error = %v, want ErrNoSessionKey", name, err)
		}
		if err != nil && dev != "" && strings.Contains(err.Error(), "dev-only-session") {
			t.Errorf("%s: the error shows the key: %v", name, err)
		}
	}
}
