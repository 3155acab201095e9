// Package metrics writes the functions' CloudWatch metrics in the embedded
// metric format: one JSON line per event on standard output, which Lambda
// sends to the function's log group, where CloudWatch extracts the metrics
// named in the line's "_aws" block. No API call is made, so recording costs
// a log line and never fails a request.
//
// Create one Recorder per function with New and reuse it; it is safe for
// concurrent use. A nil *Recorder records nothing, so metrics stay off
// where no namespace is set (the local server, tests).
//
// Metrics, all with the dimension Vendor (such as "acme"):
//
//	Requests            Count         per request, also by Outcome ("ok" or the error code)
//	UpstreamLatency     Milliseconds  per exchange with the vendor's API, by Fault ("none" or its kind)
//	UpstreamExchanges   Count         the same exchanges, counted
//	KeyRefreshes        Count         per fetch of the issuer's keys (jwks mode), by Result ("ok", "failed")
package metrics
