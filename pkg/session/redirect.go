package session

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// The key set is fetched from JWKSConfig.URL, which the operator chose,
// and from wherever its server redirects, which the operator did not. A
// redirect that stays on URL's origin (scheme, host and port) is followed
// as URL is. One that leaves it must be https, and is fetched over
// connections to public addresses only: not loopback, private, link-local,
// unspecified, multicast or otherwise reserved. That is checked on the
// address each connection is made to, after DNS, so a name that resolves
// to such an address (or is made to, between two lookups) is refused too.

// errRefusedAddress: a redirect led to an address that is not public.
var errRefusedAddress = errors.New("a redirect leads to a loopback, private, link-local, unspecified or reserved address")

// errRedirectProxy: a redirect would leave the origin through a proxy,
// which would choose the address, unchecked.
var errRedirectProxy = errors.New("a redirect to another origin is not followed through a proxy")

// origin is a URL's scheme, host (in lower case) and port (the scheme's
// default when the URL has none).
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return origin{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: port}
}

// reserved are address blocks that are not public beyond those netip
// tells apart: "this network" (RFC 791), the shared address space of
// carrier-grade NAT (RFC 6598), and the reserved block (RFC 1112) with the
// limited broadcast address.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

// publicAddr reports whether ip is an address that a redirect may lead
// to: a unicast address that is not loopback, private, link-local,
// unspecified or reserved. An IPv4 address mapped into IPv6 is judged as
// the IPv4 address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// controlPublic is a net.Dialer's Control: it refuses to connect to an
// address that is not public. address is the IP and port being dialed.
func controlPublic(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !publicAddr(ap.Addr()) {
		return errRefusedAddress
	}
	return nil
}

// checkRedirect is the CheckRedirect of a key set client whose URL has
// the origin home.
func checkRedirect(home origin) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		u := req.URL
		switch {
		case len(via) >= 5:
			return errors.New("too many redirects")
		case u.User != nil:
			return errors.New("a redirect must not hold user info (user:password@)")
		case originOf(u) == home:
			return nil
		case u.Scheme != "https":
			return errors.New("a redirect to another origin must be https")
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !publicAddr(ip) {
			return errRefusedAddress
		}
		return nil
	}
}

// originGuard sends requests to home, the configured URL's origin, through
// home's transport as it is, and every other request (a redirect's)
// through away, whose connections go to public addresses only.
type originGuard struct {
	home     origin
	homeTrip http.RoundTripper
	awayTrip http.RoundTripper
}

// newOriginGuard returns the transport of a key set client for URLs of
// origin home: base (nil means http.DefaultTransport) for home, and for
// other origins a copy of http.DefaultTransport, with base's TLS
// configuration when base is an *http.Transport, that connects to public
// addresses only and refuses to go through a proxy.
func newOriginGuard(home origin, base http.RoundTripper) *originGuard {
	if base == nil {
		base = http.DefaultTransport
	}
	away := http.DefaultTransport.(*http.Transport).Clone()
	proxy := away.Proxy
	if t, ok := base.(*http.Transport); ok {
		proxy = t.Proxy
		if t.TLSClientConfig != nil {
			away.TLSClientConfig = t.TLSClientConfig.Clone()
		}
	}
	away.Proxy = func(req *http.Request) (*url.URL, error) {
		if proxy == nil {
			return nil, nil
		}
		if p, err := proxy(req); err != nil || p != nil {
			return nil, errRedirectProxy
		}
		return nil, nil
	}
	away.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: controlPublic}).DialContext
	return &originGuard{home: home, homeTrip: base, awayTrip: away}
}

func (g *originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) == g.home {
		return g.homeTrip.RoundTrip(req)
	}
	resp, err := g.awayTrip.RoundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("following a redirect: %w", err)
	}
	return resp, nil
}
