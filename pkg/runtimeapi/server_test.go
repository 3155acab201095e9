package runtimeapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vendortokens/vendor-token-functions/pkg/runtimeapi"
)

// helperEnv makes the test binary, started by Server.Start, play a
// function instead of running the tests.
const helperEnv = "RUNTIMEAPI_TEST_FUNCTION"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "echo":
		lambda.Start(echo)
	case "init-error":
		fmt.Fprintln(os.Stderr, "SETTING_X: required setting is not set")
		api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
		req, _ := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error",
			strings.NewReader(`{"errorMessage":"SETTING_X: required setting is not set","errorType":"ConfigError"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
		os.Exit(2)
	case "exit":
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// echo answers {"fail": "..."} with that error, and anything else with the
// payload and what the invocation's context says.
func echo(ctx context.Context, in map[string]any) (map[string]any, error) {
	if msg, ok := in["fail"].(string); ok {
		return nil, errors.New(msg)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	return map[string]any{
		"in":         in,
		"request_id": lc.AwsRequestID,
		"arn":        lc.InvokedFunctionArn,
		"function":   lambdacontext.FunctionName,
		"deadline":   deadline.UnixMilli(),
	}, nil
}

func startHelper(t *testing.T, mode string) (*runtimeapi.Server, *runtimeapi.Process) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	srv := runtimeapi.NewServer(t)
	srv.FunctionName = "echo-fn"
	p, err := srv.Start(ctx, os.Args[0], helperEnv+"="+mode)
	if err != nil {
		t.Fatal(err)
	}
	return srv, p
}

// TestProcess runs a function built on aws-lambda-go (this test binary)
// against the server.
func TestProcess(t *testing.T) {
	t.Parallel()
	srv, p := startHelper(t, "echo")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	coldStart, err := p.WaitReady(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if coldStart <= 0 {
		t.Errorf("cold start %v", coldStart)
	}

	for i := range 3 { // one process serves invocation after invocation
		res, err := srv.Invoke(ctx, fmt.Appendf(nil, `{"n":%d}`, i))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			In        map[string]any `json:"in"`
			RequestID string         `json:"request_id"`
			ARN       string         `json:"arn"`
			Function  string         `json:"function"`
			Deadline  int64          `json:"deadline"`
		}
		if res.Error != nil || json.Unmarshal(res.Payload, &out) != nil {
			t.Fatalf("invocation %d: %s, %v", i, res.Payload, res.Error)
		}
		dl, _ := ctx.Deadline()
		if out.In["n"] != float64(i) || out.RequestID != res.RequestID || out.ARN != srv.FunctionARN() ||
			out.Function != "echo-fn" || out.Deadline != dl.UnixMilli() {
			t.Errorf("invocation %d: got %+v (request id %s)", i, out, res.RequestID)
		}
	}

	res, err := srv.Invoke(ctx, []byte(`{"fail":"no luck"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == nil || res.Error.Message != "no luck" || res.Error.Type != "errorString" || res.Payload != nil {
		t.Errorf("error result: %+v, %+v", res, res.Error)
	}
	// After four invocations, the function still runs, waiting for a fifth.
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if err := p.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want the function still running", err)
	}
}

// TestProcessInitError: a function that cannot start reports an init
// error, which the server does not serve, and exits; WaitReady and Invoke
// say how it exited.
func TestProcessInitError(t *testing.T) {
	t.Parallel()
	srv, p := startHelper(t, "init-error")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	if _, err := p.WaitReady(ctx); err == nil || !strings.Contains(err.Error(), "exited before asking for an invocation: exit status 2") {
		t.Errorf("WaitReady = %v, want exit status 2", err)
	}
	if !strings.Contains(p.Output(), "SETTING_X: required setting is not set") {
		t.Errorf("output %q", p.Output())
	}
	if _, err := srv.Invoke(ctx, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "exit status 2") {
		t.Errorf("Invoke after exit = %v", err)
	}
}

func TestProcessExitBeforeReady(t *testing.T) {
	t.Parallel()
	srv, p := startHelper(t, "exit")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := p.WaitReady(ctx); err == nil || !strings.Contains(err.Error(), "exited before asking for an invocation: exit status 0") {
		t.Errorf("WaitReady = %v", err)
	}
	if _, err := srv.Start(ctx, os.Args[0], helperEnv+"=exit"); err == nil {
		t.Error("a second Start succeeded")
	}
}

// TestProtocol speaks the Runtime API directly, as a runtime client.
func TestProtocol(t *testing.T) {
	t.Parallel()
	srv := runtimeapi.NewServer(t)
	base := "http://" + srv.Addr + "/2018-06-01/runtime/"
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	type invoked struct {
		res runtimeapi.Result
		err error
	}
	results := make(chan invoked, 1)
	go func() {
		res, err := srv.Invoke(ctx, []byte(`{"a":1}`))
		results <- invoked{res, err}
	}()

	resp := do(t, ctx, http.MethodGet, base+"invocation/next", "", nil)
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	deadline, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if resp.StatusCode != http.StatusOK || len(id) != 36 || err != nil || deadline <= time.Now().UnixMilli() ||
		resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn") != srv.FunctionARN() ||
		!strings.HasPrefix(resp.Header.Get("Lambda-Runtime-Trace-Id"), "Root=1-") ||
		readAll(t, resp) != `{"a":1}` {
		t.Fatalf("next: %d %v", resp.StatusCode, resp.Header)
	}

	for _, c := range []struct {
		name, method, path, body string
		status                   int
	}{
		{"unknown id", http.MethodPost, "invocation/nope/response", "{}", http.StatusBadRequest},
		{"GET response", http.MethodGet, "invocation/" + id + "/response", "", http.StatusNotFound},
		{"other path", http.MethodPost, "invocation/" + id + "/other", "", http.StatusNotFound},
		{"POST next", http.MethodPost, "invocation/next", "", http.StatusMethodNotAllowed},
		{"init error", http.MethodPost, "init/error", `{"errorMessage":"bad","errorType":"E"}`, http.StatusNotFound},
		{"other version", http.MethodGet, "../../2020-01-01/runtime/invocation/next", "", http.StatusNotFound},
		{"response", http.MethodPost, "invocation/" + id + "/response", `{"ok":true}`, http.StatusAccepted},
		{"response again", http.MethodPost, "invocation/" + id + "/response", `{}`, http.StatusBadRequest},
	} {
		if resp := do(t, ctx, c.method, base+c.path, c.body, nil); resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
		}
	}
	got := <-results
	if got.err != nil || got.res.RequestID != id || string(got.res.Payload) != `{"ok":true}` || got.res.Error != nil {
		t.Errorf("Invoke = %+v, %v", got.res, got.err)
	}

	// An error report.
	go func() {
		res, err := srv.Invoke(ctx, []byte(`{}`))
		results <- invoked{res, err}
	}()
	id = do(t, ctx, http.MethodGet, base+"invocation/next", "", nil).Header.Get("Lambda-Runtime-Aws-Request-Id")
	do(t, ctx, http.MethodPost, base+"invocation/"+id+"/error", `{"errorMessage":"boom","errorType":"Oops"}`,
		map[string]string{"Lambda-Runtime-Function-Error-Type": "Unhandled"})
	got = <-results
	if e := got.res.Error; got.err != nil || e == nil || e.Message != "boom" || e.Type != "Oops" || e.Error() != "Oops: boom" || got.res.Payload != nil {
		t.Errorf("Invoke = %+v, %v", got.res, got.err)
	}
}

// TestInvokeTimeout: an invocation nobody picks up, or nobody answers,
// ends with its context.
func TestInvokeTimeout(t *testing.T) {
	t.Parallel()
	srv := runtimeapi.NewServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := srv.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("not picked up: %v", err)
	}

	ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	short, cancelShort := context.WithCancel(ctx)
	errs := make(chan error, 1)
	go func() {
		_, err := srv.Invoke(short, []byte(`{}`))
		errs <- err
	}()
	resp := do(t, ctx, http.MethodGet, "http://"+srv.Addr+"/2018-06-01/runtime/invocation/next", "", nil)
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	cancelShort()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("not answered: %v", err)
	}
	// The forgotten invocation cannot be answered any more.
	if resp := do(t, ctx, http.MethodPost, "http://"+srv.Addr+"/2018-06-01/runtime/invocation/"+id+"/response", "{}", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("late response: %d", resp.StatusCode)
	}
}

func do(t *testing.T, ctx context.Context, method, url, body string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
