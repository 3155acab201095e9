package localapi

import (
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// Route is one route of the HTTP API and the vendor whose function serves it.
type Route struct {
	descriptor.Route
	Vendor descriptor.Vendor
}

// Routes are the routes of every vendor (vendors.All), as template.yaml's
// TokenApi has them. Do not modify.
var Routes = allRoutes()

func allRoutes() []Route {
	var routes []Route
	for _, v := range vendors.All() {
		for _, r := range v.Routes {
			routes = append(routes, Route{Route: r, Vendor: v})
		}
	}
	return routes
}
