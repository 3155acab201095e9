// Package copilottest is a stand-in for Copilot.cx's management API on
// loopback, for the local server and the tests: StandIn answers the
// generate_user_auth_key call as the real API does, with HTTP Basic
// credentials checked and the vendor's error bodies. Dev returns the one
// that accepts the dev-only credentials of copilot.Descriptor.
//
//	srv := httptest.NewServer(copilottest.Dev())
//	defer srv.Close()
//	// COPILOT_BASE_URL=srv.URL
package copilottest
