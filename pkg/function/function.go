package function

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/front"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
)

// Session modes (SESSION_MODE).
const (
	ModeAuthorizer = "authorizer"
	ModeJWKS       = "jwks"
	ModeHS256      = "hs256"
)

// SessionSecret is the hs256 signing key's secret. Its key is checked as
// the session verifier checks it, and must not be the dev-only key that
// the local server publishes (ErrDevSessionKey), at start and at every
// re-read, so a rotation to a key it would refuse keeps the last good key
// in use. Only Build with Deps.AllowDevSessionKey, as the local server
// asks, accepts the dev-only key.
var SessionSecret = secrets.Spec{Setting: "SESSION_SECRET_ID", Keys: []string{"signing_key"}, Check: checkSessionKey}

// LocalSessionSecret is SessionSecret as the local server reads it: with
// every check but the one that refuses the dev-only key.
var LocalSessionSecret = secrets.Spec{Setting: SessionSecret.Setting, Keys: SessionSecret.Keys, Check: checkSessionKeyLength}

// ErrDevSessionKey: the hs256 session key is the dev-only key that the
// local server publishes, which anyone can sign sessions with.
var ErrDevSessionKey = errors.New("is the dev-only session signing key published with the local server; anyone can sign sessions with it")

// devSessionKeySHA256 is the SHA-256 digest, in hex, of the dev-only hs256
// session signing key that package localapi publishes. The key itself is
// never linked into a function: only its digest is compared.
const devSessionKeySHA256 = "61dbdafa020e64f4e33531b5b0c32d04518c709791b6fa74220b1c1c14fbbd96"

func checkSessionKey(v secrets.Values) error {
	if err := checkSessionKeyLength(v); err != nil {
		return err
	}
	if sum := sha256.Sum256(v["signing_key"]); hex.EncodeToString(sum[:]) == devSessionKeySHA256 {
		return fmt.Errorf("JSON key signing_key %w", ErrDevSessionKey)
	}
	return nil
}

func checkSessionKeyLength(v secrets.Values) error {
	if err := session.CheckHS256Key(v["signing_key"]); err != nil {
		return fmt.Errorf("JSON key signing_key: %w", err)
	}
	return nil
}

// ErrConfig wraps every start-up failure caused by settings or secrets.
var ErrConfig = errors.New("cannot start")

// ErrPublisher: a descriptor has a route that needs no session
// (descriptor.Route.Public) but its Setup builds nothing to answer it
// (NewPublisher), or the other way round.
var ErrPublisher = errors.New("the descriptor's public routes and its Setup.NewPublisher disagree")

// Deps are what Build takes from its surroundings; the zero value of each
// field but Getenv has a production default. Build passes Logger and Now on
// to the vendor's minter.
type Deps struct {
	Getenv  func(string) string
	Logger  *slog.Logger                                   // nil means slog.Default()
	Secrets secrets.API                                    // nil means secrets.NewAPI, only if a secret needs it
	NewAPI  func(ctx context.Context) (secrets.API, error) // nil means secrets.NewAPI
	Now     func() time.Time                               // nil means time.Now
	// Metrics receives the embedded metric format lines when
	// METRICS_NAMESPACE is set; nil means os.Stdout.
	Metrics io.Writer
	// AllowDevSessionKey lets the hs256 session key be the dev-only key
	// that the local server publishes. The local server sets it; a
	// deployed function never does, and refuses that key at start and at
	// every re-read (ErrDevSessionKey).
	AllowDevSessionKey bool
}

// Build reads and checks every setting of v's function, then loads its
// secrets and returns its handler. With METRICS_NAMESPACE set, the handler,
// the minter and the jwks verifier record metrics (package metrics) in that
// namespace; without it, none. A bad start is reported before any
// network I/O when settings are at fault, and the error names every bad
// setting or secret key at once, never a value. With FRONT_SECRET_ID set,
// the handler answers only requests that came through the protected front
// (package front), those to v's public routes included. Those routes
// (descriptor.Route.Public) are answered by the Setup's NewPublisher over
// v's secret, without a session; a descriptor with one and not the other
// fails with ErrPublisher before any I/O.
func Build(ctx context.Context, v descriptor.Vendor, d Deps) (*httpapi.Handler, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	logger := d.Logger

	// Every setting, the vendor's included, is read and checked here,
	// before any I/O.
	env := config.New(d.Getenv)
	s := readSessionSettings(env)
	ttl := env.Duration("SECRETS_TTL", 5*time.Minute, 0, 24*time.Hour)
	var recorder *metrics.Recorder
	if namespace := env.String("METRICS_NAMESPACE", ""); namespace != "" {
		recorder = metrics.New(cmp.Or[io.Writer](d.Metrics, os.Stdout), namespace, v.Name, d.Now)
	}
	setup := v.Configure(env)
	public := publicRoutes(v)
	if (len(public) > 0) != (setup.NewPublisher != nil) {
		return nil, fmt.Errorf("%w: %s: %w", ErrConfig, v.Name, ErrPublisher)
	}
	specs := []secrets.Spec{v.Secret}
	if s.mode == ModeHS256 {
		sessionSecret := SessionSecret
		if d.AllowDevSessionKey {
			sessionSecret = LocalSessionSecret
		}
		specs = append(specs, sessionSecret)
	}
	useFront := env.String(front.Secret.Setting, "") != "" || env.String(front.Secret.OverrideSetting(), "") != ""
	if useFront {
		specs = append(specs, front.Secret)
	}
	loader := &secrets.Loader{API: d.Secrets, NewAPI: d.NewAPI, Getenv: d.Getenv, TTL: ttl, Logger: logger, Now: d.Now}
	if loader.API == nil && loader.NewAPI == nil {
		loader.NewAPI = secrets.NewAPI
	}
	if err := errors.Join(env.Err(), loader.Check(specs...)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if s.trustEmail {
		logger.WarnContext(ctx, "SESSION_TRUST_UNVERIFIED_EMAIL is true: a session's email identifies the user even when the session does not say it is verified")
	}
	s.jwks.Logger = logger
	s.jwks.Fetched = recorder.KeyRefresh

	// The issuer's keys (jwks mode) and the secrets are fetched side by
	// side, so a cold start pays one round trip, not two.
	type verifierResult struct {
		v   httpapi.Verifier
		err error
	}
	verifierDone := make(chan verifierResult, 1)
	if s.mode == ModeJWKS {
		go func() {
			v, err := session.NewJWKS(ctx, s.jwks, s.options(d.Now))
			verifierDone <- verifierResult{v, err}
		}()
	}
	deps := descriptor.Deps{Logger: logger, Now: d.Now, Metrics: recorder}
	if setup.Warm != nil {
		go setup.Warm(ctx, deps) // never awaited: it cannot slow the start
	}
	loaded, err := loader.Load(ctx, specs...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}

	var verifier httpapi.Verifier
	switch s.mode {
	case ModeAuthorizer:
		verifier = &session.Authorizer{Claims: s.claims, TrustUnverifiedEmail: s.trustEmail}
	case ModeHS256:
		verifier, err = session.NewHS256(loaded[1].KeyFunc("signing_key"), s.options(d.Now))
		if err != nil {
			err = fmt.Errorf("%s (JSON key signing_key): %w", SessionSecret.Setting, err)
		}
	case ModeJWKS:
		r := <-verifierDone
		verifier, err = r.v, r.err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: session: %w", ErrConfig, err)
	}

	var gate *front.Verifier
	if useFront {
		gate = &front.Verifier{Token: loaded[len(loaded)-1].KeyFunc(front.TokenKey), Next: verifier}
		verifier = gate
	}
	minter := setup.NewMinter(loaded[0], deps)
	h := &httpapi.Handler{Session: verifier, Minter: minter, Logger: logger, Now: d.Now}
	if len(public) > 0 {
		p := setup.NewPublisher(loaded[0], deps)
		h.Public = map[string]httpapi.Publisher{}
		for _, key := range public {
			h.Public[key] = p
		}
		if gate != nil {
			h.Gate = gate // the protected front holds for them too
		}
	}
	if recorder != nil {
		h.Metrics = recorder
	}
	return h, nil
}

// publicRoutes are the route keys of v's routes that need no session.
func publicRoutes(v descriptor.Vendor) []string {
	var keys []string
	for _, r := range v.Routes {
		if r.Public {
			keys = append(keys, r.Key())
		}
	}
	return keys
}

// sessionSettings are the SESSION_* settings.
type sessionSettings struct {
	mode       string
	claims     session.ClaimNames
	trustEmail bool
	issuer     string
	audience   []string
	leeway     time.Duration
	scope      string
	jwks       session.JWKSConfig
}

func readSessionSettings(env *config.Env) sessionSettings {
	s := sessionSettings{
		mode: env.OneOf("SESSION_MODE", "", ModeAuthorizer, ModeJWKS, ModeHS256),
		claims: session.ClaimNames{
			UserID:        env.String("SESSION_USER_ID_CLAIM", session.DefaultClaimNames.UserID),
			Email:         env.String("SESSION_EMAIL_CLAIM", session.DefaultClaimNames.Email),
			Name:          env.String("SESSION_NAME_CLAIM", session.DefaultClaimNames.Name),
			EmailVerified: env.String("SESSION_EMAIL_VERIFIED_CLAIM", session.DefaultClaimNames.EmailVerified),
		},
		trustEmail: env.OneOf("SESSION_TRUST_UNVERIFIED_EMAIL", "false", "false", "true") == "true",
	}
	if s.mode == ModeAuthorizer {
		return s
	}
	s.issuer = env.Required("SESSION_ISSUER")
	s.audience = env.List("SESSION_AUDIENCE", nil)
	if len(s.audience) == 0 && env.Required("SESSION_AUDIENCE") != "" {
		env.Fail("SESSION_AUDIENCE", "must name at least one audience")
	}
	s.leeway = env.Duration("SESSION_LEEWAY", 30*time.Second, time.Second, 5*time.Minute)
	s.scope = env.String("SESSION_REQUIRED_SCOPE", "")
	if s.mode == ModeJWKS {
		s.jwks = session.JWKSConfig{
			URL:        env.Required("SESSION_JWKS_URL"),
			Algorithms: env.List("SESSION_ALGORITHMS", nil),
		}
		if s.jwks.URL != "" {
			if err := session.CheckJWKSURL(s.jwks.URL); err != nil {
				env.Fail("SESSION_JWKS_URL", err.Error()) // the error does not repeat the URL
			}
		}
	}
	return s
}

func (s sessionSettings) options(now func() time.Time) session.Options {
	return session.Options{
		Issuer:               s.issuer,
		Audience:             s.audience,
		Leeway:               s.leeway,
		Claims:               s.claims,
		TrustUnverifiedEmail: s.trustEmail,
		RequiredScope:        s.scope,
		Now:                  now,
	}
}
