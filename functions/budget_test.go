package functions_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// slack is what the Copilot function's Timeout must leave beyond the
// longest Mint: verifying the session, the first secret reads of a cold
// start's invocation, and writing the answer.
const slack = time.Second

// TestCopilotBudgetFitsTheFunction holds the longest Copilot exchange
// under the function's Timeout, so the contract's 503 body is written
// before Lambda ends the invocation: the largest COPILOT_TIMEOUT, the
// re-read of the credentials after a 401, and the waits of the credential
// and session key reads.
func TestCopilotBudgetFitsTheFunction(t *testing.T) {
	tpl := mustReadTemplate(t)
	for _, sc := range scenarios {
		s := deploy(t, tpl, sc.params)
		props, err := s.resolve(mergeGlobals(field(tpl, "Globals", "Function"), field(tpl, "Resources", "CopilotFunction", "Properties")))
		if err != nil {
			t.Fatal(err)
		}
		seconds, ok := field(props, "Timeout").(int)
		if !ok {
			t.Fatalf("%s: CopilotFunction's Timeout = %v, want a number of seconds", sc.name, field(props, "Timeout"))
		}
		longest := copilot.MaxTimeout + copilot.ReloadTimeout + 2*secrets.RefreshWait
		if limit := time.Duration(seconds) * time.Second; longest+slack >= limit {
			t.Errorf("%s: a Copilot request may take %v (plus %v), over the function's Timeout of %v", sc.name, longest, slack, limit)
		}
	}
}

// TestCopilotTimeoutParameter holds the CopilotTimeout parameter's
// AllowedPattern to the bounds the function applies to COPILOT_TIMEOUT:
// CloudFormation refuses at deploy time exactly what would stop the
// function at cold start.
func TestCopilotTimeoutParameter(t *testing.T) {
	param := field(mustReadTemplate(t), "Parameters", "CopilotTimeout")
	accepts := func(value string) bool {
		env := config.New(func(k string) string {
			return map[string]string{"COPILOT_BASE_URL": "https://copilot.example.com", "COPILOT_TIMEOUT": value}[k]
		})
		copilot.Descriptor.Configure(env)
		return env.Err() == nil
	}
	if def := fmt.Sprint(field(param, "Default")); !accepts(def) || checkParam("CopilotTimeout", param, def) != nil {
		t.Errorf("the default %q is refused", def)
	}
	var values []string
	for ms := 0; ms <= 2*int(copilot.MaxTimeout/time.Millisecond); ms += 25 {
		d := time.Duration(ms) * time.Millisecond
		values = append(values, fmt.Sprintf("%dms", ms), d.String(), fmt.Sprintf("%gs", d.Seconds()))
	}
	values = append(values, copilot.MaxTimeout.String(), (copilot.MaxTimeout + time.Millisecond).String(), "5.0s", "30s", "1m", "soon", "")
	for _, v := range values {
		if template, function := checkParam("CopilotTimeout", param, v) == nil, accepts(v) && v != ""; template != function {
			t.Errorf("COPILOT_TIMEOUT=%q: the template accepts it: %v, the function: %v", v, template, function)
		}
	}
}
