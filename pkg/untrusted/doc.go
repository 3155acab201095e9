// Package untrusted makes text that a caller chose fit to appear in an
// error message or a log line: short, and with nothing in it that could
// forge or hide a line (control characters, bidirectional overrides and
// other invisible format characters, invalid UTF-8).
//
// Quote is for a caller's value quoted inside a message, such as a token's
// kid; Clip is for a whole message that may hold such values, as a last
// bound where a message is logged.
package untrusted
