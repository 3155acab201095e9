package generate

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

//go:embed template.yaml.tmpl samconfig.toml.tmpl event.json.tmpl
var templates embed.FS

// ErrMarker is returned when a doc lacks, or garbles, the markers of a
// table it must hold.
var ErrMarker = errors.New("generated-table markers")

// File is one generated file: its path from the repository root, and its
// content.
type File struct {
	Path    string
	Content []byte
}

// Files returns every generated file for vendors. Files with generated
// tables are read from root, and returned with those tables filled in.
func Files(root fs.FS, vendors []descriptor.Vendor) ([]File, error) {
	var out []File
	for _, name := range []string{"template.yaml", "samconfig.toml"} {
		b, err := execute(name+".tmpl", data{Vendors: vendors})
		if err != nil {
			return nil, err
		}
		out = append(out, File{name, b})
	}
	for _, v := range vendors {
		b, err := execute("event.json.tmpl", v)
		if err != nil {
			return nil, err
		}
		out = append(out, File{"events/" + v.Name + ".json", b})
	}
	out = append(out, File{"events/env.json", envFile(vendors, invokeSettings)},
		File{"events/start-api-env.json", envFile(vendors, startAPISettings)})

	docs := map[string]map[string]string{
		"README.md":             {"endpoints": endpointTable(vendors), "deploy-example": deployExample(vendors)},
		"docs/configuration.md": {"vendor-settings": settingsTable(vendors, true), "secrets": secretsTable(vendors)},
		"docs/deploy.md":        {"vendor-parameters": parametersTable(vendors)},
	}
	for _, v := range vendors {
		docs["pkg/"+v.Name+"/README.md"] = map[string]string{"reference": vendorReference(v)}
	}
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		old, err := fs.ReadFile(root, name)
		if err != nil {
			return nil, err
		}
		b, err := fillTables(name, old, docs[name])
		if err != nil {
			return nil, err
		}
		out = append(out, File{name, b})
	}
	return out, nil
}

// Obsolete returns the generated files that root holds but files (what
// Files returned) no longer has: the sample event of a vendor that is
// gone. make generate removes them.
func Obsolete(root fs.FS, files []File) ([]string, error) {
	have, err := fs.Glob(root, "events/*.json")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range have {
		if !slices.ContainsFunc(files, func(f File) bool { return f.Path == name }) {
			out = append(out, name)
		}
	}
	return out, nil
}

// data is what template.yaml.tmpl and samconfig.toml.tmpl are executed with.
type data struct {
	Vendors []descriptor.Vendor
}

// FunctionTimeout is every function's Timeout in template.yaml: how long
// Lambda lets one invocation run. A vendor whose requests wait on the
// vendor's API holds its longest wait under it.
const FunctionTimeout = 10 * time.Second

// TimeoutSeconds is FunctionTimeout in seconds, as the template gives it.
func (data) TimeoutSeconds() int { return int(FunctionTimeout / time.Second) }

// SecretArnPattern is the AllowedPattern of the Existing*SecretArn
// parameters: empty, or one secret's full ARN, which ends in "-" and six
// characters Secrets Manager adds to the name. A wildcard such as
// "secret:*" would grant the function every secret in the account's region.
func (data) SecretArnPattern() string {
	return `'^$|^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$'`
}

func execute(name string, d any) ([]byte, error) {
	t, err := template.New(name).Funcs(funcs(d)).ParseFS(templates, name)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func funcs(d any) template.FuncMap {
	var vendors []descriptor.Vendor
	if dd, ok := d.(data); ok {
		vendors = dd.Vendors
	}
	return template.FuncMap{
		"names": func(sep string) string {
			var n []string
			for _, v := range vendors {
				n = append(n, v.Name)
			}
			return strings.Join(n, sep)
		},
		"titles": func() string {
			var n []string
			for _, v := range vendors {
				n = append(n, v.Title)
			}
			return strings.Join(n, ", ")
		},
		"required": func() []config.Setting {
			var out []config.Setting
			for _, v := range vendors {
				for _, s := range v.Settings {
					if s.Required {
						out = append(out, s)
					}
				}
			}
			return out
		},
		"fold":             fold,
		"quote":            quote,
		"squote":           func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" },
		"join":             strings.Join,
		"lower":            strings.ToLower,
		"secretKeys":       secretKeys,
		"emptySecret":      emptySecret,
		"pattern":          pattern,
		"paramDescription": paramDescription,
		"paths":            paths,
		"events":           events,
		"routeList":        routeList,
		"eventID":          eventID,
		"hasBody":          func(r descriptor.Route) bool { return r.Method != "GET" },
	}
}

// fold wraps text into lines of at most 78 columns, each indented by
// indent spaces, for a YAML folded scalar.
func fold(indent int, text string) string {
	pad := strings.Repeat(" ", indent)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(pad)+len(line)+1+len(word) > 78 {
			lines = append(lines, pad+line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, pad+line), "\n")
}

// quote writes s as a double-quoted YAML (and JSON) string.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // a string always encodes
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// allKeys are the JSON keys a secret may hold.
func allKeys(s secrets.Spec) []string { return slices.Concat(s.Keys, s.Optional) }

// secretKeys writes a secret's layout: {"client_id", "client_secret"}, with
// "(at least one)" for a secret of optional keys only.
func secretKeys(s secrets.Spec) string {
	var q []string
	for _, k := range allKeys(s) {
		q = append(q, `"`+k+`"`)
	}
	out := "{" + strings.Join(q, ", ") + "}"
	if len(s.Keys) == 0 && len(s.Optional) > 1 {
		out += " (at least one)"
	}
	return out
}

// emptySecret is the value a created secret starts with: every required
// key, empty, which no function accepts. Optional keys are left out, for
// a present optional key must hold a value.
func emptySecret(s secrets.Spec) string {
	var q []string
	for _, k := range s.Keys {
		q = append(q, `"`+k+`":""`)
	}
	return "{" + strings.Join(q, ",") + "}"
}

// pattern is a setting's AllowedPattern; a required setting's parameter
// also accepts the empty default of a vendor that is not deployed.
func pattern(s config.Setting) string {
	if s.Required {
		return "^$|" + s.Pattern
	}
	return s.Pattern
}

func paramDescription(v descriptor.Vendor, s config.Setting) string {
	d := s.Description
	if b := s.Bounds(); b != "" && s.IsDuration() {
		d += " " + b + "."
	}
	if s.Required {
		d += " Required when " + v.Name + " is in Vendors."
	}
	return d
}

// path is one path of a vendor's routes, with its methods.
type routePath struct {
	Path    string
	Methods []string
	Query   string
	Public  []string // the methods of Methods that need no session
	Summary string   // what the path's routes answer, when not the vendor's Summary
}

// IsPublic reports whether the path's route of method needs no session.
func (p routePath) IsPublic(method string) bool { return slices.Contains(p.Public, method) }

// Label is the path as the docs list it, with its methods and whether
// they need a session: "GET or POST /x/token", "GET /x/keys.json (no
// session)".
func (p routePath) Label() string {
	label := strings.Join(p.Methods, " or ") + " " + p.Display()
	switch {
	case len(p.Public) == len(p.Methods):
		label += " (no session)"
	case len(p.Public) > 0:
		label += " (" + strings.Join(p.Public, " or ") + " without a session)"
	}
	return label
}

// Camel is the path's last segment in upper camel case, "/x/auth-key"
// giving "AuthKey": it names the path's output and events.
func (p routePath) Camel() string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(path.Base(p.Path), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// Display is the path as the docs show it, with its query parameters.
func (p routePath) Display() string {
	if p.Query != "" {
		return p.Path + "[?" + p.Query + "]"
	}
	return p.Path
}

func paths(v descriptor.Vendor) []routePath {
	var out []routePath
	for _, r := range v.Routes {
		i := slices.IndexFunc(out, func(p routePath) bool { return p.Path == r.Path })
		if i < 0 {
			out = append(out, routePath{Path: r.Path})
			i = len(out) - 1
		}
		out[i].Methods = append(out[i].Methods, r.Method)
		if r.Query != "" {
			out[i].Query = r.Query
		}
		if r.Public {
			out[i].Public = append(out[i].Public, r.Method)
		}
		if r.Summary != "" {
			out[i].Summary = r.Summary
		}
	}
	return out
}

// event is one HttpApi event of a function.
type event struct{ Name, Method, Path string }

func events(v descriptor.Vendor) []event {
	var out []event
	for _, p := range paths(v) {
		for _, m := range p.Methods {
			name := p.Camel()
			if len(p.Methods) > 1 {
				name += strings.ToUpper(m[:1]) + strings.ToLower(m[1:])
			}
			out = append(out, event{name, m, p.Path})
		}
	}
	return out
}

// routeList writes v's routes, each path's Label: "GET or POST
// /x/token, GET /x/keys.json (no session)".
func routeList(v descriptor.Vendor) string {
	var out []string
	for _, p := range paths(v) {
		out = append(out, p.Label())
	}
	return strings.Join(out, ", ")
}

// eventID is a stable, made-up id for a sample event: the same vendor
// always gets the same one.
func eventID(v descriptor.Vendor, n int) string {
	const hex = "0123456789abcdef"
	var h uint64 = 14695981039346656037
	for _, c := range []byte(v.Name) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	b := make([]byte, n)
	for i := range b {
		h = h*6364136223846793005 + 1442695040888963407
		b[i] = hex[h>>60]
	}
	return string(b)
}

// --- offline settings -----------------------------------------------------

// invokeSettings are a function's settings in events/env.json, for `sam
// local invoke -e events/<vendor>.json`: the sample events carry a claims
// map as API Gateway's JWT authorizer passes it, so authorizer mode; every
// vendor setting at its default (a required one at its example); the dev
// secret; and an upstream API at the local server's stand-in.
func invokeSettings(v descriptor.Vendor) map[string]string {
	settings := map[string]string{"SESSION_MODE": "authorizer", "SECRETS_TTL": "5m"}
	for _, s := range v.Settings {
		if s.Default != "" {
			settings[s.Name] = s.Default
		}
	}
	maps.Copy(settings, dev.Settings(v))
	if v.Upstream != nil {
		settings[v.Upstream.BaseURL] = "http://" + localapi.DefaultAddr + localapi.StandInPath(v)
	}
	return settings
}

// startAPISettings are a function's settings in
// events/start-api-env.json, for `sam local start-api`: hs256 sessions
// with the local server's issuer and audience, since SAM cannot run the
// JWT authorizer. The session key is not among them: the functions refuse
// the dev-only one, so make start-api adds the developer's own
// (localapi.StartAPIEnv).
func startAPISettings(v descriptor.Vendor) map[string]string {
	all := localapi.DevSettings()
	settings := map[string]string{}
	for _, name := range []string{"SESSION_MODE", "SESSION_ISSUER", "SESSION_AUDIENCE"} {
		settings[name] = all[name]
	}
	maps.Copy(settings, dev.Settings(v))
	if v.Upstream != nil {
		settings[v.Upstream.BaseURL] = "http://" + localapi.DefaultAddr + localapi.StandInPath(v)
	}
	return settings
}

func envFile(vendors []descriptor.Vendor, settings func(descriptor.Vendor) map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, v := range vendors {
		s, err := json.MarshalIndent(settings(v), "  ", "  ")
		if err != nil {
			panic(err) // a map of strings always marshals
		}
		fmt.Fprintf(&b, "  %q: %s", v.LogicalID, s)
		if i < len(vendors)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
