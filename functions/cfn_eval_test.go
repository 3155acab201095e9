package functions_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalTemplate is a small template that exercises every intrinsic function
// and condition form the evaluator supports.
const evalTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Mode:
    Type: String
    Default: a
    AllowedValues: [a, b]
  Name:
    Type: String
    Default: ""
    AllowedPattern: "[a-z]*"
  Items:
    Type: CommaDelimitedList
    Default: "x,y"
  Required:
    Type: String
    MinLength: 2
Conditions:
  IsA: !Equals [!Ref Mode, a]
  IsB: !Not [!Condition IsA]
  HasName: !Not [!Equals [!Ref Name, ""]]
  AAndName: !And [!Condition IsA, !Condition HasName]
  AOrName: !Or [!Condition IsA, !Condition HasName]
  # List membership, as template.yaml tests it: y is in Items.
  HasY: !Not [!Equals [!Select [0, !Split [",y,", !Sub [",${L},", {L: !Join [",", !Ref Items]}]]], !Sub [",${L},", {L: !Join [",", !Ref Items]}]]]
Rules:
  ItemsKnown:
    Assertions:
      - Assert: !EachMemberIn [!Ref Items, [x, y, yy, z, p, q, r]]
        AssertDescription: unknown item
  ZNeedsName:
    RuleCondition: !Contains [!Ref Items, z]
    Assertions:
      - Assert: !Not [!Equals [!Ref Name, ""]]
        AssertDescription: z needs a name
Globals:
  Function:
    Timeout: 5
    Environment:
      Variables:
        GLOBAL: g
    Tags: [t1]
Resources:
  Always:
    Type: AWS::SNS::Topic
    Properties:
      Pick: !If [IsA, picked-a, picked-b]
      Dropped: !If [IsA, !Ref AWS::NoValue, kept]
      List: [one, !If [IsB, !Ref AWS::NoValue, two]]
      Joined: !Join ["-", !Ref Items]
      Sub: !Sub "${Mode}:${Always.Arn}:${AWS::Region}:${!Literal}"
      Att: !GetAtt Always.Arn
      Second: !Select [1, !Split ["-", "p-q-r"]]
      SubMap: !Sub ["${Items}/${Mode}/${AWS::Region}", {Items: !Join ["+", !Ref Items]}]
      Self: !Ref OnlyA
  OnlyA:
    Type: AWS::SNS::Topic
    Condition: IsA
Outputs:
  Out:
    Value: !Ref Required
  OnlyAOut:
    Condition: IsA
    Value: !Ref OnlyA
`

func evalStack(t *testing.T, values map[string]string) (*stack, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(evalTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	tpl, err := readTemplate(path)
	if err != nil {
		t.Fatal(err)
	}
	return newStack(tpl, values)
}

func TestStackConditions(t *testing.T) {
	for _, c := range []struct {
		name   string
		values map[string]string
		want   map[string]bool
	}{
		{"defaults", map[string]string{"Required": "rr"},
			map[string]bool{"IsA": true, "IsB": false, "HasName": false, "AAndName": false, "AOrName": true}},
		{"b with a name", map[string]string{"Required": "rr", "Mode": "b", "Name": "n"},
			map[string]bool{"IsA": false, "IsB": true, "HasName": true, "AAndName": false, "AOrName": true}},
		{"b without a name", map[string]string{"Required": "rr", "Mode": "b"},
			map[string]bool{"IsA": false, "IsB": true, "HasName": false, "AAndName": false, "AOrName": false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := evalStack(t, c.values)
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range c.want {
				if got := s.conditions[name]; got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
		})
	}
}

func TestStackResolve(t *testing.T) {
	for _, c := range []struct {
		name   string
		values map[string]string
		want   map[string]any // Resources.Always.Properties
	}{
		{"mode a", map[string]string{"Required": "rr"}, map[string]any{
			"Pick":   "picked-a",
			"List":   []any{"one", "two"},
			"Joined": "x-y",
			"Sub":    "a:{Always.Arn}:{AWS::Region}:${Literal}",
			"Att":    "getatt:Always.Arn",
			"Self":   "ref:OnlyA",
			"Second": "q",
			"SubMap": "x+y/a/{AWS::Region}",
		}},
		{"mode b", map[string]string{"Required": "rr", "Mode": "b", "Items": "p,q,r"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := evalStack(t, c.values)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.deployed()
			if c.want == nil {
				// Always refers to OnlyA, which mode b does not create.
				if err == nil || !strings.Contains(err.Error(), "OnlyA") {
					t.Fatalf("deployed() error = %v, want one about the Ref to OnlyA", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := field(d, "Resources", "Always", "Properties"); !equalJSON(got, c.want) {
				t.Errorf("properties:\n got %v\nwant %v", got, c.want)
			}
			if got := field(d, "Outputs", "Out", "Value"); got != "rr" {
				t.Errorf("Outputs.Out = %v, want the parameter's value", got)
			}
			if field(d, "Resources", "OnlyA") == nil || field(d, "Outputs", "OnlyAOut") == nil {
				t.Error("a resource or output whose condition holds is missing")
			}
		})
	}
}

// Fn::If takes the false branch, AWS::NoValue removes a list item, and a
// resource whose condition is false cannot be referred to.
func TestStackDropsFalseConditions(t *testing.T) {
	s, err := evalStack(t, map[string]string{"Required": "rr", "Mode": "b"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.resolve(field(s.tpl, "Resources", "Always", "Properties", "Dropped")); err != nil || got != "kept" {
		t.Errorf("Dropped = %v, %v; want kept", got, err)
	}
	if got, _ := s.resolve(field(s.tpl, "Resources", "Always", "Properties", "List")); !equalJSON(got, []any{"one"}) {
		t.Errorf("List = %v, want [one]: AWS::NoValue removes the item", got)
	}
	if _, err := s.ref("OnlyA", false); err == nil {
		t.Error("Ref to a resource whose condition is false resolved")
	}
}

// Parameter values are checked as CloudFormation checks them.
func TestStackParameters(t *testing.T) {
	for _, c := range []struct {
		name    string
		values  map[string]string
		wantErr string // "" for none
	}{
		{"all good", map[string]string{"Required": "rr"}, ""},
		{"no value and no default", map[string]string{}, "Required has no default"},
		{"unknown parameter", map[string]string{"Required": "rr", "Nope": "x"}, "no parameter Nope"},
		{"not an allowed value", map[string]string{"Required": "rr", "Mode": "c"}, "Mode"},
		{"pattern", map[string]string{"Required": "rr", "Name": "A1"}, "Name"},
		{"too short", map[string]string{"Required": "r"}, "shorter than 2"},
		{"rule: not a member", map[string]string{"Required": "rr", "Items": "x,w"}, "unknown item"},
		{"rule condition holds, assertion fails", map[string]string{"Required": "rr", "Items": "x,z"}, "z needs a name"},
		{"rule condition holds, assertion holds", map[string]string{"Required": "rr", "Items": "x,y", "Name": "n"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := evalStack(t, c.values)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, c.wantErr)
			case c.wantErr == "":
				if got := s.params["Items"]; !equalJSON(got, []any{"x", "y"}) {
					t.Errorf("Items = %v, want a list", got)
				}
			}
		})
	}
}

// A name is in a list exactly when the comma-wrapped list, split at the
// comma-wrapped name, does not come back whole.
func TestStackListMembership(t *testing.T) {
	for _, c := range []struct {
		items string
		want  bool
	}{
		{"x,y", true},
		{"y", true},
		{"y,x", true},
		{"x", false},
		{"yy,x", false},
		{"p,q,r", false},
	} {
		s, err := evalStack(t, map[string]string{"Required": "rr", "Items": c.items})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.conditions["HasY"]; got != c.want {
			t.Errorf("Items %q: HasY = %v, want %v", c.items, got, c.want)
		}
	}
}

func TestStackRuleError(t *testing.T) {
	_, err := evalStack(t, map[string]string{"Required": "rr", "Items": "z"})
	if !errors.Is(err, errRule) {
		t.Errorf("error = %v, want errRule", err)
	}
}

func TestMergeGlobals(t *testing.T) {
	global := map[string]any{
		"Timeout":     5,
		"Environment": map[string]any{"Variables": map[string]any{"GLOBAL": "g", "BOTH": "global"}},
		"Tags":        []any{"t1"},
		"Role":        map[string]any{"Ref": "GlobalRole"},
	}
	local := map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{"LOCAL": "l", "BOTH": "local"}},
		"Tags":        []any{"t2"},
		"Role":        map[string]any{"Fn::If": []any{"C", "a", "b"}},
	}
	want := map[string]any{
		"Timeout":     5,
		"Environment": map[string]any{"Variables": map[string]any{"GLOBAL": "g", "LOCAL": "l", "BOTH": "local"}},
		"Tags":        []any{"t1", "t2"},
		"Role":        map[string]any{"Fn::If": []any{"C", "a", "b"}},
	}
	if got := mergeGlobals(global, local); !equalJSON(got, want) {
		t.Errorf("mergeGlobals:\n got %v\nwant %v", got, want)
	}
}

// readTemplate turns CloudFormation's short forms into the long forms and
// refuses what CloudFormation would not read.
func TestReadTemplate(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		want       any // the value of key k
		wantErr    string
	}{
		{"Ref", "k: !Ref X", map[string]any{"Ref": "X"}, ""},
		{"GetAtt dotted", "k: !GetAtt A.B", map[string]any{"Fn::GetAtt": []any{"A", "B"}}, ""},
		{"If", "k: !If [C, 1, 2]", map[string]any{"Fn::If": []any{"C", 1, 2}}, ""},
		{"Sub keeps a string", "k: !Sub '1'", map[string]any{"Fn::Sub": "1"}, ""},
		{"unknown tag", "k: !Nope x", nil, "unknown tag"},
		{"duplicate key", "k: 1\nk: 2", nil, "duplicate key"},
		{"alias", "a: &x 1\nk: *x", nil, "anchors and aliases"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "t.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			tpl, err := readTemplate(path)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl["k"]; !equalJSON(got, c.want) {
				t.Errorf("k = %v, want %v", got, c.want)
			}
		})
	}
}
