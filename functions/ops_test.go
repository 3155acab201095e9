package functions_test

import (
	"encoding/json"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
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

// Each function has an errors alarm (init failures included) and a
// throttles alarm, TokenApi a 5xx alarm, and a vendor whose function calls
// its API an upstream_unavailable rate alarm on the functions' own metrics; all tell
// AlarmTopicArn when it is given, and a function's deployment rolls back on
// its errors alarm.
func TestAlarms(t *testing.T) {
	tpl := mustReadTemplate(t)
	const topic = "arn:aws:sns:eu-west-1:123456789012:ops"
	for _, withTopic := range []bool{false, true} {
		params := map[string]string{}
		if withTopic {
			params["AlarmTopicArn"] = topic
		}
		s := deploy(t, tpl, params)
		d, err := s.deployed()
		if err != nil {
			t.Fatal(err)
		}
		alarms := map[string]any{}
		for id, r := range field(d, "Resources").(map[string]any) {
			if field(r, "Type") == "AWS::CloudWatch::Alarm" {
				alarms[id] = field(r, "Properties")
				for _, k := range []string{"AlarmActions", "OKActions"} {
					got := field(r, "Properties", k)
					if withTopic && !equalJSON(got, []any{topic}) || !withTopic && got != nil {
						t.Errorf("%s %s = %v with topic %v", id, k, got, withTopic)
					}
				}
			}
		}
		check := func(id, namespace, metric string, dims map[string]any) {
			t.Helper()
			a, ok := alarms[id]
			if !ok {
				t.Errorf("no alarm %s", id)
				return
			}
			gotDims := map[string]any{}
			for _, dim := range field(a, "Dimensions").([]any) {
				gotDims[field(dim, "Name").(string)] = field(dim, "Value")
			}
			if field(a, "Namespace") != namespace || field(a, "MetricName") != metric || !equalJSON(gotDims, dims) {
				t.Errorf("%s watches %v %v %v, want %s %s %v", id, field(a, "Namespace"), field(a, "MetricName"), gotDims, namespace, metric, dims)
			}
		}
		for _, f := range contractFunctions {
			fn := map[string]any{"FunctionName": "ref:" + f.logicalID}
			check(f.logicalID+"ErrorsAlarm", "AWS/Lambda", "Errors", fn)
			check(f.logicalID+"ThrottlesAlarm", "AWS/Lambda", "Throttles", fn)
			rollback := field(tpl, "Resources", f.logicalID, "Properties", "DeploymentPreference", "Alarms")
			if list, _ := rollback.([]any); !slices.ContainsFunc(list, func(x any) bool {
				return equalJSON(x, map[string]any{"Ref": f.logicalID + "ErrorsAlarm"})
			}) {
				t.Errorf("%s DeploymentPreference.Alarms = %v, want its errors alarm", f.logicalID, rollback)
			}
		}
		check("ApiServerErrorsAlarm", "AWS/ApiGateway", "5xx", map[string]any{"ApiId": "ref:TokenApi"})

		// A vendor whose function calls its API has an upstream_unavailable
		// alarm on the metrics the functions write, which rolls its
		// deployment back; no other vendor has one.
		for _, v := range vendors.All() {
			id := v.Prefix() + "UpstreamUnavailableAlarm"
			a, ok := alarms[id]
			if ok != (v.Upstream != nil) {
				t.Errorf("%s exists: %v, want %v (Upstream set: %v)", id, ok, v.Upstream != nil, v.Upstream != nil)
			}
			if !ok {
				continue
			}
			var watched []map[string]any
			for _, m := range field(a, "Metrics").([]any) {
				if stat := field(m, "MetricStat", "Metric"); stat != nil {
					dims := map[string]any{}
					for _, dim := range field(stat, "Dimensions").([]any) {
						dims[field(dim, "Name").(string)] = field(dim, "Value")
					}
					if field(stat, "Namespace") != s.params["MetricsNamespace"] || field(stat, "MetricName") != metrics.Requests {
						t.Errorf("%s reads %v %v", id, field(stat, "Namespace"), field(stat, "MetricName"))
					}
					watched = append(watched, dims)
				}
			}
			want := []map[string]any{
				{metrics.DimVendor: v.Name, metrics.DimOutcome: apierror.UpstreamUnavailable.Code},
				{metrics.DimVendor: v.Name},
			}
			if !equalJSON(watched, want) {
				t.Errorf("%s reads %v, want %v", id, watched, want)
			}
			rollback, _ := field(tpl, "Resources", v.LogicalID, "Properties", "DeploymentPreference", "Alarms").([]any)
			if !slices.ContainsFunc(rollback, func(x any) bool { return equalJSON(x, map[string]any{"Ref": id}) }) {
				t.Errorf("%s does not roll %s back", id, v.LogicalID)
			}
		}
	}
}

// The dashboard is valid JSON once CloudFormation fills it in, shows the
// functions' own metrics and Lambda's, and reads cold starts from the log
// groups of the deployed vendors only.
func TestDashboard(t *testing.T) {
	tpl := mustReadTemplate(t)
	for _, f := range contractFunctions {
		params := map[string]string{"Vendors": strings.ToLower(f.vendor)}
		s := deploy(t, tpl, params)
		d, err := s.deployed()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := field(d, "Resources", "Dashboard", "Properties", "DashboardBody").(string)
		var dash struct {
			Widgets []struct {
				Type       string
				Properties map[string]any
			}
		}
		if err := json.Unmarshal([]byte(body), &dash); err != nil || len(dash.Widgets) == 0 {
			t.Fatalf("%s: DashboardBody is not a dashboard: %v\n%s", f.vendor, err, body)
		}
		// What the widgets say, unescaped.
		var said []string
		for _, w := range dash.Widgets {
			walk(w.Properties, nil, func(_ []string, v any) {
				if str, ok := v.(string); ok {
					said = append(said, str)
				}
			})
		}
		body = strings.Join(said, "\n")
		for _, name := range []string{
			`MetricName="` + metrics.Requests + `"`, `MetricName="` + metrics.UpstreamLatency + `"`,
			`MetricName="` + metrics.UpstreamExchanges + `"`, `MetricName="` + metrics.KeyRefreshes + `"`,
			`{VendorTokens,` + metrics.DimOutcome + `,` + metrics.DimVendor + `}`,
			`MetricName="Invocations"`, `MetricName="Errors"`, `MetricName="Duration"`, `MetricName="Throttles"`,
			"5xx", "initDurationMs",
		} {
			if !strings.Contains(body, name) {
				t.Errorf("%s: the dashboard does not show %s", f.vendor, name)
			}
		}
		for _, g := range contractFunctions {
			source := "SOURCE '{" + g.logicalID + "LogGroup}'"
			if got := strings.Contains(body, source); got != (g.vendor == f.vendor) {
				t.Errorf("Vendors=%s: cold starts read %s: %v", f.vendor, g.logicalID+"LogGroup", got)
			}
		}
	}
}

// An optional custom domain: TokenApi's stage mapped at DomainName with
// CertificateArn, the URLs in the outputs on it, and the default endpoint
// off only when asked and only with a domain.
func TestCustomDomain(t *testing.T) {
	tpl := mustReadTemplate(t)
	const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d"
	for _, c := range []struct {
		name     string
		params   map[string]string
		domain   bool
		disabled bool
	}{
		{"none", map[string]string{}, false, false},
		{"domain", map[string]string{"DomainName": "tokens.example.com", "CertificateArn": cert}, true, false},
		{"domain only", map[string]string{"DomainName": "tokens.example.com", "CertificateArn": cert, "DisableExecuteApiEndpoint": "true"}, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := deploy(t, tpl, c.params).deployed()
			if err != nil {
				t.Fatal(err)
			}
			if got := field(d, "Resources", "TokenApi", "Properties", "DisableExecuteApiEndpoint"); got != c.disabled {
				t.Errorf("DisableExecuteApiEndpoint = %v, want %v", got, c.disabled)
			}
			base := "https://{TokenApi}.execute-api.{AWS::Region}.{AWS::URLSuffix}"
			if c.domain {
				base = "https://tokens.example.com"
				if got := field(d, "Resources", "TokenApiDomainName", "Properties", "DomainNameConfigurations"); !equalJSON(got, []any{map[string]any{
					"CertificateArn": cert, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2",
				}}) {
					t.Errorf("DomainNameConfigurations = %v", got)
				}
				if got := field(d, "Resources", "TokenApiMapping", "Properties"); !equalJSON(got, map[string]any{
					"ApiId": "ref:TokenApi", "DomainName": "ref:TokenApiDomainName", "Stage": "ref:TokenApi.Stage",
				}) {
					t.Errorf("TokenApiMapping = %v", got)
				}
			}
			for _, id := range []string{"TokenApiDomainName", "TokenApiMapping"} {
				if got := field(d, "Resources", id) != nil; got != c.domain {
					t.Errorf("%s created = %v, want %v", id, got, c.domain)
				}
			}
			if got := field(d, "Outputs", "TokenApiDomainTarget") != nil; got != c.domain {
				t.Errorf("TokenApiDomainTarget output = %v, want %v", got, c.domain)
			}
			// Every URL output is on the domain when there is one.
			var urls []string
			for name, o := range field(d, "Outputs").(map[string]any) {
				if !strings.HasSuffix(name, "Url") || name == "DashboardUrl" {
					continue
				}
				url, _ := field(o, "Value").(string)
				urls = append(urls, url)
				if !strings.HasPrefix(url, base) {
					t.Errorf("%s = %v, want it under %v", name, url, base)
				}
			}
			if n := 1 + len(urlOutputs(base)); len(urls) != n {
				t.Errorf("%d URL outputs, want %d: the API's and one per route path", len(urls), n)
			}
		})
	}
	for _, params := range []map[string]string{
		{"DomainName": "tokens.example.com"},
		{"DisableExecuteApiEndpoint": "true"},
	} {
		all := maps.Clone(requiredParams)
		maps.Copy(all, params)
		if _, err := newStack(tpl, all); !errors.Is(err, errRule) {
			t.Errorf("%v: error = %v, want a failed rule", params, err)
		}
	}
}
