package session

import (
	"encoding/json"
	"errors"
)

// member is one name/value pair of a JSON object.
type member struct {
	name []byte // unescaped
	raw  []byte // the value, exactly as it appears in the object
}

var (
	errNotObject = errors.New("the claims are not a JSON object")
	errMalformed = errors.New("the claims are not well-formed JSON")
)

// objectMembers appends the members of the JSON object b to ms, in order,
// and returns the result; duplicate names are kept. Values are subslices of
// b, so they are valid only as long as b is.
//
// It replaces a decode into map[string]json.RawMessage on the request path,
// with the same result but without reflection or copies. encoding/json
// checks that b is valid JSON before it calls an UnmarshalJSON method, so
// this only has to find the members' boundaries; still, a b that is not
// valid JSON is refused, or at worst split into members that later fail to
// decode, and never read out of bounds.
func objectMembers(b []byte, ms []member) ([]member, error) {
	i := skipSpace(b, 0)
	if i == len(b) || b[i] != '{' {
		return nil, errNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return ms, end(b, i+1)
	}
	for {
		nameEnd := stringEnd(b, i)
		if nameEnd < 0 {
			return nil, errMalformed
		}
		name, err := unquote(b[i:nameEnd])
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, nameEnd)
		if i == len(b) || b[i] != ':' {
			return nil, errMalformed
		}
		start := skipSpace(b, i+1)
		valueEnd := valueEnd(b, start)
		if valueEnd < 0 {
			return nil, errMalformed
		}
		ms = append(ms, member{name: name, raw: b[start:valueEnd]})
		i = skipSpace(b, valueEnd)
		switch {
		case i == len(b):
			return nil, errMalformed
		case b[i] == ',':
			i = skipSpace(b, i+1)
		case b[i] == '}':
			return ms, end(b, i+1)
		default:
			return nil, errMalformed
		}
	}
}

// end checks that only white space follows the object, which ends at i.
func end(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errMalformed
	}
	return nil
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string that starts at i,
// or -1 when there is none.
func stringEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // the escaped byte; \uXXXX's digits are plain bytes
		case '"':
			return i + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value that starts at i, or
// -1 when there is none.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	// A number, true, false or null: up to the next delimiter.
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// unquote returns the content of the JSON string q, unescaped as
// encoding/json does (invalid UTF-8 becomes U+FFFD). A plain ASCII string,
// the usual claim name, is returned without a copy.
func unquote(q []byte) ([]byte, error) {
	body := q[1 : len(q)-1]
	plain := true
	for _, c := range body {
		if c == '\\' || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return body, nil
	}
	var s string
	if json.Unmarshal(q, &s) != nil {
		return nil, errMalformed
	}
	return []byte(s), nil
}
