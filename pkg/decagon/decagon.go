package decagon

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// Errors returned by Mint.
var (
	ErrEmptyKey = errors.New("decagon: the signing key is empty")
)

// Sign returns the lowercase hex HMAC-SHA256, keyed with key, of userID
// followed by epoch in decimal: the signature Decagon checks.
func Sign(key []byte, userID string, epoch int64) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(strconv.AppendInt([]byte(userID), epoch, 10))
	var sum [sha256.Size]byte
	return hex.EncodeToString(mac.Sum(sum[:0]))
}

// Response is the 200 body of POST /decagon/token.
type Response struct {
	UserID    string `json:"user_id"`
	Epoch     int64  `json:"epoch"`
	Signature string `json:"signature"`
	// ExpiresAt is Epoch: when Decagon stops accepting the signature.
	ExpiresAt int64 `json:"expires_at"`
}

// Minter signs a Decagon authentication for a verified session identity.
type Minter struct {
	// Key returns the current private key; an error from it is internal.
	Key func(context.Context) ([]byte, error)
	// TTL is how long a signature is valid (epoch - now); whole seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Mint returns a Response for id that expires TTL from now. It returns
// ErrEmptyKey for an empty key.
func (m *Minter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.Key(ctx)
	switch {
	case err != nil:
		return nil, fmt.Errorf("decagon: signing key: %w", err)
	case len(key) == 0:
		return nil, ErrEmptyKey
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	epoch := now().Unix() + int64(m.TTL/time.Second)
	return Response{UserID: id.UserID, Epoch: epoch, Signature: Sign(key, id.UserID, epoch), ExpiresAt: epoch}, nil
}
