package intercom_test

import (
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

// TestPlatformAsAPIGatewayPassesIt: API Gateway separates query parameters
// with "&" only, so "?platform=ios;" reaches the function as "ios;". Such a
// value is refused with 400 bad_request: never read as the platform before
// the ";", nor taken as no parameter, which would sign with the web key.
func TestPlatformAsAPIGatewayPassesIt(t *testing.T) {
	_, msg := apierror.Classify(intercom.ErrBadPlatform)
	for _, platform := range []string{"ios;", "web;", ";web", "ios;x=1"} {
		t.Run(platform, func(t *testing.T) {
			a := vendortest.Serve(t, intercom.Descriptor, "", vendortest.Request{
				Claims: map[string]string{"sub": "user-7"},
				Query:  map[string]string{"platform": platform},
			})
			if a.Status != 400 || !strings.Contains(a.Body, `"code":"bad_request"`) || !strings.Contains(a.Body, msg) {
				t.Errorf("response = %d %s, want 400 bad_request %q", a.Status, a.Body, msg)
			}
		})
	}
}
