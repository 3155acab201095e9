package hubspot

import (
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/upstream"
)

func TestDescriptor(t *testing.T) {
	v := Descriptor
	if v.Name != "hubspot" || v.LogicalID != "HubspotFunction" || v.Title != "HubSpot" || v.Prefix() != "Hubspot" {
		t.Errorf("names: %q %q %q", v.Name, v.LogicalID, v.Title)
	}
	if len(v.Routes) != 1 || v.Routes[0].Key() != "POST /hubspot/token" {
		t.Errorf("routes = %+v", v.Routes)
	}
	if v.Upstream == nil || v.Upstream.BaseURL != "HUBSPOT_BASE_URL" {
		t.Errorf("Upstream = %+v, want its base URL setting", v.Upstream)
	}
	if v.Secret.Setting != "HUBSPOT_SECRET_ID" || !slices.Equal(v.Secret.Keys, []string{"access_token"}) || v.Secret.Check == nil || v.Secret.Description == "" {
		t.Errorf("secret = %+v", v.Secret)
	}
	for _, doc := range v.Docs {
		if !strings.HasPrefix(doc, "https://developers.hubspot.com/docs/") {
			t.Errorf("doc %q is not one of HubSpot's pages", doc)
		}
	}
	var names []string
	for _, s := range v.Settings {
		names = append(names, s.Name)
		if s.Description == "" || s.Required || s.Default == "" || s.Pattern == "" || s.PatternHelp == "" {
			t.Errorf("setting %+v: want a description, a default and a template pattern", s)
		}
		if !regexp.MustCompile(s.Pattern).MatchString(s.Default) {
			t.Errorf("%s: the template pattern refuses the default %q", s.Name, s.Default)
		}
	}
	if !slices.Equal(names, []string{"HUBSPOT_BASE_URL", "HUBSPOT_TIMEOUT"}) {
		t.Errorf("settings = %q", names)
	}
	if s, _ := v.Setting("HUBSPOT_BASE_URL"); s.Default != "https://api.hubapi.com" {
		t.Errorf("HUBSPOT_BASE_URL defaults to %q", s.Default)
	}
	if s, _ := v.Setting("HUBSPOT_TIMEOUT"); s.Default != "3s" || s.Min != upstream.MinTimeout || s.Max != upstream.MaxTimeout || s.Bounds() != "100ms to 5s" {
		t.Errorf("HUBSPOT_TIMEOUT = %+v", s)
	}
	// The dev-only secret passes the secret's own check, so the local
	// server and sam local invoke can start.
	if err := v.Secret.Check(map[string][]byte{"access_token": []byte(dev.Value(v.Name, "access_token"))}); err != nil {
		t.Errorf("the dev-only access token is refused: %v", err)
	}
}

func TestConfigure(t *testing.T) {
	const base = "https://api.hubapi.com/" + Path
	tests := []struct {
		name     string
		env      map[string]string
		ok       bool
		endpoint string
		timeout  time.Duration
	}{
		{"defaults", map[string]string{}, true, base, DefaultTimeout},
		{"blank means the default", map[string]string{"HUBSPOT_BASE_URL": " ", "HUBSPOT_TIMEOUT": " "}, true, base, DefaultTimeout},
		{"https with a path and a timeout", map[string]string{"HUBSPOT_BASE_URL": "https://proxy.example.com/hubspot/", "HUBSPOT_TIMEOUT": "1500ms"},
			true, "https://proxy.example.com/hubspot/" + Path, 1500 * time.Millisecond},
		{"http localhost", map[string]string{"HUBSPOT_BASE_URL": "http://localhost:3000/hubspot-standin"}, true, "http://localhost:3000/hubspot-standin/" + Path, DefaultTimeout},
		{"http ::1", map[string]string{"HUBSPOT_BASE_URL": "http://[::1]:9"}, true, "http://[::1]:9/" + Path, DefaultTimeout},
		{"longest timeout", map[string]string{"HUBSPOT_TIMEOUT": "5s"}, true, base, upstream.MaxTimeout},
		{"shortest timeout", map[string]string{"HUBSPOT_TIMEOUT": "100ms"}, true, base, upstream.MinTimeout},
		{"http elsewhere", map[string]string{"HUBSPOT_BASE_URL": "http://api.hubapi.com"}, false, "", 0},
		{"http to a name that only looks local", map[string]string{"HUBSPOT_BASE_URL": "http://localhost.hubapi.com"}, false, "", 0},
		{"user info", map[string]string{"HUBSPOT_BASE_URL": "https://pat-na1-x:y@api.hubapi.com"}, false, "", 0},
		{"query", map[string]string{"HUBSPOT_BASE_URL": "https://api.hubapi.com/?hapikey=x"}, false, "", 0},
		{"no scheme", map[string]string{"HUBSPOT_BASE_URL": "api.hubapi.com"}, false, "", 0},
		{"timeout over the longest", map[string]string{"HUBSPOT_TIMEOUT": "5001ms"}, false, "", 0},
		{"timeout under the shortest", map[string]string{"HUBSPOT_TIMEOUT": "99ms"}, false, "", 0},
		{"not a duration", map[string]string{"HUBSPOT_TIMEOUT": "soon"}, false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(k string) string { return tt.env[k] })
			setup := configure(env)
			err := env.Err()
			if (err == nil) != tt.ok {
				t.Fatalf("env.Err() = %v, want ok = %v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, config.ErrInvalid) {
					t.Errorf("error %v is not a config error", err)
				}
				for _, v := range tt.env {
					if strings.Contains(err.Error(), v) {
						t.Errorf("error %q repeats the setting's value", err)
					}
				}
				return
			}
			if setup.Warm == nil {
				t.Error("no warm-up")
			}
			secret := secretstest.Offline(t, Descriptor.Secret, dev.Secret(Descriptor.Name, Descriptor.Secret))
			m := setup.NewMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*Minter)
			if m.api.URL != tt.endpoint || m.api.Timeout != tt.timeout {
				t.Errorf("endpoint %s, timeout %s; want %s, %s", m.api.URL, m.api.Timeout, tt.endpoint, tt.timeout)
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct {
		base    string
		timeout time.Duration
		ok      bool
	}{
		{DefaultBaseURL, DefaultTimeout, true},
		{"http://127.0.0.1:9", time.Second, true},
		{"http://api.hubapi.com", DefaultTimeout, false},
		{DefaultBaseURL, 10 * time.Second, false},
		{DefaultBaseURL, 0, false},
	} {
		m, err := New(tt.base, tt.timeout, &fakeCreds{values: original}, nil)
		if (err == nil) != tt.ok || (m != nil) != tt.ok {
			t.Errorf("New(%q, %s) = %v, %v; want ok = %v", tt.base, tt.timeout, m, err, tt.ok)
		}
	}
}

func TestCategory(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{hubspotError("INVALID_AUTHENTICATION", "x"), "INVALID_AUTHENTICATION"},
		{hubspotError("RATE_LIMITS", "x"), "RATE_LIMITS"},
		{hubspotError("VALIDATION_ERROR", "x"), "VALIDATION_ERROR"},
		{hubspotError("Invalid_Auth", "x"), ""},
		{hubspotError("AUTH.ERROR", "x"), ""},
		{hubspotError("AUTH-1", "x"), ""},
		{hubspotError(accessToken, "x"), ""},
		{`{"status": "error", "message": "INVALID_AUTHENTICATION"}`, ""},
		{`<html>INVALID_AUTHENTICATION</html>`, ""},
		{``, ""},
	} {
		if got := category([]byte(tt.body)); got != tt.want {
			t.Errorf("category(%.60q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
