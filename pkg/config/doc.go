// Package config reads a function's settings from its environment, once, at
// cold start. An Env collects every problem it meets, so one start-up
// reports all bad settings at once; each error names the setting and never
// its value.
//
// Create one Env, read every setting through it, then check Err:
//
//	env := config.New(os.Getenv)
//	ttl := env.Duration("ACME_TOKEN_TTL", time.Hour, time.Minute, 24*time.Hour)
//	if err := env.Err(); err != nil { ... }
package config
