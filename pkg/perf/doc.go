// Package perf measures the functions against their performance budget:
// the warm handler path against the bare cryptography it cannot avoid,
// each bootstrap's cold start, peak memory and size against a yardstick Go
// function that does the least any function loading a secret must do, and
// the first request after a cold start of each function that calls its
// vendor's API against the round trip it cannot avoid.
//
// Everything is measured by the benchmarks of this package, which run only
// with -bench (go test ./... runs none of their work), and summarised by
// Parse, Rows and WriteReport. `make bench` runs both and prints the table,
// as these commands do:
//
//	go test -run '^$' -bench '^BenchmarkWarm$' -count 5 -benchtime 500ms ./pkg/perf > bench.txt
//	go test -run '^$' -bench '^BenchmarkBootstrap$' -benchtime 10x ./pkg/perf >> bench.txt
//	go test -run '^$' -bench '^BenchmarkFirstRequest$' -benchtime 10x ./pkg/perf >> bench.txt
//	go run ./pkg/perf/report bench.txt
//
// BenchmarkWarm/<function> measures two things side by side: the handler,
// which serves one API Gateway event through the handler Build returns
// (hs256 session verification, minting, the JSON log line), and the floor,
// only the necessary work: golang-jwt's HS256 verification of the same
// session token, then the vendor's own minter called directly (its
// signing; for a function that calls its vendor's API, one HTTP exchange
// with the same loopback stand-in of that API, vendors.StandIn). They run
// interleaved, in pairs of batches of the same number
// of calls, each batch about 200 µs, the handler's first in one pair and
// the floor's in the next, and only the calls are timed. Other work on a
// shared machine slows both batches of a pair alike, so the pair's ratio
// (handler time / floor time) cancels it, and a burst that falls on one
// batch only gives an outlier. Each sample reports the medians over its
// pairs: handler-ns/op, floor-ns/op and handler/floor, the ratio the
// budget holds (not the ratio of the two medians); and handler-allocs/op.
// The report takes the median of the -count samples of each.
//
// BenchmarkBootstrap builds every function and the yardstick (command
// yardstick, beside this package) with the production flags of the
// Makefile, for the host to run them and for linux/arm64 to weigh them. In
// each of its -benchtime rounds it starts every binary in turn, as a fresh
// execution environment, against a Lambda Runtime API (package runtimeapi)
// and a Secrets Manager stand-in (package secretstest) on loopback: once
// with Secrets Manager answering after a simulated 50 ms round trip, and
// once answering at once. It reports per binary the median time from exec
// to the first /invocation/next call, the peak resident memory (VmHWM)
// after five invocations, the most GetSecretValue calls in flight at once,
// and the size of the linux/arm64 build. The functions run in hs256 session
// mode, so each reads two secrets at cold start; a function that calls
// its vendor's API calls a loopback stand-in of it.
//
// BenchmarkFirstRequest builds each function that calls its vendor's API
// (descriptor.Vendor.Upstream) in process, as a cold start does
// (function.Build, Secrets Manager answering after 100 ms), and times its
// first request, against a TLS stand-in for the vendor's API (the
// vendor's stand-in of package vendors) reached through a loopback proxy
// that simulates a 50 ms round trip: each direction's data arrives 25 ms
// after it was sent, and a new connection's first bytes a round trip later
// still, for the TCP handshake. The function's client trusts the
// stand-in's certificate through the vendor's Trusting (vendors.Trusting).
// It does so b.N times with the warm-up and b.N times without, per
// function, and reports both medians in round trips as
// <name>-first-warmed-rtt and <name>-first-unwarmed-rtt: about three
// without (TCP, TLS, the request), and the request's one with.
package perf
