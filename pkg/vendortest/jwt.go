package vendortest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// VerifyHS256 verifies token, a compact JWS, with key using lestrrat-go/jwx
// (a JOSE implementation other than the one that signs), and returns its
// header's bytes and its claims, numbers as json.Number. It fails tb when:
// the token is not three base64url segments; its header is not wantHeader
// byte for byte (unless wantHeader is ""); it does not verify with key as
// HS256, or verifies with another key of the same length; its payload is
// not a JSON object; jwx reads other claims from it; or, with an exp, jwx
// does not accept it a second before exp and refuse it a second after (with
// an iat and no exp, accept it at iat).
func VerifyHS256(tb testing.TB, token string, key []byte, wantHeader string) (header []byte, claims map[string]any) {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("token has %d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		tb.Fatalf("header: %v", err)
	}
	if wantHeader != "" && string(header) != wantHeader {
		tb.Errorf("header = %s, want %s", header, wantHeader)
	}
	if len(key) == 0 {
		tb.Fatalf("VerifyHS256: no key")
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(jwa.HS256(), key))
	if err != nil {
		tb.Fatalf("jwx: the token does not verify with the key: %v", err)
	}
	other := slices.Clone(key)
	other[0] ^= 1
	if _, err := jws.Verify([]byte(token), jws.WithKey(jwa.HS256(), other)); err == nil {
		tb.Errorf("jwx verified the token with another key")
	}
	claims = decodeObject(tb, "payload", payload)

	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key), jwt.WithValidate(false))
	if err != nil {
		tb.Fatalf("jwx: %v", err)
	}
	sameAsJWX(tb, tok, claims)
	at := func(ts int64) jwt.ValidateOption {
		return jwt.WithClock(jwt.ClockFunc(func() time.Time { return time.Unix(ts, 0) }))
	}
	if exp, ok := tok.Expiration(); ok {
		if err := jwt.Validate(tok, at(exp.Unix()-1)); err != nil {
			tb.Errorf("jwx refused the token a second before its exp: %v", err)
		}
		if err := jwt.Validate(tok, at(exp.Unix()+1)); err == nil {
			tb.Errorf("jwx accepted the token a second after its exp")
		}
	} else if iat, ok := tok.IssuedAt(); ok {
		if err := jwt.Validate(tok, at(iat.Unix())); err != nil {
			tb.Errorf("jwx refused the token at its iat: %v", err)
		}
	}
	return header, claims
}

// sameAsJWX fails tb unless jwx read the same claims as claims: the same
// names, the same dates as whole seconds, the same other values.
func sameAsJWX(tb testing.TB, tok jwt.Token, claims map[string]any) {
	tb.Helper()
	if got, want := slices.Sorted(slices.Values(tok.Keys())), slices.Sorted(maps.Keys(claims)); !slices.Equal(got, want) {
		tb.Errorf("jwx reads the claims %v, want %v", got, want)
	}
	dates := map[string]func() (time.Time, bool){"iat": tok.IssuedAt, "exp": tok.Expiration, "nbf": tok.NotBefore}
	for name, v := range claims {
		if date, ok := dates[name]; ok {
			got, _ := date()
			if n, isNumber := v.(json.Number); !isNumber || n.String() != strconv.FormatInt(got.Unix(), 10) {
				tb.Errorf("jwx %s = %v, want %v", name, got.Unix(), v)
			}
			continue
		}
		var got any
		if err := tok.Get(name, &got); err != nil || !sameJSON(got, v) {
			tb.Errorf("jwx %s = %#v (%v), want %#v", name, got, err, v)
		}
	}
}

// sameJSON reports whether a and b encode as the same JSON value.
func sameJSON(a, b any) bool {
	var values [2]any
	for i, v := range []any{a, b} {
		raw, err := json.Marshal(v)
		if err != nil || json.Unmarshal(raw, &values[i]) != nil {
			return false
		}
	}
	return reflect.DeepEqual(values[0], values[1])
}

// decodeObject decodes raw, which must be one JSON object, with numbers as
// json.Number.
func decodeObject(tb testing.TB, what string, raw []byte) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		tb.Fatalf("%s %s is not one JSON object (%v)", what, raw, err)
	}
	return m
}

// CheckFields fails tb unless got, a JSON object decoded with numbers as
// json.Number (VerifyHS256's claims, Body), has exactly the names of want
// with these values and JSON types: a string or bool is that JSON value;
// an int or int64 that whole number; a time.Time the whole number of its
// Unix seconds (a fraction dropped, as a JWT date drops it); nil is null.
// what names got in the messages ("claims", "body").
func CheckFields(tb testing.TB, what string, got, want map[string]any) {
	tb.Helper()
	if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
		tb.Errorf("%s = %v, want %v", what, g, w)
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			continue
		}
		var match bool
		switch w := w.(type) {
		case string, bool, nil:
			match = g == w // same dynamic type and value
		case int:
			match = g == json.Number(strconv.Itoa(w))
		case int64:
			match = g == json.Number(strconv.FormatInt(w, 10))
		case time.Time:
			match = g == json.Number(strconv.FormatInt(w.Unix(), 10))
			if !match {
				tb.Errorf("%s %s = %#v, want the number %d (%s)", what, name, g, w.Unix(), w.UTC().Format(time.RFC3339))
				continue
			}
		default:
			tb.Fatalf("CheckFields: want %s is a %T; use a string, bool, int, int64, time.Time or nil", name, w)
		}
		if !match {
			tb.Errorf("%s %s = %#v, want %#v", what, name, g, w)
		}
	}
}

// Body is resp as the handler sends it, encoded by encoding/json, decoded
// with numbers as json.Number. resp is a minter's answer, or a handler's
// body as a json.RawMessage.
func Body(tb testing.TB, resp any) map[string]any {
	tb.Helper()
	raw, err := json.Marshal(resp)
	if err != nil {
		tb.Fatalf("encoding the answer %#v: %v", resp, err)
	}
	return decodeObject(tb, "body", raw)
}

// TokenBody fails tb unless resp (as for Body) encodes as exactly
// {"token":"<token>","expires_at":<whole number>}, these two fields in this
// order, and returns them.
func TokenBody(tb testing.TB, resp any) (token string, expiresAt int64) {
	tb.Helper()
	raw, err := json.Marshal(resp)
	if err != nil {
		tb.Fatalf("encoding the answer %#v: %v", resp, err)
	}
	var body struct {
		Token     string `json:"token"`
		ExpiresAt int64  `json:"expires_at"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		tb.Fatalf("body %s: %v", raw, err)
	}
	quoted, _ := json.Marshal(body.Token)
	if want := `{"token":` + string(quoted) + `,"expires_at":` + strconv.FormatInt(body.ExpiresAt, 10) + `}`; string(raw) != want {
		tb.Fatalf("body = %s, want %s", raw, want)
	}
	return body.Token, body.ExpiresAt
}
