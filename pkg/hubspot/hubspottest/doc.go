// Package hubspottest is a stand-in for HubSpot's visitor identification
// API on loopback, for the local server and the tests: StandIn answers the
// "Generate a visitor identification token" call as the real API does,
// with the Bearer access token checked and HubSpot's error bodies. Dev
// returns the one that accepts the dev-only access token of
// hubspot.Descriptor.
//
//	srv := httptest.NewServer(hubspottest.Dev())
//	defer srv.Close()
//	// HUBSPOT_BASE_URL=srv.URL
package hubspottest
