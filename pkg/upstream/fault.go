package upstream

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// Response size limits: a success body is read up to maxResponseBody (more
// is an error); an error body only as far as needed to find its reason.
const (
	maxResponseBody = 64 << 10
	maxErrorBody    = 4 << 10
	maxReasonLen    = 64
)

// Fault names what went wrong in one exchange, for the log and the
// metrics' Fault dimension.
type Fault string

// The faults of an exchange. A Decode error may name its own (DecodeError),
// such as "no_token" from StringField("token").
const (
	FaultTimeout     Fault = "timeout"
	FaultDNS         Fault = "dns"
	FaultRefused     Fault = "connection_refused"
	FaultTLS         Fault = "tls"
	FaultNetwork     Fault = "network"
	FaultStatus      Fault = "status"
	FaultTooLarge    Fault = "body_too_large"
	FaultInvalidBody Fault = "invalid_body"
)

// outcome is the result of one exchange: a success body, or a fault.
type outcome struct {
	body   []byte // the 2xx body, before Decode
	fault  Fault  // empty on success
	status int    // upstream HTTP status; 0 when there was no response
	reason string // the vendor's reason code, when it sent a well-formed one
	detail string // our own description, never upstream content
	// stale is set when the request failed, without an answer, on a
	// connection opened before it (reused from the idle pool, or the
	// warm-up's): one the peer had closed.
	stale bool
}

// unavailable reports whether o is a fault the app should treat as
// connectivity: no usable answer, or a status that says "try later".
func (o *outcome) unavailable() bool {
	switch o.fault {
	case FaultTimeout, FaultDNS, FaultRefused, FaultTLS, FaultNetwork:
		return true
	case FaultStatus:
		switch o.status {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
	}
	return false
}

// unauthorized reports whether the vendor refused the credentials.
func (o *outcome) unauthorized() bool {
	return o.fault == FaultStatus && o.status == http.StatusUnauthorized
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
	f := FaultNetwork
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		f = FaultTimeout
	case errors.As(err, &dnsErr):
		f = FaultDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		f = FaultRefused
	case errors.As(err, &certErr):
		f = FaultTLS
	}
	return outcome{fault: f, detail: err.Error()}
}

// readOutcome classifies a response: a 2xx body of at most maxResponseBody
// bytes is kept for Decode; any other status is a FaultStatus, with the
// reason that reason finds in the start of its body (nil: none).
func readOutcome(resp *http.Response, reason func([]byte) string) outcome {
	o := outcome{status: resp.StatusCode}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.fault = FaultStatus
		// Read even without a reason to find: a short error body read to
		// its end leaves the connection reusable.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if reason != nil {
			if o.reason = reason(body); !isReasonCode(o.reason) {
				o.reason = ""
			}
		}
		return o
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		t := transportOutcome(err)
		t.status = resp.StatusCode
		return t
	}
	if len(body) > maxResponseBody {
		o.fault = FaultTooLarge
		return o
	}
	o.body = body
	return o
}

// decodeFault is the fault of a Decode error: the one a DecodeError
// names, else FaultInvalidBody.
func decodeFault(err error) Fault {
	var de *DecodeError
	if errors.As(err, &de) && de.Fault != "" {
		return de.Fault
	}
	return FaultInvalidBody
}

// DecodeError is an error of a Decode function that names its fault, for
// the log and the metrics. Any other Decode error is FaultInvalidBody.
type DecodeError struct {
	Fault Fault
	Err   error
}

func (e *DecodeError) Error() string { return e.Err.Error() }
func (e *DecodeError) Unwrap() error { return e.Err }

// Reasons StringField refuses a success body. Their text never quotes
// the body.
var (
	ErrNotJSON   = errors.New("body is not a JSON object")
	ErrMissing   = errors.New("the field is missing, null or blank")
	ErrNotString = errors.New("the field is not a string")
)

// StringField returns a Decode function that reads the string member key
// of a JSON object: spelled exactly so (no case folding; the last of
// duplicates), and not blank. A body that is not one JSON object is
// ErrNotJSON; a missing, null or blank member ErrMissing, as a DecodeError
// with the fault "no_<key>"; a member of another type ErrNotString.
func StringField(key string) func(body []byte) (string, error) {
	missing := &DecodeError{Fault: Fault("no_" + key), Err: fmt.Errorf("%w: %s", ErrMissing, key)}
	notString := fmt.Errorf("%w: %s", ErrNotString, key)
	return func(body []byte) (string, error) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
			return "", ErrNotJSON
		}
		raw, ok := fields[key]
		if !ok {
			return "", missing
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", notString
		}
		if v == nil || strings.TrimSpace(*v) == "" {
			return "", missing
		}
		return *v, nil
	}
}

// CodeField returns a Reason function that reads the string member key of
// an error body that is a JSON object, such as {"reason":
// "AUTH.UNAUTHORIZED"}, and returns it only if it is a short code: 1 to
// 64 letters, digits, '.', '_' and '-'. Otherwise it returns "".
func CodeField(key string) func(body []byte) string {
	return func(body []byte) string {
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) != nil {
			return ""
		}
		var reason string
		if json.Unmarshal(fields[key], &reason) != nil || !isReasonCode(reason) {
			return ""
		}
		return reason
	}
}

// isReasonCode reports whether s may be logged as a vendor's reason: 1 to
// 64 letters, digits, '.', '_' and '-'. Anything else could carry data
// that does not belong in the log.
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
