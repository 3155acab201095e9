package untrusted

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQuoted is the most bytes of a caller's value that Quote keeps.
const MaxQuoted = 32

// cut is what follows a value or a message that was cut short.
const cut = "..."

// Quote returns at most MaxQuoted bytes of s, cut at a rune boundary, as a
// Go string literal in which every rune that is not graphic (unicode
// categories L, M, N, P, S and the space separators), or that is not valid
// UTF-8, is escaped; "..." follows the literal when s was longer.
func Quote(s string) string {
	prefix, short := prefix(s, MaxQuoted)
	q := strconv.QuoteToGraphic(prefix)
	if short {
		q += cut
	}
	return q
}

// Clip returns s with every rune that is not graphic replaced by its Go
// escape (a line break becomes \n, a bidirectional override \u202e) and
// every byte that is not valid UTF-8 by \xNN, cut to at most n bytes at a
// rune or escape boundary; "..." follows when it was cut. Graphic text,
// backslashes included, is kept as it is.
func Clip(s string, n int) string {
	var b strings.Builder
	for i, r := range s {
		var piece string
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case unicode.IsGraphic(r):
			piece = string(r)
		default:
			q := strconv.QuoteRuneToGraphic(r)
			piece = q[1 : len(q)-1] // without the quotes
		}
		if b.Len()+len(piece) > n {
			return b.String() + cut
		}
		b.WriteString(piece)
	}
	return b.String()
}

// prefix returns s cut to at most n bytes at a rune boundary, and
// whether it was cut.
func prefix(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}
