package functions_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TokenApi writes one JSON access log line per request, with what an
// operator needs to follow a request, into a log group with retention.
func TestAccessLogs(t *testing.T) {
	tpl := mustReadTemplate(t)
	settings := field(tpl, "Resources", "TokenApi", "Properties", "AccessLogSettings")
	if got := field(settings, "DestinationArn"); !equalJSON(got, map[string]any{"Fn::GetAtt": []any{"TokenApiAccessLogGroup", "Arn"}}) {
		t.Errorf("DestinationArn = %v, want TokenApiAccessLogGroup's ARN", got)
	}
	format, _ := field(settings, "Format").(string)
	if strings.Contains(format, "\n") {
		t.Errorf("Format %q spans lines: one line per request", format)
	}
	// API Gateway puts a value, or "-", in place of each $context variable.
	line := regexp.MustCompile(`\$context\.[A-Za-z.]+`).ReplaceAllString(format, "-")
	var fields map[string]string
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("Format is not a JSON object of strings once filled in: %v\n%s", err, format)
	}
	for name, variable := range map[string]string{
		"requestId":               "$context.requestId",
		"routeKey":                "$context.routeKey",
		"status":                  "$context.status",
		"responseLatency":         "$context.responseLatency",
		"sourceIp":                "$context.identity.sourceIp",
		"integrationErrorMessage": "$context.integrationErrorMessage",
	} {
		if !strings.Contains(format, `"`+name+`":"`+variable+`"`) {
			t.Errorf("Format lacks %q: %q", name, variable)
		}
	}
	if strings.Contains(strings.ToLower(format), "authorization") || strings.Contains(format, "$context.authorizer") {
		t.Error("the access log must not carry the Authorization header or the session's claims")
	}
}

// X-Ray write access comes with tracing only: SAM grants it unless Tracing
// is Disabled, so the default is Disabled and nothing else grants it.
func TestTracingGrantsXRayOnlyWhenActive(t *testing.T) {
	tpl := mustReadTemplate(t)
	param := field(tpl, "Parameters", "TracingMode")
	if got := field(param, "AllowedValues"); !equalJSON(got, []any{"Active", "Disabled"}) {
		t.Errorf("TracingMode AllowedValues = %v, want Active, Disabled", got)
	}
	if got := field(param, "Default"); got != "Disabled" {
		t.Errorf("TracingMode Default = %v, want Disabled", got)
	}
	if got := field(tpl, "Globals", "Function", "Tracing"); !equalJSON(got, map[string]any{"Ref": "TracingMode"}) {
		t.Errorf("Globals.Function.Tracing = %v, want !Ref TracingMode (a Ref SAM resolves)", got)
	}
	walk(tpl, nil, func(path []string, v any) {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), "xray") {
			t.Errorf("%s = %q: X-Ray access is SAM's to grant, with Tracing", strings.Join(path, "."), s)
		}
	})
}

// Every function publishes versions behind the alias "live", which the API
// calls, and shifts traffic as the DeploymentPreference parameter says.
func TestGradualDeployment(t *testing.T) {
	tpl := mustReadTemplate(t)
	if got := field(tpl, "Globals", "Function", "AutoPublishAlias"); got != "live" {
		t.Errorf("AutoPublishAlias = %v, want live", got)
	}
	if got := field(tpl, "Globals", "Function", "DeploymentPreference", "Type"); !equalJSON(got, map[string]any{"Ref": "DeploymentPreference"}) {
		t.Errorf("DeploymentPreference.Type = %v, want !Ref DeploymentPreference", got)
	}
	allowed, _ := field(tpl, "Parameters", "DeploymentPreference", "AllowedValues").([]any)
	for _, want := range []string{"AllAtOnce", "Canary10Percent5Minutes", "Linear10PercentEvery1Minute"} {
		if !slices.Contains(allowed, any(want)) {
			t.Errorf("DeploymentPreference does not allow %s", want)
		}
	}
	for _, f := range contractFunctions {
		if field(tpl, "Resources", f.logicalID, "Properties", "AutoPublishAlias") != nil {
			t.Errorf("%s sets its own AutoPublishAlias", f.logicalID)
		}
	}
}
