package apierror

import (
	"errors"
	"net/http"
)

// Kind is one error code of the contract and the HTTP status it is sent with.
type Kind struct {
	Status  int
	Code    string
	message string
}

// Error returns the code, so a bare Kind can be returned or wrapped as an error.
func (k *Kind) Error() string { return k.Code }

// Message is the generic safe text for the code.
func (k *Kind) Message() string { return k.message }

// The contract's error codes.
var (
	BadRequest          = &Kind{http.StatusBadRequest, "bad_request", "the request is malformed"}
	Unauthorized        = &Kind{http.StatusUnauthorized, "unauthorized", "a valid session is required"}
	Forbidden           = &Kind{http.StatusForbidden, "forbidden", "the session does not allow this request"}
	UpstreamUnavailable = &Kind{http.StatusServiceUnavailable, "upstream_unavailable", "an upstream service could not be reached; try again"}
	UpstreamError       = &Kind{http.StatusBadGateway, "upstream_error", "an upstream service refused the request"}
	Internal            = &Kind{http.StatusInternalServerError, "internal", "internal error"}
)

// Error is an error of a given Kind with a message that is safe to show to
// the caller. Declare sentinel errors with New and compare with errors.Is.
type Error struct {
	Kind    *Kind
	Message string
}

// New returns an error of kind k whose public message is message.
func New(k *Kind, message string) *Error { return &Error{Kind: k, Message: message} }

func (e *Error) Error() string { return e.Kind.Code + ": " + e.Message }

// Unwrap makes errors.Is(err, apierror.Forbidden) true for a Forbidden error.
func (e *Error) Unwrap() error { return e.Kind }

// Classify returns the Kind and the safe message for err. An error that
// wraps no *Error and no *Kind is Internal, with the generic message, so
// that nothing unplanned reaches the caller.
func Classify(err error) (*Kind, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, e.Message
	}
	var k *Kind
	if errors.As(err, &k) {
		return k, k.message
	}
	return Internal, Internal.message
}
