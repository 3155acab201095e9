package function_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

// devSessionKey is the dev-only session key that the local server
// publishes, read from its settings.
func devSessionKey(t *testing.T) string {
	t.Helper()
	var secret struct {
		SigningKey string `json:"signing_key"`
	}
	if err := json.Unmarshal([]byte(localapi.DevSettings()["SESSION_SECRET_JSON"]), &secret); err != nil || secret.SigningKey == "" {
		t.Fatalf("localapi.DevSettings has no SESSION_SECRET_JSON signing_key: %v", err)
	}
	return secret.SigningKey
}

// TestDevSessionKeyDigest: the digest Build compares is that of the key
// the local server publishes.
func TestDevSessionKeyDigest(t *testing.T) {
	sum := sha256.Sum256([]byte(devSessionKey(t)))
	if got := hex.EncodeToString(sum[:]); got != function.DevSessionKeySHA256 {
		t.Fatalf("SHA-256 of localapi's dev session key is %s, function compares %s", got, function.DevSessionKeySHA256)
	}
}

// TestDevSessionKeyNotInSource: the function package, which every
// bootstrap links, holds the dev key's digest, never the key.
func TestDevSessionKeyNotInSource(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources: %v", err)
	}
	key := devSessionKey(t)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), key) || strings.Contains(string(b), "not-for-production") {
			t.Errorf("%s holds a dev-only value", f)
		}
	}
}

// TestBuildRefusesDevSessionKey: hs256 mode with the published dev key
// does not start, whether the key comes from Secrets Manager or from the
// offline override, unless Deps.AllowDevSessionKey says so (as the local
// server does).
func TestBuildRefusesDevSessionKey(t *testing.T) {
	devKey := devSessionKey(t)
	for _, tc := range []struct {
		name    string
		offline bool // the key in SESSION_SECRET_JSON rather than Secrets Manager
		allow   bool
	}{
		{"from Secrets Manager", false, false},
		{"from the environment", true, false},
		{"allowed, from Secrets Manager", false, true},
		{"allowed, from the environment", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			srv.Set("app/session", `{"signing_key":"`+devKey+`"}`)
			env := hs256Env()
			if tc.offline {
				env = withEnv(env, "SESSION_SECRET_JSON", `{"signing_key":"`+devKey+`"}`)
			}
			var logs logtest.Buffer
			_, err := function.Build(t.Context(), vendortest.Acme, function.Deps{
				Getenv:             func(k string) string { return env[k] },
				Logger:             slog.New(slog.NewJSONHandler(&logs, nil)),
				Secrets:            srv.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
				Now:                clock,
				AllowDevSessionKey: tc.allow,
			})
			if tc.allow {
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				return
			}
			if !errors.Is(err, function.ErrConfig) || !errors.Is(err, function.ErrDevSessionKey) {
				t.Fatalf("Build = %v, want ErrConfig and ErrDevSessionKey", err)
			}
			for _, want := range []string{"SESSION_SECRET_", "signing_key"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			if strings.Contains(err.Error()+logs.String(), devKey) {
				t.Errorf("the key shows in the error or the log")
			}
		})
	}
}

// TestRereadDevSessionKeyIsRefused rotates the session key to the dev key:
// the function keeps verifying with the last good key, so a session
// signed with the dev key is refused.
func TestRereadDevSessionKeyIsRefused(t *testing.T) {
	var logs logtest.Buffer
	var c movingClock
	srv := newServer(t)
	h := buildWarm(t, srv, &c, &logs)

	devKey := devSessionKey(t)
	srv.Set("app/session", `{"signing_key":"`+devKey+`"}`)
	c.Advance(2 * time.Minute)
	rejected := `"msg":"secret read again fails its checks; keeping the last good value","setting":"SESSION_SECRET_ID"`
	resp := until(t, h, func(events.APIGatewayV2HTTPResponse) bool { return strings.Contains(logs.String(), rejected) })
	if resp.StatusCode != 200 {
		t.Errorf("with the dev key refused: status %d %s, want 200 from the last good key", resp.StatusCode, resp.Body)
	}
	forged := signSessionWith(t, devKey, map[string]any{"sub": "anyone"})
	resp, _ = h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{
		RouteKey: route,
		Headers:  map[string]string{"authorization": "Bearer " + forged},
	})
	if resp.StatusCode != 401 {
		t.Errorf("a session signed with the dev key: status %d %s, want 401", resp.StatusCode, resp.Body)
	}
	if !strings.Contains(logs.String(), "dev-only session signing key") {
		t.Errorf("the log does not say why: %s", logs.String())
	}
	if strings.Contains(logs.String(), devKey) {
		t.Errorf("the log shows the key")
	}
}
