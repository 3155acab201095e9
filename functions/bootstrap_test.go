package functions_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/runtimeapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// emulatorPkg is the AWS Lambda Runtime Interface Emulator, a tool
// dependency of this module (go.mod's tool directive), so its version is
// pinned there.
const emulatorPkg = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// devMarker begins every dev-only value of package dev (dev.Value).
const devMarker = "dev-only-"

// TestBootstraps builds each function's bootstrap, for the host but as the
// Makefile builds it for Lambda, and runs it under the AWS Lambda Runtime
// Interface Emulator, on loopback, with the template's Timeout and
// MemorySize, its settings from events/env.json and its secret read from a
// Secrets Manager stand-in through AWS_ENDPOINT_URL_SECRETS_MANAGER. Each
// events/<vendor>.json, invoked through the emulator, must get a 200 with
// the vendor's fields; a function whose secret is missing must fail at
// init, saying which setting, and never serve; no bootstrap may hold a
// dev-only value of package dev.
func TestBootstraps(t *testing.T) {
	// Bounds the builds and every process; the subtests run in parallel,
	// after this function has returned.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)

	var pkgs []string
	for _, v := range eventFunctions {
		pkgs = append(pkgs, "./"+v.Name)
	}
	dir := t.TempDir()
	emulator := buildEmulator(ctx, dir)
	paths, err := runtimeapi.Build(ctx, dir, pkgs...)
	if err != nil {
		t.Fatal(err)
	}
	emulatorPath, err := emulator()
	if err != nil {
		t.Fatal(err)
	}
	bootstrap := map[string]string{} // vendor name -> binary
	for i, p := range paths {
		bootstrap[strings.TrimPrefix(pkgs[i], "./")] = p
	}

	var envFile map[string]map[string]string
	readJSON(t, filepath.Join("..", "events", "env.json"), &envFile)
	tpl := mustReadTemplate(t)

	for name, v := range eventFunctions {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkNoDevValues(t, bootstrap[v.Name])
			settings, secretID, secretValue := lambdaSettings(t, envFile[v.LogicalID], v)
			settings = withStandIn(t, v, settings)
			sm := secretstest.NewServer(t, map[string]string{secretID: secretValue})
			rie := startEmulator(t, ctx, emulatorPath, bootstrap[v.Name], functionEnv(t, tpl, v.LogicalID, sm, settings))

			event, err := os.ReadFile(filepath.Join("..", "events", name))
			if err != nil {
				t.Fatal(err)
			}
			checkTokenResponse(t, invokeOK(t, ctx, rie, event), responseFields(t, v, settings))

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
			resp := invokeOK(t, ctx, rie, event)
			if resp.StatusCode != http.StatusUnauthorized || resp.Headers["WWW-Authenticate"] != "Bearer" ||
				!strings.Contains(resp.Body, `"code":"unauthorized"`) || !strings.Contains(resp.Body, `"request_id":"warm-request-1"`) {
				t.Errorf("without a session: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
			}
			if n := sm.CallsFor(secretID); n != 1 {
				t.Errorf("the secret was read %d times, want once, at init", n)
			}
			checkNoSecret(t, rie.output(t), secretValue)
		})
	}

	// A missing secret stops the function at init: shown with the first
	// vendor whose secret has a required key.
	v := vendors.All()[slices.IndexFunc(vendors.All(), func(v descriptor.Vendor) bool { return len(v.Secret.Keys) > 0 })]
	for _, tt := range []struct {
		name    string
		secrets map[string]string // in Secrets Manager
		setID   bool              // whether the secret's setting names dev/<vendor>
		want    []string
	}{
		{"secret not configured", nil, false, []string{v.Secret.Setting, "secret is not configured"}},
		{"secret not in Secrets Manager", nil, true, []string{v.Secret.Setting, "ResourceNotFoundException"}},
		{"secret without its key", map[string]string{"dev/" + v.Name: `{"other":"dev-only-value"}`}, true, []string{v.Secret.Setting, `JSON key "` + v.Secret.Keys[0] + `" is missing`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			settings, _, _ := lambdaSettings(t, envFile[v.LogicalID], v)
			if !tt.setID {
				delete(settings, v.Secret.Setting)
			}
			sm := secretstest.NewServer(t, tt.secrets)
			rie := startEmulator(t, ctx, emulatorPath, bootstrap[v.Name], functionEnv(t, tpl, v.LogicalID, sm, settings))

			event, err := os.ReadFile(filepath.Join("..", "events", v.Name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			// The emulator answers an invocation whose init failed with 502
			// and the body the function posted to /runtime/init/error.
			status, body := rie.invoke(t, ctx, event)
			var report struct {
				Message string `json:"errorMessage"`
				Type    string `json:"errorType"`
			}
			if status != http.StatusBadGateway || json.Unmarshal(body, &report) != nil {
				t.Fatalf("invocation: %d %s, want 502 and the init error", status, body)
			}
			if report.Type != "ConfigError" {
				t.Errorf("init error type %q", report.Type)
			}
			for _, want := range tt.want {
				if !strings.Contains(report.Message, want) {
					t.Errorf("init error %q does not say %q", report.Message, want)
				}
			}
			// The emulator's own log says how the function ended: a
			// non-zero exit, after its init error report with its
			// Lambda-Runtime-Function-Error-Type header, and no
			// GET .../invocation/next before that.
			out := rie.waitOutput(t, ctx, exitedWithError.MatchString)
			if !exitedWithError.MatchString(out) {
				t.Errorf("no non-zero exit of the function in the log:\n%s", out)
			}
			if !strings.Contains(out, "Sending Init Error Response: Runtime.ConfigError") {
				t.Errorf("no init error of type Runtime.ConfigError in the log:\n%s", out)
			}
			if n := strings.Count(out, "GET /2018-06-01/runtime/invocation/next"); n != 0 {
				t.Errorf("the function asked for %d invocations", n)
			}
			if !strings.Contains(out, "function cannot start") {
				t.Errorf("no start-up failure in the log:\n%s", out)
			}
			checkNoSecret(t, out+string(body), "dev-only-value")
		})
	}
}

// exitedWithError matches the emulator's log line for a function process
// that ended with a non-zero exit status.
var exitedWithError = regexp.MustCompile(`Process runtime-\d+ exited: exit status [1-9]`)

// buildEmulator starts building the emulator into dir and returns a
// function that waits for the build and returns the binary's path.
func buildEmulator(ctx context.Context, dir string) func() (string, error) {
	path := filepath.Join(dir, "aws-lambda-rie")
	done := make(chan error, 1)
	go func() {
		out, err := exec.CommandContext(ctx, "go", "build", "-o", path, emulatorPkg).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("go build %s: %w\n%s", emulatorPkg, err, out)
		}
		done <- err
	}()
	return func() (string, error) { return path, <-done }
}

// checkNoDevValues fails when the binary at path holds a dev-only value of
// package dev: none may be linked into a function that can be deployed.
func checkNoDevValues(t *testing.T, path string) {
	t.Helper()
	bin, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(bin, []byte(devMarker)); i >= 0 {
		t.Errorf("%s holds %q at byte %d: package dev, or a dev-only value, is linked into it", filepath.Base(path), devMarker, i)
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

// functionEnv is the whole environment of the emulator, which hands all of
// it to the function: function logicalID's name, Timeout and MemorySize as
// template.yaml gives them, Lambda's JSON logging at INFO, Secrets Manager
// answered by sm, and settings. Nothing comes from the test's own
// environment.
func functionEnv(t *testing.T, tpl map[string]any, logicalID string, sm *secretstest.Server, settings map[string]string) []string {
	t.Helper()
	props := mergeGlobals(field(tpl, "Globals", "Function"), field(tpl, "Resources", logicalID, "Properties"))
	env := []string{"AWS_LAMBDA_FUNCTION_NAME=" + logicalID}
	for _, p := range []struct{ property, variable string }{
		{"Timeout", "AWS_LAMBDA_FUNCTION_TIMEOUT"},
		{"MemorySize", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"},
	} {
		n, ok := field(props, p.property).(int)
		if !ok {
			t.Fatalf("template.yaml: %s's %s = %v, want a number", logicalID, p.property, field(props, p.property))
		}
		env = append(env, p.variable+"="+strconv.Itoa(n))
	}
	env = append(env, "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO", "TZ=:UTC")
	env = append(env, sm.Env()...)
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	return env
}

// rie is one running emulator, with one function.
type rie struct {
	addr   string // its invoke API, host:port on loopback
	log    string // the file of its stdout and stderr, which the function shares
	exited chan struct{}
}

// errAddrInUse is an emulator's start that found an address taken since
// it was chosen.
var errAddrInUse = errors.New("address already in use")

// startEmulator runs the emulator with the bootstrap at path as its
// function, and env as its whole environment, and waits until it listens.
// Both its addresses, the invoke API and the Runtime API it serves the
// function, are free ports on 127.0.0.1. It is stopped when the test ends.
func startEmulator(t *testing.T, ctx context.Context, emulator, path string, env []string) *rie {
	t.Helper()
	for attempt := 1; ; attempt++ {
		r, err := tryEmulator(t, ctx, emulator, path, env)
		if err == nil {
			return r
		}
		if !errors.Is(err, errAddrInUse) || attempt == 3 {
			t.Fatal(err)
		}
	}
}

// tryEmulator makes one attempt of startEmulator; it fails with
// errAddrInUse when another process took a chosen port first.
func tryEmulator(t *testing.T, ctx context.Context, emulator, path string, env []string) (*rie, error) {
	t.Helper()
	r := &rie{addr: freeAddr(t), exited: make(chan struct{})}
	runtimeAPI := freeAddr(t)
	logFile, err := os.CreateTemp(t.TempDir(), "emulator-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the processes keep their own descriptors
	r.log = logFile.Name()

	// Debug logging adds each Runtime API request and the type of an init
	// error to the emulator's log.
	cmd := exec.CommandContext(ctx, emulator, "--log-level", "debug",
		"--runtime-interface-emulator-address", r.addr,
		"--runtime-api-address", runtimeAPI,
		path)
	// When ctx ends, exec sends SIGTERM, on which the emulator kills the
	// function's process group and exits, then SIGKILL stopWait later if
	// it has not; stop does the same when the test ends.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopWait
	cmd.Env = env
	cmd.Dir = filepath.Dir(path) // as Lambda runs a bootstrap from /var/task
	// Written to a file, not through a pipe, so that whatever the emulator
	// and the function have written is there to read, with no copying
	// left to wait for.
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		stop(cmd, r.exited)
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", r.output(t))
		}
	})

	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, addr := range []string{r.addr, runtimeAPI} {
		for {
			conn, err := (&net.Dialer{Timeout: time.Second}).DialContext(wait, "tcp", addr)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-r.exited:
				out := r.output(t)
				if strings.Contains(out, "address already in use") {
					return nil, fmt.Errorf("emulator: %w:\n%s", errAddrInUse, out)
				}
				return nil, fmt.Errorf("the emulator exited before it listened:\n%s", out)
			case <-wait.Done():
				return nil, fmt.Errorf("the emulator does not listen on %s: %w", addr, wait.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return r, nil
}

// stopWait bounds how long an emulator has to stop after SIGTERM.
const stopWait = 5 * time.Second

// stop ends cmd, which closes exited once it has: SIGTERM, then SIGKILL
// after stopWait.
func stop(cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(stopWait):
	}
	_ = cmd.Process.Kill()
	<-exited
}

// freeAddr returns 127.0.0.1 with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// output returns what the emulator and the function have written so far.
func (r *rie) output(t *testing.T) string {
	t.Helper()
	out, err := os.ReadFile(r.log)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// waitOutput returns the output once done says it is complete, or after 5
// seconds, for lines the emulator writes after it has answered.
func (r *rie) waitOutput(t *testing.T, ctx context.Context, done func(string) bool) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		out := r.output(t)
		if done(out) {
			return out
		}
		select {
		case <-ctx.Done():
			return out
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// invoke sends one event through the emulator's invoke API and returns its
// status and body.
func (r *rie) invoke(t *testing.T, ctx context.Context, event []byte) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+r.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return resp.StatusCode, body
}

// invokeOK sends one event and decodes the function's API Gateway response,
// failing unless the emulator answers 200.
func invokeOK(t *testing.T, ctx context.Context, r *rie, event []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	status, body := r.invoke(t, ctx, event)
	if status != http.StatusOK {
		t.Fatalf("invocation: %d %s", status, body)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response %s: %v", body, err)
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
