package hubspottest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot/hubspottest"
)

const accessToken = "pat-na1-91d91373-8e94-4872-893c-e7d080224a56"

var uuid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestStandIn(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(hubspottest.StandIn{AccessToken: accessToken})
	t.Cleanup(ts.Close)
	url := ts.URL + "/" + hubspot.Path
	ok := "Bearer " + accessToken
	tokens := map[string]bool{}
	for _, tt := range []struct {
		name, method, url, auth, contentType, body string
		status                                     int
		category                                   string
	}{
		{"ok", "POST", url, ok, "application/json", `{"email":"a@example.com","firstName":"Ada","lastName":"Lovelace"}`, 200, ""},
		{"ok again, another token", "POST", url, ok, "application/json", `{"email":"a@example.com"}`, 200, ""},
		{"ok with a charset", "POST", url, ok, "application/json; charset=utf-8", `{"email":"a@example.com"}`, 200, ""},
		{"wrong token", "POST", url, "Bearer pat-na1-00000000-0000-4000-8000-000000000000", "application/json", `{"email":"a@example.com"}`, 401, "INVALID_AUTHENTICATION"},
		{"no credentials", "POST", url, "", "application/json", `{"email":"a@example.com"}`, 401, "INVALID_AUTHENTICATION"},
		{"empty bearer", "POST", url, "Bearer ", "application/json", `{"email":"a@example.com"}`, 401, "INVALID_AUTHENTICATION"},
		{"basic", "POST", url, "Basic " + accessToken, "application/json", `{"email":"a@example.com"}`, 401, "INVALID_AUTHENTICATION"},
		{"no email", "POST", url, ok, "application/json", `{"firstName":"Ada"}`, 400, "VALIDATION_ERROR"},
		{"blank email", "POST", url, ok, "application/json", `{"email":" "}`, 400, "VALIDATION_ERROR"},
		{"email not a string", "POST", url, ok, "application/json", `{"email":42}`, 400, "VALIDATION_ERROR"},
		{"name not a string", "POST", url, ok, "application/json", `{"email":"a@example.com","lastName":["x"]}`, 400, "VALIDATION_ERROR"},
		{"not JSON", "POST", url, ok, "application/json", `email=a@example.com`, 400, "VALIDATION_ERROR"},
		{"too large", "POST", url, ok, "application/json", `{"email":"a@example.com","pad":"` + strings.Repeat("x", 5000) + `"}`, 400, "VALIDATION_ERROR"},
		{"form", "POST", url, ok, "application/x-www-form-urlencoded", `email=a@example.com`, 415, "VALIDATION_ERROR"},
		{"GET", "GET", url, ok, "", ``, 405, "VALIDATION_ERROR"},
		{"legacy path", "POST", ts.URL + "/visitor-identification/v3/tokens/create", ok, "application/json", `{"email":"a@example.com"}`, 404, "OBJECT_NOT_FOUND"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tt.method, tt.url, strings.NewReader(tt.body))
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %v, %v", tt.name, resp.StatusCode, out, err)
			continue
		}
		if tt.status == 200 {
			if token := out["token"]; len(token) < 32 || tokens[token] || len(out) != 1 {
				t.Errorf("%s: %v: want a fresh random token", tt.name, out)
			} else {
				tokens[token] = true
			}
			continue
		}
		if out["status"] != "error" || out["category"] != tt.category || out["message"] == "" || !uuid.MatchString(out["correlationId"]) || len(out) != 4 {
			t.Errorf("%s: %v, want HubSpot's error body with category %s", tt.name, out, tt.category)
		}
		if strings.Contains(fmt.Sprint(out), accessToken) {
			t.Errorf("%s: the answer repeats the access token", tt.name)
		}
	}
}

func TestDev(t *testing.T) {
	want := dev.Value("hubspot", "access_token")
	if got := hubspottest.Dev().AccessToken; got != want {
		t.Errorf("Dev().AccessToken = %q, want %q", got, want)
	}
	if len(want) < hubspot.MinAccessTokenLen {
		t.Errorf("the dev access token is shorter than %d characters: the function would refuse it", hubspot.MinAccessTokenLen)
	}
}

func ExampleStandIn() {
	srv := httptest.NewServer(hubspottest.StandIn{AccessToken: accessToken})
	defer srv.Close()

	for _, token := range []string{accessToken, "pat-na1-revoked"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/"+hubspot.Path, strings.NewReader(`{"email":"visitor@example.com"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		fmt.Printf("%d token: %v, category: %q\n", resp.StatusCode, body["token"] != "", body["category"])
	}
	// Output:
	// 200 token: true, category: ""
	// 401 token: false, category: "INVALID_AUTHENTICATION"
}
