package functions_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

// TestLocalRoutesMatchTemplate holds the local server's route table equal
// to template.yaml's routes, each served by the same function.
func TestLocalRoutesMatchTemplate(t *testing.T) {
	want, err := TemplateRoutes(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var got []Route
	for _, r := range localapi.Routes {
		got = append(got, Route{Method: r.Method, Path: r.Path, LogicalID: r.Vendor.LogicalID})
	}
	slices.SortFunc(got, func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
	if !slices.Equal(got, want) {
		t.Errorf("localapi.Routes:\n got %v\nwant %v (template.yaml)", got, want)
	}
}

// TestLocalDevSettingsMatchEnvJSON: `make local` and `sam local invoke
// --env-vars events/env.json` use the same dev secrets, and env.json points
// the Copilot function at the local server's Copilot stand-in, which
// accepts those credentials.
func TestLocalDevSettingsMatchEnvJSON(t *testing.T) {
	var envFile map[string]map[string]string
	readJSON(t, filepath.Join("..", "events", "env.json"), &envFile)
	dev := localapi.DevSettings()
	for id, vars := range envFile {
		for name, value := range vars {
			if !strings.HasSuffix(name, "_SECRET_JSON") && name != "CCAI_COMPANY_NAME" {
				continue
			}
			if !sameJSONOrText(value, dev[name]) {
				t.Errorf("events/env.json %s.%s differs from localapi.DevSettings", id, name)
			}
		}
	}
	want := "http://" + localapi.DefaultAddr + localapi.StandInPrefix
	if got := envFile["CopilotFunction"]["COPILOT_BASE_URL"]; got != want {
		t.Errorf("events/env.json CopilotFunction.COPILOT_BASE_URL = %q, want the local server's stand-in %q", got, want)
	}
}

// sameJSONOrText reports whether a and b are equal JSON values, or equal
// text when they are not JSON.
func sameJSONOrText(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return a == b
	}
	return reflect.DeepEqual(va, vb)
}
