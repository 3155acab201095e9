package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/untrusted"
)

// MaxBodyBytes bounds the request body. The body carries nothing the
// functions use (identity comes from the session), so it stays small.
const MaxBodyBytes = 4 << 10

// MaxLoggedError is the most bytes of an error's text that the request's
// log line holds; any rune of it that is not graphic is escaped.
const MaxLoggedError = 1 << 10

// maxLoggedRoute bounds the method and path logged for a request that
// has no route key.
const maxLoggedRoute = 256

// Sentinel errors for request bodies.
var (
	ErrBodyTooLarge = apierror.New(apierror.BadRequest, fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes))
	ErrBodyNotJSON  = apierror.New(apierror.BadRequest, "the request body must be empty or a JSON object")
)

// Verifier turns a request into the caller's verified identity.
type Verifier interface {
	Verify(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (identity.Identity, error)
}

// Minter makes the vendor's credential for a verified identity. It returns
// the 200 response body, which is encoded as JSON. A minter whose vendor
// takes a request parameter reads it with Query(ctx); identity never comes
// from it.
type Minter interface {
	Mint(ctx context.Context, id identity.Identity) (any, error)
}

// Publisher answers a public route: one that needs no session, such as a
// key set that the vendor fetches to verify what the Minter signs. It
// returns the 200 body, which is encoded as JSON: the same for every
// caller, for it knows nothing of the request. It runs with no session
// verified, so it must answer only what anyone may read.
type Publisher interface {
	Publish(ctx context.Context) (any, error)
}

// Gate checks a request to a public route before it is answered, without
// a session, such as the protected front's check that the request came
// through it (package front). An error is answered as its apierror kind.
type Gate interface {
	Check(ctx context.Context, req *events.APIGatewayV2HTTPRequest) error
}

// PublicMaxAge is how long a client or a shared cache may keep the 200
// answer of a public route: it carries Cache-Control: public, max-age=300.
// Its errors, like every other answer, carry no-store.
const PublicMaxAge = 5 * time.Minute

type queryKey struct{}

// Query returns the query string parameters of the request that Handler is
// serving with ctx (API Gateway joins a repeated parameter's values with
// commas), or nil outside a request. The map must not be modified.
func Query(ctx context.Context) map[string]string {
	q, _ := ctx.Value(queryKey{}).(map[string]string)
	return q
}

// RequestCounter counts requests by outcome: OutcomeOK, or the error code
// the request was answered with.
type RequestCounter interface {
	Request(outcome string)
}

// OutcomeOK is the outcome of a request answered with the vendor's token.
const OutcomeOK = "ok"

// Handler serves one vendor's routes: each needs a session, whose identity
// the Minter signs for, except those in Public.
type Handler struct {
	Session Verifier
	Minter  Minter
	// Public answers the routes that need no session, by route key (such
	// as "GET /acme/jwks.json", as API Gateway sets RouteKey): for them the
	// handler never reads the session, nor the query string, and its 200
	// may be cached for PublicMaxAge. Any other route key, an unknown or
	// empty one included, needs a session.
	Public map[string]Publisher
	// Gate, when set, checks every request to a public route first.
	Gate    Gate
	Logger  *slog.Logger     // nil means slog.Default()
	Now     func() time.Time // nil means time.Now; used for the logged duration
	Metrics RequestCounter   // nil counts nothing
}

// Response headers, shared by every response and never modified.
var (
	jsonHeaders = map[string]string{
		"Content-Type":           "application/json",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	unauthorizedHeaders = map[string]string{
		"Content-Type":           "application/json",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
		"WWW-Authenticate":       "Bearer",
	}
	publicHeaders = map[string]string{
		"Content-Type":           "application/json",
		"Cache-Control":          fmt.Sprintf("public, max-age=%d", int(PublicMaxAge/time.Second)),
		"X-Content-Type-Options": "nosniff",
	}
)

// Handle serves one request. Its error result is always nil: every failure
// is answered with the contract's error body, so API Gateway never turns it
// into its own 500.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	now := h.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	requestID := requestID(ctx, &req)

	resp, userID, err := h.serve(ctx, &req)
	if err != nil {
		resp = ErrorResponse(err, requestID)
	}
	h.log(ctx, &req, requestID, userID, resp.StatusCode, now().Sub(start), err)
	if h.Metrics != nil {
		outcome := OutcomeOK
		if err != nil {
			kind, _ := apierror.Classify(err)
			outcome = kind.Code
		}
		h.Metrics.Request(outcome)
	}
	return resp, nil
}

// serve runs the request path; a panic below it is answered as internal.
// userID is the verified session's user id, set as soon as the session
// verifies, whatever happens after.
func (h *Handler) serve(ctx context.Context, req *events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, userID string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: panic serving the request (%T)", apierror.Internal, p)
		}
	}()
	if err := checkBody(req); err != nil {
		return resp, "", err
	}
	if p, ok := h.Public[req.RouteKey]; ok {
		resp, err = h.publish(ctx, req, p)
		return resp, "", err
	}
	id, err := h.Session.Verify(ctx, req)
	if err != nil {
		return resp, "", err
	}
	userID = id.UserID
	out, err := h.Minter.Mint(context.WithValue(ctx, queryKey{}, req.QueryStringParameters), id)
	if err != nil {
		return resp, userID, err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return resp, userID, fmt.Errorf("%w: encoding the response: %v", apierror.Internal, err)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: jsonHeaders, Body: string(body)}, userID, nil
}

// publish answers a public route with p's document, after the Gate: no
// session is read, and p sees nothing of the request.
func (h *Handler) publish(ctx context.Context, req *events.APIGatewayV2HTTPRequest, p Publisher) (events.APIGatewayV2HTTPResponse, error) {
	if h.Gate != nil {
		if err := h.Gate.Check(ctx, req); err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
	}
	out, err := p.Publish(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	body, err := json.Marshal(out)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%w: encoding the response: %v", apierror.Internal, err)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Headers: publicHeaders, Body: string(body)}, nil
}

// checkBody accepts an absent body or a small JSON object, whose content is
// ignored: identity never comes from the request.
func checkBody(req *events.APIGatewayV2HTTPRequest) error {
	if req.Body == "" {
		return nil
	}
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(req.Body)) > MaxBodyBytes+3 {
			return ErrBodyTooLarge
		}
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return fmt.Errorf("%w: body is not valid base64", ErrBodyNotJSON)
		}
		body = decoded
	}
	if len(body) > MaxBodyBytes {
		return ErrBodyTooLarge
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' || !json.Valid(body) {
		return ErrBodyNotJSON
	}
	return nil
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// ErrorResponse is the contract's answer to err: the status of its kind
// (see apierror.Classify) and the body {"error": {"code", "message",
// "request_id"}}, with the JSON headers (and WWW-Authenticate: Bearer for
// unauthorized). The local server writes its own errors with it too.
func ErrorResponse(err error, requestID string) events.APIGatewayV2HTTPResponse {
	kind, message := apierror.Classify(err)
	body, _ := json.Marshal(errorBody{errorDetail{Code: kind.Code, Message: message, RequestID: requestID}})
	headers := jsonHeaders
	if kind == apierror.Unauthorized {
		headers = unauthorizedHeaders
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: kind.Status, Headers: headers, Body: string(body)}
}

// requestID is API Gateway's request id, else Lambda's, else a random one,
// so every error body can be matched to its log line.
func requestID(ctx context.Context, req *events.APIGatewayV2HTTPRequest) string {
	if id := req.RequestContext.RequestID; id != "" {
		return id
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// log writes the request's one log line: the audit trail of who was
// issued what, when. It carries the verified user id (userID, "" when no
// session verified) and never the email, the name or any token.
func (h *Handler) log(ctx context.Context, req *events.APIGatewayV2HTTPRequest, requestID, userID string, status int, took time.Duration, err error) {
	logger := h.Logger
	if logger == nil {
		logger = slog.Default()
	}
	route := req.RouteKey
	if route == "" { // the method and path the caller chose
		route = untrusted.Clip(req.RequestContext.HTTP.Method+" "+req.RequestContext.HTTP.Path, maxLoggedRoute)
	}
	attrs := []slog.Attr{
		slog.String("request_id", requestID),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
	}
	if userID != "" {
		attrs = append(attrs, slog.String("user_id", userID))
	}
	level := slog.LevelInfo
	if err != nil {
		kind, _ := apierror.Classify(err)
		// Each error quotes what the caller chose only as a short excerpt
		// (package untrusted); the clip bounds the whole line all the same.
		attrs = append(attrs, slog.String("error_code", kind.Code), slog.String("error", untrusted.Clip(err.Error(), MaxLoggedError)))
		level = slog.LevelWarn
		if status >= http.StatusInternalServerError {
			level = slog.LevelError
		}
	}
	logger.LogAttrs(ctx, level, "request", attrs...)
}
