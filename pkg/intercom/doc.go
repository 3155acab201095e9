// Package intercom mints the JSON Web Token that secures the Intercom
// Messenger for a logged-in user (Messenger security with JWTs), as
// Intercom's developer documentation specifies:
//
//   - https://developers.intercom.com/installing-intercom/web/identity-verification
//   - https://developers.intercom.com/installing-intercom/ios/identity-verification
//   - https://www.intercom.com/help/en/articles/10589769-authenticating-users-in-the-messenger-with-json-web-tokens-jwts
//
// The token is HS256 with the claims user_id (the session's user id;
// Intercom rejects a token without it), email only when the session says
// the address is verified (identity.Identity.Email is empty otherwise), and
// exp, INTERCOM_TOKEN_TTL after issue (1 hour by default, 1 minute to 24
// hours). Intercom asks for an expiry that matches the app's session
// length, with fresh tokens given to the Messenger as they expire.
//
// The key is the Messenger API secret from the workspace's Messenger
// security settings. Intercom's iOS guide signs with an "iOS enabled"
// secret, the "Intercom iOS API Secret", so a workspace may hold a
// different secret per platform: the secret (INTERCOM_SECRET_ID) holds one
// or more of "web", "ios" and "android", and the app names its platform
// with the query parameter platform (web when absent). The parameter only
// chooses the signing key; the claims come from the session alone.
//
// Each platform key present in the secret must hold a key: an empty string
// or a value that is not a string stops the function at start, rather than
// answering that platform's requests with 400. Intercom does not state
// its length, so the secret's Spec sets secrets.MinKeyLen (16 bytes, 128
// bits) as its least length, the floor for an HMAC-SHA256 key explained
// there (RFC 2104, NIST SP 800-107); a shorter value, or one with white
// space at either end, stops the function at start and is never used after
// a re-read. See README.md.
//
// Sign is the pure function; Minter is safe for concurrent use.
package intercom
