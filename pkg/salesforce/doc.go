// Package salesforce signs the JWT that Salesforce's Messaging for In-App
// and Web (Enhanced Chat) takes to verify a user, with RSA keys that we
// hold, and publishes their public halves for Salesforce to verify with,
// as Salesforce's documents describe:
//
//   - Salesforce Help, "Understanding Token-Based User Verification",
//     https://help.salesforce.com/s/articleView?id=service.user_verification_overview.htm&type=5
//   - "User Verification Terms" (tokens, keys, keysets),
//     https://help.salesforce.com/s/articleView?id=service.user_verification_terms.htm&type=5
//   - "Set Up Token-Based User Verification" (a keyset's issuer, from an
//     endpoint URL or from uploaded keys; RS256 and RS512),
//     https://help.salesforce.com/s/articleView?id=service.miaw_token_based_user_verification_setup.htm&type=5
//   - "Troubleshooting User Verification" (the JWK an upload takes: kty,
//     kid, alg and x5c required, one key a file, the certificate valid for
//     at least 10 days),
//     https://help.salesforce.com/s/articleView?id=service.user_verification_troubleshooting.htm&type=5
//   - Enhanced In-App Chat SDK, "User Verification for iOS" and "for
//     Android", https://developer.salesforce.com/docs/service/messaging-in-app/guide/ios-user-verification.html,
//     https://developer.salesforce.com/docs/service/messaging-in-app/guide/android-user-verification.html
//   - Enhanced Web Chat, "User Verification" (JWTs signed with RS256 or
//     RS512; setIdentityToken, onEmbeddedMessagingIdentityTokenExpired),
//     https://developer.salesforce.com/docs/service/messaging-web/guide/user-verification.html
//   - Salesforce's JWT and JWK command line utility, to which its developer
//     guides point for making a token (its header and claims) and a JWK,
//     https://github.com/Salesforce-Async-Messaging/key-command-line-utility
//
// The token: header {"alg":"RS256","kid":"<signing kid>","typ":"JWT"};
// claims iss, sub, iat and exp, nothing else. iss is SALESFORCE_ISSUER,
// which must equal the issuer of the keyset in Salesforce Setup (Salesforce
// matches the two). sub is the session's user id, the one identity the
// token carries. iat is the time of signing in whole seconds and exp is
// iat plus SALESFORCE_TOKEN_TTL (1 hour by default, 1 minute to 24 hours).
//
// Where the documents are silent, this package chooses, and says why:
//
//   - The claims are those Salesforce's own utility signs (sub, iss, exp,
//     iat): the documents list no others. There is no aud, which
//     Salesforce's keyset does not configure and its utility does not
//     set: an aud Salesforce did not expect could only make a token
//     fail. No email or name: Salesforce documents no claim for them, and
//     a token should not carry personal data for no use; the session's
//     email, verified or not, never reaches the token.
//   - The lifetime: the documents leave it to us ("set its expiration time
//     with the authorization mechanism of your choice"). The SDKs ask the
//     app for a token whenever they need one (iOS and Android through the
//     user verification delegate or provider; the web fires
//     onEmbeddedMessagingIdentityTokenExpired when its token expires and
//     waits about 30 seconds for a new one), so an hour costs a request an
//     hour, and caps how long a leaked token can be used at a day.
//   - iat is not set early: no Salesforce document speaks of a clock
//     tolerance, and its utility sets iat to the time of signing.
//
// The keys: the secret SALESFORCE_SECRET_ID holds one or more RSA private
// keys, each under "key.<kid>" (PEM, PKCS #8 or PKCS #1, 2048 bits or
// more), and "signing_kid", the kid of the one that signs. It is a flat
// object of strings, as package secrets reads every secret; CheckSecret
// checks it at start and at every re-read, so a rotation to a value it
// refuses keeps the last good keys. Keyring parses a value once, not per
// request.
//
// The public halves: GET /salesforce/jwks.json, which needs no session,
// serves the JWK set of every key of the secret (kty RSA, use sig, alg
// RS256, kid, n, e and x5c), cacheable for 5 minutes; it is the keyset's
// endpoint URL in Salesforce Setup, or the source of the keys to upload
// there (command jwk, in cmd/jwk, prints each in the upload's form). x5c
// is a self-signed certificate that Certificate makes from the key alone,
// the same on every start and every instance: Salesforce's upload requires
// one, and deriving it means there is no certificate to store, renew or
// keep in step with its key. Its validity ends at 9999-12-31, RFC 5280's
// "no well-defined expiration": the key, not the certificate, is what is
// trusted, and it is rotated through the secret.
//
// Rotation without downtime (README.md has the commands): add a key
// (published at once), switch "signing_kid" to it once Salesforce has it,
// and remove the old key once the longest token lifetime has passed.
//
// The dev-only secret (package dev, through the Spec's Dev) holds one key
// derived from a published seed, under the kid
// "dev-only-salesforce-signing-kid-not-for-production"; nothing of it is
// linked into the function.
package salesforce
