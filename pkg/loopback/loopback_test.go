package loopback_test

import (
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
)

func TestIsHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost":              true,
		"LOCALHOST":              true,
		"LocalHost":              true,
		"127.0.0.1":              true,
		"127.1.2.3":              true,
		"::1":                    true,
		"::ffff:127.0.0.1":       true,
		"":                       false,
		"localhost.":             false,
		"localhost.evil.example": false,
		"evil.example":           false,
		"127.0.0.1.evil.example": false,
		"128.0.0.1":              false,
		"0.0.0.0":                false,
		"::":                     false,
		"10.0.2.2":               false,
		"[::1]":                  false, // brackets belong to a URL's authority
		"localhost:3000":         false, // so does a port
		"0x7f.0.0.1":             false,
		"2130706433":             false, // 127.0.0.1 as a number: not a literal net.ParseIP reads
	} {
		if got := loopback.IsHost(host); got != want {
			t.Errorf("IsHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestIsHostPort(t *testing.T) {
	t.Parallel()
	for hostport, want := range map[string]bool{
		"localhost":                   true,
		"localhost:3000":              true,
		"LOCALHOST:3000":              true,
		"127.0.0.1":                   true,
		"127.0.0.1:3000":              true,
		"127.8.9.10:65535":            true,
		"[::1]":                       true,
		"[::1]:3000":                  true,
		"[::ffff:127.0.0.1]:3000":     true,
		"":                            false,
		":3000":                       false,
		"evil.example":                false,
		"evil.example:3000":           false,
		"127.0.0.1.evil.example":      false,
		"127.0.0.1.evil.example:3000": false,
		"localhost.evil":              false,
		"localhost.evil:3000":         false,
		"::1":                         false, // an IPv6 authority needs brackets
		"::1:3000":                    false,
		"[::]:3000":                   false,
		"[fe80::1]:3000":              false,
		"[::1]x":                      false,
		"127.0.0.1:http":              false,
		"127.0.0.1:3000:3000":         false,
		"user@localhost:3000":         false,
		"evil.example@localhost":      false,
		"localhost@evil.example":      false,
		"localhost/path":              false,
		"localhost:3000/x":            false,
		"localhost?q":                 false,
		"localhost#f":                 false,
		"local%68ost":                 false,
		"%31%32%37.0.0.1":             false,
		" localhost":                  false,
		"localhost ":                  false,
		"localhost\x00.evil.example":  false,
	} {
		if got := loopback.IsHostPort(hostport); got != want {
			t.Errorf("IsHostPort(%q) = %v, want %v", hostport, got, want)
		}
	}
}
