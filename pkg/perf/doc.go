// Package perf measures the functions against their performance budget:
// the warm handler path against the bare cryptography it cannot avoid, and
// each bootstrap's cold start, peak memory and size against a yardstick Go
// function that does the least any function loading a secret must do.
//
// Everything is measured by the benchmarks of this package, which run only
// with -bench (go test ./... runs none of their work), and summarised by
// Parse, Rows and WriteReport. `make bench` runs both and prints the table,
// as these commands do:
//
//	go test -run '^$' -bench '^BenchmarkWarm$' -count 5 -benchtime 500ms ./pkg/perf > bench.txt
//	go test -run '^$' -bench '^BenchmarkBootstrap$' -benchtime 10x ./pkg/perf >> bench.txt
//	go run ./pkg/perf/report bench.txt
//
// BenchmarkWarm/<function>/handler serves one API Gateway event through the
// handler Build returns (hs256 session verification, minting, the JSON log
// line); BenchmarkWarm/<function>/floor does only the necessary work in the
// same run: golang-jwt's HS256 verification of the same session token, then
// the vendor's own minter called directly (its signing; for Copilot, one
// HTTP exchange with the same loopback upstream). The report takes the
// fastest of the -count samples of each.
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
// mode, so each reads two secrets at cold start.
package perf
