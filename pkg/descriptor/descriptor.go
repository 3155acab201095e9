package descriptor

import (
	"context"
	"log/slog"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Vendor describes one vendor's token function.
type Vendor struct {
	// Name is the vendor's short name, in lower case: its function is
	// built from functions/<Name>, its sample event is events/<Name>.json.
	Name string
	// LogicalID is the function's SAM logical ID in template.yaml: Name
	// with a capital first letter, followed by "Function".
	LogicalID string
	// Routes are the function's routes on the HTTP API.
	Routes []Route
	// Secret is the vendor secret: the setting that names it and the JSON
	// keys it must hold.
	Secret secrets.Spec
	// Dev holds dev-only settings for the local server and `sam local
	// invoke`: published values that prove nothing, at least the secret's
	// offline override (Secret.OverrideSetting()). Never deploy them.
	Dev map[string]string
	// Configure reads and checks the vendor's own settings from env,
	// recording every problem in env, without any I/O, and returns how to
	// build the vendor's minter once its secret is loaded.
	Configure func(env *config.Env) Setup
}

// Setup is what a vendor's Configure returns.
type Setup struct {
	// NewMinter builds the minter once the secret is loaded.
	NewMinter NewMinter
	// Warm, when set, gets the vendor ready for its first request without
	// the secret, such as by opening a connection the minter will reuse.
	// The function starts it once its settings are checked, alongside the
	// secret reads, and never waits for it: Warm bounds itself, and its
	// failure changes nothing but a debug log line.
	Warm func(ctx context.Context, d Deps)
}

// NewMinter builds a vendor's minter from its loaded secret.
type NewMinter func(secret *secrets.Secret, d Deps) httpapi.Minter

// Deps are what a minter takes from the function around it.
type Deps struct {
	Logger  *slog.Logger      // never nil
	Now     func() time.Time  // nil means time.Now
	Metrics *metrics.Recorder // nil records nothing
}

// Route is one route of the HTTP API.
type Route struct {
	Method string // such as "POST"
	Path   string // such as "/kustomer/token"
}

// Key is the route's API Gateway route key, such as "POST /kustomer/token".
func (r Route) Key() string { return r.Method + " " + r.Path }
