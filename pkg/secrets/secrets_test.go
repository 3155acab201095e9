package secrets_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/logtest"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// marker is part of every secret value in these tests; it must never
// appear in an error or a log line.
const marker = "s3cr3t"

var (
	acme   = secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"secret"}}
	globex = secrets.Spec{Setting: "GLOBEX_SECRET_ID", Keys: []string{"client_id", "client_secret"}}
	// platforms has optional keys only, as a secret with one key per client
	// platform may.
	platforms = secrets.Spec{Setting: "ACME_SECRET_ID", Optional: []string{"web", "ios"}}
)

// withMinLen is spec with a least length of n bytes for key.
func withMinLen(spec secrets.Spec, key string, n int) secrets.Spec {
	spec.MinLen = map[string]int{key: n}
	return spec
}

// capture returns a JSON logger writing into a buffer.
func capture() (*slog.Logger, *logtest.Buffer) {
	var buf logtest.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// noLeak fails the test if text holds a secret value.
func noLeak(t *testing.T, what, text string) {
	t.Helper()
	if strings.Contains(text, marker) {
		t.Errorf("%s contains a secret value: %s", what, text)
	}
}

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// clock is a settable clock for Loader.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// apiFunc is a fake API, for what the server cannot show.
type apiFunc func(ctx context.Context, in *secretsmanager.GetSecretValueInput) (*secretsmanager.GetSecretValueOutput, error)

func (f apiFunc) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return f(ctx, in)
}

// forbidden is an API that fails the test when it is called.
func forbidden(t *testing.T) apiFunc {
	return func(context.Context, *secretsmanager.GetSecretValueInput) (*secretsmanager.GetSecretValueOutput, error) {
		t.Error("Secrets Manager was called")
		return nil, errors.New("must not be called")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	env := map[string]string{"ACME_SECRET_ID": "acme", "GLOBEX_SECRET_ID": "arn:aws:secretsmanager:us-east-1:123456789012:secret:globex-AbCdEf"}
	tests := []struct {
		name    string
		secrets map[string]string
		env     map[string]string
		specs   []secrets.Spec
		want    []secrets.Values // on success
		wantErr []error          // errors.Is must hold for each
		apiCode string           // the Secrets Manager error code the error must carry
		mention []string         // words the error must contain
		calls   int
	}{
		{
			name:    "one secret",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t-k"}`},
			specs:   []secrets.Spec{acme},
			want:    []secrets.Values{{"secret": []byte("s3cr3t-k")}},
			calls:   1,
		},
		{
			name: "two secrets, in spec order, by name and by ARN",
			secrets: map[string]string{
				"acme": `{"secret":"s3cr3t-k"}`,
				"arn:aws:secretsmanager:us-east-1:123456789012:secret:globex-AbCdEf": `{"client_id":"s3cr3t-id","client_secret":"s3cr3t-cs"}`,
			},
			specs: []secrets.Spec{globex, acme},
			want: []secrets.Values{
				{"client_id": []byte("s3cr3t-id"), "client_secret": []byte("s3cr3t-cs")},
				{"secret": []byte("s3cr3t-k")},
			},
			calls: 2,
		},
		{
			name:    "other keys: strings kept, others and empty ones dropped",
			secrets: map[string]string{"acme": ` {"secret":"s3cr3t-k","note":"s3cr3t-n","n":1,"empty":"","list":["x"]} `},
			specs:   []secrets.Spec{acme},
			want:    []secrets.Values{{"secret": []byte("s3cr3t-k"), "note": []byte("s3cr3t-n")}},
			calls:   1,
		},
		{
			name:    "no keys required",
			secrets: map[string]string{"acme": `{}`},
			specs:   []secrets.Spec{{Setting: "ACME_SECRET_ID"}},
			want:    []secrets.Values{{}},
			calls:   1,
		},
		{
			name:    "setting unset",
			env:     map[string]string{"ACME_SECRET_ID": "  "},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrNotConfigured},
			mention: []string{"ACME_SECRET_ID", "ACME_SECRET_JSON"},
		},
		{
			name:    "spec without a setting",
			specs:   []secrets.Spec{{Keys: []string{"secret"}}},
			wantErr: []error{secrets.ErrNotConfigured},
		},
		{
			name:    "secret does not exist",
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrFetch},
			apiCode: "ResourceNotFoundException",
			mention: []string{"ACME_SECRET_ID", "ResourceNotFoundException"},
			calls:   1,
		},
		{
			name:    "invalid JSON",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t-k" s3cr3t}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", "byte 22"},
			calls:   1,
		},
		{
			name:    "plain string",
			secrets: map[string]string{"acme": `s3cr3t`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID"},
			calls:   1,
		},
		{
			name:    "JSON string",
			secrets: map[string]string{"acme": `"s3cr3t"`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", "not a JSON object"},
			calls:   1,
		},
		{
			name:    "JSON array",
			secrets: map[string]string{"acme": `["s3cr3t"]`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", "not a JSON object"},
			calls:   1,
		},
		{
			name:    "JSON null",
			secrets: map[string]string{"acme": `null`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", "not a JSON object"},
			calls:   1,
		},
		{
			name:    "empty value",
			secrets: map[string]string{"acme": ``},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", "empty"},
			calls:   1,
		},
		{
			name:    "missing key",
			secrets: map[string]string{"acme": `{"Secret":"s3cr3t-k"}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMissingKey},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "missing"},
			calls:   1,
		},
		{
			name:    "null key",
			secrets: map[string]string{"acme": `{"secret":null}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMissingKey},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "missing"},
			calls:   1,
		},
		{
			name:    "empty key",
			secrets: map[string]string{"acme": `{"secret":""}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMissingKey},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "empty"},
			calls:   1,
		},
		{
			name:    "blank key",
			secrets: map[string]string{"acme": `{"secret":" \t\n"}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMissingKey},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "empty"},
			calls:   1,
		},
		{
			name:    "number key",
			secrets: map[string]string{"acme": `{"secret":12345}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "not a string"},
			calls:   1,
		},
		{
			name:    "object key",
			secrets: map[string]string{"acme": `{"secret":{"v":"s3cr3t"}}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "not a string"},
			calls:   1,
		},
		{
			name:    "trailing newline",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t-key\n"}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "white space at its start or end"},
			calls:   1,
		},
		{
			name:    "leading white space",
			secrets: map[string]string{"acme": `{"secret":"\u00a0s3cr3t-key"}`},
			specs:   []secrets.Spec{acme},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "white space at its start or end"},
			calls:   1,
		},
		{
			name:    "white space inside is kept",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t key"}`},
			specs:   []secrets.Spec{acme},
			want:    []secrets.Values{{"secret": []byte("s3cr3t key")}},
			calls:   1,
		},
		{
			name:    "shorter than MinLen",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t-15-bytes"}`},
			specs:   []secrets.Spec{withMinLen(acme, "secret", 16)},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"secret"`, "shorter than 16 bytes"},
			calls:   1,
		},
		{
			name:    "exactly MinLen",
			secrets: map[string]string{"acme": `{"secret":"s3cr3t-16-bytes!"}`},
			specs:   []secrets.Spec{withMinLen(acme, "secret", 16)},
			want:    []secrets.Values{{"secret": []byte("s3cr3t-16-bytes!")}},
			calls:   1,
		},
		{
			name:    "MinLen of an optional key",
			secrets: map[string]string{"acme": `{"web":"s3cr3t-long-enough","ios":"s3cr3t"}`},
			specs:   []secrets.Spec{withMinLen(platforms, "ios", 16)},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"ios"`, "shorter than 16 bytes"},
			calls:   1,
		},
		{
			name:    "optional keys: absent or null",
			secrets: map[string]string{"acme": `{"web":"s3cr3t-w","ios":null}`},
			specs:   []secrets.Spec{platforms},
			want:    []secrets.Values{{"web": []byte("s3cr3t-w")}},
			calls:   1,
		},
		{
			name:    "optional key not a string",
			secrets: map[string]string{"acme": `{"web":12345,"ios":"s3cr3t-i"}`},
			specs:   []secrets.Spec{platforms},
			wantErr: []error{secrets.ErrMalformed},
			mention: []string{"ACME_SECRET_ID", `"web"`, "not a string"},
			calls:   1,
		},
		{
			name:    "optional key empty",
			secrets: map[string]string{"acme": `{"web":"","ios":"s3cr3t-i"}`},
			specs:   []secrets.Spec{platforms},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"web"`, "empty"},
			calls:   1,
		},
		{
			name:    "optional key blank",
			secrets: map[string]string{"acme": `{"web":" ","ios":"s3cr3t-i"}`},
			specs:   []secrets.Spec{platforms},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"web"`, "empty"},
			calls:   1,
		},
		{
			name:    "optional key with a trailing newline",
			secrets: map[string]string{"acme": `{"web":"s3cr3t-w\n"}`},
			specs:   []secrets.Spec{platforms},
			wantErr: []error{secrets.ErrInvalid},
			mention: []string{"ACME_SECRET_ID", `"web"`, "white space"},
			calls:   1,
		},
		{
			name: "every problem reported at once",
			secrets: map[string]string{
				"arn:aws:secretsmanager:us-east-1:123456789012:secret:globex-AbCdEf": `{"client_id":"s3cr3t-id"}`,
			},
			env:     map[string]string{"GLOBEX_SECRET_ID": env["GLOBEX_SECRET_ID"]},
			specs:   []secrets.Spec{globex, acme},
			wantErr: []error{secrets.ErrMissingKey, secrets.ErrNotConfigured},
			mention: []string{"GLOBEX_SECRET_ID", `"client_secret"`, "ACME_SECRET_ID"},
			calls:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(t, tt.secrets)
			logger, logs := capture()
			if tt.env == nil {
				tt.env = env
			}
			loader := &secrets.Loader{API: srv.Client(), Getenv: getenv(tt.env), Logger: logger}
			got, err := loader.Load(t.Context(), tt.specs...)
			noLeak(t, "the log", logs.String())
			if n := srv.Calls(); n != tt.calls {
				t.Errorf("Secrets Manager was called %d times, want %d", n, tt.calls)
			}
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("Load succeeded, want %v", tt.wantErr)
				}
				noLeak(t, "the error", err.Error())
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("error %q is not %q", err, want)
					}
				}
				if tt.apiCode != "" {
					var apiErr smithy.APIError
					if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.apiCode {
						t.Errorf("error %q does not carry the API error %s", err, tt.apiCode)
					}
				}
				for _, word := range tt.mention {
					if !strings.Contains(err.Error(), word) {
						t.Errorf("error %q does not mention %s", err, word)
					}
				}
				if got != nil {
					t.Errorf("Load returned secrets with its error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Load returned %d secrets, want %d", len(got), len(tt.want))
			}
			for i, s := range got {
				v, err := s.Values(t.Context())
				if err != nil {
					t.Fatalf("Values: %v", err)
				}
				equalValues(t, v, tt.want[i])
			}
		})
	}
}

func equalValues(t *testing.T, got, want secrets.Values) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got keys %v, want %v", keys(got), keys(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
			t.Errorf("key %q: got %q, want %q", k, g, w)
		}
	}
}

func keys(v secrets.Values) []string {
	var ks []string
	for k := range v {
		ks = append(ks, k)
	}
	return ks
}

func TestLoadSecretBinary(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, nil)
	srv.SetBinary("acme", []byte(`{"secret":"s3cr3t-k"}`))
	loader := &secrets.Loader{API: srv.Client(), Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme"}), Logger: slog.New(slog.DiscardHandler)}
	got, err := loader.Load(t.Context(), acme)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	v, _ := got[0].Values(t.Context())
	equalValues(t, v, secrets.Values{"secret": []byte("s3cr3t-k")})
}

// TestLoadConcurrent shows that two secrets cost one round trip: the
// server serves both requests at once.
func TestLoadConcurrent(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{
		"acme":    `{"secret":"s3cr3t-k"}`,
		"session": `{"signing_key":"s3cr3t-s"}`,
	})
	srv.SetDelay(50 * time.Millisecond)
	loader := &secrets.Loader{
		API:    srv.Client(),
		Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme", "SESSION_SECRET_ID": "session"}),
		Logger: slog.New(slog.DiscardHandler),
	}
	if _, err := loader.Load(t.Context(), acme, secrets.Spec{Setting: "SESSION_SECRET_ID", Keys: []string{"signing_key"}}); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("Secrets Manager was called %d times, want 2", n)
	}
	if n := srv.MaxInFlight(); n != 2 {
		t.Errorf("the server served at most %d requests at once, want 2: the secrets were read one after the other", n)
	}
}

func TestLoadTimeout(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-k"}`})
	srv.SetDelay(time.Minute)
	loader := &secrets.Loader{
		API:     srv.Client(),
		Getenv:  getenv(map[string]string{"ACME_SECRET_ID": "acme"}),
		Timeout: 50 * time.Millisecond,
		Logger:  slog.New(slog.DiscardHandler),
	}
	_, err := loader.Load(t.Context(), acme)
	if !errors.Is(err, secrets.ErrFetch) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Load: got %v, want %v and %v", err, secrets.ErrFetch, context.DeadlineExceeded)
	}
	if !strings.Contains(err.Error(), "ACME_SECRET_ID") {
		t.Errorf("error %q does not name the setting", err)
	}
}

func TestLoadDefaultTimeout(t *testing.T) {
	t.Parallel()
	var left time.Duration
	api := apiFunc(func(ctx context.Context, _ *secretsmanager.GetSecretValueInput) (*secretsmanager.GetSecretValueOutput, error) {
		deadline, _ := ctx.Deadline()
		left = time.Until(deadline)
		return &secretsmanager.GetSecretValueOutput{SecretString: new(`{"secret":"s3cr3t-k"}`)}, nil
	})
	loader := &secrets.Loader{API: api, Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme"}), Logger: slog.New(slog.DiscardHandler)}
	if _, err := loader.Load(t.Context(), acme); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if left <= secrets.DefaultTimeout-time.Second || left > secrets.DefaultTimeout {
		t.Errorf("Load gave the read %v, want about %v", left, secrets.DefaultTimeout)
	}
}

// TestNewAPI drives secrets.NewAPI, through the standard AWS environment.
func TestNewAPI(t *testing.T) {
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-k"}`})
	srv.Setenv(t)
	loader := &secrets.Loader{Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme"}), Logger: slog.New(slog.DiscardHandler)}
	got, err := loader.Load(t.Context(), acme)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	v, _ := got[0].Values(t.Context())
	equalValues(t, v, secrets.Values{"secret": []byte("s3cr3t-k")})
	if srv.CallsFor("acme") != 1 {
		t.Errorf("the server was not called")
	}
}

func TestLoadNewAPIIsLazy(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-k"}`})
	built := 0
	loader := &secrets.Loader{
		NewAPI: func(context.Context) (secrets.API, error) { built++; return srv.Client(), nil },
		Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme", "SESSION_SECRET_JSON": `{"signing_key":"s3cr3t-s"}`}),
		Logger: slog.New(slog.DiscardHandler),
	}
	session := secrets.Spec{Setting: "SESSION_SECRET_ID", Keys: []string{"signing_key"}}
	if _, err := loader.Load(t.Context(), session); err != nil || built != 0 {
		t.Fatalf("Load of an environment secret: err %v, built the client %d times, want 0", err, built)
	}
	if _, err := loader.Load(t.Context(), acme, session); err != nil || built != 1 {
		t.Fatalf("Load: err %v, built the client %d times, want 1", err, built)
	}

	loader.NewAPI = func(context.Context) (secrets.API, error) { return nil, errors.New("no region") }
	_, err := loader.Load(t.Context(), acme, globex)
	if !errors.Is(err, secrets.ErrFetch) || !errors.Is(err, secrets.ErrNotConfigured) {
		t.Errorf("Load with a failing NewAPI and an unset setting: got %v, want both reported", err)
	}
	if !strings.Contains(err.Error(), "ACME_SECRET_ID: secret could not be read from Secrets Manager: no region") {
		t.Errorf("error %q does not name the setting and the cause", err)
	}
}

func TestOverride(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr error
	}{
		{name: "override alone", env: map[string]string{"ACME_SECRET_JSON": `{"secret":"s3cr3t-k"}`}},
		{name: "override wins over the id", env: map[string]string{"ACME_SECRET_ID": "acme", "ACME_SECRET_JSON": `{"secret":"s3cr3t-k"}`}},
		{name: "malformed override", env: map[string]string{"ACME_SECRET_JSON": `{"secret":s3cr3t}`}, wantErr: secrets.ErrMalformed},
		{name: "override without the key", env: map[string]string{"ACME_SECRET_JSON": `{"secrets":"s3cr3t-k"}`}, wantErr: secrets.ErrMissingKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := capture()
			c := newClock()
			loader := &secrets.Loader{
				API:    forbidden(t),
				NewAPI: func(context.Context) (secrets.API, error) { return forbidden(t), nil },
				Getenv: getenv(tt.env),
				TTL:    time.Minute,
				Logger: logger,
				Now:    c.Now,
			}
			got, err := loader.Load(t.Context(), acme)
			if !strings.Contains(logs.String(), `"level":"WARN"`) || !strings.Contains(logs.String(), `"setting":"ACME_SECRET_JSON"`) {
				t.Errorf("no warning naming ACME_SECRET_JSON: %s", logs)
			}
			noLeak(t, "the log", logs.String())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), "ACME_SECRET_JSON") {
					t.Fatalf("Load: got %v, want %v naming ACME_SECRET_JSON", err, tt.wantErr)
				}
				noLeak(t, "the error", err.Error())
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			c.Advance(time.Hour) // past the TTL and the reload interval: still never read
			for _, read := range []func(context.Context) (secrets.Values, error){got[0].Values, got[0].Reload} {
				v, err := read(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				equalValues(t, v, secrets.Values{"secret": []byte("s3cr3t-k")})
			}
		})
	}
}

// loadOne loads the acme secret from srv with the given TTL and clock.
func loadOne(t *testing.T, srv *secretstest.Server, ttl time.Duration, c *clock, logger *slog.Logger) *secrets.Secret {
	t.Helper()
	return load(t, srv, acme, ttl, 0, c, logger)
}

// load loads the secret of spec, named "acme" in srv, with the given
// TTL, timeout (0 for the default) and clock.
func load(t *testing.T, srv *secretstest.Server, spec secrets.Spec, ttl, timeout time.Duration, c *clock, logger *slog.Logger) *secrets.Secret {
	t.Helper()
	loader := &secrets.Loader{
		API:     srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Getenv:  getenv(map[string]string{spec.Setting: "acme"}),
		TTL:     ttl,
		Timeout: timeout,
		Logger:  logger,
		Now:     c.Now,
	}
	got, err := loader.Load(t.Context(), spec)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return got[0]
}

// value returns the current value of the secret's key "secret".
func value(t *testing.T, s *secrets.Secret) string {
	t.Helper()
	b, err := s.KeyFunc("secret")(t.Context())
	if err != nil {
		t.Fatalf("Key: %v", err)
	}
	return string(b)
}

func TestTTL(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	c := newClock()
	logger, logs := capture()
	s := loadOne(t, srv, time.Minute, c, logger)

	srv.Set("acme", `{"secret":"s3cr3t-2"}`) // rotated
	c.Advance(time.Minute - time.Second)
	if got := value(t, s); got != "s3cr3t-1" || srv.Calls() != 1 {
		t.Fatalf("within the TTL: got %q after %d calls, want the first value and no new call", got, srv.Calls())
	}

	// Past the TTL, with concurrent callers: one reads the secret again,
	// and every one gets a good value.
	c.Advance(time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := value(t, s); got != "s3cr3t-1" && got != "s3cr3t-2" {
				t.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
	secrets.Settle(s) // the read they started may outlast their wait
	if got := value(t, s); got != "s3cr3t-2" {
		t.Errorf("after the TTL: got %q, want the rotated value", got)
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("Secrets Manager was called %d times, want 2", n)
	}
	if !strings.Contains(logs.String(), `"msg":"secret read again"`) {
		t.Errorf("the re-read is not logged: %s", logs)
	}
	noLeak(t, "the log", logs.String())

	c.Advance(30 * time.Second)
	value(t, s)
	if n := srv.Calls(); n != 2 {
		t.Errorf("the TTL restarted at the re-read, yet Secrets Manager was called %d times, want 2", n)
	}
}

func TestTTLZeroNeverRereads(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	c := newClock()
	s := loadOne(t, srv, 0, c, slog.New(slog.DiscardHandler))
	srv.Set("acme", `{"secret":"s3cr3t-2"}`)
	c.Advance(1000 * time.Hour)
	if got := value(t, s); got != "s3cr3t-1" || srv.Calls() != 1 {
		t.Errorf("got %q after %d calls, want the first value and 1 call", got, srv.Calls())
	}
}

// reread makes the request that starts a read of s after its TTL, waits
// for that read to end, and returns the value then.
func reread(t *testing.T, s *secrets.Secret) string {
	t.Helper()
	_, _ = s.Values(t.Context())
	secrets.Settle(s)
	return value(t, s)
}

// TestFailedRereadKeepsLastGood covers failures that do not revoke the
// secret: transient ones, and values that fail the checks of Load.
func TestFailedRereadKeepsLastGood(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fail  func(srv *secretstest.Server)
		level string // of the log line
		log   string // what it must say
	}{
		{"server error", func(srv *secretstest.Server) { srv.Fail("acme", http.StatusInternalServerError) }, "WARN", "InternalServiceError"},
		{"throttled", func(srv *secretstest.Server) { srv.FailWith("acme", http.StatusBadRequest, "ThrottlingException") }, "WARN", "ThrottlingException"},
		{"timeout", func(srv *secretstest.Server) { srv.SetDelay(time.Minute) }, "WARN", "deadline exceeded"},
		{"malformed", func(srv *secretstest.Server) { srv.Set("acme", `{"secret":"s3cr3t-2"`) }, "ERROR", "not a JSON object of strings"},
		{"key emptied", func(srv *secretstest.Server) { srv.Set("acme", `{"secret":""}`) }, "ERROR", `JSON key \"secret\" is empty`},
		{"check fails", func(srv *secretstest.Server) { srv.Set("acme", `{"secret":"s3cr3t"}`) }, "ERROR", `JSON key \"secret\" is too short`},
		{"trailing newline", func(srv *secretstest.Server) { srv.Set("acme", `{"secret":"s3cr3t-2\n"}`) }, "ERROR", `JSON key \"secret\" has white space at its start or end`},
		{"leading space", func(srv *secretstest.Server) { srv.Set("acme", `{"secret":" s3cr3t-2"}`) }, "ERROR", `JSON key \"secret\" has white space at its start or end`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
			c := newClock()
			logger, logs := capture()
			s := load(t, srv, checked, 5*time.Minute, 200*time.Millisecond, c, logger)

			tt.fail(srv)
			c.Advance(5 * time.Minute)
			if got := reread(t, s); got != "s3cr3t-1" {
				t.Errorf("after a failed re-read: got %q, want the last good value", got)
			}
			if n := srv.Calls(); n != 2 {
				t.Errorf("Secrets Manager was called %d times, want 2", n)
			}
			for _, want := range []string{`"level":"` + tt.level + `"`, `"setting":"ACME_SECRET_ID"`, tt.log} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log lacks %s: %s", want, logs)
				}
			}
			noLeak(t, "the log", logs.String())

			// Not on every request while it fails: again after 30 s.
			c.Advance(29 * time.Second)
			value(t, s)
			if n := srv.Calls(); n != 2 {
				t.Errorf("re-read again within 30 s of a failure: %d calls, want 2", n)
			}
			srv.SetDelay(0)
			srv.Fail("acme", 0)
			srv.Set("acme", `{"secret":"s3cr3t-3"}`)
			c.Advance(time.Second)
			if got := reread(t, s); got != "s3cr3t-3" {
				t.Errorf("after recovery: got %q, want the new value", got)
			}
		})
	}
}

// checked is the acme spec with a check of the value's length.
var checked = secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"secret"}, Check: func(v secrets.Values) error {
	if len(v["secret"]) < 8 {
		return errors.New(`JSON key "secret" is too short`)
	}
	return nil
}}

// TestRereadBelowMinLen: a rotation to a value shorter than the spec's
// MinLen is not used; the last good value stays.
func TestRereadBelowMinLen(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-long-enough"}`})
	c := newClock()
	logger, logs := capture()
	s := load(t, srv, withMinLen(acme, "secret", 16), 5*time.Minute, 0, c, logger)

	srv.Set("acme", `{"secret":"s3cr3t-x"}`)
	c.Advance(5 * time.Minute)
	if got := reread(t, s); got != "s3cr3t-long-enough" {
		t.Errorf("after a re-read below MinLen: got %q, want the last good value", got)
	}
	for _, want := range []string{`"level":"ERROR"`, `"setting":"ACME_SECRET_ID"`, `JSON key \"secret\" is shorter than 16 bytes`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s: %s", want, logs)
		}
	}
	noLeak(t, "the log", logs.String())
}

func TestCheckAtLoad(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"from Secrets Manager": {"ACME_SECRET_ID": "acme"},
		"from the environment": {"ACME_SECRET_JSON": `{"secret":"s3cr3t"}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t"}`})
			logger, logs := capture()
			loader := &secrets.Loader{API: srv.Client(), Getenv: getenv(env), Logger: logger}
			got, err := loader.Load(t.Context(), checked)
			if !errors.Is(err, secrets.ErrInvalid) || got != nil {
				t.Fatalf("Load: got %v, want %v", err, secrets.ErrInvalid)
			}
			if !strings.Contains(err.Error(), "ACME_SECRET_") || !strings.Contains(err.Error(), "too short") {
				t.Errorf("error %q does not name the setting and say why", err)
			}
			noLeak(t, "the error", err.Error())
			noLeak(t, "the log", logs.String())
		})
	}
}

// TestRereadOffRequestPath holds Secrets Manager's answer: requests past
// the TTL keep getting the current value, and one read serves them all.
func TestRereadOffRequestPath(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	t.Cleanup(srv.Release)
	c := newClock()
	logger, logs := capture()
	s := load(t, srv, acme, time.Minute, time.Minute, c, logger) // a read timeout longer than the test waits for requests

	srv.Hold()
	srv.Set("acme", `{"secret":"s3cr3t-2"}`)
	c.Advance(time.Minute)
	for i := range 5 {
		if got := promptly(t, s); got != "s3cr3t-1" {
			t.Errorf("request %d while Secrets Manager hangs: got %q, want the current value", i, got)
		}
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("Secrets Manager was called %d times, want 2: one read for all the requests", n)
	}

	srv.Release()
	secrets.Settle(s)
	if got := value(t, s); got != "s3cr3t-2" {
		t.Errorf("once the read is done: got %q, want the new value", got)
	}
	if n := srv.Calls(); n != 2 {
		t.Errorf("Secrets Manager was called %d times, want 2", n)
	}
	noLeak(t, "the log", logs.String())
}

// TestStuckReadIsAbandoned: a read that outlives its deadline, as one
// frozen with the process does, does not keep later reads from starting,
// and its late answer is not used.
func TestStuckReadIsAbandoned(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	t.Cleanup(srv.Release)
	c := newClock()
	logger, logs := capture()
	s := load(t, srv, acme, time.Minute, time.Minute, c, logger)

	srv.Hold()
	c.Advance(time.Minute)
	if got := promptly(t, s); got != "s3cr3t-1" {
		t.Fatalf("got %q, want the current value", got)
	}
	c.Advance(time.Minute) // by the secret's clock, the read is past its timeout
	srv.Set("acme", `{"secret":"s3cr3t-2"}`)
	if got := promptly(t, s); got != "s3cr3t-1" {
		t.Fatalf("got %q, want the current value", got)
	}
	waitCalls(t, srv, 3) // a second read started beside the stuck one
	if !strings.Contains(logs.String(), "outlived its deadline") {
		t.Errorf("the abandoned read is not logged: %s", logs)
	}

	srv.Release()
	secrets.Settle(s)
	if got := value(t, s); got != "s3cr3t-2" {
		t.Errorf("got %q, want the value of the new read", got)
	}
	if n := strings.Count(logs.String(), `"msg":"secret read again"`); n != 1 {
		t.Errorf("%d reads were recorded, want 1: the abandoned one is not", n)
	}
}

// promptly returns the value of the secret's key "secret", or fails the
// test if it is not had within 10 s: far longer than a request may wait
// on Secrets Manager, far shorter than the secret's read timeout.
func promptly(t *testing.T, s *secrets.Secret) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		b, err := s.KeyFunc("secret")(context.Background())
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(b)
	}()
	select {
	case v := <-got:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("a request waited on a Secrets Manager that hangs")
		return ""
	}
}

// waitCalls waits, a bounded time, until srv has received n requests.
func waitCalls(t *testing.T, srv *secretstest.Server, n int) {
	t.Helper()
	for range 1000 {
		if srv.Calls() >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Secrets Manager received %d requests, want %d", srv.Calls(), n)
}

// TestRevoked drives each answer by which Secrets Manager says a secret is
// gone or no longer readable, through the real client: the secret is no
// longer used, and it is read again every 30 s until it is back.
func TestRevoked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail func(srv *secretstest.Server)
		code string
	}{
		{"deleted", func(srv *secretstest.Server) { srv.Delete("acme") }, "ResourceNotFoundException"},
		{"scheduled for deletion", func(srv *secretstest.Server) {
			srv.FailWith("acme", http.StatusBadRequest, "InvalidRequestException")
		}, "InvalidRequestException"},
		{"access denied", func(srv *secretstest.Server) { srv.Fail("acme", http.StatusBadRequest) }, "AccessDeniedException"},
		{"KMS key cannot decrypt", func(srv *secretstest.Server) {
			srv.FailWith("acme", http.StatusBadRequest, "DecryptionFailure")
		}, "DecryptionFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
			c := newClock()
			logger, logs := capture()
			s := loadOne(t, srv, 5*time.Minute, c, logger)

			tt.fail(srv)
			c.Advance(5 * time.Minute)
			_, _ = s.Values(t.Context())
			secrets.Settle(s)
			v, err := s.Values(t.Context())
			if !errors.Is(err, secrets.ErrRevoked) || v != nil {
				t.Fatalf("Values: got %v, %v, want %v", keys(v), err, secrets.ErrRevoked)
			}
			if kind, msg := apierror.Classify(err); kind != apierror.Internal || msg != "a secret the function needs is not available" {
				t.Errorf("the error answers %s %q, want the contract's internal error", kind.Code, msg)
			}
			if _, err := s.KeyFunc("secret")(t.Context()); !errors.Is(err, secrets.ErrRevoked) {
				t.Errorf("Key: got %v, want %v", err, secrets.ErrRevoked)
			}
			for _, want := range []string{`"level":"ERROR"`, `"msg":"secret revoked`, `"setting":"ACME_SECRET_ID"`, tt.code} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log lacks %s: %s", want, logs)
				}
			}
			noLeak(t, "the log", logs.String())
			noLeak(t, "the error", err.Error())

			// Read again every 30 s, not on every request.
			c.Advance(29 * time.Second)
			if _, err := s.Values(t.Context()); !errors.Is(err, secrets.ErrRevoked) || srv.Calls() != 2 {
				t.Errorf("within 30 s: got %v after %d calls, want %v and 2 calls", err, srv.Calls(), secrets.ErrRevoked)
			}
			c.Advance(time.Second)
			_, _ = s.Values(t.Context())
			secrets.Settle(s)
			if _, err := s.Values(t.Context()); !errors.Is(err, secrets.ErrRevoked) || srv.Calls() != 3 {
				t.Errorf("still gone after 30 s: got %v after %d calls, want %v and 3 calls", err, srv.Calls(), secrets.ErrRevoked)
			}
			// A transient failure does not bring it back.
			srv.Fail("acme", http.StatusInternalServerError)
			c.Advance(30 * time.Second)
			_, _ = s.Values(t.Context())
			secrets.Settle(s)
			if _, err := s.Values(t.Context()); !errors.Is(err, secrets.ErrRevoked) {
				t.Errorf("after a transient failure: got %v, want %v", err, secrets.ErrRevoked)
			}

			// Restored: a good read brings it back.
			srv.Fail("acme", 0)
			srv.Set("acme", `{"secret":"s3cr3t-2"}`)
			c.Advance(30 * time.Second)
			if got := reread(t, s); got != "s3cr3t-2" {
				t.Errorf("after the secret is back: got %q, want its value", got)
			}
			if !strings.Contains(logs.String(), "secret readable again") {
				t.Errorf("the restore is not logged: %s", logs)
			}
		})
	}
}

func TestReload(t *testing.T) {
	t.Parallel()
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	c := newClock()
	logger, logs := capture()
	s := loadOne(t, srv, 0, c, logger)
	srv.Set("acme", `{"secret":"s3cr3t-2"}`)

	reload := func(want string, calls int) {
		t.Helper()
		v, err := s.Reload(t.Context())
		if err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if got := string(v["secret"]); got != want {
			t.Errorf("Reload: got %q, want %q", got, want)
		}
		if n := srv.Calls(); n != calls {
			t.Errorf("Secrets Manager was called %d times, want %d", n, calls)
		}
	}
	reload("s3cr3t-1", 1) // just loaded: rate limited
	c.Advance(secrets.ReloadInterval)
	reload("s3cr3t-2", 2)
	c.Advance(secrets.ReloadInterval - time.Second)
	reload("s3cr3t-2", 2)
	c.Advance(time.Second)
	srv.Fail("acme", http.StatusInternalServerError)
	reload("s3cr3t-2", 3) // failed: keeps the last good value
	if !strings.Contains(logs.String(), `"reason":"reload"`) || !strings.Contains(logs.String(), `"level":"WARN"`) {
		t.Errorf("the failed reload is not logged as a warning: %s", logs)
	}
	reload("s3cr3t-2", 3) // a failed attempt counts too
	noLeak(t, "the log", logs.String())

	// Access denied revokes the secret: Reload says so.
	srv.Fail("acme", http.StatusBadRequest)
	c.Advance(secrets.ReloadInterval)
	if _, err := s.Reload(t.Context()); !errors.Is(err, secrets.ErrRevoked) || srv.Calls() != 4 {
		t.Errorf("Reload of a secret no longer readable: got %v after %d calls, want %v after 4", err, srv.Calls(), secrets.ErrRevoked)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	loader := &secrets.Loader{
		Getenv: getenv(map[string]string{"GLOBEX_SECRET_JSON": `{"client_id":"s3cr3t-id","client_secret":"s3cr3t-cs"}`}),
		Logger: slog.New(slog.DiscardHandler),
	}
	got, err := loader.Load(t.Context(), globex)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if b, err := got[0].KeyFunc("client_secret")(t.Context()); err != nil || string(b) != "s3cr3t-cs" {
		t.Errorf("Key(client_secret): got %q, %v", b, err)
	}
	_, err = got[0].KeyFunc("private_key")(t.Context())
	if !errors.Is(err, secrets.ErrMissingKey) || !strings.Contains(err.Error(), "GLOBEX_SECRET_ID") || !strings.Contains(err.Error(), "private_key") {
		t.Errorf("Key(private_key): got %v, want %v naming the setting and the key", err, secrets.ErrMissingKey)
	}
}

func TestSecretNotLoaded(t *testing.T) {
	t.Parallel()
	var s secrets.Secret
	if _, err := s.Values(t.Context()); !errors.Is(err, secrets.ErrNotConfigured) {
		t.Errorf("Values: got %v, want %v", err, secrets.ErrNotConfigured)
	}
	if _, err := s.Reload(t.Context()); !errors.Is(err, secrets.ErrNotConfigured) {
		t.Errorf("Reload: got %v, want %v", err, secrets.ErrNotConfigured)
	}
}

func TestOverrideSetting(t *testing.T) {
	t.Parallel()
	for setting, want := range map[string]string{
		"ACME_SECRET_ID":    "ACME_SECRET_JSON",
		"SESSION_SECRET_ID": "SESSION_SECRET_JSON",
		"VENDOR_SECRET":     "VENDOR_SECRET_JSON",
	} {
		if got := (secrets.Spec{Setting: setting}).OverrideSetting(); got != want {
			t.Errorf("OverrideSetting(%s) = %s, want %s", setting, got, want)
		}
	}
}

// TestValuesAllocs holds the hot path to no allocation.
func TestValuesAllocs(t *testing.T) {
	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	s := loadOne(t, srv, time.Minute, newClock(), slog.New(slog.DiscardHandler))
	key := s.KeyFunc("secret")
	ctx := t.Context()
	if n := testing.AllocsPerRun(100, func() { _, _ = s.Values(ctx) }); n != 0 {
		t.Errorf("Values allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = key(ctx) }); n != 0 {
		t.Errorf("a Key function allocates %v times", n)
	}
}

func BenchmarkValues(b *testing.B) {
	srv := secretstest.NewServer(b, map[string]string{"acme": `{"secret":"s3cr3t-1"}`})
	loader := &secrets.Loader{API: srv.Client(), Getenv: getenv(map[string]string{"ACME_SECRET_ID": "acme"}), TTL: time.Hour, Logger: slog.New(slog.DiscardHandler)}
	got, err := loader.Load(b.Context(), acme)
	if err != nil {
		b.Fatal(err)
	}
	key := got[0].KeyFunc("secret")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := key(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
