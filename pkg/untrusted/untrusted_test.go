package untrusted_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/vendortokens/vendor-token-functions/pkg/untrusted"
)

func TestQuote(t *testing.T) {
	long := strings.Repeat("k", 4<<10)
	for _, tc := range []struct{ in, want string }{
		{"rsa-1", `"rsa-1"`},
		{"", `""`},
		{"a\x00b\nc\x1b[31m", `"a\x00b\nc\x1b[31m"`},
		{"evil\u202etxt.exe", `"evil\u202etxt.exe"`},
		{"zero\u200bwidth", `"zero\u200bwidth"`},
		{"bad\xffutf8", `"bad\xffutf8"`},
		{`quote" and \ backslash`, `"quote\" and \\ backslash"`},
		{"é ü 日本", `"é ü 日本"`},
		{long, `"` + long[:untrusted.MaxQuoted] + `"...`},
		// Cut at a rune boundary: 31 bytes of "a", then a 2-byte rune.
		{strings.Repeat("a", 31) + "éé", `"` + strings.Repeat("a", 31) + `"...`},
	} {
		if got := untrusted.Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"session: the token is expired", 100, "session: the token is expired"},
		{`a \ backslash and "quotes"`, 100, `a \ backslash and "quotes"`},
		{"line\nbreak\ttab\x07bell", 100, `line\nbreak\ttab\abell`},
		{"rtl\u202eoverride", 100, `rtl\u202eoverride`},
		{"bad\xff\xfeutf8 \ufffd kept", 100, `bad\xff\xfeutf8 ` + "\ufffd" + ` kept`},
		{"0123456789", 4, "0123..."},
		{"日本語", 4, "日..."},
		{"\x00\x00", 5, `\x00...`}, // escapes count
	} {
		if got := untrusted.Clip(tc.in, tc.max); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// Whatever the input, the output is short and every rune of it graphic.
func FuzzQuoteClip(f *testing.F) {
	f.Add("kid\x00\n\u202e\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if out := untrusted.Clip(s, 64); len(out) > 64+len("...") {
			t.Errorf("Clip: %d bytes", len(out))
		}
		for name, out := range map[string]string{"Quote": untrusted.Quote(s), "Clip": untrusted.Clip(s, 64)} {
			if len(out) > 10*untrusted.MaxQuoted+8 {
				t.Errorf("%s: %d bytes", name, len(out))
			}
			for _, r := range out {
				if !unicode.IsGraphic(r) || r == unicode.ReplacementChar && !strings.ContainsRune(s, unicode.ReplacementChar) {
					t.Errorf("%s(%q) = %q holds %U", name, s, out, r)
				}
			}
		}
	})
}
