package copilottest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/copilot/copilottest"
)

func TestStandIn(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(copilottest.StandIn{ClientID: "id", ClientSecret: "secret"})
	t.Cleanup(ts.Close)
	url := ts.URL + "/" + copilot.Path
	keys := map[string]bool{}
	for _, tt := range []struct {
		name, method, url, auth, body string
		status                        int
		reason                        string
	}{
		{"ok", "POST", url, copilot.BasicAuth("id", "secret"), `{"user_id":"u1"}`, 200, ""},
		{"ok again, another key", "POST", url, copilot.BasicAuth("id", "secret"), `{"user_id":"u1"}`, 200, ""},
		{"wrong secret", "POST", url, copilot.BasicAuth("id", "nope"), `{"user_id":"u1"}`, 401, "AUTH.UNAUTHORIZED"},
		{"wrong id", "POST", url, copilot.BasicAuth("di", "secret"), `{"user_id":"u1"}`, 401, "AUTH.UNAUTHORIZED"},
		{"no credentials", "POST", url, "", `{"user_id":"u1"}`, 401, "AUTH.UNAUTHORIZED"},
		{"bearer", "POST", url, "Bearer x", `{"user_id":"u1"}`, 401, "AUTH.UNAUTHORIZED"},
		{"no user id", "POST", url, copilot.BasicAuth("id", "secret"), `{}`, 400, "VALIDATION.USER_ID"},
		{"not JSON", "POST", url, copilot.BasicAuth("id", "secret"), `user_id=u1`, 400, "VALIDATION.USER_ID"},
		{"GET", "GET", url, copilot.BasicAuth("id", "secret"), ``, 405, "METHOD_NOT_ALLOWED"},
		{"other path", "POST", ts.URL + "/v2/api/other", copilot.BasicAuth("id", "secret"), `{"user_id":"u1"}`, 404, "NOT_FOUND"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, tt.url, strings.NewReader(tt.body))
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %v, %v", tt.name, resp.StatusCode, out, err)
			continue
		}
		if tt.status == 200 {
			if key := out["auth_key"]; len(key) < 32 || keys[key] || len(out) != 1 {
				t.Errorf("%s: %v: want a fresh random auth_key", tt.name, out)
			} else {
				keys[key] = true
			}
		} else if out["reason"] != tt.reason {
			t.Errorf("%s: %v, want reason %s", tt.name, out, tt.reason)
		}
	}
}

func ExampleStandIn() {
	srv := httptest.NewServer(copilottest.StandIn{ClientID: "id", ClientSecret: "secret"})
	defer srv.Close()

	for _, auth := range []string{copilot.BasicAuth("id", "secret"), copilot.BasicAuth("id", "wrong")} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+copilot.Path, strings.NewReader(`{"user_id":"u1"}`))
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.Contains(string(body), `"auth_key":`), strings.TrimSpace(string(body)) == `{"reason":"AUTH.UNAUTHORIZED"}`)
	}
	// Output:
	// 200 true false
	// 401 false true
}
