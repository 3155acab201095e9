// Package functions_test checks what the generated template.yaml means
// when CloudFormation deploys it, for every vendor alike: each function's
// runtime, build, routes, environment, secret access and logs, the
// TokenApi, the Rules, the vendor selection and the stack outputs; and
// that the generated events and env files run each function, as `sam local`
// would run them.
package functions_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

const templatePath = "../template.yaml"

// Route is one route of TokenApi as template.yaml declares it: an HttpApi
// event of a function.
type Route struct {
	Method    string // upper case, such as "POST"
	Path      string // such as "/acme/token"
	LogicalID string // the function's SAM logical ID, such as "AcmeFunction"
}

// TemplateRoutes reads the SAM template at path and returns its HttpApi
// routes sorted by path, then method. The local server's route table is held
// equal to it.
func TemplateRoutes(path string) ([]Route, error) {
	tpl, err := readTemplate(path)
	if err != nil {
		return nil, err
	}
	var routes []Route
	resources, _ := tpl["Resources"].(map[string]any)
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		if field(resources[id], "Type") != "AWS::Serverless::Function" {
			continue
		}
		events, _ := field(resources[id], "Properties", "Events").(map[string]any)
		for _, name := range slices.Sorted(maps.Keys(events)) {
			if field(events[name], "Type") != "HttpApi" {
				continue
			}
			method, mok := field(events[name], "Properties", "Method").(string)
			p, pok := field(events[name], "Properties", "Path").(string)
			if !mok || !pok {
				return nil, fmt.Errorf("%s: event %s: Method and Path must be plain strings", id, name)
			}
			routes = append(routes, Route{Method: strings.ToUpper(method), Path: p, LogicalID: id})
		}
	}
	slices.SortFunc(routes, func(a, b Route) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return routes, nil
}

// contractFunction is what the template must deploy for one vendor.
type contractFunction struct {
	logicalID  string
	vendor     string   // prefix of its secret's names: <vendor>Secret, Existing<vendor>SecretArn, <VENDOR>_SECRET_ID
	routes     []Route  // its routes
	settings   []string // its environment beyond the session settings
	secretKeys []string // the JSON keys its secret must hold
	devKeys    []string // the JSON keys of its dev secret: every key it may hold
}

// contractFunctions are every vendor's function, from its descriptor: its
// settings are the names its Configure reads, and its secret's setting.
var contractFunctions = func() []contractFunction {
	var fns []contractFunction
	for _, v := range vendors.All() {
		env := config.New(func(string) string { return "" })
		v.Configure(env)
		f := contractFunction{
			logicalID:  v.LogicalID,
			vendor:     strings.ToUpper(v.Name[:1]) + v.Name[1:],
			settings:   append([]string{v.Secret.Setting}, env.Read()...),
			secretKeys: slices.Sorted(slices.Values(v.Secret.Keys)),
			devKeys:    devSecretKeys(v),
		}
		for _, r := range v.Routes {
			f.routes = append(f.routes, Route{Method: r.Method, Path: r.Path, LogicalID: v.LogicalID})
		}
		fns = append(fns, f)
	}
	return fns
}()

// publicRoutes are the route keys ("GET /acme/keys.json") of the routes
// that need no session (descriptor.Route.Public): no JWT authorizer, in
// any mode.
var publicRoutes = func() map[string]bool {
	public := map[string]bool{}
	for _, v := range vendors.All() {
		for _, r := range v.Routes {
			if r.Public {
				public[r.Key()] = true
			}
		}
	}
	return public
}()

// devSecretKeys are the JSON keys of v's dev secret: every key its secret
// may hold, the required ones (Secret.Keys) and any optional ones.
func devSecretKeys(v descriptor.Vendor) []string {
	var value map[string]string
	if err := json.Unmarshal([]byte(dev.Secret(v.Name, v.Secret)), &value); err != nil {
		panic(fmt.Sprintf("%s: the dev secret is not a JSON object of strings: %v", v.Name, err))
	}
	return slices.Sorted(maps.Keys(value))
}

// sessionSettings are in every function's environment; SESSION_SECRET_ID
// joins them in hs256 mode only.
var sessionSettings = []string{
	"SESSION_MODE", "SESSION_ISSUER", "SESSION_AUDIENCE", "SESSION_JWKS_URL", "SESSION_ALGORITHMS",
	"SESSION_REQUIRED_SCOPE", "SESSION_LEEWAY", "SESSION_USER_ID_CLAIM", "SESSION_EMAIL_CLAIM",
	"SESSION_NAME_CLAIM", "SESSION_EMAIL_VERIFIED_CLAIM", "SESSION_TRUST_UNVERIFIED_EMAIL", "SECRETS_TTL",
	"METRICS_NAMESPACE",
}

// requiredParams are the parameters every scenario gives: those without a
// default, and those the template's Rules require while their vendor is on
// (each vendor's required settings, at their examples).
var requiredParams = func() map[string]string {
	params := map[string]string{
		"SessionIssuer":   "https://issuer.example.com/",
		"SessionAudience": "app-client-1,app-client-2",
	}
	for _, v := range vendors.All() {
		maps.Copy(params, vendorParams(v))
	}
	return params
}()

// vendorSettings are v's required settings, at their examples: what its
// Configure needs to accept the rest.
func vendorSettings(v descriptor.Vendor) map[string]string {
	settings := map[string]string{}
	for _, s := range v.Settings {
		if s.Required {
			settings[s.Name] = s.Example
		}
	}
	return settings
}

// vendorParams are the parameters v's Rules require: its required
// settings, at their examples.
func vendorParams(v descriptor.Vendor) map[string]string {
	params := map[string]string{}
	for _, s := range v.Settings {
		if s.Required {
			params[s.Parameter()] = s.Example
		}
	}
	return params
}

func existingARN(name string) string {
	return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:existing/" + name + "-AbCdEf"
}

// scenarios are the deployments the checks run against: each session mode,
// with secrets created by the stack and with existing secrets.
var scenarios = []struct {
	name   string
	params map[string]string
}{
	{"authorizer, secrets created", map[string]string{"SessionMode": "authorizer"}},
	{"authorizer with a required scope", map[string]string{"SessionMode": "authorizer", "SessionRequiredScope": "tokens:issue"}},
	{"jwks, existing secrets", withExistingSecrets(map[string]string{
		"SessionMode":    "jwks",
		"SessionJwksUrl": "https://issuer.example.com/.well-known/jwks.json",
	})},
	{"hs256, secrets created", map[string]string{"SessionMode": "hs256"}},
	{"hs256 behind the protected front", map[string]string{"SessionMode": "hs256", "ProtectedFront": "true", "AWS::Region": "us-east-1"}},
	{"hs256, existing secrets", withExistingSecrets(map[string]string{
		"SessionMode":              "hs256",
		"ExistingSessionSecretArn": existingARN("session"),
	})},
}

// withExistingSecrets adds an existing secret's ARN for every vendor to params.
func withExistingSecrets(params map[string]string) map[string]string {
	for _, f := range contractFunctions {
		params["Existing"+f.vendor+"SecretArn"] = existingARN(strings.ToLower(f.vendor))
	}
	return params
}

// deploy returns the template resolved for one scenario.
func deploy(t *testing.T, tpl map[string]any, params map[string]string) *stack {
	t.Helper()
	all := maps.Clone(requiredParams)
	maps.Copy(all, params)
	s, err := newStack(tpl, all)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// secretARN is what the stack passes as the secret's ARN: the existing one
// if given, else a Ref to the secret it creates.
func (s *stack) secretARN(vendor string) string {
	if arn, _ := s.params["Existing"+vendor+"SecretArn"].(string); arn != "" {
		return arn
	}
	return "ref:" + vendor + "Secret"
}

func TestTemplateRoutes(t *testing.T) {
	got, err := TemplateRoutes(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var want []Route
	for _, f := range contractFunctions {
		want = append(want, f.routes...)
	}
	slices.SortFunc(want, func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
	if !slices.Equal(got, want) {
		t.Errorf("routes:\n got %v\nwant %v", got, want)
	}
}

// TestUnverifiedEmailIsNotTrustedByDefault holds the one way to count
// unverified emails to an explicit parameter that is off unless set.
func TestUnverifiedEmailIsNotTrustedByDefault(t *testing.T) {
	tpl := mustReadTemplate(t)
	param := field(tpl, "Parameters", "SessionTrustUnverifiedEmail")
	if got := field(param, "AllowedValues"); !equalJSON(got, []any{"false", "true"}) {
		t.Errorf("SessionTrustUnverifiedEmail AllowedValues = %v, want false, true", got)
	}
	if got := field(param, "Default"); got != "false" {
		t.Errorf("SessionTrustUnverifiedEmail Default = %#v, want \"false\"", got)
	}
	if got := field(tpl, "Parameters", "SessionEmailVerifiedClaim", "Default"); got != "email_verified" {
		t.Errorf("SessionEmailVerifiedClaim Default = %v, want email_verified", got)
	}
	for _, params := range []map[string]string{
		{},
		{"SessionTrustUnverifiedEmail": "true", "SessionEmailVerifiedClaim": "mail_ok"},
	} {
		s := deploy(t, tpl, params)
		for _, f := range contractFunctions {
			props, err := s.resolve(mergeGlobals(field(tpl, "Globals", "Function"), field(tpl, "Resources", f.logicalID, "Properties")))
			if err != nil {
				t.Fatal(err)
			}
			env, _ := field(props, "Environment", "Variables").(map[string]any)
			for name, param := range map[string]string{
				"SESSION_TRUST_UNVERIFIED_EMAIL": "SessionTrustUnverifiedEmail",
				"SESSION_EMAIL_VERIFIED_CLAIM":   "SessionEmailVerifiedClaim",
			} {
				if got, want := env[name], s.params[param]; got != want {
					t.Errorf("%v: %s: %s = %v, want %v", params, f.logicalID, name, got, want)
				}
			}
		}
	}
	params := maps.Clone(requiredParams)
	params["SessionTrustUnverifiedEmail"] = "yes"
	if _, err := newStack(tpl, params); err == nil {
		t.Error(`SessionTrustUnverifiedEmail accepts "yes"`)
	}
}

func TestFunctions(t *testing.T) {
	tpl := mustReadTemplate(t)
	for _, sc := range scenarios {
		s := deploy(t, tpl, sc.params)
		mode := s.params["SessionMode"]
		for _, f := range contractFunctions {
			t.Run(sc.name+"/"+f.logicalID, func(t *testing.T) {
				res := field(tpl, "Resources", f.logicalID)
				if got := field(res, "Type"); got != "AWS::Serverless::Function" {
					t.Fatalf("Type = %v", got)
				}
				if got := field(res, "Metadata", "BuildMethod"); got != "makefile" {
					t.Errorf("Metadata.BuildMethod = %v, want makefile", got)
				}
				props, err := s.resolve(mergeGlobals(field(tpl, "Globals", "Function"), field(res, "Properties")))
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					path []string
					want any
				}{
					{[]string{"Runtime"}, "provided.al2023"},
					{[]string{"Architectures"}, []any{"arm64"}},
					{[]string{"Handler"}, "bootstrap"},
					{[]string{"LoggingConfig", "LogFormat"}, "JSON"},
					{[]string{"LoggingConfig", "LogGroup"}, "ref:" + f.logicalID + "LogGroup"},
					{[]string{"LoggingConfig", "ApplicationLogLevel"}, s.params["ApplicationLogLevel"]},
				} {
					if got := field(props, c.path...); !equalJSON(got, c.want) {
						t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
					}
				}
				for _, name := range []string{"MemorySize", "Timeout"} {
					if n, ok := field(props, name).(int); !ok || n <= 0 {
						t.Errorf("%s = %v, want a positive number", name, field(props, name))
					}
				}
				if _, ok := field(props, "Role").(string); ok {
					t.Error("a Role is given: the function must get its own role from Policies")
				}

				// Environment: the contract's names, nothing else.
				env, _ := field(props, "Environment", "Variables").(map[string]any)
				want := slices.Concat(sessionSettings, f.settings)
				if mode == "hs256" {
					want = append(want, "SESSION_SECRET_ID")
				}
				if s.params["ProtectedFront"] == "true" {
					want = append(want, "FRONT_SECRET_ID")
				}
				slices.Sort(want)
				if got := slices.Sorted(maps.Keys(env)); !slices.Equal(got, want) {
					t.Errorf("environment:\n got %v\nwant %v", got, want)
				}
				for name, want := range map[string]any{
					"SESSION_MODE":                           mode,
					"SESSION_AUDIENCE":                       requiredParams["SessionAudience"],
					strings.ToUpper(f.vendor) + "_SECRET_ID": s.secretARN(f.vendor),
				} {
					if got := env[name]; got != want {
						t.Errorf("%s = %v, want %v", name, got, want)
					}
				}
				if mode == "hs256" && env["SESSION_SECRET_ID"] != s.secretARN("Session") {
					t.Errorf("SESSION_SECRET_ID = %v, want %v", env["SESSION_SECRET_ID"], s.secretARN("Session"))
				}

				// Policies: read access to its own secrets, nothing else.
				var read []string
				policies, _ := field(props, "Policies").([]any)
				for _, p := range policies {
					arn, ok := field(p, "AWSSecretsManagerGetSecretValuePolicy", "SecretArn").(string)
					if m, _ := p.(map[string]any); !ok || len(m) != 1 {
						t.Errorf("policy %v: only AWSSecretsManagerGetSecretValuePolicy with a SecretArn is allowed", p)
						continue
					}
					read = append(read, arn)
				}
				wantRead := []string{s.secretARN(f.vendor)}
				if mode == "hs256" {
					wantRead = append(wantRead, s.secretARN("Session"))
				}
				if s.params["ProtectedFront"] == "true" {
					wantRead = append(wantRead, "ref:FrontOriginSecret")
				}
				slices.Sort(read)
				slices.Sort(wantRead)
				if !slices.Equal(read, wantRead) {
					t.Errorf("secrets readable:\n got %v\nwant %v", read, wantRead)
				}

				// Events: the contract's routes on TokenApi, payload 2.0.
				events, _ := field(props, "Events").(map[string]any)
				var routes []Route
				for name, e := range events {
					if field(e, "Type") != "HttpApi" || field(e, "Properties", "ApiId") != "ref:TokenApi" ||
						field(e, "Properties", "PayloadFormatVersion") != "2.0" {
						t.Errorf("event %s: want an HttpApi event on TokenApi with PayloadFormatVersion 2.0, got %v", name, e)
					}
					method, _ := field(e, "Properties", "Method").(string)
					p, _ := field(e, "Properties", "Path").(string)
					routes = append(routes, Route{strings.ToUpper(method), p, f.logicalID})
				}
				byRoute := func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) }
				slices.SortFunc(routes, byRoute)
				if want := slices.SortedFunc(slices.Values(f.routes), byRoute); !slices.Equal(routes, want) {
					t.Errorf("routes = %v, want %v", routes, want)
				}
			})
		}
	}
}

// The template may name a *_SECRET_JSON variable only to declare it for
// `sam local invoke --env-vars` (which overrides declared variables only),
// with the value AWS::NoValue, which CloudFormation removes: no deployed
// function ever has one.
func TestSecretJSONIsNeverSet(t *testing.T) {
	tpl := mustReadTemplate(t)
	walk(tpl, nil, func(path []string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for k, x := range m {
			if strings.HasSuffix(k, "_SECRET_JSON") && !equalJSON(x, map[string]any{"Ref": "AWS::NoValue"}) {
				t.Errorf("%s.%s = %v: a *_SECRET_JSON may only be declared as !Ref AWS::NoValue", strings.Join(path, "."), k, x)
			}
		}
	})
	for _, sc := range scenarios {
		s := deploy(t, tpl, sc.params)
		resolved, err := s.deployed()
		if err != nil {
			t.Fatal(err)
		}
		walk(resolved, nil, func(path []string, v any) {
			if str, ok := v.(string); ok && strings.Contains(str, "_SECRET_JSON") {
				t.Errorf("%s: %s: %s is set", sc.name, strings.Join(path, "."), str)
			}
			if m, ok := v.(map[string]any); ok {
				for k := range m {
					if strings.HasSuffix(k, "_SECRET_JSON") {
						t.Errorf("%s: %s.%s is set", sc.name, strings.Join(path, "."), k)
					}
				}
			}
		})
	}
}

func TestLogGroups(t *testing.T) {
	tpl := mustReadTemplate(t)
	resources := field(tpl, "Resources").(map[string]any)
	var groups []string
	for id, r := range resources {
		if field(r, "Type") == "AWS::Logs::LogGroup" {
			groups = append(groups, id)
		}
	}
	var want []string
	for _, f := range contractFunctions {
		id := f.logicalID + "LogGroup"
		want = append(want, id)
		if got := field(resources, f.logicalID, "Properties", "LoggingConfig", "LogGroup"); !equalJSON(got, map[string]any{"Ref": id}) {
			t.Errorf("%s LoggingConfig.LogGroup = %v, want !Ref %s", f.logicalID, got, id)
		}
		if got := field(resources, id, "Properties", "RetentionInDays"); !equalJSON(got, map[string]any{"Ref": "LogRetentionInDays"}) {
			t.Errorf("%s RetentionInDays = %v, want !Ref LogRetentionInDays", id, got)
		}
	}
	want = append(want, "TokenApiAccessLogGroup")
	if got := field(resources, "TokenApiAccessLogGroup", "Properties", "RetentionInDays"); !equalJSON(got, map[string]any{"Ref": "ApiAccessLogRetentionInDays"}) {
		t.Errorf("TokenApiAccessLogGroup RetentionInDays = %v, want !Ref ApiAccessLogRetentionInDays", got)
	}
	slices.Sort(groups)
	slices.Sort(want)
	if !slices.Equal(groups, want) {
		t.Errorf("log groups = %v, want one per function and TokenApi's %v", groups, want)
	}
	if got := field(tpl, "Parameters", "LogRetentionInDays", "Default"); got == nil {
		t.Error("LogRetentionInDays has no default")
	}
}

func TestTokenApi(t *testing.T) {
	tpl := mustReadTemplate(t)
	api := field(tpl, "Resources", "TokenApi")
	if got := field(api, "Type"); got != "AWS::Serverless::HttpApi" {
		t.Fatalf("TokenApi Type = %v", got)
	}
	for _, c := range []struct {
		path  []string
		param string
		typ   string
	}{
		{[]string{"CorsConfiguration", "AllowOrigins"}, "AllowedOrigins", "CommaDelimitedList"},
		{[]string{"DefaultRouteSettings", "ThrottlingBurstLimit"}, "ThrottlingBurstLimit", "Number"},
		{[]string{"DefaultRouteSettings", "ThrottlingRateLimit"}, "ThrottlingRateLimit", "Number"},
	} {
		if got := field(api, append([]string{"Properties"}, c.path...)...); !equalJSON(got, map[string]any{"Ref": c.param}) {
			t.Errorf("TokenApi %s = %v, want !Ref %s", strings.Join(c.path, "."), got, c.param)
		}
		if got := field(tpl, "Parameters", c.param, "Type"); got != c.typ {
			t.Errorf("parameter %s Type = %v, want %s", c.param, got, c.typ)
		}
	}
	// SAM resolves no intrinsic function in Auth, so the authorizer lives in
	// DefinitionBody, where CloudFormation resolves Fn::If (see template.yaml).
	if got := field(api, "Properties", "Auth"); got != nil {
		t.Errorf("TokenApi Auth = %v: the authorizer must be conditional, in DefinitionBody", got)
	}

	var want []Route
	for _, f := range contractFunctions {
		want = append(want, f.routes...)
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := deploy(t, tpl, sc.params)
			body, err := s.resolve(field(api, "Properties", "DefinitionBody"))
			if err != nil {
				t.Fatal(err)
			}
			withAuthorizer := s.params["SessionMode"] == "authorizer"

			// The document's operations are exactly the routes: SAM fills in
			// their integrations from the functions' events.
			paths, _ := field(body, "paths").(map[string]any)
			var ops []string
			for p, item := range paths {
				for method, op := range item.(map[string]any) {
					ops = append(ops, strings.ToUpper(method)+" "+p)
					security, has := op.(map[string]any)["security"]
					switch {
					case publicRoutes[strings.ToUpper(method)+" "+p]:
						if !has || !equalJSON(security, []any{}) {
							t.Errorf("%s %s needs no session: security = %v, want []", method, p, security)
						}
					case !withAuthorizer && has:
						t.Errorf("%s %s: security %v without the JWT authorizer", method, p, security)
					case withAuthorizer:
						scopes := []any{}
						if scope := s.params["SessionRequiredScope"]; scope != "" {
							scopes = []any{scope}
						}
						if want := []any{map[string]any{"SessionJwt": scopes}}; !equalJSON(security, want) {
							t.Errorf("%s %s: security = %v, want %v", method, p, security, want)
						}
					}
				}
			}
			var wantOps []string
			for _, r := range want {
				wantOps = append(wantOps, r.Method+" "+r.Path)
			}
			slices.Sort(ops)
			slices.Sort(wantOps)
			if !slices.Equal(ops, wantOps) {
				t.Errorf("DefinitionBody operations:\n got %v\nwant %v", ops, wantOps)
			}

			schemes := field(body, "components", "securitySchemes")
			if !withAuthorizer {
				if schemes != nil {
					t.Errorf("security schemes %v without the JWT authorizer", schemes)
				}
				return
			}
			wantScheme := map[string]any{"SessionJwt": map[string]any{
				"type": "oauth2",
				"x-amazon-apigateway-authorizer": map[string]any{
					"type":           "jwt",
					"identitySource": "$request.header.Authorization",
					"jwtConfiguration": map[string]any{
						"issuer":   requiredParams["SessionIssuer"],
						"audience": []any{"app-client-1", "app-client-2"},
					},
				},
			}}
			if !equalJSON(schemes, wantScheme) {
				t.Errorf("security schemes = %v, want %v", schemes, wantScheme)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	tpl := mustReadTemplate(t)
	secrets := map[string][]string{"Session": {"signing_key"}}
	for _, f := range contractFunctions {
		secrets[f.vendor] = f.secretKeys
	}
	for vendor, keys := range secrets {
		t.Run(vendor, func(t *testing.T) {
			param := "Existing" + vendor + "SecretArn"
			if got := field(tpl, "Parameters", param, "Default"); got != "" {
				t.Errorf("%s Default = %v, want empty (the stack creates the secret)", param, got)
			}
			res := field(tpl, "Resources", vendor+"Secret")
			if got := field(res, "Type"); got != "AWS::SecretsManager::Secret" {
				t.Fatalf("%sSecret Type = %v", vendor, got)
			}
			if got := field(res, "Condition"); got != "Create"+vendor+"Secret" {
				t.Errorf("%sSecret Condition = %v", vendor, got)
			}
			raw, _ := field(res, "Properties", "SecretString").(string)
			var value map[string]string
			if err := json.Unmarshal([]byte(raw), &value); err != nil {
				t.Fatalf("SecretString %q: %v", raw, err)
			}
			if got := slices.Sorted(maps.Keys(value)); !slices.Equal(got, slices.Sorted(slices.Values(keys))) {
				t.Errorf("SecretString keys = %v, want %v", got, keys)
			}
			for k, v := range value {
				if v != "" {
					t.Errorf("SecretString %s = %q: placeholders stay empty so the function refuses to start until the real value is put", k, v)
				}
			}
		})
	}
	// An existing ARN means no secret is created.
	for _, sc := range scenarios {
		s := deploy(t, tpl, sc.params)
		for vendor := range secrets {
			created := s.conditions["Create"+vendor+"Secret"]
			existing := s.params["Existing"+vendor+"SecretArn"] != ""
			needed := vendor != "Session" || s.params["SessionMode"] == "hs256"
			if created != (needed && !existing) {
				t.Errorf("%s: %sSecret created = %v", sc.name, vendor, created)
			}
		}
	}
}

// urlOutputs are the route URL outputs, one per route path, named after
// it ("/x/auth-key" is XAuthKeyUrl), with their values on base.
func urlOutputs(base string) map[string]string {
	urls := map[string]string{}
	for _, f := range contractFunctions {
		for _, r := range f.routes {
			name := ""
			for part := range strings.SplitSeq(strings.Trim(r.Path, "/"), "/") {
				for word := range strings.FieldsFuncSeq(part, func(c rune) bool { return c == '-' || c == '_' || c == '.' }) {
					name += strings.ToUpper(word[:1]) + word[1:]
				}
			}
			urls[name+"Url"] = base + r.Path
		}
	}
	return urls
}

func TestOutputs(t *testing.T) {
	tpl := mustReadTemplate(t)
	const base = "https://{TokenApi}.execute-api.{AWS::Region}.{AWS::URLSuffix}"
	urls := urlOutputs(base)
	urls["ApiUrl"] = base
	for _, sc := range scenarios {
		s := deploy(t, tpl, sc.params)
		resolved, err := s.deployed()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		region := "{AWS::Region}"
		if r, ok := sc.params["AWS::Region"]; ok {
			region = r
		}
		for name, url := range urls {
			if s.params["ProtectedFront"] == "true" {
				url = strings.Replace(url, base, "https://{FrontDistribution.DomainName}", 1)
				want["FrontDistributionId"] = "ref:FrontDistribution"
			}
			want[name] = url
		}
		for _, f := range contractFunctions {
			want[f.vendor+"SecretArn"] = s.secretARN(f.vendor)
			want[f.logicalID+"Arn"] = "getatt:" + f.logicalID + ".Arn"
			want[f.logicalID+"Alias"] = "ref:" + f.logicalID + ".Alias"
		}
		if s.params["SessionMode"] == "hs256" {
			want["SessionSecretArn"] = s.secretARN("Session")
		}
		want["DashboardUrl"] = "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region + "#dashboards:name={Dashboard}"
		got := map[string]any{}
		for name, o := range field(resolved, "Outputs").(map[string]any) {
			got[name] = field(o, "Value")
		}
		if !equalJSON(got, want) {
			t.Errorf("%s: outputs:\n got %v\nwant %v", sc.name, got, want)
		}
	}
	// Every route has its URL among the outputs.
	routes, err := TemplateRoutes(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		if !slices.Contains(slices.Collect(maps.Values(urls)), base+r.Path) {
			t.Errorf("no output gives the URL of %s %s", r.Method, r.Path)
		}
	}
}

// Every Ref, Sub variable and condition name points at something that
// exists, and every parameter is used.
func TestReferences(t *testing.T) {
	tpl := mustReadTemplate(t)
	params := field(tpl, "Parameters").(map[string]any)
	resources := field(tpl, "Resources").(map[string]any)
	conditions := field(tpl, "Conditions").(map[string]any)
	used := map[string]bool{}
	known := func(name string) bool {
		_, p := params[name]
		_, r := resources[name]
		used[name] = true
		return p || r || strings.HasPrefix(name, "AWS::")
	}
	walk(tpl, nil, func(path []string, v any) {
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return
		}
		where := strings.Join(path, ".")
		for fn, arg := range m {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				if !known(samResource(tpl, name)) {
					t.Errorf("%s: Ref to unknown %v", where, arg)
				}
			case "Fn::Sub":
				str, _ := arg.(string)
				var vars map[string]any // of the two-value form
				if list, ok := arg.([]any); ok && len(list) == 2 {
					str, _ = list[0].(string)
					vars, _ = list[1].(map[string]any)
				}
				for _, match := range subVar.FindAllStringSubmatch(str, -1) {
					if _, isVar := vars[match[1]]; isVar {
						continue
					}
					if name, _, _ := strings.Cut(match[1], "."); !known(name) {
						t.Errorf("%s: Sub of unknown %s", where, match[1])
					}
				}
			case "Fn::If", "Condition":
				name := arg
				if list, ok := arg.([]any); ok && len(list) > 0 {
					name = list[0]
				}
				if _, ok := conditions[fmt.Sprint(name)]; !ok {
					t.Errorf("%s: unknown condition %v", where, name)
				}
			}
		}
	})
	for _, section := range []string{"Resources", "Outputs"} {
		for name, e := range field(tpl, section).(map[string]any) {
			if c, ok := field(e, "Condition").(string); ok && conditions[c] == nil {
				t.Errorf("%s.%s: unknown condition %s", section, name, c)
			}
		}
	}
	for name := range params {
		if !used[name] {
			t.Errorf("parameter %s is never used", name)
		}
	}
}

// samconfig.toml's parameter_overrides name template parameters and give
// them values the template accepts, so `sam deploy` cannot fail on a typo.
func TestSamconfigParameterOverrides(t *testing.T) {
	tpl := mustReadTemplate(t)
	data, err := os.ReadFile("../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile(`(?s)\[(\w+)\.deploy\.parameters\].*?parameter_overrides = """(.*?)"""`).FindAllStringSubmatch(string(data), -1)
	if len(blocks) != 2 {
		t.Fatalf("found parameter_overrides for %d environments, want default and prod", len(blocks))
	}
	pair := regexp.MustCompile(`(\w+)="([^"]*)"`)
	for _, b := range blocks {
		values := map[string]string{}
		for _, m := range pair.FindAllStringSubmatch(b[2], -1) {
			values[m[1]] = m[2]
		}
		if _, err := newStack(tpl, values); err != nil {
			t.Errorf("[%s.deploy.parameters] parameter_overrides: %v", b[1], err)
		}
	}
}

// events/env.json is what `sam local invoke --env-vars` reads. SAM CLI sets
// only variables the template declares for that function and silently drops
// the others, so every name in it must be declared.
func TestEnvJSONSetsDeclaredVariables(t *testing.T) {
	tpl := mustReadTemplate(t)
	var envFile map[string]map[string]string
	readJSON(t, "../events/env.json", &envFile)
	for _, f := range contractFunctions {
		vars, ok := envFile[f.logicalID]
		if !ok {
			t.Errorf("events/env.json has no %s", f.logicalID)
			continue
		}
		declared := mergeGlobals(field(tpl, "Globals", "Function", "Environment", "Variables"),
			field(tpl, "Resources", f.logicalID, "Properties", "Environment", "Variables")).(map[string]any)
		for name := range vars {
			if _, ok := declared[name]; !ok {
				t.Errorf("events/env.json %s.%s: not declared in template.yaml, so sam local would ignore it", f.logicalID, name)
			}
		}
		secretJSON := strings.ToUpper(f.vendor) + "_SECRET_JSON"
		var value map[string]string
		if err := json.Unmarshal([]byte(vars[secretJSON]), &value); err != nil {
			t.Errorf("events/env.json %s.%s: %v", f.logicalID, secretJSON, err)
		}
		if got := slices.Sorted(maps.Keys(value)); !slices.Equal(got, f.devKeys) {
			t.Errorf("events/env.json %s.%s keys = %v, want %v", f.logicalID, secretJSON, got, f.devKeys)
		}
		for k, v := range value {
			if !strings.Contains(v, "dev-only") {
				t.Errorf("events/env.json %s.%s %s: a dev value must say dev-only", f.logicalID, secretJSON, k)
			}
		}
	}
	for id := range envFile {
		if field(tpl, "Resources", id, "Type") != "AWS::Serverless::Function" {
			t.Errorf("events/env.json: %s is not a function of template.yaml", id)
		}
	}
}

// Each events/<vendor>.json is an HTTP API payload 2.0 event for one of the
// template's routes of that vendor's function.
func TestEventsMatchRoutes(t *testing.T) {
	for _, f := range contractFunctions {
		name := strings.ToLower(f.vendor) + ".json"
		t.Run(name, func(t *testing.T) {
			var event struct {
				Version        string `json:"version"`
				RouteKey       string `json:"routeKey"`
				RawPath        string `json:"rawPath"`
				RequestContext struct {
					Stage string `json:"stage"`
					HTTP  struct {
						Method string `json:"method"`
						Path   string `json:"path"`
					} `json:"http"`
					Authorizer struct {
						JWT struct {
							Claims map[string]string `json:"claims"`
						} `json:"jwt"`
					} `json:"authorizer"`
				} `json:"requestContext"`
			}
			readJSON(t, "../events/"+name, &event)
			rc := event.RequestContext
			route := Route{rc.HTTP.Method, rc.HTTP.Path, f.logicalID}
			if !slices.Contains(f.routes, route) {
				t.Errorf("%s %s is not a route of %s", rc.HTTP.Method, rc.HTTP.Path, f.logicalID)
			}
			if event.Version != "2.0" || event.RouteKey != route.Method+" "+route.Path || event.RawPath != route.Path || rc.Stage != "$default" {
				t.Errorf("version %q, routeKey %q, rawPath %q, stage %q do not describe %s %s on the $default stage",
					event.Version, event.RouteKey, event.RawPath, rc.Stage, route.Method, route.Path)
			}
			for _, claim := range []string{"sub", "email", "name"} {
				if rc.Authorizer.JWT.Claims[claim] == "" {
					t.Errorf("requestContext.authorizer.jwt.claims.%s is missing", claim)
				}
			}
		})
	}
}

// TestVendorSelection deploys all vendors and each one alone: a vendor that
// is off has no function, secret, log group, route or output, and its
// settings need no value.
func TestVendorSelection(t *testing.T) {
	tpl := mustReadTemplate(t)
	base := map[string]string{
		"SessionIssuer":   requiredParams["SessionIssuer"],
		"SessionAudience": requiredParams["SessionAudience"],
	}
	vendorOfPrefix := map[string]descriptor.Vendor{}
	for _, v := range vendors.All() {
		vendorOfPrefix[v.Prefix()] = v
	}
	type selection struct {
		name    string
		vendors []string // contractFunctions' vendor names
		vendorP string   // the Vendors parameter; "" for its default
	}
	all := []string{}
	for _, f := range contractFunctions {
		all = append(all, f.vendor)
	}
	selections := []selection{{"all by default", all, ""}}
	for _, f := range contractFunctions {
		selections = append(selections, selection{f.vendor + " alone", []string{f.vendor}, strings.ToLower(f.vendor)})
	}
	if len(all) > 1 {
		first, last := all[0], all[len(all)-1]
		selections = append(selections, selection{first + " and " + last, []string{first, last}, strings.ToLower(last + "," + first)})
	}
	for _, sel := range selections {
		for _, mode := range []string{"authorizer", "hs256"} {
			t.Run(sel.name+"/"+mode, func(t *testing.T) {
				params := maps.Clone(base)
				params["SessionMode"] = mode
				if sel.vendorP != "" {
					params["Vendors"] = sel.vendorP
				}
				for _, v := range sel.vendors {
					maps.Copy(params, vendorParams(vendorOfPrefix[v]))
				}
				s, err := newStack(tpl, params)
				if err != nil {
					t.Fatal(err)
				}
				d, err := s.deployed()
				if err != nil {
					t.Fatal(err)
				}
				// Every resource and output named after a vendor is there
				// exactly when the vendor is on, and an enabled vendor has at
				// least its function, log group and secret, and its outputs.
				vendorOf := func(name string) string {
					for _, f := range contractFunctions {
						if strings.HasPrefix(name, f.vendor) {
							return f.vendor
						}
					}
					return ""
				}
				var wantResources, wantOutputs, wantOps []string
				var gotResources, gotOutputs []string
				for _, section := range []string{"Resources", "Outputs"} {
					for name := range field(tpl, section).(map[string]any) {
						if v := vendorOf(name); v != "" && slices.Contains(sel.vendors, v) {
							if section == "Resources" {
								wantResources = append(wantResources, name)
							} else {
								wantOutputs = append(wantOutputs, name)
							}
						}
					}
					for name := range field(d, section).(map[string]any) {
						if vendorOf(name) == "" {
							continue
						}
						if section == "Resources" {
							gotResources = append(gotResources, name)
						} else {
							gotOutputs = append(gotOutputs, name)
						}
					}
				}
				for _, f := range contractFunctions {
					if !slices.Contains(sel.vendors, f.vendor) {
						continue
					}
					for _, id := range []string{f.logicalID, f.logicalID + "LogGroup", f.vendor + "Secret"} {
						if field(d, "Resources", id) == nil {
							t.Errorf("%s is missing", id)
						}
					}
					for _, name := range []string{f.vendor + "SecretArn", f.logicalID + "Arn", f.logicalID + "Alias"} {
						if field(d, "Outputs", name) == nil {
							t.Errorf("output %s is missing", name)
						}
					}
					for _, r := range f.routes {
						wantOps = append(wantOps, r.Method+" "+r.Path)
					}
				}
				if got := field(d, "Resources", "SessionSecret") != nil; got != (mode == "hs256") {
					t.Errorf("SessionSecret created = %v in %s mode", got, mode)
				}
				var gotURLs int
				for name := range field(d, "Outputs").(map[string]any) {
					if strings.HasSuffix(name, "Url") && vendorOf(name) != "" {
						gotURLs++
					}
				}
				var gotOps []string
				paths, _ := field(d, "Resources", "TokenApi", "Properties", "DefinitionBody", "paths").(map[string]any)
				for p, item := range paths {
					for method := range item.(map[string]any) {
						gotOps = append(gotOps, strings.ToUpper(method)+" "+p)
					}
				}
				for _, c := range []struct {
					what      string
					got, want []string
				}{
					{"vendor resources", gotResources, wantResources},
					{"vendor outputs", gotOutputs, wantOutputs},
					{"DefinitionBody operations", gotOps, wantOps},
				} {
					slices.Sort(c.got)
					slices.Sort(c.want)
					if !slices.Equal(c.got, c.want) {
						t.Errorf("%s:\n got %v\nwant %v", c.what, c.got, c.want)
					}
				}
				wantURLs := 0
				for _, f := range contractFunctions {
					if slices.Contains(sel.vendors, f.vendor) {
						paths := map[string]bool{}
						for _, r := range f.routes {
							paths[r.Path] = true
						}
						wantURLs += len(paths)
					}
				}
				if gotURLs != wantURLs {
					t.Errorf("%d route URL outputs, want one per path of the vendors deployed (%d)", gotURLs, wantURLs)
				}
			})
		}
	}
}

// The Rules refuse a deployment that names an unknown vendor, or that
// deploys a vendor without one of its required settings.
func TestVendorRules(t *testing.T) {
	tpl := mustReadTemplate(t)
	type rule struct {
		name   string
		params map[string]string
		ok     bool
	}
	rules := []rule{{"unknown vendor", map[string]string{"Vendors": vendors.All()[0].Name + ",zzz"}, false}}
	for _, v := range vendors.All() {
		required := vendorParams(v)
		with := maps.Clone(required)
		with["Vendors"] = v.Name
		rules = append(rules, rule{v.Name + " with its required settings", with, true})
		for name := range required {
			without := maps.Clone(with)
			delete(without, name)
			rules = append(rules, rule{v.Name + " without " + name, without, false})
		}
	}
	for _, c := range rules {
		t.Run(c.name, func(t *testing.T) {
			params := map[string]string{"SessionIssuer": "https://issuer.example.com/", "SessionAudience": "app"}
			maps.Copy(params, c.params)
			_, err := newStack(tpl, params)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, errRule) {
				t.Fatalf("error = %v, want a failed rule", err)
			}
		})
	}
}

// A vendor's secret and log group are named after that vendor, and after
// no other: two vendors never share one, and an operator reading a name
// knows whose it is.
func TestResourceNamesCarryTheirVendor(t *testing.T) {
	tpl := mustReadTemplate(t)
	d, err := deploy(t, tpl, map[string]string{"SessionMode": "authorizer"}).deployed()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, v := range vendors.All() {
		for _, c := range []struct{ id, prop, want string }{
			{v.Prefix() + "Secret", "Name", "{AWS::StackName}/" + v.Name},
			{v.LogicalID + "LogGroup", "LogGroupName", "/aws/lambda/{AWS::StackName}/" + v.LogicalID},
		} {
			got, _ := field(d, "Resources", c.id, "Properties", c.prop).(string)
			if got != c.want {
				t.Errorf("%s %s = %q, want %q", c.id, c.prop, got, c.want)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("%s and %s share the name %q", c.id, other, got)
			}
			seen[got] = c.id
		}
	}
}

// Secrets and log groups survive `sam delete` and a replacement: what was
// pasted into a secret, and the audit trail, are never lost with the stack.
func TestSecretsAndLogsAreRetained(t *testing.T) {
	tpl := mustReadTemplate(t)
	var n int
	for id, r := range field(tpl, "Resources").(map[string]any) {
		if field(r, "Properties", "GenerateSecretString") != nil {
			continue // made by the stack, holding nothing anyone pasted in
		}
		switch field(r, "Type") {
		case "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup":
			n++
			for _, policy := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if got := field(r, policy); got != "Retain" {
					t.Errorf("%s %s = %v, want Retain", id, policy, got)
				}
			}
		}
	}
	if n == 0 {
		t.Error("no secret or log group found")
	}
}

// Each session mode's required parameters are checked by the Rules, so a
// deployment that could never start fails before any function exists.
func TestSessionModeRules(t *testing.T) {
	tpl := mustReadTemplate(t)
	for _, c := range []struct {
		name   string
		params map[string]string
		ok     bool
	}{
		{"jwks without SessionJwksUrl", map[string]string{"SessionMode": "jwks"}, false},
		{"jwks with SessionJwksUrl", map[string]string{"SessionMode": "jwks", "SessionJwksUrl": "https://issuer.example.com/jwks.json"}, true},
		{"authorizer", map[string]string{"SessionMode": "authorizer"}, true},
		{"hs256", map[string]string{"SessionMode": "hs256"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			params := maps.Clone(requiredParams)
			maps.Copy(params, c.params)
			_, err := newStack(tpl, params)
			if c.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !c.ok && !errors.Is(err, errRule) {
				t.Fatalf("error = %v, want a failed rule", err)
			}
		})
	}
}

// An Existing*SecretArn names exactly one secret: its full ARN, with the
// six characters Secrets Manager appends. A wildcard would let the
// function read every secret it matches.
func TestExistingSecretArnIsOneSecret(t *testing.T) {
	tpl := mustReadTemplate(t)
	const prefix = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
	names := []string{"ExistingSessionSecretArn"}
	for _, v := range vendors.All() {
		names = append(names, "Existing"+v.Prefix()+"SecretArn")
	}
	for _, name := range names {
		param := field(tpl, "Parameters", name)
		for value, ok := range map[string]bool{
			"":                                true,
			prefix + "prod/tokens/key-AbC123": true,
			"arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:key-AbC123": true,
			prefix + "*":                false,
			prefix + "prod/*":           false,
			prefix + "prod/key-*":       false,
			prefix + "prod/key":         false,
			prefix + "prod/key-AbC12?":  false,
			prefix + "prod/key-AbC123 ": false,
			"arn:aws:secretsmanager:eu-west-1:123456789012:secret:": false,
		} {
			if err := checkParam(name, param, value); (err == nil) != ok {
				t.Errorf("%s=%q: accepted %v, want %v", name, value, err == nil, ok)
			}
		}
	}
}
