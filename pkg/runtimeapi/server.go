package runtimeapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the Runtime API version the Server serves, the first element
// of every path.
const Version = "2018-06-01"

// DefaultFunctionTimeout is the deadline an invocation gets when the
// context passed to Invoke has none.
const DefaultFunctionTimeout = 10 * time.Second

// maxPayload bounds what the Server reads of a response or error body:
// Lambda's own limit for a synchronous response.
const maxPayload = 6 << 20

// Runtime API headers.
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline    = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID     = "Lambda-Runtime-Trace-Id"
)

// ErrorReport is what a function posted to .../{id}/error.
type ErrorReport struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

// Error returns the report as text: its type and message.
func (r *ErrorReport) Error() string {
	return fmt.Sprintf("%s: %s", r.Type, r.Message)
}

// Result is the outcome of one invocation: the function's response payload,
// or the error it reported.
type Result struct {
	RequestID string
	Payload   []byte       // the body of .../response; nil when Error is set
	Error     *ErrorReport // the body of .../error; nil when Payload is set
}

// Server is a Lambda Runtime API on loopback for one function process. Its
// methods are safe for concurrent use.
type Server struct {
	// Addr is the server's host:port, the value of AWS_LAMBDA_RUNTIME_API.
	Addr string
	// FunctionName names the function in Env and in the invoked ARN;
	// NewServer sets "function". Change it before Start, if at all.
	FunctionName string

	tb     testing.TB
	queue  chan *invocation // handed to the next GET .../next
	closed chan struct{}    // closed when the server shuts down
	ready  chan struct{}    // closed at the first GET .../next

	mu        sync.Mutex
	pending   map[string]*invocation // handed out, not yet answered
	firstNext time.Time              // set before ready is closed
	proc      *Process               // the started process, if any
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan Result // buffered; receives exactly one Result
}

// NewServer starts a Server on 127.0.0.1, closed by tb's cleanup (after any
// process it started has been stopped).
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		FunctionName: "function",
		tb:           tb,
		queue:        make(chan *invocation),
		closed:       make(chan struct{}),
		ready:        make(chan struct{}),
		pending:      map[string]*invocation{},
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(func() {
		close(s.closed) // ends waiting GET .../next, so Close does not block
		ts.Close()
	})
	s.Addr = strings.TrimPrefix(ts.URL, "http://")
	return s
}

// Env returns the environment Lambda gives a function, as KEY=value pairs:
// AWS_LAMBDA_RUNTIME_API pointing at the server, the function's name,
// version, memory size and log group, and TZ. Start puts it first.
func (s *Server) Env() []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + s.Addr,
		"AWS_LAMBDA_FUNCTION_NAME=" + s.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + s.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME=2006/01/02/[$LATEST]runtimeapi",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"TZ=:UTC",
	}
}

// FunctionARN is the ARN sent as Lambda-Runtime-Invoked-Function-Arn.
func (s *Server) FunctionARN() string {
	return "arn:aws:lambda:us-east-1:123456789012:function:" + s.FunctionName
}

// Invoke hands payload to the function as one invocation and waits for its
// response or error. The invocation's deadline is ctx's, or
// DefaultFunctionTimeout from now. It fails when ctx ends first or the
// started process exits.
func (s *Server) Invoke(ctx context.Context, payload []byte) (Result, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(DefaultFunctionTimeout)
	}
	inv := &invocation{id: newRequestID(), payload: payload, deadline: deadline, done: make(chan Result, 1)}
	var exited <-chan struct{}
	s.mu.Lock()
	if s.proc != nil {
		exited = s.proc.exited
	}
	s.mu.Unlock()

	select {
	case s.queue <- inv:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("runtimeapi: invocation not picked up: %w", ctx.Err())
	case <-exited:
		return Result{}, fmt.Errorf("runtimeapi: invocation not picked up: %w", s.proc.exitError())
	case <-s.closed:
		return Result{}, errors.New("runtimeapi: server closed")
	}
	select {
	case r := <-inv.done:
		return r, nil
	case <-ctx.Done():
		s.forget(inv.id)
		return Result{}, fmt.Errorf("runtimeapi: invocation %s not answered: %w", inv.id, ctx.Err())
	case <-exited:
		s.forget(inv.id)
		return Result{}, fmt.Errorf("runtimeapi: invocation %s not answered: %w", inv.id, s.proc.exitError())
	}
}

func (s *Server) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pending, id)
}

// ServeHTTP serves the Runtime API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/"+Version+"/runtime/")
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, "NotFound", "not a Runtime API path")
	case rest == "invocation/next":
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET")
			return
		}
		s.next(w, r)
	case strings.HasPrefix(rest, "invocation/"):
		id, what, _ := strings.Cut(strings.TrimPrefix(rest, "invocation/"), "/")
		if r.Method != http.MethodPost || (what != "response" && what != "error") {
			writeError(w, http.StatusNotFound, "NotFound", "expected POST .../invocation/{id}/response or .../error")
			return
		}
		s.complete(w, r, id, what == "error")
	default:
		writeError(w, http.StatusNotFound, "NotFound", "not a Runtime API path")
	}
}

// next answers GET .../invocation/next once an invocation is queued.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	first := s.firstNext.IsZero()
	if first {
		s.firstNext = now
	}
	s.mu.Unlock()
	if first {
		close(s.ready)
	}

	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	case <-s.closed:
		writeError(w, http.StatusGone, "Closed", "the Runtime API is shutting down")
		return
	}
	s.mu.Lock()
	s.pending[inv.id] = inv
	s.mu.Unlock()

	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, s.FunctionARN())
	h.Set(headerTraceID, newTraceID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// complete answers POST .../invocation/{id}/response or .../error.
func (s *Server) complete(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "the payload is larger than 6 MB")
		return
	}
	s.mu.Lock()
	inv, ok := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+id+" is in flight")
		return
	}
	res := Result{RequestID: id}
	if isError {
		res.Error = readReport(body)
	} else {
		res.Payload = body
	}
	inv.done <- res
	writeAccepted(w)
}

// readReport decodes an error body; one that is not the expected JSON
// gives an empty report, as the error still happened.
func readReport(body []byte) *ErrorReport {
	report := &ErrorReport{}
	_ = json.Unmarshal(body, report)
	return report
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorReport{Message: message, Type: typ})
}

// newRequestID returns a random UUID (version 4), as Lambda's request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header, not sampled.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:])
}
