package session

import (
	"context"
	"errors"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/untrusted"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

// maxReasonLen bounds the text of a library's error that says why a token
// is refused: it may quote part of the token, which the caller chose.
const maxReasonLen = 200

// MinHS256KeyLen is the shortest HS256 session key, in bytes, that NewHS256
// and Verify accept.
const MinHS256KeyLen = 32

const (
	defaultLeeway = 30 * time.Second
	maxLeeway     = 5 * time.Minute
)

// Options are the checks a session token must pass, whatever its key.
type Options struct {
	// Issuer is required and must equal the token's iss.
	Issuer string
	// Audience is required: the token's aud must contain one of them.
	Audience []string
	// Leeway is the clock skew allowed on exp, nbf and iat: 0 means 30s, and
	// more than 5 minutes is refused.
	Leeway time.Duration
	// Claims name the identity claims; the zero value means DefaultClaimNames.
	Claims ClaimNames
	// TrustUnverifiedEmail makes any email claim fill Identity.Email, even
	// one the token does not say is verified
	// (SESSION_TRUST_UNVERIFIED_EMAIL).
	TrustUnverifiedEmail bool
	// RequiredScope, when set, is one scope that the token's space-separated
	// scope claim, or its scp claim (a string or a list), must contain.
	RequiredScope string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// JWT verifies the session token of "Authorization: Bearer <jwt>". Create
// one with NewHS256 or NewJWKS at cold start and reuse it; it is safe for
// concurrent use.
type JWT struct {
	parser *jwt.Parser
	claims claimSet
	// key returns the key to check t's signature with, or an error that is
	// ErrInvalid when the token names no usable key.
	key func(ctx context.Context, t *jwt.Token) (any, error)
}

// NewHS256 returns a verifier of HS256 tokens signed with the key that key
// returns. key is called once here, so that a missing key or one shorter
// than MinHS256KeyLen stops the function at start, and then on every Verify,
// so that a rotated key takes effect.
func NewHS256(key func(context.Context) ([]byte, error), opts Options) (*JWT, error) {
	if key == nil {
		return nil, errors.New("session: no HS256 key source")
	}
	lookup := func(ctx context.Context, _ *jwt.Token) (any, error) {
		k, err := key(ctx)
		if err != nil {
			return nil, fmt.Errorf("session: reading the HS256 key: %w", err)
		}
		if err := CheckHS256Key(k); err != nil {
			return nil, err
		}
		return k, nil
	}
	if _, err := lookup(context.Background(), nil); err != nil {
		return nil, err
	}
	return newJWT(opts, []string{jwt.SigningMethodHS256.Alg()}, lookup)
}

// newJWT returns the verifier shared by all key sources: tokens must be
// signed with one of algs and pass the checks of opts.
func newJWT(opts Options, algs []string, key func(context.Context, *jwt.Token) (any, error)) (*JWT, error) {
	var errs []error
	if opts.Issuer == "" {
		errs = append(errs, errors.New("session: no issuer"))
	}
	if len(opts.Audience) == 0 || slices.Contains(opts.Audience, "") {
		errs = append(errs, errors.New("session: no audience, or an empty one"))
	}
	leeway := opts.Leeway
	switch {
	case leeway == 0:
		leeway = defaultLeeway
	case leeway < 0 || leeway > maxLeeway:
		errs = append(errs, fmt.Errorf("session: leeway must be between 0 and %v", maxLeeway))
	}
	if strings.ContainsFunc(opts.RequiredScope, unicode.IsSpace) {
		errs = append(errs, errors.New("session: the required scope must be a single scope"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &JWT{
		parser: jwt.NewParser(
			jwt.WithValidMethods(slices.Clone(algs)),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(opts.Issuer),
			jwt.WithAudience(slices.Clone(opts.Audience)...),
			jwt.WithLeeway(leeway),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(now),
			jwt.WithStrictDecoding(),
		),
		claims: claimSet{names: opts.Claims.orDefault(), scope: opts.RequiredScope, trustEmail: opts.TrustUnverifiedEmail},
		key:    key,
	}, nil
}

// Verify returns the identity in the request's bearer token. It fails with
// ErrNoSession when there is no bearer token, with ErrInvalid when the token
// does not verify, and with ErrKeysUnavailable when the issuer's keys cannot
// be fetched; any other error is an internal one (such as an unreadable
// HS256 key).
func (v *JWT) Verify(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (identity.Identity, error) {
	token, err := bearerToken(req)
	if err != nil {
		return identity.Identity{}, err
	}
	var c claims
	var keyErr error
	_, err = v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		var key any
		if keyErr = checkHeader(t.Header); keyErr == nil {
			key, keyErr = v.key(ctx, t)
		}
		return key, keyErr
	})
	switch {
	case keyErr != nil:
		return identity.Identity{}, keyErr
	case err != nil:
		// golang-jwt's text may quote the token, such as its alg.
		return identity.Identity{}, fmt.Errorf("%w: %s", ErrInvalid, untrusted.Clip(err.Error(), maxReasonLen))
	}
	id, err := v.claims.verifiedIdentity(c)
	if err != nil {
		return identity.Identity{}, fmt.Errorf("%w: %s", ErrInvalid, untrusted.Clip(err.Error(), maxReasonLen))
	}
	return id, nil
}

// refusedHeaders are header parameters a session token must not carry: crit
// names extensions that must be understood, and none is (RFC 7515 4.1.11);
// the others would let the token choose its own key, which only ever comes
// from configuration.
var refusedHeaders = [...]string{"crit", "jku", "jwk", "x5u", "x5c"}

func checkHeader(h map[string]any) error {
	for _, name := range refusedHeaders {
		if _, ok := h[name]; ok {
			return fmt.Errorf("%w: the token header has %q", ErrInvalid, name)
		}
	}
	if kid, ok := h["kid"]; ok {
		if _, ok := kid.(string); !ok {
			return fmt.Errorf("%w: the token header's kid is not a string", ErrInvalid)
		}
	}
	return nil
}
