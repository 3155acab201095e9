package vendors

import (
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

// All returns every vendor, in the order of the README's endpoint table.
func All() []descriptor.Vendor {
	return []descriptor.Vendor{copilot.Descriptor, kustomer.Descriptor, ccai.Descriptor, decagon.Descriptor, zendesk.Descriptor, intercom.Descriptor}
}
