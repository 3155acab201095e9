// Package httpapi is the one place where an API Gateway HTTP API request
// (payload format 2.0) becomes a response: it checks the request body,
// verifies the app session, asks the vendor's Minter for the token, and
// writes either the token or the contract's error body. It also writes the
// one structured log line of each request, the audit trail of who was
// issued a token and when: once the session verifies, the line carries its
// user id as user_id (even when minting then fails), and never the email,
// the name or any token. Its error text is clipped to MaxLoggedError bytes
// with every character that is not graphic escaped (package untrusted), a
// bound over the excerpts to which the packages below cut what the caller
// chose.
//
// Build one Handler at cold start and pass its Handle method to lambda.Start;
// the handler keeps no per-request state and is safe for concurrent use.
//
// A route that Handler.Public names needs no session: its Publisher's
// document answers everyone alike, the session and the query string are
// never read, and the body is checked as on every route. Its 200 carries
// Cache-Control: public, max-age=300 (PublicMaxAge), and its log line no
// user_id.
//
// Every other response carries Content-Type: application/json and
// Cache-Control: no-store. Errors have the body
//
//	{"error": {"code": "...", "message": "...", "request_id": "..."}}
//
// with the code and status of their apierror.Kind; a 401 also carries
// WWW-Authenticate: Bearer. An error's detail (the wrapped text) goes to
// the log only, so packages must keep secrets and tokens out of error text.
package httpapi
