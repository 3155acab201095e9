package vendors

import (
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
)

// All returns every vendor, in the order of the README's endpoint table.
func All() []descriptor.Vendor {
	return []descriptor.Vendor{copilot.Descriptor, kustomer.Descriptor, ccai.Descriptor, decagon.Descriptor}
}
