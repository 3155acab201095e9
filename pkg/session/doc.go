// Package session turns an API Gateway HTTP API request (payload format 2.0)
// into the caller's verified Identity, or an error: ErrNoSession or
// ErrInvalid (401 unauthorized), or ErrKeysUnavailable (503).
//
// The identity comes only from the verified session, through ClaimNames;
// nothing else in the request, such as its body, is read. The user id is
// required and must not be blank: it needs one visible character, not
// only white space, format characters such as U+200B, default-ignorable or
// control characters; an email fills Identity.Email only when
// the session says it is verified (ClaimNames.EmailVerified), unless
// unverified emails are trusted on purpose; an optional claim that is JSON
// null is absent. One verifier per SESSION_MODE:
//
//   - Authorizer (authorizer): reads the claims that an API Gateway JWT
//     authorizer has already verified, and refuses a request without them.
//   - NewJWKS (jwks): verifies "Authorization: Bearer <jwt>" against the
//     issuer's JSON Web Key Set, fetched at start and again on an unknown
//     kid, at most once a minute; a malformed key of the set is skipped.
//   - NewHS256 (hs256): verifies the bearer token with a shared HS256 key.
//
// Both JWT verifiers check a token the same way: at most MaxTokenLen bytes,
// pinned algorithms, exp required, iss and aud checked, nbf and iat not in
// the future, a small leeway, numeric dates that are JSON numbers in range,
// and no crit, jku, jwk, x5u or x5c header. The claims are decoded by
// encoding/json; of a claim named twice, the last counts, as in golang-jwt
// and lestrrat-go/jwx.
//
// Create the verifier once, at cold start, and reuse it for every request:
// it holds the parsed configuration and, in jwks mode, the fetched keys. All
// verifiers are safe for concurrent use.
package session
