package decagon_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// Known answers computed outside Go, exactly as the vendor's snippet does:
//
//	python3: hmac.new(key.encode(), (user_id+str(epoch)).encode(), hashlib.sha256).hexdigest()
var knownAnswers = []struct {
	name   string
	key    string
	userID string
	epoch  int64
	want   string
}{
	{"ascii", "dev-decagon-private-key", "user-123", 1700086400, "c53f8d9159357740225fdc986825ad17d85b1cabe1d7ed9e6f63bc74cc14868e"},
	{"next second", "dev-decagon-private-key", "user-123", 1700086401, "9a5e6e05c7442c3c4eb4ca04b2227e22462d6d8934b1478953180a57d8518989"},
	{"unicode key and user id", "clé-secrète-✓", "użytkownik-日本-🙂", 1700000000, "d6d42124f62a411de6c28d6f149a39d432caf43c89c492d7a5b35e5f7a4c867e"},
	{"empty user id, epoch 0", "k", "", 0, "b44d10ba62abf73965e6b4baf77752ad92b11163e84e0e7f576105023c361523"},
	{"user id 0, epoch 1", "k", "0", 1, "0fa42f408e1327b4e3817847ed81b8a09eb3b6dbe69b0628643d624f0bf7f78b"},
	{"key longer than the hash block", strings.Repeat("x", 100), "a@example.com", 4102444800, "9dcb3415ca85d080f6e39331fa2d6a63124766df6577c301f3459142ba0c204d"},
}

func TestSign(t *testing.T) {
	for _, tt := range knownAnswers {
		t.Run(tt.name, func(t *testing.T) {
			if got := decagon.Sign([]byte(tt.key), tt.userID, tt.epoch); got != tt.want {
				t.Errorf("Sign(%q, %q, %d) = %s, want %s", tt.key, tt.userID, tt.epoch, got, tt.want)
			}
		})
	}
}

var testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321

func TestMint(t *testing.T) {
	errStore := errors.New("secret store down")
	key := keyOf([]byte("dev-decagon-private-key"))
	tests := []struct {
		name     string
		key      func(context.Context) ([]byte, error)
		ttl      time.Duration
		user     identity.Identity
		wantBody string
		wantErr  error
		kind     *apierror.Kind
	}{
		{"24h", key, 24 * time.Hour, identity.Identity{UserID: "user-123", Email: "ana@example.com"},
			`{"user_id":"user-123","epoch":1700086400,"signature":"c53f8d9159357740225fdc986825ad17d85b1cabe1d7ed9e6f63bc74cc14868e","expires_at":1700086400}`, nil, nil},
		{"24h and 1s", key, 24*time.Hour + time.Second, identity.Identity{UserID: "user-123"},
			`{"user_id":"user-123","epoch":1700086401,"signature":"9a5e6e05c7442c3c4eb4ca04b2227e22462d6d8934b1478953180a57d8518989","expires_at":1700086401}`, nil, nil},
		{"empty key", keyOf(nil), time.Hour, identity.Identity{UserID: "user-123"}, "", decagon.ErrEmptyKey, apierror.Internal},
		{"key error", func(context.Context) ([]byte, error) { return nil, errStore }, time.Hour, identity.Identity{UserID: "user-123"}, "", errStore, apierror.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &decagon.Minter{Key: tt.key, TTL: tt.ttl, Now: func() time.Time { return testNow }}
			got, err := m.Mint(context.Background(), tt.user)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Mint = %v, %v; want %v", got, err, tt.wantErr)
				}
				if kind, _ := apierror.Classify(err); kind != tt.kind {
					t.Errorf("kind = %s, want %s", kind.Code, tt.kind.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, ok := got.(decagon.Response)
			if !ok {
				t.Fatalf("Mint returned %T, want decagon.Response", got)
			}
			if resp.ExpiresAt != resp.Epoch {
				t.Errorf("expires_at = %d, want the epoch %d", resp.ExpiresAt, resp.Epoch)
			}
			body, err := json.Marshal(got)
			if err != nil || string(body) != tt.wantBody {
				t.Errorf("body = %s (%v), want %s", body, err, tt.wantBody)
			}
		})
	}
}

func keyOf(key []byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return key, nil }
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", 24 * time.Hour, false},
		{"3h", 3 * time.Hour, false},
		{"1m", time.Minute, false},
		{"24h", 24 * time.Hour, false},
		{"59s", 0, true},
		{"24h0m1s", 0, true},
		{"48h", 0, true},
		{"-1h", 0, true},
		{"86400", 0, true},
		{"90.5s", 0, true},
	}
	for _, tt := range tests {
		t.Run("value="+tt.value, func(t *testing.T) {
			env := config.New(func(name string) string {
				if name == "DECAGON_TOKEN_TTL" {
					return tt.value
				}
				return ""
			})
			newMinter := decagon.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr {
				if !errors.Is(err, config.ErrInvalid) {
					t.Fatalf("err = %v, want config.ErrInvalid", err)
				}
				if msg := err.Error(); !strings.Contains(msg, "DECAGON_TOKEN_TTL") || strings.Contains(msg, tt.value) {
					t.Errorf("err = %q: want the setting's name and not its value", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, decagon.Descriptor.Secret, dev.Secret(decagon.Descriptor.Name, decagon.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*decagon.Minter)
			if m.TTL != tt.want || m.Key == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want TTL %s, the key and the real clock", m, tt.want)
			}
		})
	}
}

func BenchmarkMint(b *testing.B) {
	m := &decagon.Minter{Key: keyOf([]byte("dev-decagon-private-key")), TTL: 24 * time.Hour}
	user := identity.Identity{UserID: "user-123"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
