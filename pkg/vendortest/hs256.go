package vendortest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// HS256 describes a vendor whose answer is {"token": <an HS256 JWT>,
// "expires_at": <Unix seconds>}.
type HS256 struct {
	Vendor descriptor.Vendor
	// Header is the token's exact header, such as {"alg":"HS256","typ":"JWT"}.
	Header string
	// Key is the JSON key of the vendor's secret that signs a token when
	// no request parameter says otherwise, such as "secret".
	Key string
	// ExpiresAt is the claim that the body's expires_at equals once Window
	// is added: "exp", or "iat" with a Window for a token without exp.
	ExpiresAt string
	Window    time.Duration
	// Invariant, when set, checks what every token of the vendor must
	// satisfy beyond its case's claims, such as carrying exactly one of two
	// identity claims.
	Invariant func(tb testing.TB, claims map[string]any)
}

// Case is one row of a vendor's claims table: a mint by the minter that
// the descriptor builds over Settings, the dev-only secret and Clock.
type Case struct {
	Name     string
	Settings map[string]string // over the defaults (and required examples)
	Identity identity.Identity // the verified session's
	// Claims are exactly the token's claims (see CheckFields: a date is a
	// time.Time, such as Now or Now.Add(time.Hour)).
	Claims map[string]any
	// Err, when set, is the error Mint must return instead (errors.Is),
	// answered as its own kind and message (apierror.Classify).
	Err error
}

// Mint runs each case as a subtest; see Case and Check.
func (v HS256) Mint(t *testing.T, cases []Case) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { v.mint(t, c) })
	}
}

func (v HS256) mint(tb testing.TB, c Case) {
	tb.Helper()
	m := NewMinter(tb, v.Vendor, c.Settings, "", Clock)
	got, err := m.Mint(context.Background(), c.Identity)
	if c.Err != nil {
		CheckErr(tb, got, err, c.Err)
		return
	}
	if err != nil {
		tb.Fatalf("Mint: %v", err)
	}
	v.Check(tb, got, DevKey(v.Vendor, v.Key), c.Claims)
}

// Check checks resp, one answer of the vendor (a minter's, or a handler's
// body as a json.RawMessage): its bytes are exactly {"token", "expires_at"}
// (TokenBody); the token verifies with key and has the vendor's Header
// (VerifyHS256) and exactly the claims want (CheckFields), and passes the
// vendor's Invariant; expires_at is the vendor's ExpiresAt claim plus its
// Window. It returns the token's claims.
func (v HS256) Check(tb testing.TB, resp any, key []byte, want map[string]any) map[string]any {
	tb.Helper()
	token, expiresAt := TokenBody(tb, resp)
	_, claims := VerifyHS256(tb, token, key, v.Header)
	CheckFields(tb, "claims", claims, want)
	if v.Invariant != nil {
		v.Invariant(tb, claims)
	}
	n, ok := claims[v.ExpiresAt].(json.Number)
	at, err := n.Int64()
	if !ok || err != nil {
		tb.Errorf("the token has no whole-number %s claim for expires_at", v.ExpiresAt)
		return claims
	}
	if want := at + int64(v.Window/time.Second); expiresAt != want {
		tb.Errorf("expires_at = %d, want the token's %s + %s = %d", expiresAt, v.ExpiresAt, v.Window, want)
	}
	return claims
}

// CheckErr fails tb unless a call returned no answer (got nil) and an
// error that is want (errors.Is) and is answered as want is: the same
// apierror kind and message.
func CheckErr(tb testing.TB, got any, err, want error) {
	tb.Helper()
	if got != nil || !errors.Is(err, want) {
		tb.Fatalf("got %v, %v; want no answer and %v", got, err, want)
	}
	kind, message := apierror.Classify(err)
	if wantKind, wantMessage := apierror.Classify(want); kind != wantKind || message != wantMessage {
		tb.Errorf("answered %s %q, want %s %q", kind.Code, message, wantKind.Code, wantMessage)
	}
}
