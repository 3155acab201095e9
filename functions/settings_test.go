package functions_test

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// TestDurationParameterPatterns holds each duration setting's template
// parameter, where it has an AllowedPattern, to the bounds the function
// applies: CloudFormation refuses at deploy time exactly what would stop
// the function at cold start.
func TestDurationParameterPatterns(t *testing.T) {
	tpl := mustReadTemplate(t)
	for _, v := range vendors.All() {
		for _, s := range v.Settings {
			if !s.IsDuration() || s.Pattern == "" {
				continue
			}
			t.Run(s.Name, func(t *testing.T) {
				param := field(tpl, "Parameters", s.Parameter())
				accepts := func(value string) bool {
					settings := maps.Clone(vendorSettings(v))
					settings[s.Name] = value
					env := config.New(func(k string) string { return settings[k] })
					v.Configure(env)
					return env.Err() == nil
				}
				if def := fmt.Sprint(field(param, "Default")); !accepts(def) || checkParam(s.Parameter(), param, def) != nil {
					t.Errorf("the default %q is refused", def)
				}
				var values []string
				step := s.Max / 200
				for d := time.Duration(0); d <= 2*s.Max; d += step {
					values = append(values, fmt.Sprintf("%dms", d/time.Millisecond), d.String(), fmt.Sprintf("%gs", d.Seconds()))
				}
				values = append(values, s.Min.String(), s.Max.String(), (s.Max + time.Millisecond).String(), (s.Min - time.Millisecond).String(), "30s", "1m", "soon", "")
				for _, value := range values {
					if template, function := checkParam(s.Parameter(), param, value) == nil, accepts(value) && value != ""; template != function {
						t.Errorf("%s=%q: the template accepts it: %v, the function: %v", s.Name, value, template, function)
					}
				}
			})
		}
	}
}
