// Package ccai mints the JSON Web Token that a Google CCAI Platform (Contact
// Center AI Platform) SDK fetches from its token endpoint, as the vendor
// document "Authenticate" specifies: the header {"alg":"HS256"} and the
// claims iss (the company name), iat, exp (iat plus a TTL, 3600 s by
// default), identifier, name and email. identifier is always set; name and
// email are always present, empty when the session has none. email is the
// session's verified email only: identity.Identity.Email is empty unless the
// session says the address is verified.
//
// The key is the Company Secret from the CCAI Platform portal (Settings >
// Developer Settings).
// Google does not state its length, so the secret's Spec sets
// secrets.MinKeyLen (16 bytes, 128 bits) as its least length, the floor for
// an HMAC-SHA256 key explained there (RFC 2104, NIST SP 800-107); a shorter
// value, or one with white space at either end, stops the function at start
// and is never used after a re-read. See README.md.
//
// Sign is the pure function. Create one Minter at cold start
// (Descriptor.Configure does) and reuse it for every request; it is safe
// for concurrent use.
package ccai
