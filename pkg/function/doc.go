// Package function assembles a vendor's token function from its settings:
// it reads and checks the configuration once, loads the vendor secret (and
// the session key in hs256 mode) from Secrets Manager, builds the session
// verifier and the vendor's Minter, and returns the httpapi.Handler that
// serves every warm invocation.
//
// A functions/<vendor>/main.go is one line: function.Main(<vendor>.Descriptor).
// The local server builds the same handlers with Build, so what runs locally
// is what runs in Lambda.
package function
