package vendors_test

import (
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestStandIns: exactly the vendors whose function calls the vendor's API
// (Upstream) have a stand-in, so that the local server can point every
// such function at one.
func TestStandIns(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, v := range vendors.All() {
		if seen[v.Name] {
			t.Errorf("%s is listed twice", v.Name)
		}
		seen[v.Name] = true
		switch standIn := vendors.StandIn(v.Name); {
		case v.Upstream != nil && standIn == nil:
			t.Errorf("%s calls its vendor's API (%s) but has no stand-in", v.Name, v.Upstream.BaseURL)
		case v.Upstream == nil && standIn != nil:
			t.Errorf("%s has a stand-in but calls no API", v.Name)
		}
	}
	if vendors.StandIn("no-such-vendor") != nil {
		t.Error("an unknown vendor has a stand-in")
	}
}
