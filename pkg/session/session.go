package session

import (
	"context"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

// ClaimNames says which claims of the session carry the identity. An empty
// field means the field of DefaultClaimNames.
type ClaimNames struct {
	UserID, Email, Name string
	// EmailVerified names the claim that says the email is verified: JSON
	// true in a token, the string "true" in authorizer claims (API Gateway
	// passes every claim as a string). Any other value, or none, leaves
	// Identity.Email empty.
	EmailVerified string
}

// DefaultClaimNames are the OpenID Connect claims.
var DefaultClaimNames = ClaimNames{UserID: "sub", Email: "email", Name: "name", EmailVerified: "email_verified"}

func (n ClaimNames) orDefault() ClaimNames {
	if n.UserID == "" {
		n.UserID = DefaultClaimNames.UserID
	}
	if n.Email == "" {
		n.Email = DefaultClaimNames.Email
	}
	if n.Name == "" {
		n.Name = DefaultClaimNames.Name
	}
	if n.EmailVerified == "" {
		n.EmailVerified = DefaultClaimNames.EmailVerified
	}
	return n
}

// Errors returned by Verify. The wrapped text says why, for the log only.
var (
	// ErrNoSession: the request carries no bearer token, or no authorizer
	// claims (401).
	ErrNoSession = apierror.New(apierror.Unauthorized, "a session is required")
	// ErrInvalid: the token or the claims do not verify (401).
	ErrInvalid = apierror.New(apierror.Unauthorized, "the session is not valid")
	// ErrKeysUnavailable: the issuer's key set could not be fetched, so the
	// token could not be checked (503).
	ErrKeysUnavailable = apierror.New(apierror.UpstreamUnavailable, "the session issuer could not be reached; try again")
)

// MaxTokenLen is the length in bytes above which a bearer token is refused
// without being parsed.
const MaxTokenLen = 8 << 10

// Authorizer reads the identity that an API Gateway JWT authorizer has
// verified (SESSION_MODE=authorizer). The zero value reads DefaultClaimNames
// and trusts only verified emails.
type Authorizer struct {
	Claims ClaimNames
	// TrustUnverifiedEmail makes any email claim fill Identity.Email, even
	// one the session does not say is verified
	// (SESSION_TRUST_UNVERIFIED_EMAIL).
	TrustUnverifiedEmail bool
}

// Verify returns the identity in req.RequestContext.Authorizer.JWT.Claims.
// A request without authorizer claims is refused with ErrNoSession, one
// whose user id is missing or blank with ErrInvalid.
func (a *Authorizer) Verify(_ context.Context, req *events.APIGatewayV2HTTPRequest) (identity.Identity, error) {
	if req == nil || req.RequestContext.Authorizer == nil || req.RequestContext.Authorizer.JWT == nil ||
		len(req.RequestContext.Authorizer.JWT.Claims) == 0 {
		return identity.Identity{}, fmt.Errorf("%w: the request carries no JWT authorizer claims", ErrNoSession)
	}
	claims := req.RequestContext.Authorizer.JWT.Claims
	names := a.Claims.orDefault()
	id := identity.Identity{UserID: claims[names.UserID], Name: claims[names.Name]}
	if a.TrustUnverifiedEmail || claims[names.EmailVerified] == "true" {
		id.Email = claims[names.Email]
	}
	if blank(id.UserID) {
		return identity.Identity{}, fmt.Errorf("%w: authorizer claim %q is missing or blank", ErrInvalid, names.UserID)
	}
	return id, nil
}

// blank reports whether a user id has no visible character: every rune of
// it is white space, a format character (unicode category Cf, such as a
// zero-width space or joiner, a bidirectional mark or a soft hyphen), a
// variation selector or another default-ignorable code point (such as a
// Hangul filler), or not graphic at all (a control character, or a byte
// that is not valid UTF-8). Such an id would name no one a person can
// tell apart, so it counts as missing.
func blank(userID string) bool {
	for i, r := range userID {
		invalid := r == utf8.RuneError && !strings.HasPrefix(userID[i:], string(utf8.RuneError))
		if !invalid && unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) {
			return false
		}
	}
	return true
}

// bearerToken returns the token of the request's "Authorization: Bearer"
// header. Header name and scheme are matched without regard to case.
func bearerToken(req *events.APIGatewayV2HTTPRequest) (string, error) {
	if req == nil {
		return "", fmt.Errorf("%w: no request", ErrNoSession)
	}
	var value string
	found := 0
	for name, v := range req.Headers {
		if len(name) == len("authorization") && strings.EqualFold(name, "authorization") {
			value = v
			found++
		}
	}
	switch {
	case found == 0:
		return "", fmt.Errorf("%w: no Authorization header", ErrNoSession)
	case found > 1:
		return "", fmt.Errorf("%w: more than one Authorization header", ErrInvalid)
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(value), " ")
	token = strings.TrimLeft(token, " ")
	switch {
	case !strings.EqualFold(scheme, "bearer") || token == "":
		return "", fmt.Errorf("%w: the Authorization header holds no bearer token", ErrNoSession)
	case len(token) > MaxTokenLen:
		return "", fmt.Errorf("%w: the bearer token is longer than %d bytes", ErrInvalid, MaxTokenLen)
	}
	return token, nil
}
