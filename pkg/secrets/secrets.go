package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

// Sentinel errors. Each is wrapped with the name of the setting (and the
// JSON key where there is one), never with a secret's value.
var (
	ErrNotConfigured = errors.New("secret is not configured")
	ErrFetch         = errors.New("secret could not be read from Secrets Manager")
	ErrMalformed     = errors.New("secret is not a JSON object of strings")
	ErrMissingKey    = errors.New("secret lacks a required JSON key")
	ErrInvalid       = errors.New("secret fails its check")
	// ErrRevoked is what a secret gives once Secrets Manager has said it
	// was deleted, is scheduled for deletion or may no longer be read: the
	// contract's internal error, with a message safe for the app.
	ErrRevoked = apierror.New(apierror.Internal, "a secret the function needs is not available")
)

// DefaultTimeout bounds Load when Loader.Timeout is zero: well under the
// 10 s that Lambda allows for a function's init.
const DefaultTimeout = 5 * time.Second

// API is the one Secrets Manager operation this package uses.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ API = (*secretsmanager.Client)(nil)

// NewAPI returns a Secrets Manager client configured by
// config.LoadDefaultConfig, so the standard AWS settings (AWS_REGION,
// AWS_ENDPOINT_URL_SECRETS_MANAGER, credentials, ...) apply.
func NewAPI(ctx context.Context) (API, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return secretsmanager.NewFromConfig(cfg), nil
}

// MinKeyLen is the least length, in bytes, of a vendor's key or client
// secret whose vendor states no length of its own: 16 bytes, 128 bits.
// Every such key signs with HMAC-SHA256 or is a shared secret; RFC 2104
// (section 3) discourages HMAC keys shorter than the hash output (32 bytes
// for SHA-256), and NIST SP 800-107 takes an HMAC's strength to be at most
// its key's, so 16 bytes is the least that still gives the 128-bit
// strength that current guidance asks for. It is a floor, not the 32 bytes
// RFC 2104 recommends, because the vendors issue these keys and do not
// say how long they are: a floor above what a vendor issues would stop a
// working function. It refuses what is plainly not an issued key, such as
// a placeholder or a password typed by hand.
const MinKeyLen = 16

// Spec says which setting names a secret, which JSON keys it must hold,
// and how else to check its value. Each value of Keys and Optional that is
// present must be a non-empty JSON string without white space at its start
// or end (such as the trailing newline of a file read as is), and at least
// MinLen[key] bytes long. These checks, then Check, apply at Load and at
// every re-read: a value that fails them fails Load, or is not used and
// the last good value stays.
type Spec struct {
	Setting string   // environment variable holding the secret's id or ARN, e.g. "ACME_SECRET_ID"
	Keys    []string // JSON keys that must be present, strings, and not empty
	// Optional are JSON keys the secret may hold besides Keys (Check says
	// which combinations it accepts). One that is present (and not null)
	// must be a non-empty string like a key of Keys: leave out a key that
	// has no value.
	Optional []string
	// MinLen is the least length, in bytes, of the value of each key it
	// names (of Keys or Optional); a key it does not name needs one byte.
	MinLen map[string]int
	// Description says what the secret holds and where its values come
	// from, for the docs and the secret created by the template.
	Description string
	// Check, when set, is applied to every value read, at Load and at each
	// re-read, once Keys are present: an error fails Load, or keeps the
	// last good value of a re-read. Its text must name keys, never values.
	Check func(Values) error
	// Dev, when set, lays out the secret's dev-only value (package dev)
	// for a secret that Check would refuse with a dev-only string in each
	// key, such as one that holds RSA keys: it returns the JSON object,
	// every value made by gen. It holds no value itself, so a function
	// that links it links nothing dev-only. When nil, the dev-only value
	// gives each key of Keys and Optional its dev-only string.
	Dev func(gen DevValues) map[string]string
}

// DevValues makes dev-only values for Spec.Dev. Package dev implements it;
// the values are published with this repository, so they prove nothing.
type DevValues interface {
	// Text is the dev-only string of the JSON key key, such as
	// "dev-only-acme-api-key-not-for-production".
	Text(key string) string
	// RSAPrivateKey is a dev-only RSA private key of bits bits for the
	// JSON key key, in PEM (PKCS #8, "PRIVATE KEY"): the same every time
	// for the same vendor, key and bits.
	RSAPrivateKey(key string, bits int) string
}

// OverrideSetting returns the environment variable that may hold the
// secret's JSON value directly, for offline use: "ACME_SECRET_ID"
// gives "ACME_SECRET_JSON".
func (s Spec) OverrideSetting() string {
	return strings.TrimSuffix(s.Setting, "_ID") + "_JSON"
}

// Values holds one secret's JSON keys and their string values. It is an
// immutable snapshot: never modify it, nor the byte slices it holds. It
// holds no empty value.
type Values map[string][]byte

// Loader loads secrets. Set its fields, then call Load once, at cold start.
type Loader struct {
	// API reads secrets. When nil, NewAPI builds it, and only if a secret
	// is not given in the environment.
	API API
	// NewAPI builds API when it is needed; nil means the package's NewAPI.
	NewAPI func(ctx context.Context) (API, error)
	// Getenv reads settings; nil means os.Getenv.
	Getenv func(string) string
	// TTL is how long a secret is used before it is read again; 0 means
	// it is never read again.
	TTL time.Duration
	// Timeout bounds the whole of Load, and each later re-read; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Load reads every spec's secret, all at once, and returns them in spec
// order. A secret whose override variable (Spec.OverrideSetting) is set is
// taken from it instead, with a warning, and never read again. The error
// joins every problem found and names each setting and JSON key, never a
// value.
func (l *Loader) Load(ctx context.Context, specs ...Spec) ([]*Secret, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	getenv := l.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	logger := l.Logger
	if logger == nil {
		logger = slog.Default()
	}
	now := l.Now
	if now == nil {
		now = time.Now
	}

	out := make([]*Secret, len(specs))
	errs := make([]error, len(specs))
	var remote []int // indexes of the secrets to read from Secrets Manager
	for i, spec := range specs {
		s := &Secret{spec: spec, logger: logger, now: now, timeout: timeout}
		out[i] = s
		src, err := source(getenv, i, spec)
		if src.offline {
			logger.Warn("secret taken from the environment instead of Secrets Manager; for offline use only",
				slog.String("setting", spec.OverrideSetting()))
		}
		switch {
		case err != nil:
			errs[i] = err
		case src.offline:
			s.cur.Store(&snapshot{values: src.values, read: now()})
		default:
			s.id = src.id
			s.ttl = l.TTL
			remote = append(remote, i)
		}
	}
	if len(remote) > 0 {
		if err := l.readAll(ctx, out, remote, errs); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Check reports, without any I/O, every spec whose secret is not
// configured: neither its setting nor its offline override (see
// Spec.OverrideSetting) is set, or the override is not a valid value. Load
// makes the same checks; Check lets a caller report them together with its
// other settings' problems before any network I/O.
func (l *Loader) Check(specs ...Spec) error {
	getenv := l.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var errs []error
	for i, spec := range specs {
		if _, err := source(getenv, i, spec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// secretSource is where a secret is read from: the values of its offline
// override, or the secret id in Secrets Manager.
type secretSource struct {
	offline bool   // the override is set; values holds it if it is valid
	values  Values // the checked values of the override
	id      string // the secret's id or ARN, when not offline
}

// source says where spec, the i-th, is read from, and why it cannot be.
func source(getenv func(string) string, i int, spec Spec) (secretSource, error) {
	if spec.Setting == "" {
		return secretSource{}, fmt.Errorf("%w: spec %d names no setting", ErrNotConfigured, i)
	}
	if raw := getenv(spec.OverrideSetting()); strings.TrimSpace(raw) != "" {
		values, err := parse(spec.OverrideSetting(), spec, []byte(raw))
		return secretSource{offline: true, values: values}, err
	}
	id := strings.TrimSpace(getenv(spec.Setting))
	if id == "" {
		return secretSource{}, fmt.Errorf("%s: %w: set it to the secret's name or ARN (or %s to its JSON value, offline)",
			spec.Setting, ErrNotConfigured, spec.OverrideSetting())
	}
	return secretSource{id: id}, nil
}

// readAll reads the secrets out[i] for every i in remote concurrently,
// recording each one's error in errs[i]. It fails only when no client can
// be built.
func (l *Loader) readAll(ctx context.Context, out []*Secret, remote []int, errs []error) error {
	api := l.API
	if api == nil {
		newAPI := l.NewAPI
		if newAPI == nil {
			newAPI = NewAPI
		}
		var err error
		if api, err = newAPI(ctx); err != nil {
			settings := make([]string, len(remote))
			for j, i := range remote {
				settings[j] = out[i].spec.Setting
			}
			return fmt.Errorf("%s: %w: %w", strings.Join(settings, ", "), ErrFetch, err)
		}
	}
	var wg sync.WaitGroup
	for _, i := range remote {
		s := out[i]
		s.api = api
		wg.Go(func() {
			snap, err := s.fetch(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			s.cur.Store(snap)
			s.logger.Info("secret loaded", slog.String("setting", s.spec.Setting), slog.String("version_id", snap.version))
		})
	}
	wg.Wait()
	return nil
}

// fetch reads the secret from Secrets Manager and checks it.
func (s *Secret) fetch(ctx context.Context) (*snapshot, error) {
	out, err := s.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.id)})
	if err != nil {
		var de *smithy.DeserializationError
		if errors.As(err, &de) {
			// Its text may quote the response, which holds the secret.
			return nil, fmt.Errorf("%s: %w: the response could not be decoded", s.spec.Setting, ErrFetch)
		}
		return nil, fmt.Errorf("%s: %w: %w", s.spec.Setting, ErrFetch, err)
	}
	var raw []byte
	switch {
	case out.SecretString != nil:
		raw = []byte(*out.SecretString)
	case out.SecretBinary != nil:
		raw = out.SecretBinary
	}
	values, err := parse(s.spec.Setting, s.spec, raw)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{values: values, version: aws.ToString(out.VersionId), read: s.now()}
	if s.ttl > 0 {
		snap.next = snap.read.Add(s.ttl)
	}
	return snap, nil
}

// parse checks that raw is a JSON object whose keys include every one of
// spec.Keys, whose keys of Keys and Optional pass checkKey, and that passes
// spec.Check, and returns its non-blank string values. Errors name setting and the JSON
// key, never a value: not even encoding/json's messages, which may quote a
// character of the input.
func parse(setting string, spec Spec, raw []byte) (Values, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		var syntax *json.SyntaxError
		switch {
		case len(raw) == 0:
			return nil, fmt.Errorf("%s: %w: the value is empty", setting, ErrMalformed)
		case errors.As(err, &syntax):
			return nil, fmt.Errorf("%s: %w: invalid JSON at byte %d", setting, ErrMalformed, syntax.Offset)
		default:
			return nil, fmt.Errorf("%s: %w: the value is not a JSON object", setting, ErrMalformed)
		}
	}
	if obj == nil { // the JSON literal null
		return nil, fmt.Errorf("%s: %w: the value is not a JSON object", setting, ErrMalformed)
	}
	values := make(Values, len(obj))
	for k, v := range obj {
		var str string
		if json.Unmarshal(v, &str) == nil && strings.TrimSpace(str) != "" {
			values[k] = []byte(str)
		}
	}
	var errs []error
	for _, k := range spec.Keys {
		errs = append(errs, checkKey(setting, spec, obj, values, k, true))
	}
	for _, k := range spec.Optional {
		errs = append(errs, checkKey(setting, spec, obj, values, k, false))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if spec.Check != nil {
		if err := spec.Check(values); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", setting, ErrInvalid, err)
		}
	}
	return values, nil
}

// checkKey checks the JSON key k of obj, whose non-blank string values are
// in values: a required key must be there, an optional one may be absent
// or null, and one that is there must be a non-empty string without white
// space at either end, at least spec.MinLen[k] bytes long. Errors name
// setting and k, never the value.
func checkKey(setting string, spec Spec, obj map[string]json.RawMessage, values Values, k string, required bool) error {
	v, ok := values[k]
	if !ok {
		switch raw, present := obj[k]; {
		case !present || string(raw) == "null":
			if !required {
				return nil
			}
			return fmt.Errorf("%s: %w: JSON key %q is missing", setting, ErrMissingKey, k)
		case raw[0] != '"':
			return fmt.Errorf("%s: %w: JSON key %q is not a string", setting, ErrMalformed, k)
		case required:
			return fmt.Errorf("%s: %w: JSON key %q is empty", setting, ErrMissingKey, k)
		default:
			return fmt.Errorf("%s: %w: JSON key %q is empty (leave out a key that has no value)", setting, ErrInvalid, k)
		}
	}
	first, _ := utf8.DecodeRune(v)
	last, _ := utf8.DecodeLastRune(v)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("%s: %w: JSON key %q has white space at its start or end", setting, ErrInvalid, k)
	}
	if n := spec.MinLen[k]; len(v) < n {
		return fmt.Errorf("%s: %w: JSON key %q is shorter than %d bytes", setting, ErrInvalid, k, n)
	}
	return nil
}
