package session

import (
	"errors"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"math"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// claimSet says which claims of a token the verifier reads beyond the
// registered ones.
type claimSet struct {
	names      ClaimNames
	scope      string // required scope, or ""
	trustEmail bool   // an email counts even when not said to be verified
}

// maxNumericDate is 9999-12-31T23:59:59Z: exp, nbf and iat must lie in
// (0, maxNumericDate], so that no conversion to time.Time can overflow.
const maxNumericDate = 253402300799

// claims is the claims object of one token, as golang-jwt decodes it with
// json.Unmarshal: a map, like golang-jwt's MapClaims, with numbers as
// float64. Of a member named twice, the last counts; anything after the
// object, or a number beyond float64's range, makes the token malformed.
// Each claim is read by its exact name and type-checked as it is read:
// golang-jwt checks exp, nbf, iat, iss and aud through the jwt.Claims
// methods, and, once the token is verified, identity adds the identity and
// scope checks.
type claims map[string]any

var _ jwt.Claims = claims(nil)

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.date("exp") }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.date("nbf") }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.date("iat") }
func (c claims) GetIssuer() (string, error)                   { return c.str("iss") }
func (c claims) GetAudience() (jwt.ClaimStrings, error)       { return c.list("aud") }

// GetSubject is not used: the user id is read through ClaimNames.
func (c claims) GetSubject() (string, error) { return "", nil }

// identity returns the identity that c names: the email only if the token
// says it is verified, or set trusts unverified ones. It checks that the
// user id is not blank and, if one is required, that the scope is granted.
func (set *claimSet) verifiedIdentity(c claims) (identity.Identity, error) {
	userID, err1 := c.str(set.names.UserID)
	name, err2 := c.str(set.names.Name)
	email, err3 := c.str(set.names.Email)
	if err := errors.Join(err1, err2, err3); err != nil {
		return identity.Identity{}, err
	}
	if blank(userID) {
		return identity.Identity{}, fmt.Errorf("the user id claim %q is missing or blank", set.names.UserID)
	}
	if set.scope != "" {
		scope, err1 := c.list("scope")
		scp, err2 := c.list("scp")
		if err := errors.Join(err1, err2); err != nil {
			return identity.Identity{}, err
		}
		if !grants(scope, set.scope) && !grants(scp, set.scope) {
			return identity.Identity{}, fmt.Errorf("the scope %q is not granted", set.scope)
		}
	}
	id := identity.Identity{UserID: userID, Name: name}
	if set.trustEmail || c[set.names.EmailVerified] == true {
		id.Email = email
	}
	return id, nil
}

// grants reports whether scopes, each a space-separated list, hold want.
func grants(scopes []string, want string) bool {
	for _, s := range scopes {
		for scope := range strings.SplitSeq(s, " ") {
			if scope == want {
				return true
			}
		}
	}
	return false
}

func typeError(name, want string) error {
	return fmt.Errorf("claim %q is not %s", name, want)
}

// str reads a JSON string. null reads as absent: an optional claim that is
// null is not there, and a required one is missing. Other types are errors.
func (c claims) str(name string) (string, error) {
	switch v := c[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", typeError(name, "a string")
}

// list reads a JSON string, as a list of one, or a non-empty list of
// strings.
func (c claims) list(name string) ([]string, error) {
	v, ok := c[name]
	if !ok {
		return nil, nil
	}
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		list := make([]string, len(v))
		for i, item := range v {
			if list[i], ok = item.(string); !ok {
				break
			}
		}
		if ok && len(list) > 0 {
			return list, nil
		}
	}
	return nil, typeError(name, "a string or a non-empty list of strings")
}

// date reads a NumericDate, nil when absent: a JSON number of seconds in
// (0, maxNumericDate].
func (c claims) date(name string) (*jwt.NumericDate, error) {
	v, ok := c[name]
	if !ok {
		return nil, nil
	}
	f, ok := v.(float64)
	if !ok {
		return nil, typeError(name, "a number")
	}
	if !(f > 0 && f <= maxNumericDate) {
		return nil, fmt.Errorf("claim %q is out of range", name)
	}
	sec, frac := math.Modf(f)
	return &jwt.NumericDate{Time: time.Unix(int64(sec), int64(frac*1e9))}, nil
}
