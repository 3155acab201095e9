// Package vendors lists every vendor's descriptor, for the local server,
// the tests and the benchmarks, and the stand-in that the local server
// serves for each vendor whose function calls the vendor's API, with the
// vendor's descriptor whose HTTP client trusts a stand-in's own TLS
// certificate (Trusting). No function's bootstrap imports it: each links
// only its own vendor's package.
package vendors
