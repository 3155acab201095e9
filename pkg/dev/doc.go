// Package dev derives the dev-only settings of a vendor's function from
// its descriptor: a secret given in the environment (<NAME>_SECRET_JSON)
// whose every key holds "dev-only-<vendor>-<key>-not-for-production", and
// each required setting's example. A secret that holds something else than
// such strings, such as RSA keys, lays out its own dev-only value
// (secrets.Spec.Dev) from the values this package makes: the dev-only
// strings, and RSA keys derived from them (RSAPrivateKey). The local server, `sam local invoke`
// (events/env.json, generated from Settings) and the tests use them.
//
// These values are published in this repository, so they prove nothing.
// No function's bootstrap links this package, so no deployed function
// carries them; a test of the built bootstraps checks that.
package dev
