// Package upstream is how a vendor's function calls its vendor's API for
// what it answers with, the same for every such vendor: one HTTP client
// for the function's lifetime (Client), its connection to the API's host
// opened at cold start (Client.Warm), and each call made by
// Endpoint.Call, within a time budget, retried once when that can help,
// with the credentials re-read when they are refused, every failure mapped
// to the API contract, and every exchange recorded in the metrics. A
// vendor package says only what is its own: the endpoint's URL and request
// body, how its secret becomes the Authorization header (Authorize), and
// how its answers read (Decode, Reason; StringField and CodeField cover a
// JSON field).
//
// Create the Client at cold start and reuse it: its idle connections are
// what warm invocations reuse. Client.Warm, run alongside the secret read,
// opens the client's connection to the API's host, TCP and TLS, so the
// first call saves both handshakes. It sends nothing over it, no request
// and no credential: a connection joins net/http's idle pool only once an
// exchange on it has ended, so the client's own TLS dialer parks it
// instead, and the first dial to that host takes it, if it is younger than
// 30 seconds (else it is closed and the dial opens a new one). A dial that
// finds the warm-up still handshaking waits for it, as it will be ready
// sooner than a new connection. Nothing else waits for the warm-up; its
// failure is only logged at debug level. There is none through a proxy.
//
// A pooled connection that the vendor closed while the function was frozen
// never surfaces: a request that fails without an answer on a reused
// connection, or on the warm-up's, goes out again at once, on a new
// connection (the idle ones are dropped), within the same budget and
// without counting as an attempt.
//
// The vendor's timeout setting (TimeoutSetting; at most MaxTimeout) bounds
// the time spent on its API, retry included. It starts once the
// credentials are in hand, and stops while they are re-read after a 401
// (within ReloadTimeout); Call also gives up ResponseMargin before the
// caller's own deadline, so the error can be answered before the
// invocation ends. Failures map to the API contract through the vendor's
// Errors (NewErrors):
//
//   - Unavailable (503 upstream_unavailable): the API could not be reached
//     (timeout, DNS, connection refused, TLS, network), or answered 429,
//     502, 503 or 504. Call retries once, after a short random pause, when
//     the budget leaves time for it; the app may retry too.
//   - Rejected (502 upstream_error): the API refused the credentials
//     (401). Call re-reads them from the secret (Credentials.Reload, rate
//     limited) and retries once only if that gave different credentials,
//     so a rotation is picked up without a redeploy and a storm of 401s
//     costs one upstream call per request. A 401 after the retry of a
//     transient fault is not retried: Call makes at most two calls.
//   - Upstream (502 upstream_error): any other answer that is not a 2xx
//     response whose body (at most 64 KiB) Decode accepts.
//   - Credentials (500 internal): the secret cannot be had (revoked, for
//     one) or does not hold usable credentials.
//
// Upstream bodies never reach the app or the log: one log line per failed
// call records the fault, the upstream status and the vendor's short
// reason code only, and a reason code that carries a value of the secret
// (or 8 characters of one) is dropped. No error text or log line carries the secret, the
// Authorization header or what the call obtained. Each exchange, retries
// included, is recorded as UpstreamLatency and UpstreamExchanges by Fault
// (package metrics).
//
// The base URL of a vendor's API (CheckBaseURL, BaseURL) is https://, or
// http:// to a loopback host for local use and tests; redirects are not
// followed, so credentials go only to the configured host.
package upstream
