package localapi

import (
	"net/http"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

// Route is one route of the HTTP API and the function behind it.
type Route struct {
	Method    string          // such as "POST"
	Path      string          // such as "/kustomer/token"
	LogicalID string          // the function's SAM logical ID in template.yaml
	Vendor    function.Vendor // what function.Build builds for it
}

// Key is the route's API Gateway route key, such as "POST /kustomer/token".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes are the routes of template.yaml's TokenApi, one entry per method
// and path. Do not modify.
var Routes = []Route{
	{http.MethodPost, "/copilot/auth-key", "CopilotFunction", function.Copilot},
	{http.MethodGet, "/ccai/token", "CcaiFunction", function.CCAI},
	{http.MethodPost, "/ccai/token", "CcaiFunction", function.CCAI},
	{http.MethodPost, "/decagon/token", "DecagonFunction", function.Decagon},
	{http.MethodPost, "/kustomer/token", "KustomerFunction", function.Kustomer},
}
