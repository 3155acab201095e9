package upstream

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// slowCreds takes valuesDelay to read the credentials and reloadDelay to
// re-read them (honouring ctx), and gives rotated on Reload.
type slowCreds struct {
	valuesDelay, reloadDelay time.Duration

	mu             sync.Mutex
	reloadDeadline time.Duration // time the context of the last Reload left; -1 without a deadline
}

func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (c *slowCreds) Values(ctx context.Context) (secrets.Values, error) {
	wait(ctx, c.valuesDelay)
	return original, nil
}

func (c *slowCreds) Reload(ctx context.Context) (secrets.Values, error) {
	c.mu.Lock()
	c.reloadDeadline = -1
	if d, ok := ctx.Deadline(); ok {
		c.reloadDeadline = time.Until(d)
	}
	c.mu.Unlock()
	wait(ctx, c.reloadDelay)
	return rotated, nil
}

// TestCredentialReadsOutsideTheBudget reads the credentials, and re-reads
// them after a 401, for longer than the Endpoint's Timeout: neither read eats
// into the time the vendor is given.
func TestCredentialReadsOutsideTheBudget(t *testing.T) {
	const timeout = 300 * time.Millisecond
	const slow = timeout + 100*time.Millisecond
	tests := []struct {
		name  string
		creds *slowCreds
		reply reply
		calls int32
	}{
		{"a slow read", &slowCreds{valuesDelay: slow}, reply{status: http.StatusOK, body: `{"token": "` + token + `"}`}, 1},
		{"a slow re-read after a 401", &slowCreds{reloadDelay: slow}, reply{accept: true}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := newStandIn(t, tt.reply)
			e, logs := testEndpoint(t, up.srv.URL, timeout, tt.creds)
			got, err := e.Call(t.Context(), reqBody)
			if err != nil || got != token {
				t.Fatalf("Call = %q, %v; want the token", got, err)
			}
			if n := up.calls.Load(); n != tt.calls {
				t.Errorf("upstream calls = %d, want %d", n, tt.calls)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

// TestReloadIsBounded: the re-read after a 401 has ReloadTimeout, however
// long the caller would wait.
func TestReloadIsBounded(t *testing.T) {
	up := newStandIn(t, reply{status: http.StatusUnauthorized})
	creds := &slowCreds{}
	e, _ := testEndpoint(t, up.srv.URL, MaxTimeout, creds)
	if _, err := e.Call(context.Background(), reqBody); !errors.Is(err, testErrs.Rejected) {
		t.Fatalf("Call error = %v, want Rejected", err)
	}
	creds.mu.Lock()
	left := creds.reloadDeadline
	creds.mu.Unlock()
	if left <= 0 || left > ReloadTimeout {
		t.Errorf("the re-read had %v, want at most ReloadTimeout (%v)", left, ReloadTimeout)
	}
}

// TestCallAnswersBeforeTheCallerDeadline: with the vendor hanging and
// the Endpoint's Timeout longer than the invocation has left, Call gives
// up while the invocation can still answer.
func TestCallAnswersBeforeTheCallerDeadline(t *testing.T) {
	hang := make(chan struct{})
	up := newStandIn(t, reply{status: http.StatusOK})
	up.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up.calls.Add(1)
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(hang) })
	e, _ := testEndpoint(t, up.srv.URL, MaxTimeout, &fakeCreds{values: original})
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := e.Call(ctx, reqBody)
	if !errors.Is(err, testErrs.Unavailable) {
		t.Fatalf("Call error = %v, want Unavailable", err)
	}
	if ctx.Err() != nil {
		t.Errorf("Call returned after the caller's deadline: no time was left to answer")
	}
}

// TestUnauthorizedStorm: the vendor refuses every request, and the secret
// has not changed. Each request makes one upstream call, and the storm one
// re-read of the secret.
func TestUnauthorizedStorm(t *testing.T) {
	const requests = 16
	up := newStandIn(t, reply{status: http.StatusUnauthorized, body: `{"reason": "AUTH.UNAUTHORIZED"}`})
	sm := secretstest.NewServer(t, map[string]string{"vendor": `{"api_key":"` + apiKey + `"}`})
	var mu sync.Mutex
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	loader := &secrets.Loader{
		API:    sm.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 }),
		Getenv: func(k string) string { return map[string]string{"VENDOR_SECRET_ID": "vendor"}[k] },
		TTL:    time.Hour,
		Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		},
	}
	loaded, err := loader.Load(t.Context(), secrets.Spec{Setting: "VENDOR_SECRET_ID", Keys: []string{"api_key"}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(secrets.ReloadInterval) // so a 401 may re-read it
	mu.Unlock()
	e, logs := testEndpoint(t, up.srv.URL, 2*time.Second, loaded[0])

	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			if _, err := e.Call(t.Context(), reqBody); !errors.Is(err, testErrs.Rejected) {
				t.Errorf("Call error = %v, want Rejected", err)
			}
		})
	}
	wg.Wait()
	if n := up.calls.Load(); n != requests {
		t.Errorf("%d requests made %d upstream calls, want one each", requests, n)
	}
	if n := sm.Calls(); n != 2 {
		t.Errorf("Secrets Manager was called %d times, want 2: the load and one re-read", n)
	}
	for _, l := range parseLog(t, logs) {
		if l.Attempts != 1 {
			t.Errorf("log line %+v, want 1 attempt", l)
		}
	}
	assertNoSecrets(t, logs.String())
}
