package decagon_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
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

// TestMint mints with the known answers' key: the body is exactly the
// known answer, its expires_at the epoch.
func TestMint(t *testing.T) {
	errStore := errors.New("secret store down")
	key := vendortest.Key([]byte("dev-decagon-private-key"))
	tests := []struct {
		name     string
		key      func(context.Context) ([]byte, error)
		ttl      time.Duration
		user     identity.Identity
		wantBody string
		wantErr  error
	}{
		{"24h", key, 24 * time.Hour, identity.Identity{UserID: "user-123", Email: "ana@example.com"},
			`{"user_id":"user-123","epoch":1700086400,"signature":"c53f8d9159357740225fdc986825ad17d85b1cabe1d7ed9e6f63bc74cc14868e","expires_at":1700086400}`, nil},
		{"24h and 1s", key, 24*time.Hour + time.Second, identity.Identity{UserID: "user-123"},
			`{"user_id":"user-123","epoch":1700086401,"signature":"9a5e6e05c7442c3c4eb4ca04b2227e22462d6d8934b1478953180a57d8518989","expires_at":1700086401}`, nil},
		{"empty key", vendortest.Key(nil), time.Hour, identity.Identity{UserID: "user-123"}, "", decagon.ErrEmptyKey},
		{"key error", func(context.Context) ([]byte, error) { return nil, errStore }, time.Hour, identity.Identity{UserID: "user-123"}, "", errStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &decagon.Minter{Key: tt.key, TTL: tt.ttl, Now: vendortest.Clock}
			got, err := m.Mint(context.Background(), tt.user)
			if tt.wantErr != nil {
				vendortest.CheckErr(t, got, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			body, err := json.Marshal(got)
			if err != nil || string(body) != tt.wantBody {
				t.Errorf("body = %s (%v), want %s", body, err, tt.wantBody)
			}
		})
	}
}

// TestDescriptor mints with the minter the descriptor builds: the session's
// user id, an epoch DECAGON_TOKEN_TTL ahead, its signature with the secret's
// private_key, and expires_at the epoch.
func TestDescriptor(t *testing.T) {
	tests := []struct {
		settings map[string]string
		ttl      time.Duration
	}{
		{nil, 24 * time.Hour},
		{map[string]string{"DECAGON_TOKEN_TTL": "3h"}, 3 * time.Hour},
	}
	key := vendortest.DevKey(decagon.Descriptor, "private_key")
	for _, tt := range tests {
		t.Run(tt.ttl.String(), func(t *testing.T) {
			m := vendortest.NewMinter(t, decagon.Descriptor, tt.settings, "", vendortest.Clock)
			got, err := m.Mint(context.Background(), identity.Identity{UserID: "user-123", Email: "ana@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			epoch := vendortest.Now.Add(tt.ttl)
			vendortest.CheckFields(t, "body", vendortest.Body(t, got), map[string]any{
				"user_id":    "user-123",
				"epoch":      epoch,
				"signature":  decagon.Sign(key, "user-123", epoch.Unix()),
				"expires_at": epoch,
			})
		})
	}
}

// TestHandler: through the real handler, the user id is the session's,
// not the body's, and no log line holds the key or the signature.
func TestHandler(t *testing.T) {
	a := vendortest.Serve(t, decagon.Descriptor, "", vendortest.Request{
		Claims: map[string]string{"sub": "user-7"}, Body: `{"user_id":"someone-else"}`})
	if a.Status != 200 {
		t.Fatalf("status = %d, body %s", a.Status, a.Body)
	}
	epoch := vendortest.Now.Add(24 * time.Hour).Unix()
	vendortest.CheckFields(t, "body", vendortest.Body(t, json.RawMessage(a.Body)), map[string]any{
		"user_id":    "user-7",
		"epoch":      epoch,
		"signature":  decagon.Sign(vendortest.DevKey(decagon.Descriptor, "private_key"), "user-7", epoch),
		"expires_at": epoch,
	})
}

func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, decagon.Descriptor, map[string]string{"DECAGON_TOKEN_TTL": "default 24h, 1m to 24h, whole seconds"})
	vendortest.Settings(t, decagon.Descriptor, func(m httpapi.Minter) map[string]any {
		return map[string]any{"DECAGON_TOKEN_TTL": m.(*decagon.Minter).TTL}
	})
}

func BenchmarkMint(b *testing.B) {
	m := &decagon.Minter{Key: vendortest.Key([]byte("dev-decagon-private-key")), TTL: 24 * time.Hour}
	user := identity.Identity{UserID: "user-123"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
