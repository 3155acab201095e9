package session

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
	"github.com/vendortokens/vendor-token-functions/pkg/untrusted"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// defaultAlgorithms are the algorithms a jwks verifier accepts by default.
var defaultAlgorithms = []string{"RS256", "ES256"}

// jwksAlgorithms are the algorithms a jwks verifier can accept: asymmetric
// ones only, so that no key of the set can be used as an HMAC secret.
var jwksAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

const (
	defaultFetchTimeout = 3 * time.Second
	// maxRefreshInterval is the longest time between two fetches that
	// tokens cause: so a key that the issuer publishes is used within a
	// minute, however many tokens with made-up kids come in meanwhile.
	maxRefreshInterval     = time.Minute
	defaultRefreshInterval = maxRefreshInterval
	defaultMaxKeyAge       = time.Hour
	// noKeysRetry is the longest wait between two fetches while no key
	// set has been fetched yet.
	noKeysRetry = 30 * time.Second
	// maxJWKSBytes is the largest key set response read.
	maxJWKSBytes = 1 << 20
)

// JWKSConfig says where an issuer's JSON Web Key Set is and how to fetch it.
type JWKSConfig struct {
	// URL is the issuer's key set (its jwks_uri): https, or http to a
	// loopback address for local testing, without user info. Logs name it
	// by scheme, host and path only.
	URL string
	// Algorithms are the accepted signing algorithms; nil means RS256 and
	// ES256. HMAC algorithms and none are refused.
	Algorithms []string
	// HTTPClient fetches the key set; nil means a new client. It is copied:
	// the copy refuses responses over 1 MiB, has FetchTimeout as its
	// timeout when it has none, and follows at most 5 redirects: one to
	// URL's origin (scheme, host and port) as URL itself, one elsewhere
	// only to https and over connections to public addresses, checked as
	// each is made (not loopback, private, link-local, unspecified or
	// reserved), with the client's TLS configuration but neither its own
	// dial functions nor a proxy.
	HTTPClient *http.Client
	// FetchTimeout bounds one fetch of the key set; 0 means 3s.
	FetchTimeout time.Duration
	// RefreshInterval is the least time between two fetches that tokens
	// cause (an unknown kid, stale keys); 0 means, and more is refused, 1
	// minute, so that tokens with made-up kids keep a new key of the
	// issuer out for a minute at most. While no key set has been fetched,
	// it is at most 30s.
	RefreshInterval time.Duration
	// MaxKeyAge is how long a fetched key set is used before the next
	// request fetches it again (keeping it if that fails); 0 means 1 hour.
	MaxKeyAge time.Duration
	// Logger receives fetch failures and the keys of the set that are
	// skipped as malformed; nil means slog.Default().
	Logger *slog.Logger
	// Fetched, when not nil, is told of every fetch of the key set, with
	// its error (nil when the set was replaced), such as to count them.
	Fetched func(err error)
}

// NewJWKS returns a verifier of tokens signed with a key of the issuer's
// key set (SESSION_MODE=jwks). It fetches the set once, bounded by ctx and
// FetchTimeout; ctx is not kept. When that fetch fails, NewJWKS still
// returns the verifier, which answers ErrKeysUnavailable until a later fetch
// succeeds: it returns an error only for a bad configuration.
//
// The set is fetched again when a token names a kid it lacks, or is older
// than MaxKeyAge, at most once per RefreshInterval, within the request's
// context; a failed fetch keeps the last good keys. A key of the set that
// does not parse or validate (such as a bad x5c certificate, an RSA
// exponent below 2 or an EC point off its curve) is skipped with a
// warning, and the other keys are used.
func NewJWKS(ctx context.Context, cfg JWKSConfig, opts Options) (*JWT, error) {
	algs := cfg.Algorithms
	if len(algs) == 0 {
		algs = defaultAlgorithms
	}
	keys, err := newIssuerKeys(cfg, opts.Now)
	if err := errors.Join(err, checkAlgorithms(algs)); err != nil {
		return nil, err
	}
	kf, err := keyfunc.New(keyfunc.Options{Storage: keys, UseWhitelist: signingUses})
	if err != nil {
		return nil, err
	}
	v, err := newJWT(opts, algs, func(ctx context.Context, t *jwt.Token) (any, error) {
		key, err := kf.KeyfuncCtx(ctx)(t)
		switch {
		case err == nil:
			return key, nil
		case errors.Is(err, ErrKeysUnavailable):
			return nil, err
		case errors.Is(err, jwkset.ErrKeyNotFound):
			// jwkset's text quotes the whole kid, which the caller chose.
			kid, _ := t.Header["kid"].(string)
			return nil, fmt.Errorf("%w: the issuer's key set has no key with the token's kid %s", ErrInvalid, untrusted.Quote(kid))
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalid, untrusted.Clip(err.Error(), maxReasonLen))
	})
	if err != nil {
		return nil, err
	}
	// A failure is logged; Verify answers ErrKeysUnavailable until a fetch
	// succeeds.
	_ = keys.refresh(ctx, false)
	return v, nil
}

// issuerKeys is the jwkset.Storage behind a jwks verifier: the last good key
// set of the issuer, which KeyRead and KeyReadAll fetch again when due.
type issuerKeys struct {
	jwkset.Storage // the last good key set
	url            string
	logURL         string // url without its query: the only form logged
	client         *http.Client
	fetchTimeout   time.Duration
	interval       time.Duration
	maxAge         time.Duration
	now            func() time.Time
	log            *slog.Logger
	fetchedHook    func(error) // JWKSConfig.Fetched, or nil

	mu      sync.Mutex
	fetched time.Time // of the last good key set; zero before the first
	next    time.Time // no fetch before then
}

// signingUses are the "use" values of the keys that may verify a token.
var signingUses = []jwkset.USE{jwkset.UseSig, ""}

func checkAlgorithms(algs []string) error {
	var errs []error
	for _, alg := range algs {
		if !slices.Contains(jwksAlgorithms, alg) {
			errs = append(errs, fmt.Errorf("session: algorithm %q is not one of %v", alg, jwksAlgorithms))
		}
	}
	return errors.Join(errs...)
}

func newIssuerKeys(cfg JWKSConfig, now func() time.Time) (*issuerKeys, error) {
	if err := CheckJWKSURL(cfg.URL); err != nil {
		return nil, fmt.Errorf("session: JWKS URL: %w", err)
	}
	if cfg.FetchTimeout < 0 || cfg.RefreshInterval < 0 || cfg.MaxKeyAge < 0 {
		return nil, errors.New("session: negative JWKS fetch timeout, refresh interval or key age")
	}
	if cfg.RefreshInterval > maxRefreshInterval {
		return nil, fmt.Errorf("session: the JWKS refresh interval is over %v", maxRefreshInterval)
	}

	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	home, _ := url.Parse(cfg.URL) // CheckJWKSURL has parsed it
	client.Transport = limitedTransport{base: newOriginGuard(originOf(home), client.Transport)}
	client.CheckRedirect = checkRedirect(originOf(home))
	fetchTimeout := cmp.Or(cfg.FetchTimeout, defaultFetchTimeout)
	if client.Timeout == 0 {
		client.Timeout = fetchTimeout
	}
	if now == nil {
		now = time.Now
	}
	return &issuerKeys{
		Storage:      jwkset.NewMemoryStorage(),
		url:          cfg.URL,
		logURL:       withoutQuery(cfg.URL),
		client:       client,
		fetchTimeout: fetchTimeout,
		interval:     cmp.Or(cfg.RefreshInterval, defaultRefreshInterval),
		maxAge:       cmp.Or(cfg.MaxKeyAge, defaultMaxKeyAge),
		now:          now,
		log:          cmp.Or(cfg.Logger, slog.Default()),
		fetchedHook:  cfg.Fetched,
	}, nil
}

// KeyRead returns the key named kid, fetching the key set first when it is
// stale, and again when it lacks kid.
func (k *issuerKeys) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	if err := k.refresh(ctx, false); err != nil {
		return jwkset.JWK{}, err
	}
	jwk, err := k.Storage.KeyRead(ctx, kid)
	if !errors.Is(err, jwkset.ErrKeyNotFound) {
		return jwk, err
	}
	if err := k.refresh(ctx, true); err != nil {
		return jwkset.JWK{}, err
	}
	return k.Storage.KeyRead(ctx, kid)
}

// KeyReadAll returns every signing key, for a token without kid, fetching
// the key set first when it is stale.
func (k *issuerKeys) KeyReadAll(ctx context.Context) ([]jwkset.JWK, error) {
	if err := k.refresh(ctx, false); err != nil {
		return nil, err
	}
	all, err := k.Storage.KeyReadAll(ctx)
	return slices.DeleteFunc(all, func(j jwkset.JWK) bool {
		return !slices.Contains(signingUses, j.Marshal().USE)
	}), err
}

// refresh fetches the key set if one is due: because none was fetched yet,
// because the last is older than maxAge, or because a token names an
// unknown kid; and no fetch was made in the last interval. It returns an
// error wrapping ErrKeysUnavailable when there is no key set to use, or
// when the fetch for an unknown kid failed; a failed fetch of a stale set
// keeps the last good one.
func (k *issuerKeys) refresh(ctx context.Context, unknownKID bool) error {
	now := k.now()
	k.mu.Lock()
	loaded := !k.fetched.IsZero()
	due := !now.Before(k.next) && (unknownKID || !loaded || now.Sub(k.fetched) >= k.maxAge)
	if due {
		k.next = now.Add(k.interval)
		if !loaded {
			k.next = now.Add(min(k.interval, noKeysRetry))
		}
	}
	k.mu.Unlock()

	if !due {
		if !loaded {
			return fmt.Errorf("%w: no key set fetched yet", ErrKeysUnavailable)
		}
		return nil
	}
	err := k.fetch(ctx)
	if k.fetchedHook != nil {
		k.fetchedHook(err)
	}
	if err == nil {
		return nil
	}
	k.log.WarnContext(ctx, "session: fetching the issuer's keys failed", "jwks_url", k.logURL, "error", err)
	if !loaded || unknownKID {
		return fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	return nil
}

// fetch replaces the key set with the issuer's current one, if that holds a
// usable key. Its errors never hold the URL, whose query may be secret.
func (k *issuerKeys) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, k.fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return errors.New("cannot make the request")
	}
	resp, err := k.client.Do(req)
	if err != nil {
		var urlErr *url.Error // its text holds the URL
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return fmt.Errorf("GET: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return fmt.Errorf("the key set is not JSON: %w", err)
	}
	keys := make([]jwkset.JWK, 0, len(set.Keys))
	for i, raw := range set.Keys {
		// Read as jwkset's own HTTP storage reads keys: a private key
		// verifies with its public part (keyfunc), an oct key never does,
		// as only asymmetric algorithms are allowed.
		key, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{Private: true}, jwkset.JWKValidateOptions{})
		switch {
		case errors.Is(err, jwkset.ErrUnsupportedKey):
			continue // such as Ed448: of no use here, and no fault
		case err != nil:
			var named struct {
				KID string `json:"kid"`
			}
			_ = json.Unmarshal(raw, &named)
			k.log.WarnContext(ctx, "session: skipping a malformed key of the issuer's key set",
				"jwks_url", k.logURL, "index", i, "kid", untrusted.Clip(named.KID, untrusted.MaxQuoted), "error", err)
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return errors.New("the key set holds no usable key")
	}
	if err := k.Storage.KeyReplaceAll(ctx, keys); err != nil {
		return err
	}
	k.mu.Lock()
	k.fetched = k.now()
	k.mu.Unlock()
	return nil
}

// CheckJWKSURL reports whether raw can be a JWKSConfig.URL: https, or http
// to a loopback address, and without user info. Its error never repeats
// raw.
func CheckJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("not set")
	case err != nil:
		return errors.New("not a URL")
	case u.Host == "":
		return errors.New("no host")
	case u.User != nil:
		return errors.New("must not hold user info (user:password@)")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback.IsHost(u.Hostname()):
		return nil
	}
	return errors.New("must be https (http only to a loopback address)")
}

// withoutQuery returns the URL raw with only its scheme, host and path.
func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// limitedTransport refuses key set responses over maxJWKSBytes.
type limitedTransport struct {
	base http.RoundTripper // nil means http.DefaultTransport
}

var errJWKSTooLarge = fmt.Errorf("the key set response is over %d bytes", maxJWKSBytes)

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxJWKSBytes {
		return nil, errJWKSTooLarge
	}
	// Read it all, so that a body of unknown length is refused as well.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	switch {
	case err != nil:
		return nil, err
	case len(body) > maxJWKSBytes:
		return nil, errJWKSTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}
