// Package vendors lists every vendor's descriptor, for the local server,
// the tests and the benchmarks. No function's bootstrap imports it: each
// links only its own vendor's package.
package vendors
