// Package zendesk mints the JSON Web Token that Zendesk's messaging Web
// Widget and mobile SDKs take in loginUser to authenticate an end user, as
// Zendesk's developer documentation specifies:
//
//   - https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/enabling_auth_visitors
//   - https://developer.zendesk.com/api-reference/widget-messaging/web/authentication/
//   - https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/ios/authentication
//   - https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/android/authentication
//   - https://support.zendesk.com/hc/en-us/articles/4411666638746 (signing keys, email identities)
//
// The token is HS256, signed with the shared secret of a messaging signing
// key from Admin Center, with that key's id as the header's kid. Its claims
// are scope "user" (required), external_id (the session's user id, the
// primary identity), name when the session has one, email with
// email_verified true only when the session says the address is verified
// (identity.Identity.Email is empty otherwise), and exp. iat is not among
// the documented claims and is not sent.
//
// exp is optional for Zendesk; this package always sets it, ZENDESK_TOKEN_TTL
// after issue (10 minutes by default, 1 minute to 1 hour). The Web Widget
// calls its jwtCallback again whenever it needs a new token, and a mobile
// app calls loginUser with a new one, so a short life costs a request, not
// a logged-out user, and a leaked token is soon worthless.
//
// The secret's key_id is an identifier, any non-empty value; its secret is
// the HMAC-SHA256 key. Zendesk does not state its length, so the
// secret's Spec sets secrets.MinKeyLen (16 bytes, 128 bits) as its least
// length, the floor for an HMAC-SHA256 key explained there (RFC 2104, NIST
// SP 800-107); a shorter value, or one with white space at either end,
// stops the function at start and is never used after a re-read. See
// README.md.
//
// Sign is the pure function; Minter reads the signing key from the loaded
// secret per request and is safe for concurrent use.
package zendesk
