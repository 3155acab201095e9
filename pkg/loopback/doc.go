// Package loopback tells whether a host names this machine's loopback
// interface: the name localhost, in any case, or a loopback IP literal
// (127.0.0.0/8, ::1). It resolves no names, so a name that merely points at
// 127.0.0.1 today is not trusted.
//
// The client of a vendor's API (package upstream) and the session's key
// fetcher (package session, jwks mode) use it to allow plain HTTP only to
// a local stand-in; the local server uses it to answer only requests
// addressed to loopback.
package loopback
