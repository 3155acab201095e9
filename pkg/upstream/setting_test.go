package upstream

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
)

// TestTimeoutSetting: the setting reads as documented, and its template
// pattern accepts exactly the durations the function accepts.
func TestTimeoutSetting(t *testing.T) {
	s := TimeoutSetting("VENDOR_TIMEOUT", "Vendor Chat", 3*time.Second)
	if s.Name != "VENDOR_TIMEOUT" || s.Default != "3s" || s.Min != MinTimeout || s.Max != MaxTimeout || !strings.Contains(s.Description, "one Vendor Chat exchange") {
		t.Errorf("setting = %+v", s)
	}
	pattern := regexp.MustCompile(s.Pattern)
	var values []string
	for d := time.Duration(0); d <= 2*MaxTimeout; d += 25 * time.Millisecond {
		values = append(values, fmt.Sprintf("%dms", d/time.Millisecond), d.String(), fmt.Sprintf("%gs", d.Seconds()))
	}
	values = append(values, "5.0s", "0.1s", ".1s", "99ms", "5001ms", "1m", "soon", "")
	for _, v := range values {
		env := config.New(func(string) string { return v })
		env.Period(s)
		function := env.Err() == nil && v != ""
		if template := pattern.MatchString(v); template != function {
			t.Errorf("%q: the template accepts it: %v, the function: %v", v, template, function)
		}
	}
}

func TestBaseURL(t *testing.T) {
	required := config.Setting{Name: "VENDOR_BASE_URL", Required: true}
	defaulted := config.Setting{Name: "VENDOR_BASE_URL", Default: "https://api.example.com"}
	for _, tt := range []struct {
		name    string
		setting config.Setting
		value   string
		want    string
		err     error
	}{
		{"set", required, "https://eu.example.com/v2", "https://eu.example.com/v2", nil},
		{"loopback", required, "http://127.0.0.1:3000/vendor-standin", "http://127.0.0.1:3000/vendor-standin", nil},
		{"required and unset", required, "", "", config.ErrMissing},
		{"refused", required, "http://eu.example.com", "", config.ErrInvalid},
		{"default", defaulted, "", "https://api.example.com", nil},
		{"default replaced", defaulted, "http://localhost:9", "http://localhost:9", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(string) string { return tt.value })
			u := BaseURL(env, tt.setting)
			got := ""
			if u != nil {
				got = u.String()
			}
			if got != tt.want || !errors.Is(env.Err(), tt.err) || (tt.err == nil) != (env.Err() == nil) {
				t.Errorf("BaseURL = %q, %v; want %q, %v", got, env.Err(), tt.want, tt.err)
			}
			if tt.value != "" && env.Err() != nil && strings.Contains(env.Err().Error(), tt.value) {
				t.Errorf("the error %q repeats the value", env.Err())
			}
		})
	}
}
