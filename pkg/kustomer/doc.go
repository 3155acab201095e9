// Package kustomer mints the JSON Web Token that the Kustomer Chat SDK's
// logIn takes to identify a customer, as the vendor document "Kustomer Chat
// SDKs: Log in and authentication" specifies: HS256, the header
// {"alg":"HS256","typ":"JWT"}, and exactly one identifying claim, externalId
// or email, with a numeric iat. Kustomer refuses a token whose iat is more
// than 15 minutes old, so a token is minted per request and never cached.
//
// email is only ever an address that the session says is verified
// (identity.Identity.Email); without one, email mode answers 403 forbidden.
// Otherwise anyone whose identity provider lets them claim an address could
// open someone else's chat history.
//
// The key is the chat secret that Kustomer returns from
// GET /v1/auth/customer/settings (attributes.secret).
// Kustomer does not state its length, so the secret's Spec sets
// secrets.MinKeyLen (16 bytes, 128 bits) as its least length, the floor for
// an HMAC-SHA256 key explained there (RFC 2104, NIST SP 800-107); a shorter
// value, or one with white space at either end, stops the function at start
// and is never used after a re-read. See README.md.
//
// Sign is the pure function. Create one Minter at cold start
// (Descriptor.Configure does) and reuse it for every request; it is safe
// for concurrent use.
package kustomer
