// Package decagon makes the user authentication that Decagon's chat takes,
// as the vendor document "Generating an authentication token" specifies:
// {user_id, epoch, signature}, where epoch is the Unix time (seconds) at
// which it expires and signature is the lowercase hex HMAC-SHA256, keyed
// with the private key, of user_id followed by the decimal epoch. The web
// app passes it to window.duet.setUserIdAuth(signature, epoch); a mobile
// WebView sends it as the X-DECAGON-AUTH-SIGNATURE and X-DECAGON-AUTH-EPOCH
// headers.
//
// The key is the private key Decagon gave you.
// Decagon does not state its length, so the secret's Spec sets
// secrets.MinKeyLen (16 bytes, 128 bits) as its least length, the floor for
// an HMAC-SHA256 key explained there (RFC 2104, NIST SP 800-107); a shorter
// value, or one with white space at either end, stops the function at start
// and is never used after a re-read. See README.md.
//
// Sign is the pure function. Create one Minter at cold start
// (Descriptor.Configure does) and reuse it for every request; it is safe
// for concurrent use.
package decagon
