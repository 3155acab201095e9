package session

import (
	"context"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/identity"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

// FuzzVerify feeds Authorization header values to an hs256 and a jwks
// verifier. Neither may panic, accept a token without a user id, or fail
// with anything but 401 (or, for jwks, 503).
func FuzzVerify(f *testing.F) {
	att := newAttackerSite(f)
	modes := testModes(f)
	for _, m := range modes {
		for _, tc := range append(tokenCases(att), m.cases...) {
			f.Add("Bearer " + tc.token(f, m))
		}
	}
	for _, s := range []string{"", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer ..", "bearer e30.e30."} {
		f.Add(s)
	}
	hs256, jwks := modes[0].verifier, modes[1].verifier
	f.Fuzz(func(t *testing.T, authorization string) {
		req := &events.APIGatewayV2HTTPRequest{Headers: map[string]string{"authorization": authorization}}
		for _, v := range []*JWT{hs256, jwks} {
			id, err := v.Verify(context.Background(), req)
			if err == nil {
				if strings.TrimSpace(id.UserID) == "" {
					t.Fatalf("verified without a user id: %+v", id)
				}
				continue
			}
			if id != (identity.Identity{}) {
				t.Fatalf("an identity with an error: %+v, %v", id, err)
			}
			kind, _ := apierror.Classify(err)
			if kind != apierror.Unauthorized && !(v == jwks && kind == apierror.UpstreamUnavailable) {
				t.Fatalf("error of kind %s: %v", kind.Code, err)
			}
		}
	})
}
