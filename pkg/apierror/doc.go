// Package apierror defines the error codes of the API contract: each Kind
// pairs a stable code ("bad_request", "unauthorized", ...) with its HTTP
// status, and an Error adds a message that is safe to show to the app.
//
// Packages declare their sentinel errors with New, so callers test them with
// errors.Is and the response layer finds their Kind with Classify:
//
//	var ErrNoEmail = apierror.New(apierror.Forbidden, "the session has no email")
//
// Details that must not reach the app (upstream bodies, parser messages) are
// added by wrapping: fmt.Errorf("%w: %v", ErrNoEmail, detail). The wrapped
// text is for the log; the response carries only the safe message.
package apierror
