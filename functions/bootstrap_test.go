package functions_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/copilot/copilottest"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/runtimeapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// TestBootstraps builds each function's bootstrap, for the host but as the
// Makefile builds it for Lambda, and runs it as Lambda does: against a
// Runtime API on loopback, with its settings from events/env.json and its
// secret read from a Secrets Manager stand-in through
// AWS_ENDPOINT_URL_SECRETS_MANAGER. Each events/<vendor>.json must get a
// 200 with the vendor's fields, and a function whose secret is missing must
// fail at init, saying which setting, and never serve.
func TestBootstraps(t *testing.T) {
	// Bounds the build and every process; the subtests run in parallel,
	// after this function has returned.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)

	var pkgs []string
	for _, v := range eventFunctions {
		pkgs = append(pkgs, "./"+v.Name)
	}
	paths, err := runtimeapi.Build(ctx, t.TempDir(), pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := map[string]string{} // vendor name -> binary
	for i, p := range paths {
		bootstrap[strings.TrimPrefix(pkgs[i], "./")] = p
	}

	var envFile map[string]map[string]string
	readJSON(t, filepath.Join("..", "events", "env.json"), &envFile)
	copilotAPI := httptest.NewServer(copilottest.Dev())
	t.Cleanup(copilotAPI.Close)

	for name, v := range eventFunctions {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			settings, secretID, secretValue := lambdaSettings(t, envFile[v.LogicalID], v)
			if _, ok := settings["COPILOT_BASE_URL"]; ok {
				settings["COPILOT_BASE_URL"] = copilotAPI.URL
			}
			sm := secretstest.NewServer(t, map[string]string{secretID: secretValue})
			api, proc := startBootstrap(t, ctx, bootstrap[v.Name], v.LogicalID, sm, settings)
			if _, err := proc.WaitReady(ctx); err != nil {
				t.Fatalf("not ready: %v", err)
			}

			event, err := os.ReadFile(filepath.Join("..", "events", name))
			if err != nil {
				t.Fatal(err)
			}
			checkTokenResponse(t, invoke(t, ctx, api, event), responseFields(t, v, settings))

			// Warm: the same process answers a request without authorizer
			// claims with the contract's 401, without reading the secret again.
			var anonymous map[string]any
			if err := json.Unmarshal(event, &anonymous); err != nil {
				t.Fatal(err)
			}
			rc := anonymous["requestContext"].(map[string]any)
			delete(rc, "authorizer")
			rc["requestId"] = "warm-request-1"
			event, _ = json.Marshal(anonymous)
			resp := invoke(t, ctx, api, event)
			if resp.StatusCode != http.StatusUnauthorized || resp.Headers["WWW-Authenticate"] != "Bearer" ||
				!strings.Contains(resp.Body, `"code":"unauthorized"`) || !strings.Contains(resp.Body, `"request_id":"warm-request-1"`) {
				t.Errorf("without a session: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
			if n := sm.CallsFor(secretID); n != 1 {
				t.Errorf("the secret was read %d times, want once, at init", n)
			}
			if api.Nexts() < 2 {
				t.Errorf("Nexts = %d", api.Nexts())
			}
			checkNoSecret(t, proc.Output(), secretValue)
		})
	}

	// A missing secret stops the function at init.
	for _, tt := range []struct {
		name    string
		secrets map[string]string // in Secrets Manager
		setID   bool              // whether KUSTOMER_SECRET_ID names dev/kustomer
		want    []string
	}{
		{"secret not configured", nil, false, []string{"KUSTOMER_SECRET_ID", "secret is not configured"}},
		{"secret not in Secrets Manager", nil, true, []string{"KUSTOMER_SECRET_ID", "ResourceNotFoundException"}},
		{"secret without its key", map[string]string{"dev/kustomer": `{"other":"dev-only-value"}`}, true, []string{"KUSTOMER_SECRET_ID", `JSON key "secret" is missing`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			settings, _, _ := lambdaSettings(t, envFile["KustomerFunction"], kustomer.Descriptor)
			if !tt.setID {
				delete(settings, kustomer.Descriptor.Secret.Setting)
			}
			sm := secretstest.NewServer(t, tt.secrets)
			api, proc := startBootstrap(t, ctx, bootstrap[kustomer.Descriptor.Name], "KustomerFunction", sm, settings)

			_, err := proc.WaitReady(ctx)
			var report *runtimeapi.ErrorReport
			if !errors.As(err, &report) {
				t.Fatalf("WaitReady = %v, want the init error report", err)
			}
			if report.Type != "ConfigError" || report.HeaderType != "Runtime.ConfigError" {
				t.Errorf("init error type %q, header %q", report.Type, report.HeaderType)
			}
			for _, want := range tt.want {
				if !strings.Contains(report.Message, want) {
					t.Errorf("init error %q does not say %q", report.Message, want)
				}
			}
			if err := proc.Wait(ctx); err == nil || proc.ExitCode() < 1 {
				t.Errorf("exit: %v, code %d; want a non-zero exit", err, proc.ExitCode())
			}
			if api.Nexts() != 0 {
				t.Errorf("the function asked for %d invocations", api.Nexts())
			}
			if !strings.Contains(proc.Output(), "function cannot start") {
				t.Errorf("no start-up failure in the log:\n%s", proc.Output())
			}
			checkNoSecret(t, proc.Output()+report.Message, "dev-only-value")
		})
	}
}

// lambdaSettings turns a function's env.json settings into those of a
// deployed function: the vendor secret named by its *_SECRET_ID (the id
// returned, with the secret's value) instead of given as *_SECRET_JSON.
func lambdaSettings(t *testing.T, envJSON map[string]string, v descriptor.Vendor) (settings map[string]string, secretID, secretValue string) {
	t.Helper()
	settings = maps.Clone(envJSON)
	secretValue = settings[v.Secret.OverrideSetting()]
	if secretValue == "" {
		t.Fatalf("events/env.json gives no %s", v.Secret.OverrideSetting())
	}
	maps.DeleteFunc(settings, func(k, _ string) bool { return strings.HasSuffix(k, "_SECRET_JSON") })
	secretID = "dev/" + v.Name
	settings[v.Secret.Setting] = secretID
	return settings, secretID, secretValue
}

// startBootstrap runs the binary at path as function logicalID, with
// Secrets Manager answered by sm and settings in its environment.
func startBootstrap(t *testing.T, ctx context.Context, path, logicalID string, sm *secretstest.Server, settings map[string]string) (*runtimeapi.Server, *runtimeapi.Process) {
	t.Helper()
	api := runtimeapi.NewServer(t)
	api.FunctionName = logicalID
	env := append(sm.Env(), "AWS_LAMBDA_LOG_LEVEL=INFO", "AWS_LAMBDA_LOG_FORMAT=JSON")
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	proc, err := api.Start(ctx, path, env...)
	if err != nil {
		t.Fatal(err)
	}
	return api, proc
}

// invoke sends one event and decodes the function's API Gateway response.
func invoke(t *testing.T, ctx context.Context, api *runtimeapi.Server, event []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := api.Invoke(ictx, event)
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("the function reported an error: %v", res.Error)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		t.Fatalf("response %s: %v", res.Payload, err)
	}
	return resp
}

// checkNoSecret fails when text holds any string value of the JSON object
// secret, or secret itself when it is not JSON.
func checkNoSecret(t *testing.T, text, secret string) {
	t.Helper()
	values := map[string]string{}
	if json.Unmarshal([]byte(secret), &values) != nil {
		values = map[string]string{"": secret}
	}
	for k, v := range values {
		if strings.Contains(text, v) {
			t.Errorf("the output holds the secret's value of %q", k)
		}
	}
}
