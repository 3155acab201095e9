package secretstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// TestClient reads through the real SDK client: every field it parses.
func TestClient(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"app/acme": `{"secret":"k"}`})
	before := time.Now().Add(-time.Second)
	out, err := srv.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/acme")})
	if err != nil {
		t.Fatalf("GetSecretValue: %v", err)
	}
	if got := aws.ToString(out.SecretString); got != `{"secret":"k"}` {
		t.Errorf("SecretString = %q", got)
	}
	if got := aws.ToString(out.Name); got != "app/acme" {
		t.Errorf("Name = %q", got)
	}
	if got := aws.ToString(out.ARN); !strings.HasPrefix(got, "arn:aws:secretsmanager:us-east-1:") || !strings.Contains(got, ":secret:app/acme-") {
		t.Errorf("ARN = %q", got)
	}
	if aws.ToString(out.VersionId) == "" || len(out.VersionStages) != 1 || out.VersionStages[0] != "AWSCURRENT" {
		t.Errorf("VersionId = %q, VersionStages = %v", aws.ToString(out.VersionId), out.VersionStages)
	}
	if out.CreatedDate == nil || out.CreatedDate.Before(before) || out.CreatedDate.After(time.Now()) {
		t.Errorf("CreatedDate = %v", out.CreatedDate)
	}

	// By ARN, and binary.
	srv.SetBinary(aws.ToString(out.ARN), []byte{0, 1, 2})
	out, err = srv.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: out.ARN})
	if err != nil || out.SecretString != nil || string(out.SecretBinary) != "\x00\x01\x02" || aws.ToString(out.Name) != "app/acme" {
		t.Errorf("binary secret by ARN: %+v, %v", out, err)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"a": "x", "b": "x", "c": "x", "d": "x"})
	srv.Delete("a")
	srv.Fail("b", http.StatusBadRequest)
	srv.Fail("c", http.StatusServiceUnavailable)
	client := srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	for id, want := range map[string]string{"a": "ResourceNotFoundException", "b": "AccessDeniedException", "c": "InternalServiceError"} {
		_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %s", id, err, want)
		}
	}
	_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || aws.ToString(notFound.Message) == "" {
		t.Errorf("got %v, want a *types.ResourceNotFoundException with its message", err)
	}
	_, err = client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("d"), VersionStage: aws.String("AWSPREVIOUS")})
	if !errors.As(err, &notFound) {
		t.Errorf("another version stage: got %v, want ResourceNotFoundException", err)
	}
	if got := srv.Calls(); got != 5 {
		t.Errorf("Calls = %d, want 5", got)
	}
	if got := srv.CallsFor("a"); got != 2 {
		t.Errorf("CallsFor(a) = %d, want 2", got)
	}
}

// TestFailWith shows the error types as the SDK reads them: its error
// code, from __type and X-Amzn-ErrorType, and the service's message.
func TestFailWith(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"a": "x"})
	client := srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	for _, code := range []string{"InvalidRequestException", "DecryptionFailure", "ThrottlingException", "AccessDeniedException"} {
		srv.FailWith("a", http.StatusBadRequest, code)
		_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code || apiErr.ErrorMessage() == "" {
			t.Errorf("%s: got %v, want that API error with a message", code, err)
		}
	}
	srv.FailWith("a", 0, "")
	if _, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")}); err != nil {
		t.Errorf("after the failure ended: %v", err)
	}
}

// TestHold: a held request waits for Release, and one whose client gives
// up is dropped.
func TestHold(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"a": "x"})
	t.Cleanup(srv.Release)
	client := srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	srv.Hold()

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("held request: got %v, want %v", err, context.DeadlineExceeded)
	}

	done := make(chan error, 1)
	go func() {
		_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("a")})
		done <- err
	}()
	for i := 0; srv.Calls() < 2 && i < 1000; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-done:
		t.Fatalf("a held request was answered: %v", err)
	default:
	}
	srv.Release()
	if err := <-done; err != nil {
		t.Errorf("released request: %v", err)
	}
}

// TestWire checks what the SDK does not: requests that are not signed
// GetSecretValue calls are refused the way AWS refuses them.
func TestWire(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"a": "x"})
	tests := []struct {
		name     string
		method   string
		target   string
		ctype    string
		auth     string
		body     string
		status   int
		wantType string
	}{
		{"GET", http.MethodGet, "secretsmanager.GetSecretValue", "application/x-amz-json-1.1", "AWS4-HMAC-SHA256 x", `{"SecretId":"a"}`, 404, "UnknownOperationException"},
		{"other operation", http.MethodPost, "secretsmanager.ListSecrets", "application/x-amz-json-1.1", "AWS4-HMAC-SHA256 x", `{}`, 400, "UnknownOperationException"},
		{"JSON 1.0", http.MethodPost, "secretsmanager.GetSecretValue", "application/x-amz-json-1.0", "AWS4-HMAC-SHA256 x", `{"SecretId":"a"}`, 400, "SerializationException"},
		{"unsigned", http.MethodPost, "secretsmanager.GetSecretValue", "application/x-amz-json-1.1", "", `{"SecretId":"a"}`, 400, "MissingAuthenticationTokenException"},
		{"bad body", http.MethodPost, "secretsmanager.GetSecretValue", "application/x-amz-json-1.1", "AWS4-HMAC-SHA256 x", `{`, 400, "SerializationException"},
		{"no SecretId", http.MethodPost, "secretsmanager.GetSecretValue", "application/x-amz-json-1.1", "AWS4-HMAC-SHA256 x", `{}`, 400, "InvalidParameterException"},
		{"ok", http.MethodPost, "secretsmanager.GetSecretValue", "application/x-amz-json-1.1", "AWS4-HMAC-SHA256 x", `{"SecretId":"a"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+"/", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", tt.target)
			req.Header.Set("Content-Type", tt.ctype)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type    string `json:"__type"`
				Message string
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || body.Type != tt.wantType || resp.Header.Get("X-Amzn-ErrorType") != tt.wantType {
				t.Errorf("got %d %q (header %q), want %d %q", resp.StatusCode, body.Type, resp.Header.Get("X-Amzn-ErrorType"), tt.status, tt.wantType)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}
