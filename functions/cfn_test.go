package functions_test

// A CloudFormation template reader and evaluator for the template tests:
// readTemplate decodes template.yaml as CloudFormation reads it, and a stack
// resolves it for one set of parameter values as CloudFormation would at
// deploy time. Its own tests are in cfn_eval_test.go.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func mustReadTemplate(t *testing.T) map[string]any {
	t.Helper()
	tpl, err := readTemplate(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// readTemplate decodes a CloudFormation YAML template into maps, slices and
// scalars, turning every short-form tag into the long form CloudFormation
// reads it as: !Ref x is {"Ref": x}, !If [...] is {"Fn::If": [...]}, and
// !GetAtt a.b is {"Fn::GetAtt": [a, b]}.
func readTemplate(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := fromNode(&doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	tpl, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", path)
	}
	return tpl, nil
}

// shortForms maps CloudFormation's YAML tags to the functions they stand for.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!And": "Fn::And", "!Equals": "Fn::Equals", "!If": "Fn::If", "!Not": "Fn::Not", "!Or": "Fn::Or",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!FindInMap": "Fn::FindInMap", "!GetAtt": "Fn::GetAtt",
	"!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue", "!Join": "Fn::Join", "!Select": "Fn::Select",
	"!Split": "Fn::Split", "!Sub": "Fn::Sub", "!Transform": "Fn::Transform",
	// Rule functions, used only in a template's Rules.
	"!Contains": "Fn::Contains", "!EachMemberEquals": "Fn::EachMemberEquals", "!EachMemberIn": "Fn::EachMemberIn",
}

func fromNode(n *yaml.Node) (any, error) {
	if fn, ok := shortForms[n.Tag]; ok {
		plain := *n
		plain.Tag = ""
		if n.Kind == yaml.ScalarNode {
			plain.Tag = "!!str" // the argument of a scalar short form is a name or a string
		}
		arg, err := fromNode(&plain)
		if err != nil {
			return nil, err
		}
		if s, ok := arg.(string); ok && fn == "Fn::GetAtt" {
			resource, attr, _ := strings.Cut(s, ".")
			arg = []any{resource, attr}
		}
		return map[string]any{fn: arg}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, errors.New("want exactly one YAML document")
		}
		return fromNode(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: keys must be plain scalars", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := fromNode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromNode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		err := n.Decode(&v)
		return v, err
	}
	return nil, fmt.Errorf("line %d: YAML anchors and aliases are not used in CloudFormation templates", n.Line)
}

// field returns the value at path in nested maps, or nil.
func field(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// walk calls fn for v and everything inside it, with the path that leads there.
func walk(v any, path []string, fn func(path []string, v any)) {
	fn(path, v)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walk(x, append(slices.Clip(path), k), fn)
		}
	case []any:
		for i, x := range v {
			walk(x, append(slices.Clip(path), fmt.Sprint(i)), fn)
		}
	}
}

func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// intrinsic reports whether m is an intrinsic function, {"Ref": x} or
// {"Fn::<name>": args} or {"Condition": name}, and returns its name and
// argument.
func intrinsic(m map[string]any) (fn string, arg any, ok bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		fn, arg = k, v
	}
	return fn, arg, fn == "Ref" || fn == "Condition" || strings.HasPrefix(fn, "Fn::")
}

func isIntrinsic(m map[string]any) bool {
	_, _, ok := intrinsic(m)
	return ok
}

// mergeGlobals merges a Globals section into a resource's properties the
// way SAM does: maps merge key by key, lists are concatenated with the
// globals first, and anything else (intrinsic functions included) is taken
// from the resource when it has it.
func mergeGlobals(global, local any) any {
	switch {
	case global == nil:
		return local
	case local == nil:
		return global
	}
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok && !isIntrinsic(gm) && !isIntrinsic(lm) {
		out := maps.Clone(gm)
		for k, v := range lm {
			out[k] = mergeGlobals(gm[k], v)
		}
		return out
	}
	gs, gok := global.([]any)
	ls, lok := local.([]any)
	if gok && lok {
		return slices.Concat(gs, ls)
	}
	return local
}

// --- resolving the template for one deployment -------------------------------

// stack is a template resolved for one set of parameter values, the way
// CloudFormation resolves it at deploy time: conditions are evaluated,
// Fn::If takes one branch, AWS::NoValue removes what holds it, and a
// parameter's Ref gives its value. A resource's Ref gives "ref:<LogicalID>",
// a pseudo parameter its value when one is given (as "AWS::Region" among
// the parameter values) or else "{AWS::Name}", and ${Name} in Fn::Sub "{Name}" for a
// resource or pseudo parameter.
type stack struct {
	tpl        map[string]any
	params     map[string]any // string, or []any for a CommaDelimitedList
	conditions map[string]bool
	pseudo     map[string]string // pseudo parameters given a value, such as "AWS::Region"
}

// noValue is what Ref AWS::NoValue resolves to; resolve drops it.
type noValue struct{}

var subVar = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

func newStack(tpl map[string]any, values map[string]string) (*stack, error) {
	s := &stack{tpl: tpl, params: map[string]any{}, conditions: map[string]bool{}, pseudo: map[string]string{}}
	params, _ := tpl["Parameters"].(map[string]any)
	for name, v := range values {
		if strings.HasPrefix(name, "AWS::") {
			s.pseudo[name] = v
			continue
		}
		if _, ok := params[name]; !ok {
			return nil, fmt.Errorf("no parameter %s", name)
		}
	}
	for name, p := range params {
		value, given := values[name]
		if !given {
			def := field(p, "Default")
			if def == nil {
				return nil, fmt.Errorf("parameter %s has no default and no value", name)
			}
			value = fmt.Sprint(def)
		}
		if err := checkParam(name, p, value); err != nil {
			return nil, err
		}
		s.params[name] = value
		if field(p, "Type") == "CommaDelimitedList" {
			var list []any
			for _, v := range strings.Split(value, ",") {
				list = append(list, v)
			}
			s.params[name] = list
		}
	}
	if err := s.checkRules(); err != nil {
		return nil, err
	}
	conditions, _ := tpl["Conditions"].(map[string]any)
	for name := range conditions {
		if _, err := s.condition(name, nil); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// errRule is returned by newStack when an assertion of the template's
// Rules fails, as CloudFormation refuses such a deployment before any
// change.
var errRule = errors.New("rule assertion fails")

// checkRules applies the template's Rules: each rule whose RuleCondition
// holds (or that has none) must have every Assertion hold.
func (s *stack) checkRules() error {
	rules, _ := s.tpl["Rules"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		rule := rules[name]
		if c := field(rule, "RuleCondition"); c != nil {
			ok, err := s.evalCondition(c, nil)
			if err != nil {
				return fmt.Errorf("rule %s: %w", name, err)
			}
			if !ok {
				continue
			}
		}
		assertions, _ := field(rule, "Assertions").([]any)
		for _, a := range assertions {
			ok, err := s.evalCondition(field(a, "Assert"), nil)
			if err != nil {
				return fmt.Errorf("rule %s: %w", name, err)
			}
			if !ok {
				return fmt.Errorf("rule %s: %w: %v", name, errRule, field(a, "AssertDescription"))
			}
		}
	}
	return nil
}

// checkParam applies a parameter's constraints to value, as CloudFormation does.
func checkParam(name string, p any, value string) error {
	if allowed, ok := field(p, "AllowedValues").([]any); ok {
		if !slices.ContainsFunc(allowed, func(a any) bool { return fmt.Sprint(a) == value }) {
			return fmt.Errorf("parameter %s: %q is not one of %v", name, value, allowed)
		}
	}
	if pattern, ok := field(p, "AllowedPattern").(string); ok {
		if !regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(value) {
			return fmt.Errorf("parameter %s: %q does not match %s", name, value, pattern)
		}
	}
	if n, ok := field(p, "MinLength").(int); ok && len(value) < n {
		return fmt.Errorf("parameter %s: %q is shorter than %d", name, value, n)
	}
	return nil
}

func (s *stack) condition(name string, seen []string) (bool, error) {
	if v, ok := s.conditions[name]; ok {
		return v, nil
	}
	if slices.Contains(seen, name) {
		return false, fmt.Errorf("condition %s depends on itself", name)
	}
	def := field(s.tpl, "Conditions", name)
	if def == nil {
		return false, fmt.Errorf("no condition %s", name)
	}
	v, err := s.evalCondition(def, append(seen, name))
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	s.conditions[name] = v
	return v, nil
}

func (s *stack) evalCondition(def any, seen []string) (bool, error) {
	m, _ := def.(map[string]any)
	fn, arg, ok := intrinsic(m)
	if !ok {
		return false, fmt.Errorf("not a condition function: %v", def)
	}
	args, _ := arg.([]any)
	switch fn {
	case "Condition":
		return s.condition(fmt.Sprint(arg), seen)
	case "Fn::Equals":
		if len(args) != 2 {
			return false, errors.New("Fn::Equals takes two values")
		}
		a, err := s.resolve(args[0])
		if err != nil {
			return false, err
		}
		b, err := s.resolve(args[1])
		return equalJSON(a, b), err
	case "Fn::Not":
		if len(args) != 1 {
			return false, errors.New("Fn::Not takes one condition")
		}
		v, err := s.evalCondition(args[0], seen)
		return !v, err
	case "Fn::Contains", "Fn::EachMemberIn":
		// Rule functions: Contains [list, value], EachMemberIn [list, allowed].
		if len(args) != 2 {
			return false, fmt.Errorf("%s takes two values", fn)
		}
		a, err := s.resolve(args[0])
		if err != nil {
			return false, err
		}
		b, err := s.resolve(args[1])
		if err != nil {
			return false, err
		}
		list, _ := a.([]any)
		if fn == "Fn::Contains" {
			return slices.ContainsFunc(list, func(x any) bool { return equalJSON(x, b) }), nil
		}
		allowed, _ := b.([]any)
		for _, x := range list {
			if !slices.ContainsFunc(allowed, func(y any) bool { return equalJSON(x, y) }) {
				return false, nil
			}
		}
		return true, nil
	case "Fn::And", "Fn::Or":
		all := fn == "Fn::And"
		for _, a := range args {
			v, err := s.evalCondition(a, seen)
			if err != nil || v != all {
				return v, err
			}
		}
		return all, nil
	}
	return false, fmt.Errorf("not a condition function: %s", fn)
}

// deployed returns what CloudFormation would create: the Globals, the
// resources and the outputs whose condition holds, resolved.
func (s *stack) deployed() (map[string]any, error) {
	out := map[string]any{}
	for _, section := range []string{"Globals", "Resources", "Outputs"} {
		kept := map[string]any{}
		entries, _ := s.tpl[section].(map[string]any)
		for name, e := range entries {
			if c, ok := field(e, "Condition").(string); ok && section != "Globals" && !s.conditions[c] {
				continue
			}
			r, err := s.resolve(e)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", section, name, err)
			}
			kept[name] = r
		}
		out[section] = kept
	}
	return out, nil
}

// resolve returns v with every intrinsic function resolved.
func (s *stack) resolve(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if fn, arg, ok := intrinsic(v); ok {
			return s.apply(fn, arg)
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			r, err := s.resolve(x)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if _, drop := r.(noValue); !drop {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, x := range v {
			r, err := s.resolve(x)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if _, drop := r.(noValue); !drop {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

// apply resolves the intrinsic function fn with its argument.
func (s *stack) apply(fn string, arg any) (any, error) {
	args, _ := arg.([]any)
	switch fn {
	case "Ref":
		return s.ref(fmt.Sprint(arg), false)
	case "Fn::If":
		if len(args) != 3 {
			return nil, errors.New("Fn::If takes a condition and two values")
		}
		ok, err := s.condition(fmt.Sprint(args[0]), nil)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.resolve(args[1])
		}
		return s.resolve(args[2])
	case "Fn::Join":
		if len(args) != 2 {
			return nil, errors.New("Fn::Join takes a delimiter and a list")
		}
		list, err := s.resolve(args[1])
		if err != nil {
			return nil, err
		}
		items, ok := list.([]any)
		if !ok {
			return nil, fmt.Errorf("Fn::Join of %v, not a list", list)
		}
		var parts []string
		for _, it := range items {
			parts = append(parts, fmt.Sprint(it))
		}
		return strings.Join(parts, fmt.Sprint(args[0])), nil
	case "Fn::Split":
		if len(args) != 2 {
			return nil, errors.New("Fn::Split takes a delimiter and a string")
		}
		v, err := s.resolve(args[1])
		if err != nil {
			return nil, err
		}
		str, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Split of %v, not a string", v)
		}
		var parts []any
		for _, p := range strings.Split(str, fmt.Sprint(args[0])) {
			parts = append(parts, p)
		}
		return parts, nil
	case "Fn::Select":
		if len(args) != 2 {
			return nil, errors.New("Fn::Select takes an index and a list")
		}
		v, err := s.resolve(args[1])
		if err != nil {
			return nil, err
		}
		list, ok := v.([]any)
		i, ierr := strconv.Atoi(fmt.Sprint(args[0]))
		if !ok || ierr != nil || i < 0 || i >= len(list) {
			return nil, fmt.Errorf("Fn::Select %v of %v: no such element", args[0], v)
		}
		return list[i], nil
	case "Fn::Sub":
		str, ok := arg.(string)
		vars := map[string]any{}
		if !ok {
			// The two-value form: a string and a map of variables.
			if len(args) != 2 {
				return nil, errors.New("Fn::Sub takes a string, or a string and a map of variables")
			}
			str, ok = args[0].(string)
			m, mok := args[1].(map[string]any)
			if !ok || !mok {
				return nil, errors.New("Fn::Sub takes a string and a map of variables")
			}
			for k, x := range m {
				r, err := s.resolve(x)
				if err != nil {
					return nil, fmt.Errorf("Fn::Sub variable %s: %w", k, err)
				}
				vars[k] = r
			}
		}
		var err error
		out := subVar.ReplaceAllStringFunc(str, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := vars[name]; ok {
				return fmt.Sprint(v)
			}
			resource, _, _ := strings.Cut(name, ".")
			v, rerr := s.ref(resource, true)
			if rerr != nil {
				err = rerr
			}
			if r, ok := v.(string); ok && strings.HasPrefix(r, "ref:") {
				return "{" + name + "}"
			}
			return fmt.Sprint(v)
		})
		return strings.ReplaceAll(out, "${!", "${"), err
	case "Fn::GetAtt":
		if len(args) != 2 {
			return nil, errors.New("Fn::GetAtt takes a resource and an attribute")
		}
		if _, err := s.ref(fmt.Sprint(args[0]), false); err != nil {
			return nil, err
		}
		return fmt.Sprintf("getatt:%v.%v", args[0], args[1]), nil
	}
	return nil, fmt.Errorf("%s is not supported by this test", fn)
}

// ref resolves a Ref (or a ${Name} of Fn::Sub) to name.
func (s *stack) ref(name string, inSub bool) (any, error) {
	switch {
	case name == "AWS::NoValue" && !inSub:
		return noValue{}, nil
	case strings.HasPrefix(name, "AWS::"):
		if v, ok := s.pseudo[name]; ok {
			return v, nil
		}
		return "{" + name + "}", nil
	}
	if v, ok := s.params[name]; ok {
		if _, isList := v.([]any); isList && inSub {
			return nil, fmt.Errorf("${%s}: a list cannot be substituted", name)
		}
		return v, nil
	}
	resource := name
	if !inSub {
		resource = samResource(s.tpl, name)
	}
	res := field(s.tpl, "Resources", resource)
	if res == nil {
		return nil, fmt.Errorf("Ref to unknown %s", name)
	}
	if c, ok := field(res, "Condition").(string); ok && !s.conditions[c] {
		return nil, fmt.Errorf("Ref to %s, which is not created (condition %s is false)", name, c)
	}
	return "ref:" + name, nil
}

// samGenerated are the resources SAM makes for a resource of a type that
// a template may Ref as <LogicalID>.<Name>: a function's alias and version
// (AutoPublishAlias), an HTTP API's stage.
var samGenerated = map[string][]string{
	"AWS::Serverless::Function": {"Alias", "Version"},
	"AWS::Serverless::HttpApi":  {"Stage"},
}

// samResource returns the logical ID of the template resource that name
// refers to: name itself, or for <LogicalID>.<Name> of samGenerated, the
// resource SAM makes it for.
func samResource(tpl map[string]any, name string) string {
	base, generated, ok := strings.Cut(name, ".")
	if !ok {
		return name
	}
	typ, _ := field(tpl, "Resources", base, "Type").(string)
	if slices.Contains(samGenerated[typ], generated) {
		return base
	}
	return name
}
