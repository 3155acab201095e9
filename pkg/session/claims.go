package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// claimSet says which claims of a token the verifier reads beyond the
// registered ones.
type claimSet struct {
	names ClaimNames
	scope string // required scope, or ""
}

// maxNumericDate is 9999-12-31T23:59:59Z: exp, nbf and iat must lie in
// (0, maxNumericDate], so that no conversion to time.Time can overflow.
const maxNumericDate = 253402300799

// payload is the decoded claims of one token. Every claim is matched by its
// exact name and type-checked while decoding; golang-jwt then checks exp,
// nbf, iat, iss and aud through the jwt.Claims methods, and, once the
// signature is verified, Validate adds the identity and scope checks.
type payload struct {
	set           *claimSet
	exp, nbf, iat jwt.NumericDate // zero when absent
	iss           string
	aud           jwt.ClaimStrings
	id            Identity
	hasScope      bool
}

var _ jwt.ClaimsValidator = (*payload)(nil)

func (p *payload) UnmarshalJSON(b []byte) error {
	var r claimReader
	var buf [16]member
	var err error
	if r.members, err = objectMembers(b, buf[:0]); err != nil {
		return err
	}
	p.exp = r.date("exp")
	p.nbf = r.date("nbf")
	p.iat = r.date("iat")
	p.iss = r.str("iss")
	p.aud = r.list("aud")
	p.id = Identity{
		UserID: r.str(p.set.names.UserID),
		Email:  r.str(p.set.names.Email),
		Name:   r.str(p.set.names.Name),
	}
	if p.set.scope != "" {
		p.hasScope = grants(r.list("scope"), p.set.scope) || grants(r.list("scp"), p.set.scope)
	}
	return r.err
}

// Validate is called by golang-jwt after the signature and the registered
// claims are checked.
func (p *payload) Validate() error {
	switch {
	case p.id.UserID == "":
		return fmt.Errorf("the user id claim %q is missing or empty", p.set.names.UserID)
	case p.set.scope != "" && !p.hasScope:
		return fmt.Errorf("the scope %q is not granted", p.set.scope)
	}
	return nil
}

func (p *payload) GetExpirationTime() (*jwt.NumericDate, error) { return dateOrNil(&p.exp), nil }
func (p *payload) GetNotBefore() (*jwt.NumericDate, error)      { return dateOrNil(&p.nbf), nil }
func (p *payload) GetIssuedAt() (*jwt.NumericDate, error)       { return dateOrNil(&p.iat), nil }
func (p *payload) GetIssuer() (string, error)                   { return p.iss, nil }
func (p *payload) GetAudience() (jwt.ClaimStrings, error)       { return p.aud, nil }

// GetSubject is not used: the user id is read through ClaimNames.
func (p *payload) GetSubject() (string, error) { return "", nil }

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

func dateOrNil(d *jwt.NumericDate) *jwt.NumericDate {
	if d.IsZero() {
		return nil
	}
	return d
}

// claimReader reads typed claims from the raw claims object and keeps the
// first type error. An absent claim reads as the zero value.
type claimReader struct {
	members []member
	err     error
}

// get returns the value of the claim name. Of duplicates, the last one
// counts, as when the object is decoded into a map.
func (r *claimReader) get(name string) (json.RawMessage, bool) {
	for i := len(r.members) - 1; i >= 0; i-- {
		if string(r.members[i].name) == name {
			return r.members[i].raw, true
		}
	}
	return nil, false
}

func (r *claimReader) fail(name, why string) {
	if r.err == nil {
		r.err = fmt.Errorf("claim %q %s", name, why)
	}
}

// str reads a JSON string; null and other types are errors.
func (r *claimReader) str(name string) string {
	raw, ok := r.get(name)
	if !ok {
		return ""
	}
	s, ok := decodeString(raw)
	if !ok {
		r.fail(name, "is not a string")
	}
	return s
}

// decodeString decodes raw, a valid JSON value, if it is a string.
func decodeString(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	if body := raw[1 : len(raw)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), true // nothing to unescape
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// list reads a JSON string, as a list of one, or a non-empty list of
// strings.
func (r *claimReader) list(name string) []string {
	raw, ok := r.get(name)
	if !ok {
		return nil
	}
	if len(raw) > 0 && raw[0] == '"' {
		return []string{r.str(name)}
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		r.fail(name, "is not a string or a list of strings")
		return nil
	}
	list := make([]string, len(items))
	for i, item := range items {
		var ok bool
		if list[i], ok = decodeString(item); !ok {
			r.fail(name, "is not a string or a list of strings")
			return nil
		}
	}
	return list
}

// date reads a NumericDate: a JSON number of seconds in (0, maxNumericDate].
func (r *claimReader) date(name string) jwt.NumericDate {
	raw, ok := r.get(name)
	if !ok {
		return jwt.NumericDate{}
	}
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		r.fail(name, "is not a number")
		return jwt.NumericDate{}
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || !(f > 0 && f <= maxNumericDate) {
		r.fail(name, "is out of range")
		return jwt.NumericDate{}
	}
	sec, frac := math.Modf(f)
	return jwt.NumericDate{Time: time.Unix(int64(sec), int64(frac*1e9))}
}
