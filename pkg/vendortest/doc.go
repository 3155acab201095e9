// Package vendortest holds what the tests of the vendors share, those of
// the vendors that sign their tokens above all, so that each vendor's test
// file is its claims table and what is particular to the vendor; and Acme,
// a made-up vendor for the tests of the shared packages. It is for _test.go
// files only: no other file may import it (a test of this package checks),
// and so no function's bootstrap links it.
//
// What it gives:
//
//   - NewMinter builds a vendor's minter as its function does, from its
//     Descriptor: Configure over given settings, then the minter over a
//     secret (the dev-only one by default, dev.Secret) and a clock (Clock,
//     fixed at Now, a time with a fraction of a second).
//   - Settings checks every config.Setting of Descriptor.Settings from the
//     Setting itself: the default when unset, each bound and listed value
//     accepted and reaching the minter, values out of bounds, malformed,
//     with a fraction of a second, unlisted or missing refused with an
//     error that names the setting and not the value, every problem
//     reported at once, and Configure reading exactly those settings.
//     SettingsAre pins each setting's default and bounds, as the vendor's
//     docs promise them.
//   - HS256 describes a vendor whose answer is {"token", "expires_at"};
//     its Mint runs a table of Cases (settings, identity, the exact
//     claims) through the descriptor's minter, and its Check checks one
//     answer: the body's exact bytes, the token verified by a second JOSE
//     library (VerifyHS256, lestrrat-go/jwx), its exact header and claims
//     (CheckFields), and expires_at against the token's exp.
//   - EmailSessions are sessions, verified by the real verifiers, that say
//     an email is verified in every way they read or fail to; the vendor's
//     table says what its token carries for each.
//   - Serve answers one request through the real httpapi.Handler and
//     session.Authorizer, and fails when the body or a log line holds a
//     secret, or a log line the token or signature.
//   - Key, DevKey and CheckErr serve the vendor's own cases: a minter
//     built by hand with a failing key, Sign called directly.
//   - Acme is a whole vendor, made up, built only from the public
//     descriptor, config, secrets and httpapi APIs: an HS256 token with one
//     secret key and one TTL setting (AcmeHS256 describes its answer). The
//     tests of the packages every vendor shares (function, localapi, ...)
//     build it rather than a real vendor, which they must not name.
//
// A vendor's test (here of a package example) is then mostly its table:
//
//	var vendor = vendortest.HS256{Vendor: example.Descriptor,
//		Header: `{"alg":"HS256","typ":"JWT"}`, Key: "secret", ExpiresAt: "exp"}
//
//	func TestMint(t *testing.T) {
//		vendor.Mint(t, []vendortest.Case{
//			{Name: "verified email", Identity: ana, Claims: map[string]any{
//				"user_id": "user-123", "email": "ana@example.com", "exp": vendortest.Now.Add(time.Hour)}},
//		})
//	}
//
//	func TestSettings(t *testing.T) {
//		vendortest.SettingsAre(t, example.Descriptor, map[string]string{
//			"EXAMPLE_TOKEN_TTL": "default 1h0m0s, 1m to 24h, whole seconds"})
//		vendortest.Settings(t, example.Descriptor, func(m httpapi.Minter) map[string]any {
//			return map[string]any{"EXAMPLE_TOKEN_TTL": m.(*example.Minter).TTL}
//		})
//	}
package vendortest
