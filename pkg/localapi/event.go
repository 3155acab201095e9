package localapi

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

// The fixed parts of every event's request context.
const (
	accountID = "123456789012"
	apiID     = "local"
	stage     = "$default"
)

// ErrBadQuery: a parameter of the query string is not valid
// percent-encoding, such as x=%zz.
var ErrBadQuery = apierror.New(apierror.BadRequest, "the query string holds a parameter that is not valid percent-encoding")

// NewEvent returns the API Gateway HTTP API event (payload format 2.0) for
// r, whose body has been read into body, on the route routeKey, received
// at now. As API Gateway does, it lower-cases header names and joins
// repeated headers and query parameters with commas, moves cookies to
// Cookies, adds Host and X-Forwarded-*, gives the request a random id, and
// base64-encodes a body that is not UTF-8. The query string is parsed by
// ParseQuery: a parameter that cannot be decoded gives ErrBadQuery, and no
// event.
func NewEvent(r *http.Request, body []byte, routeKey string, now time.Time) (events.APIGatewayV2HTTPRequest, error) {
	query, err := ParseQuery(r.URL.RawQuery)
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, err
	}

	headers := make(map[string]string, len(r.Header)+4)
	var cookies []string
	for name, values := range r.Header {
		name = strings.ToLower(name)
		if name == "cookie" {
			for _, v := range values {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[name] = strings.Join(values, ",")
	}
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	host := r.Host
	domain, port, err := net.SplitHostPort(host)
	if err != nil {
		domain, port = host, "80"
	}
	headers["host"] = host
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "http"
	headers["x-forwarded-port"] = port

	e := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    accountID,
			Stage:        stage,
			RequestID:    newRequestID(),
			APIID:        apiID,
			DomainName:   domain,
			DomainPrefix: strings.SplitN(domain, ".", 2)[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if utf8.Valid(body) {
		e.Body = string(body)
	} else {
		e.Body = base64.StdEncoding.EncodeToString(body)
		e.IsBase64Encoded = true
	}
	return e, nil
}

// ParseQuery returns the queryStringParameters of the raw query string raw
// (rawQueryString), or nil when it has none. Parameters are separated by
// "&" only, as API Gateway separates them: ";" is part of a value, so
// "platform=ios;" gives platform "ios;". Each name and value is
// percent-decoded, "+" as a space; a parameter without "=" has the empty
// value, and empty parameters ("a=1&&b=2") are skipped. The values of a
// repeated name are joined with commas, in order. A name or value that is
// not valid percent-encoding fails the whole query with ErrBadQuery,
// rather than dropping that parameter, or the query, without a word: a
// function would then answer as if the parameter were absent, with its
// default.
func ParseQuery(raw string) (map[string]string, error) {
	var query map[string]string
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, ErrBadQuery
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, ErrBadQuery
		}
		if query == nil {
			query = map[string]string{}
		}
		if prev, ok := query[name]; ok {
			value = prev + "," + value
		}
		query[name] = value
	}
	return query, nil
}

// newRequestID returns a random id shaped like API Gateway's, such as
// "Fj3kRgXqIAMEbYg=".
func newRequestID() string {
	var b [11]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
