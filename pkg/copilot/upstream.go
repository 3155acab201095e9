package copilot

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// Response size limits: a success body is read up to maxResponseBody (more
// is an error); an error body only as far as needed to find its reason.
const (
	maxResponseBody = 64 << 10
	maxErrorBody    = 4 << 10
	maxReasonLen    = 64
)

// httpClient is the client a Minter keeps for its lifetime, with the
// dialer of its TLS connections, where the warm-up parks its connection,
// and the proxy its transport uses.
type httpClient struct {
	*http.Client
	dialer *dialer
	proxy  func(*http.Request) (*url.URL, error)
}

// newHTTPClient returns the client a Minter keeps for its lifetime. Its
// deadline comes from each request's context; redirects are not followed
// (a 3xx is an upstream error), so credentials go only to the configured
// host. It trusts the certificates in roots, or the system's when roots is
// nil (as deployed: see Trusting).
func newHTTPClient(roots *x509.CertPool) httpClient {
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
	return httpClient{
		Client: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		dialer: d,
		proxy:  tr.Proxy,
	}
}

// BasicAuth returns the Authorization header value for the Copilot service
// account: "Basic " and the base64 of clientID, a colon and clientSecret.
// The result is a credential: never log it.
func BasicAuth(clientID, clientSecret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
}

// CheckCredentials reports whether v holds usable Copilot credentials: a
// client_id without a colon (HTTP Basic cannot carry one) and a
// client_secret, neither empty. It is the secret's secrets.Spec.Check, so
// a rotated value is held to it before it is used. Errors name the JSON
// key, never its value.
func CheckCredentials(v secrets.Values) error {
	id, secret := v["client_id"], v["client_secret"]
	switch {
	case len(id) == 0:
		return fmt.Errorf("%w: JSON key client_id is missing or empty", ErrCredentials)
	case len(secret) == 0:
		return fmt.Errorf("%w: JSON key client_secret is missing or empty", ErrCredentials)
	case bytes.IndexByte(id, ':') >= 0:
		return fmt.Errorf("%w: JSON key client_id contains a colon", ErrCredentials)
	}
	return nil
}

// authorization builds the header from the secret's JSON keys.
func authorization(v secrets.Values) (string, error) {
	if err := CheckCredentials(v); err != nil {
		return "", err
	}
	return BasicAuth(string(v["client_id"]), string(v["client_secret"])), nil
}

// fault names what went wrong in one exchange, for the log.
type fault string

const (
	faultTimeout   fault = "timeout"
	faultDNS       fault = "dns"
	faultRefused   fault = "connection_refused"
	faultTLS       fault = "tls"
	faultNetwork   fault = "network"
	faultStatus    fault = "status"
	faultTooLarge  fault = "body_too_large"
	faultNotJSON   fault = "invalid_body"
	faultNoAuthKey fault = "no_auth_key"
)

// outcome is the result of one exchange: an auth key, or a fault.
type outcome struct {
	authKey string
	fault   fault  // empty on success
	status  int    // upstream HTTP status; 0 when there was no response
	reason  string // Copilot's reason code, when it sent a well-formed one
	detail  string // our own description, never upstream content
	// stale is set when the request failed, without an answer, on a
	// connection opened before it (reused from the idle pool, or the
	// warm-up's): one the peer had closed.
	stale bool
}

// unavailable reports whether o is a fault the app should treat as
// connectivity: no usable answer, or a status that says "try later".
func (o *outcome) unavailable() bool {
	switch o.fault {
	case faultTimeout, faultDNS, faultRefused, faultTLS, faultNetwork:
		return true
	case faultStatus:
		switch o.status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// unauthorized reports whether Copilot refused the credentials.
func (o *outcome) unauthorized() bool {
	return o.fault == faultStatus && o.status == http.StatusUnauthorized
}

// String describes o for the wrapped error.
func (o outcome) String() string {
	s := string(o.fault)
	if o.status != 0 {
		s += fmt.Sprintf(" (upstream status %d", o.status)
		if o.reason != "" {
			s += ", reason " + o.reason
		}
		s += ")"
	}
	if o.detail != "" {
		s += ": " + o.detail
	}
	return s
}

// transportOutcome classifies an error from sending the request or reading
// the response. Its text (URL, address, cause) is kept as the detail: it
// holds no header or body.
func transportOutcome(err error) outcome {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var netErr net.Error
	f := faultNetwork
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		f = faultTimeout
	case errors.As(err, &dnsErr):
		f = faultDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		f = faultRefused
	case errors.As(err, &certErr):
		f = faultTLS
	}
	return outcome{fault: f, detail: err.Error()}
}

// readOutcome classifies a response.
func readOutcome(resp *http.Response) outcome {
	o := outcome{status: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		o.fault, o.reason = faultStatus, parseReason(body)
		return o
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		t := transportOutcome(err)
		t.status = resp.StatusCode
		return t
	}
	o.authKey, err = parseResponse(body)
	switch {
	case errors.Is(err, errTooLarge):
		o.fault = faultTooLarge
	case errors.Is(err, errNoAuthKey):
		o.fault = faultNoAuthKey
	case err != nil:
		o.fault = faultNotJSON
	}
	return o
}

// Reasons parseResponse refuses a success body.
var (
	errTooLarge  = fmt.Errorf("body is larger than %d bytes", maxResponseBody)
	errNotJSON   = errors.New("body is not a JSON object")
	errNoAuthKey = errors.New("auth_key is missing, null or empty")
	errKeyType   = errors.New("auth_key is not a string")
)

// parseResponse returns the auth_key of a success body. The key must be
// spelled exactly auth_key (no case folding) and be a non-blank string.
// Errors never quote the body.
func parseResponse(body []byte) (string, error) {
	if len(body) > maxResponseBody {
		return "", errTooLarge
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return "", errNotJSON
	}
	raw, ok := fields["auth_key"]
	if !ok {
		return "", errNoAuthKey
	}
	var key *string
	if err := json.Unmarshal(raw, &key); err != nil {
		return "", errKeyType
	}
	if key == nil || strings.TrimSpace(*key) == "" {
		return "", errNoAuthKey
	}
	return *key, nil
}

// parseReason returns Copilot's reason code from an error body such as
// {"reason": "AUTH.UNAUTHORIZED"}, or "" unless it is a short token of
// letters, digits, '.', '_' and '-': anything else could carry data that
// does not belong in the log.
func parseReason(body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	var reason string
	if json.Unmarshal(fields["reason"], &reason) != nil || !isReasonCode(reason) {
		return ""
	}
	return reason
}

func isReasonCode(s string) bool {
	if s == "" || len(s) > maxReasonLen {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
