package function

// DevSessionKeySHA256 is the digest of the dev-only session key that Build
// refuses, for the test that it is localapi's key.
const DevSessionKeySHA256 = devSessionKeySHA256
