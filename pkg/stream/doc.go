// Package stream mints the user token that Stream Chat's client SDKs take
// in connectUser, as Stream's documentation specifies:
//
//   - https://getstream.io/chat/docs/node/tokens_and_authentication/
//   - https://getstream.io/chat/docs/node/init_and_users/ (connectUser, token providers)
//   - https://getstream.io/chat/docs/ios-swift/init_and_users/
//   - https://getstream.io/chat/docs/sdk/android/client/guides/handling-user-connection/
//   - https://getstream.github.io/stream-cli/imports.html (the user id rule)
//
// The token is an HS256 JWT signed with the app's API secret, header
// {"alg":"HS256","typ":"JWT"} as Stream's server SDKs write it (the Go
// SDK signs with golang-jwt, the Node SDK with jsonwebtoken; both give that
// header). Its claims are user_id, the session's user id (a client-side
// token must carry it), exp and iat; no role, channel or custom claims.
//
// exp: a Stream user token is valid indefinitely unless it has one, so
// this package always sets it, STREAM_TOKEN_TTL after iat (1 hour by
// default, 1 minute to 24 hours). The client SDKs ask their token provider
// for a new token when the current one expires.
//
// iat: createToken leaves it out unless given, but Stream calls setting it
// a security best practice: revoking a user's tokens compares iat with
// revoke_tokens_issued_before, and a token without iat counts as revoked.
// It is always set. Stream refuses a token whose iat is later than its own
// clock ("JWTAuth error: token used before issue at (iat)", see
// https://github.com/GetStream/stream-node/issues/64), and its Python SDK
// sets iat 5 seconds early for that reason
// (https://github.com/GetStream/stream-py/pull/198); the documents are
// silent on a tolerance, so iat here is the signing time in whole seconds
// less IssuedAtSkew (5 seconds), and exp is iat plus the TTL. A revocation
// set at T also revokes a token issued up to 5 seconds after T, which errs
// on the safe side.
//
// The user id: Stream accepts 1 to 255 characters, each an ASCII letter,
// a digit, '@', '_' or '-' (its import validator: ^[@\w-]*$, at most 255).
// A session whose user id breaks that rule (an Auth0 subject such as
// "google-oauth2|1234" has a '|') gets 403 forbidden, ErrUserID, rather than
// a token Stream would refuse at connectUser; the id is never rewritten,
// which could make two users one. The 200 body repeats the user id, since
// connectUser must be given the same id as the token's user_id.
//
// The key: the secret STREAM_SECRET_ID holds the app's API secret under
// "api_secret", from the app's App Access Keys in the Stream Dashboard. It
// must be at least MinKeyLen (32) bytes, the 256 bits RFC 7518 asks of an
// HS256 key; Stream issues 64-character secrets, and its 12-character API
// key, the likeliest thing to paste in the secret's place, is refused when
// the secret is loaded.
//
// Sign is the pure function; Minter reads the API secret per request and
// is safe for concurrent use.
package stream
