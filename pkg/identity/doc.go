// Package identity holds Identity, the caller as a verified app session
// names them. Session verification (package session) produces it; the
// vendor packages sign for it. Neither side needs the other: a token
// package imports only this one.
package identity
