package apierror_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

var errNoEmail = apierror.New(apierror.Forbidden, "the session has no email")

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		kind    *apierror.Kind
		message string
	}{
		{"sentinel", errNoEmail, apierror.Forbidden, "the session has no email"},
		{"wrapped sentinel keeps the safe message", fmt.Errorf("%w: claim email absent in token abc.def", errNoEmail), apierror.Forbidden, "the session has no email"},
		{"bare kind", apierror.UpstreamError, apierror.UpstreamError, apierror.UpstreamError.Message()},
		{"wrapped kind", fmt.Errorf("%w: dial tcp 10.0.0.1:443", apierror.UpstreamUnavailable), apierror.UpstreamUnavailable, apierror.UpstreamUnavailable.Message()},
		{"unknown error is internal", errors.New("secret value leaked here"), apierror.Internal, "internal error"},
		{"joined picks the first typed error", errors.Join(errors.New("plain"), apierror.BadRequest), apierror.BadRequest, apierror.BadRequest.Message()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, message := apierror.Classify(tc.err)
			if kind != tc.kind || message != tc.message {
				t.Fatalf("Classify = %s %q, want %s %q", kind.Code, message, tc.kind.Code, tc.message)
			}
		})
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("acme: %w", errNoEmail)
	if !errors.Is(err, errNoEmail) || !errors.Is(err, apierror.Forbidden) || errors.Is(err, apierror.Unauthorized) {
		t.Fatalf("errors.Is does not see the sentinel and only its kind")
	}
}

func TestKindsMatchContract(t *testing.T) {
	want := map[*apierror.Kind]struct {
		status int
		code   string
	}{
		apierror.BadRequest:          {400, "bad_request"},
		apierror.Unauthorized:        {401, "unauthorized"},
		apierror.Forbidden:           {403, "forbidden"},
		apierror.UpstreamUnavailable: {503, "upstream_unavailable"},
		apierror.UpstreamError:       {502, "upstream_error"},
		apierror.Internal:            {500, "internal"},
	}
	for k, w := range want {
		if k.Status != w.status || k.Code != w.code || k.Message() == "" {
			t.Errorf("kind %+v, want %d %s with a message", k, w.status, w.code)
		}
	}
}

func ExampleClassify() {
	errNoEmail := apierror.New(apierror.Forbidden, "the session has no email")
	err := fmt.Errorf("%w: claim %q missing", errNoEmail, "email")
	kind, message := apierror.Classify(err)
	fmt.Println(kind.Status, kind.Code, message)
	// Output: 403 forbidden the session has no email
}
