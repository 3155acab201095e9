package loopback

import (
	"net"
	"net/url"
	"strings"
)

// IsHost reports whether host, a name or an IP literal without port or
// brackets (as url.URL.Hostname returns it), is localhost or a loopback
// address.
func IsHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsHostPort reports whether hostport, the authority of a URL or the value
// of a Host header (host, host:port, [ipv6] or [ipv6]:port), names a
// loopback host. Anything net/url does not parse as exactly that authority
// is refused: user info, a path, a bad port, or escapes.
func IsHostPort(hostport string) bool {
	u, err := url.Parse("http://" + hostport)
	return err == nil && u.Host == hostport && u.User == nil && u.Path == "" && IsHost(u.Hostname())
}
