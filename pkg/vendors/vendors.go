package vendors

import (
	"crypto/x509"
	"net/http"

	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot/copilottest"
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot/hubspottest"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/stream"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

// entry is one vendor: its descriptor and, for a vendor whose function
// calls the vendor's API (descriptor.Vendor.Upstream), the stand-in for
// that API that the local server serves, accepting the vendor's dev-only
// credentials (package dev), and the vendor's Trusting: its descriptor
// with an HTTP client that trusts given certificates instead of the
// system's.
type entry struct {
	Vendor   descriptor.Vendor
	StandIn  http.Handler
	Trusting func(roots *x509.CertPool) descriptor.Vendor
}

// list is every vendor, one line each, in the order of the README's
// endpoint table.
var list = []entry{
	{Vendor: copilot.Descriptor, StandIn: copilottest.Dev(), Trusting: copilot.Trusting},
	{Vendor: kustomer.Descriptor},
	{Vendor: ccai.Descriptor},
	{Vendor: decagon.Descriptor},
	{Vendor: zendesk.Descriptor},
	{Vendor: intercom.Descriptor},
	{Vendor: hubspot.Descriptor, StandIn: hubspottest.Dev(), Trusting: hubspot.Trusting},
	{Vendor: stream.Descriptor},
	{Vendor: salesforce.Descriptor},
}

// All returns every vendor, in the order of the README's endpoint table.
func All() []descriptor.Vendor {
	all := make([]descriptor.Vendor, len(list))
	for i, e := range list {
		all[i] = e.Vendor
	}
	return all
}

// StandIn returns the stand-in for the API of the vendor called name, which
// answers requests relative to the vendor's base URL
// (descriptor.Upstream.BaseURL), or nil when the vendor has none.
func StandIn(name string) http.Handler {
	for _, e := range list {
		if e.Vendor.Name == name {
			return e.StandIn
		}
	}
	return nil
}

// Trusting returns the vendor called name with an HTTP client that trusts
// the certificates in roots instead of the system's, for tests and
// benchmarks that serve its stand-in (StandIn) over TLS, and false when the
// vendor calls no API. No deployed function has such a client.
func Trusting(name string, roots *x509.CertPool) (descriptor.Vendor, bool) {
	for _, e := range list {
		if e.Vendor.Name == name && e.Trusting != nil {
			return e.Trusting(roots), true
		}
	}
	return descriptor.Vendor{}, false
}
