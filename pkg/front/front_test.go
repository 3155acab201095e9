package front_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/front"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

const token = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"

// session stands for the session verifier: it says who called, and
// counts its calls.
type session struct{ calls int }

func (s *session) Verify(context.Context, *events.APIGatewayV2HTTPRequest) (identity.Identity, error) {
	s.calls++
	return identity.Identity{UserID: "user-1"}, nil
}

func TestVerifier(t *testing.T) {
	for _, c := range []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"through the front", map[string]string{front.OriginHeader: token}, true},
		{"no header", map[string]string{}, false},
		{"no headers at all", nil, false},
		{"empty header", map[string]string{front.OriginHeader: ""}, false},
		{"wrong token", map[string]string{front.OriginHeader: strings.ToUpper(token)}, false},
		{"a prefix of the token", map[string]string{front.OriginHeader: token[:32]}, false},
		{"the token and more", map[string]string{front.OriginHeader: token + "x"}, false},
		{"the token in another header", map[string]string{"x-origin-verify-2": token}, false},
		{"an oversized header", map[string]string{front.OriginHeader: strings.Repeat(token, 1000)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			next := &session{}
			v := &front.Verifier{Token: func(context.Context) ([]byte, error) { return []byte(token), nil }, Next: next}
			// Check, the gate of the routes that need no session, decides
			// alike and never consults the session.
			if err := v.Check(context.Background(), &events.APIGatewayV2HTTPRequest{Headers: c.headers}); (err == nil) != c.ok ||
				(err != nil && !errors.Is(err, front.ErrNotThroughFront)) || next.calls != 0 {
				t.Errorf("Check = %v after %d session checks, want ok = %v without the session", err, next.calls, c.ok)
			}
			id, err := v.Verify(context.Background(), &events.APIGatewayV2HTTPRequest{Headers: c.headers})
			if c.ok {
				if err != nil || id.UserID != "user-1" || next.calls != 1 {
					t.Fatalf("Verify = %v, %v after %d session checks, want the session's identity", id, err, next.calls)
				}
				return
			}
			if !errors.Is(err, front.ErrNotThroughFront) || !errors.Is(err, apierror.Forbidden) {
				t.Fatalf("error = %v, want ErrNotThroughFront (forbidden)", err)
			}
			if next.calls != 0 {
				t.Errorf("the session was verified for a request that skipped the front")
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token")
			}
		})
	}
}

// A token that cannot be had (a revoked secret) refuses the request with
// the secret's error, never lets it through.
func TestVerifierWithoutToken(t *testing.T) {
	errRevoked := errors.New("revoked")
	for _, tokenFunc := range []func(context.Context) ([]byte, error){
		func(context.Context) ([]byte, error) { return nil, errRevoked },
		func(context.Context) ([]byte, error) { return nil, nil },
	} {
		next := &session{}
		v := &front.Verifier{Token: tokenFunc, Next: next}
		_, err := v.Verify(context.Background(), &events.APIGatewayV2HTTPRequest{Headers: map[string]string{front.OriginHeader: ""}})
		if err == nil || next.calls != 0 {
			t.Errorf("Verify = %v after %d session checks, want a refusal", err, next.calls)
		}
	}
}
