package localapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/loopback"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// MaxRequestBytes bounds how much of a request body the Server reads. The
// handlers refuse anything over httpapi.MaxBodyBytes themselves; a body
// over this bound is refused with the same error without being read.
const MaxRequestBytes = 1 << 20

// IntegrationTimeout is the deadline each handler call gets, API Gateway's
// limit for an HTTP API integration.
const IntegrationTimeout = 30 * time.Second

// StandInPath returns the path under which a Server serves the stand-in
// for the API that v's function calls (v.Upstream), "/<name>-standin" for
// the vendor called <name>: v.Upstream.BaseURL set to
// http://127.0.0.1:3000/<name>-standin reaches it. It returns "" for a
// vendor that calls no API.
func StandInPath(v descriptor.Vendor) string {
	if v.Upstream == nil {
		return ""
	}
	return "/" + v.Name + "-standin"
}

// Errors of the local server itself, with the contract's error body.
var (
	ErrNotFound         = apierror.New(&apierror.Kind{Status: http.StatusNotFound, Code: "not_found"}, "no route matches the request's path")
	ErrMethodNotAllowed = apierror.New(&apierror.Kind{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed"}, "the route does not accept this method; see the Allow header")
	ErrHostNotLoopback  = apierror.New(apierror.Forbidden, "this local server answers only requests addressed to localhost or a loopback address (the Host header)")
	errBadResponse      = fmt.Errorf("%w: the handler's response is not a valid API Gateway response", apierror.Internal)
)

// Handler serves one function's events: *httpapi.Handler.
type Handler interface {
	Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

var _ Handler = (*httpapi.Handler)(nil)

// Server serves Routes, each through its function's handler, and each
// vendor's stand-in (vendors.StandIn) under its StandInPath. It is an
// http.Handler, safe for concurrent use.
type Server struct {
	paths    map[string]map[string]route // path -> method -> route
	standIns map[string]http.Handler     // StandInPath -> stand-in, the path stripped
	now      func() time.Time
}

type route struct {
	key     string
	handler Handler
}

// New builds every vendor's function (vendors.All) with function.Build,
// from d, and returns the Server of their routes. d.Logger (nil means
// slog.Default()) gets a "function" attribute per function, as in Lambda,
// and the functions accept the dev-only session key (AllowDevSessionKey).
// The error names every function that cannot start and why.
func New(ctx context.Context, d function.Deps) (*Server, error) {
	logger := d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	handlers := map[string]Handler{}
	var errs []error
	for _, v := range vendors.All() { // one function per vendor, whatever its routes
		fd := d
		fd.Logger = logger.With("function", v.Name)
		fd.AllowDevSessionKey = true // the local server is where the dev session key belongs
		h, err := function.Build(ctx, v, fd)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.LogicalID, err))
			continue
		}
		handlers[v.LogicalID] = h
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return NewServer(handlers, d.Now), nil
}

// NewServer returns the Server of Routes with the given handlers, by
// logical ID, and of every vendor's stand-in; a route whose function has no
// handler is not served. A nil now means time.Now.
func NewServer(handlers map[string]Handler, now func() time.Time) *Server {
	if now == nil {
		now = time.Now
	}
	s := &Server{
		paths:    map[string]map[string]route{},
		standIns: map[string]http.Handler{},
		now:      now,
	}
	for _, v := range vendors.All() {
		if path, h := StandInPath(v), vendors.StandIn(v.Name); path != "" && h != nil {
			s.standIns[path] = http.StripPrefix(path, h)
		}
	}
	for _, r := range Routes {
		h, ok := handlers[r.Vendor.LogicalID]
		if !ok {
			continue
		}
		if s.paths[r.Path] == nil {
			s.paths[r.Path] = map[string]route{}
		}
		s.paths[r.Path][r.Method] = route{key: r.Key(), handler: h}
	}
	return s
}

// ServeHTTP serves one request as API Gateway would. A request whose Host
// is not a loopback name or address is refused with ErrHostNotLoopback: a
// web page whose own name has been made to resolve to 127.0.0.1 (DNS
// rebinding) must not reach the server from the user's browser.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !loopback.IsHostPort(r.Host) {
		writeError(w, ErrHostNotLoopback, newRequestID())
		return
	}
	if h := s.standIn(r.URL.Path); h != nil {
		h.ServeHTTP(w, r)
		return
	}
	now := s.now()
	methods, ok := s.paths[r.URL.Path]
	if !ok {
		writeError(w, ErrNotFound, newRequestID())
		return
	}
	rt, ok := methods[r.Method]
	if !ok {
		allow := make([]string, 0, len(methods))
		for m := range methods {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, ErrMethodNotAllowed, newRequestID())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, httpapi.ErrBodyTooLarge, newRequestID())
		}
		return // otherwise the client is gone
	}

	event, err := NewEvent(r, body, rt.key, now)
	if err != nil {
		writeError(w, err, newRequestID())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), IntegrationTimeout)
	defer cancel()
	resp, err := rt.handler.Handle(ctx, event)
	if err != nil {
		// Lambda reports a handler error to API Gateway, which answers 500.
		writeError(w, fmt.Errorf("%w: %v", apierror.Internal, err), event.RequestContext.RequestID)
		return
	}
	writeResponse(w, resp, event.RequestContext.RequestID)
}

// standIn returns the stand-in that serves path, or nil.
func (s *Server) standIn(path string) http.Handler {
	for prefix, h := range s.standIns {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return h
		}
	}
	return nil
}

// writeResponse writes a handler's response as API Gateway does.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse, requestID string) {
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			writeError(w, errBadResponse, requestID)
			return
		}
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		writeError(w, errBadResponse, requestID)
		return
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	h.Set("Apigw-Requestid", requestID)
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// writeError writes err as the contract's error body, as the functions'
// handler does (httpapi.ErrorResponse).
func writeError(w http.ResponseWriter, err error, requestID string) {
	writeResponse(w, httpapi.ErrorResponse(err, requestID), requestID)
}
