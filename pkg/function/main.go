package function

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
)

// Main builds v's handler from the process environment and serves it with
// the Lambda runtime. A start-up failure is logged, reported to the Runtime
// API as an init error, and ends the process, so a misconfigured function
// never serves.
func Main(v descriptor.Vendor) {
	logger := NewLogger(os.Stdout, os.Getenv("AWS_LAMBDA_LOG_LEVEL")).With("function", v.Name)
	h, err := Build(context.Background(), v, Deps{Getenv: os.Getenv, Logger: logger})
	if err != nil {
		logger.Error("function cannot start", "error", err.Error())
		reportInitError(os.Getenv("AWS_LAMBDA_RUNTIME_API"), err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// NewLogger returns the JSON logger the functions use, at the level Lambda
// passes in AWS_LAMBDA_LOG_LEVEL (DEBUG, INFO, WARN, ERROR; default INFO).
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if l.UnmarshalText([]byte(strings.ToUpper(level))) != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// reportInitError tells the Lambda Runtime API why the function could not
// start (POST /2018-06-01/runtime/init/error), so the failure shows in the
// invocation's error rather than as a bare exit.
func reportInitError(runtimeAPI string, err error) {
	if runtimeAPI == "" {
		return
	}
	body, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "ConfigError"})
	req, rerr := http.NewRequest(http.MethodPost, "http://"+runtimeAPI+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
	}
}
