// Package copilot obtains Copilot.cx auth keys for verified users from
// Copilot's management API (generate_user_auth_key), authenticating with the
// service account's client_id and client_secret over HTTP Basic.
//
// What is Copilot's own is here: the call's path and body ({"user_id"}),
// its HTTP Basic credentials (BasicAuth, CheckCredentials), its answer
// ({"auth_key"}) and its reason codes ({"reason": "AUTH.UNAUTHORIZED"}),
// and its settings. How the call is made is package upstream's, the same
// for every vendor whose function calls its vendor's API: the client, the
// warm-up, the time budget, the retry, the re-read of the credentials
// after a 401, the fault map and the metrics.
//
// Create one Minter at cold start, with New or through Descriptor's
// Configure, and reuse it: it owns the single HTTP client whose idle
// connections warm invocations reuse. It is safe for concurrent use. Every
// Mint is one fresh upstream exchange; auth keys are never cached, as
// Copilot.cx requires.
//
// At cold start, the function's warm-up (the Warm of Descriptor's Setup)
// opens the client's connection to the host of COPILOT_BASE_URL, TCP and
// TLS, while the secret is read, so the first Mint saves both handshakes;
// it sends nothing over it, no request and no credential (see
// upstream.Client.Warm). A pooled connection that Copilot closed while the
// function was frozen never surfaces: the request goes out again at once
// on a new connection.
//
// COPILOT_TIMEOUT (at most upstream.MaxTimeout) bounds the time spent on
// Copilot, retry included. It starts once the credentials are in hand, and
// stops while they are re-read after a 401 (within upstream.ReloadTimeout);
// Mint also gives up upstream.ResponseMargin before the caller's own
// deadline, so the error can be answered before the invocation ends.
// Failures map to the API contract:
//
//   - ErrUnavailable (503 upstream_unavailable): Copilot could not be reached,
//     timed out, or answered 429, 502, 503 or 504. Mint retries once, after a
//     short random pause, when the budget leaves time for it; the app may
//     retry too.
//   - ErrRejected (502 upstream_error): Copilot refused the credentials
//     (401). Mint re-reads them from the secret (Credentials.Reload, rate
//     limited) and retries once only if that gave different credentials, so
//     a rotation is picked up without a redeploy and a storm of 401s costs
//     one upstream call per request. A 401 after the retry of a transient
//     fault is not retried: Mint makes at most two calls.
//   - ErrUpstream (502 upstream_error): any other answer that is not a 2xx
//     response carrying a non-empty auth_key.
//   - ErrCredentials (500 internal): the secret cannot be had (revoked, for
//     one) or does not hold usable credentials (CheckCredentials).
//
// The secret's client_id is an identifier: any non-empty value without a
// colon (CheckCredentials). Its client_secret, a shared secret sent as the
// Basic password, must be at least secrets.MinKeyLen (16 bytes, 128 bits)
// long: Copilot.cx does not state the length of what it issues, and that is
// the floor this repository sets for a shared secret. A value with white
// space at either end, or a client_secret under 16 bytes, stops the
// function at start and is never used after a re-read. See README.md.
//
// Upstream bodies never reach the app or the log: one log line per failed
// exchange records the upstream status and Copilot's short reason code only.
// No error text or log line carries the client secret, the Authorization
// header or an auth key.
package copilot
