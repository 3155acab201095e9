// Package descriptor declares Vendor, everything the shared runtime code
// needs to know about one vendor's token function: its name, its SAM
// logical ID, its routes, its secret, its settings (read, with their
// defaults and bounds, by its Configure), its dev-only defaults, and how to
// build its minter (a Setup, with an optional warm-up run at cold start)
// and, for a vendor with a route that needs no session (Route.Public),
// what answers that route.
//
// Each vendor package exports one Vendor, named Descriptor, and its
// functions/<vendor>/main.go hands it to function.Main. The shared runtime
// code (packages function, httpapi, session, secrets, localapi) never
// names a vendor; package vendors lists them all for the local server, the
// tests and the benchmarks.
package descriptor
