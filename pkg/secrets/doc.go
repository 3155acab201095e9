// Package secrets reads a function's secrets from AWS Secrets Manager at
// cold start and keeps them, reading each again once its TTL has passed so
// that a rotation takes effect without a redeploy.
//
// A re-read runs off the request path: the request that finds the TTL
// passed starts it and waits at most RefreshWait for it (Lambda runs the
// process only while an invocation is in flight), then goes on with the
// value it has; one read runs at a time, and one stuck past its timeout
// (as a read frozen with the process is when it thaws) is abandoned for a
// new one. A re-read value must pass the same checks as at Load (Spec.Keys
// and Spec.Check), or the last good value stays and an error is logged.
// When Secrets Manager says that a secret was deleted, is scheduled for
// deletion, or may no longer be read (access denied, KMS decryption
// failure), the secret is revoked: it gives ErrRevoked, an internal error
// of the API contract, and is tried again every 30 s until a read
// succeeds. Other failures (timeouts, 5xx, throttling) keep the last good
// value.
//
// Each secret is a JSON object of strings, named by a setting such as
// ACME_SECRET_ID (the secret's name or ARN). Create one Loader and call
// Load once, at init, with every Spec the function needs: the secrets are
// read concurrently, so a cold start pays one round trip, and a missing
// secret, malformed JSON, a missing or empty key, a value with white space
// at its start or end, or one shorter than its Spec.MinLen fails Load with
// an error that names the setting and the JSON key, never a value.
//
//	loaded, err := (&secrets.Loader{Getenv: os.Getenv, TTL: ttl}).Load(ctx,
//		secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"secret"}})
//	key := loaded[0].KeyFunc("secret") // func(ctx) ([]byte, error), for the signer
//
// Keep the returned Secrets for the life of the process; their Values are
// immutable snapshots and reading a current one costs no allocation.
//
// For offline use (sam local invoke, the local server, tests) a secret's
// JSON may be given directly in the variable Spec.OverrideSetting names,
// such as ACME_SECRET_JSON; Load then logs a warning and never calls
// Secrets Manager for it. Deployed functions must not set it.
//
// Package secretstest serves Secrets Manager's GetSecretValue on loopback
// for tests.
package secrets
