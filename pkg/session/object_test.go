package session

import (
	"bytes"
	"encoding/json"
	"testing"
)

// objectCases are JSON texts for objectMembers, valid and not.
var objectCases = []string{
	`{}`,
	` { } `,
	`{"sub":"user-1","exp":1700003600,"aud":["a","b"],"n":null,"t":true,"f":false}`,
	"{\n\t\"sub\" : \"a\" ,\r\n \"x\":{\"y\":[1,{\"z\":\"]}\"}]}}\n",
	`{"sub":"first","sub":"last"}`,
	`{"s\u0075b":"escaped name","sub":"plain"}`,
	`{"sub":"plain","s\u0075b":"escaped name, last"}`,
	`{"na\"me":"quote in name","q":"a\\\"b","e":"\u00e9\ud83d\ude00"}`,
	"{\"\xff\":\"invalid UTF-8 name\",\"v\":\"\xfe\"}",
	`{"exp":-1.5e+3,"iat":0,"nbf":1e400}`,
	`{"":"empty name"}`,
	`{"deep":[[[[[[[[[[{"a":[]}]]]]]]]]]]}`,
	`null`, `[]`, `"{}"`, `1`, `true`, ``, ` `,
	`{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}}`, `{"a":1} x`, `{"a" 1}`, `{a:1}`,
	`{"a":"unterminated}`, `{"a":[1,2}`, `{"a":1 "b":2}`, `{"a`, `{"a":"\`,
}

// TestObjectMembersMatchesEncodingJSON holds objectMembers to what a decode
// into map[string]json.RawMessage gives.
func TestObjectMembersMatchesEncodingJSON(t *testing.T) {
	for _, c := range objectCases {
		checkObjectMembers(t, []byte(c))
	}
}

// FuzzObjectMembers compares objectMembers with encoding/json on arbitrary
// input.
func FuzzObjectMembers(f *testing.F) {
	for _, c := range objectCases {
		f.Add([]byte(c))
	}
	f.Fuzz(checkObjectMembers)
}

func checkObjectMembers(t *testing.T, b []byte) {
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal(b, &want)
	got, err := objectMembers(b, nil)
	if wantErr != nil || want == nil {
		if err == nil && json.Valid(b) {
			t.Fatalf("objectMembers(%q) = %d members; encoding/json: %v, %v", b, len(got), want, wantErr)
		}
		return // invalid JSON never reaches objectMembers
	}
	if err != nil {
		t.Fatalf("objectMembers(%q): %v", b, err)
	}
	r := claimReader{members: got}
	for name, raw := range want {
		if v, ok := r.get(name); !ok || !bytes.Equal(v, raw) {
			t.Fatalf("objectMembers(%q): member %q = %q (%v), want %q", b, name, v, ok, raw)
		}
	}
	for _, m := range got {
		if _, ok := want[string(m.name)]; !ok {
			t.Fatalf("objectMembers(%q): member %q is not in %v", b, m.name, want)
		}
	}
}
