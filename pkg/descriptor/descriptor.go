package descriptor

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Vendor describes one vendor's token function. It is the single source
// of everything the vendor is: the function reads its settings through
// it, and `make generate` derives from it the vendor's part of the SAM
// template, its sample event and settings, and the reference tables of the
// docs.
type Vendor struct {
	// Name is the vendor's short name, in lower case: its function is
	// built from functions/<Name>, its sample event is events/<Name>.json,
	// its secret is named <stack>/<Name>.
	Name string
	// LogicalID is the function's SAM logical ID in template.yaml: Name
	// with a capital first letter, followed by "Function".
	LogicalID string
	// Title is the product's name, such as "Acme Chat".
	Title string
	// Summary says what a 200 answer carries, completing "returns ...":
	// "an Acme Chat JWT for the session's user".
	Summary string
	// Response is the 200 body, for the endpoint table:
	// `{"token": "<JWT>", "expires_at": <iat + 900>}`.
	Response string
	// Docs are the vendor documents the function follows, by URL.
	Docs []string
	// Routes are the function's routes on the HTTP API.
	Routes []Route
	// Secret is the vendor secret: the setting that names it and the JSON
	// keys it holds.
	Secret secrets.Spec
	// Settings are the vendor's own settings, which Configure reads
	// through config.Env.Text and config.Env.Period.
	Settings []config.Setting
	// Upstream is set for a vendor whose function fetches what it answers
	// from the vendor's API, rather than signing it.
	Upstream *Upstream
	// Configure reads and checks the vendor's own settings from env,
	// recording every problem in env, without any I/O, and returns how to
	// build the vendor's minter once its secret is loaded.
	Configure func(env *config.Env) Setup
}

// Upstream describes the API a vendor's function calls.
type Upstream struct {
	// BaseURL is the setting that holds the API's base URL, such as
	// "ACME_BASE_URL". The local server points it at a stand-in.
	BaseURL string
}

// Prefix is the vendor's name as it starts the names of its resources
// in template.yaml: LogicalID without "Function" ("Acme").
func (v Vendor) Prefix() string { return strings.TrimSuffix(v.LogicalID, "Function") }

// Setting returns the vendor's setting called name, and whether it has one.
func (v Vendor) Setting(name string) (config.Setting, bool) {
	for _, s := range v.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return config.Setting{}, false
}

// Setup is what a vendor's Configure returns.
type Setup struct {
	// NewMinter builds the minter once the secret is loaded.
	NewMinter NewMinter
	// NewPublisher builds, once the secret is loaded, what answers the
	// vendor's Public routes; it must be set exactly when the vendor has
	// one. It serves every Public route of the vendor.
	NewPublisher NewPublisher
	// Warm, when set, gets the vendor ready for its first request without
	// the secret, such as by opening a connection the minter will reuse.
	// The function starts it once its settings are checked, alongside the
	// secret reads, and never waits for it: Warm bounds itself, and its
	// failure changes nothing but a debug log line.
	Warm func(ctx context.Context, d Deps)
}

// NewMinter builds a vendor's minter from its loaded secret.
type NewMinter func(secret *secrets.Secret, d Deps) httpapi.Minter

// NewPublisher builds what answers a vendor's public routes from its
// loaded secret, such as the public halves of the keys the minter signs
// with.
type NewPublisher func(secret *secrets.Secret, d Deps) httpapi.Publisher

// Deps are what a minter takes from the function around it.
type Deps struct {
	Logger  *slog.Logger      // never nil
	Now     func() time.Time  // nil means time.Now
	Metrics *metrics.Recorder // nil records nothing
}

// Route is one route of the HTTP API.
type Route struct {
	Method string // such as "POST"
	Path   string // such as "/acme/token"
	// Query documents the query parameters the route reads, such as
	// "platform=web|ios|android"; empty for none.
	Query string
	// Summary says what the route answers, completing "returns ...", for
	// a route that answers something else than the vendor's Summary, such
	// as a public route; empty means the vendor's Summary.
	Summary string
	// Public routes need no session: the function answers them with its
	// Setup.NewPublisher's document, the same for every caller and
	// cacheable for httpapi.PublicMaxAge, and the template attaches no JWT
	// authorizer to them. Only a document anyone may read belongs on one,
	// such as the public keys the vendor fetches to verify what the
	// function signs.
	Public bool
}

// Key is the route's API Gateway route key, such as "POST /acme/token".
func (r Route) Key() string { return r.Method + " " + r.Path }
