package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
)

// Client is the HTTP client a function keeps for its lifetime to call its
// vendor's API: the one its warm-up (Warm) and its Endpoint share, whose
// idle connections warm invocations reuse. It is safe for concurrent use.
type Client struct {
	http   *http.Client
	dialer *dialer
	proxy  func(*http.Request) (*url.URL, error)
}

// NewClient returns the client a function keeps for its lifetime. Its
// deadline comes from each request's context; redirects are not followed
// (a 3xx is an upstream error), so credentials go only to the configured
// host; TLS is 1.2 or later. It trusts the certificates in roots, or the
// system's when roots is nil (as deployed: roots are for tests and
// benchmarks whose stand-in has a certificate of its own).
func NewClient(roots *x509.CertPool) *Client {
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   MaxTimeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           10,
		MaxIdleConnsPerHost:    10,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    MaxTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxResponseBody,
	}
	// net/http settles on first use which protocols its TLS connections
	// offer (NextProtos: h2 and http/1.1 here); that use is now, so the
	// dialer's copy of the TLS settings offers the same.
	tr.CloseIdleConnections()
	d := newDialer(tr.TLSClientConfig)
	tr.DialTLSContext = d.DialTLSContext // for direct connections; through a proxy, net/http's own TLS
	return &Client{
		http: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		dialer: d,
		proxy:  tr.Proxy,
	}
}

// CheckBaseURL parses raw, the base URL of a vendor's API, and accepts
// https://host[:port][/path], or http:// to a loopback host (localhost,
// 127.0.0.0/8, ::1), for local use and tests; no user info, query or
// fragment, which could leak into logs. The error text never repeats raw.
func CheckBaseURL(raw string) (*url.URL, error) {
	const rule = "must use the https scheme, with a host and no user info, query or fragment (http only for a loopback host)"
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New(rule)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback.IsHost(u.Hostname()):
	default:
		return nil, errors.New(rule)
	}
	return u, nil
}

// BaseURL reads the setting s, a vendor API's base URL (required, or with
// a default), and checks it with CheckBaseURL, recording in env what is
// wrong with it. It returns nil when the setting is unset or refused.
func BaseURL(env *config.Env, s config.Setting) *url.URL {
	raw := env.Text(s)
	if raw == "" {
		return nil
	}
	u, err := CheckBaseURL(raw)
	if err != nil {
		env.Fail(s.Name, err.Error())
		return nil
	}
	return u
}

// BaseURLPattern and BaseURLPatternHelp are the template parameter's
// AllowedPattern and ConstraintDescription for a base URL setting: a
// deployment calls the vendor over https (http to loopback is for local
// use only).
const (
	BaseURLPattern     = `^https://[^\s/]+(/\S*)?$`
	BaseURLPatternHelp = "must be an https:// URL"
)
