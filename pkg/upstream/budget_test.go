package upstream_test

import (
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/generate"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

// slack is what the function's Timeout must leave beyond the longest Call:
// verifying the session, the first secret reads of a cold start's
// invocation, and writing the answer.
const slack = time.Second

// TestBudgetFitsTheFunction holds the longest upstream call under the
// function's Timeout, so the contract's 503 body is written before Lambda
// ends the invocation: the largest timeout setting, the re-read of the
// credentials after a 401, and the waits of the credential and session
// key reads.
func TestBudgetFitsTheFunction(t *testing.T) {
	longest := upstream.MaxTimeout + upstream.ReloadTimeout + 2*secrets.RefreshWait
	if longest+slack >= generate.FunctionTimeout {
		t.Errorf("an upstream call may take %v (plus %v), over the function's Timeout of %v", longest, slack, generate.FunctionTimeout)
	}
}
