package localapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

func TestNewEvent(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 123_000_000)
	body := []byte{0xff, 0x00, 'x'}
	r := httptest.NewRequest(http.MethodPost, "http://api.example.com:3000/example/token?a=1&a=2&b=x%20y", strings.NewReader(string(body)))
	r.RemoteAddr = "192.0.2.7:50123"
	r.Header.Set("User-Agent", "ExampleApp/1.0")
	r.Header.Set("Authorization", "Bearer t")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Add("Cookie", "a=1; b=2")
	r.Header.Add("Cookie", "c=3")
	r.Header.Set("X-Forwarded-For", "198.51.100.1")

	e, err := localapi.NewEvent(r, body, "POST /example/token", now)
	if err != nil {
		t.Fatal(err)
	}

	// As marshalled for the handler: the payload 2.0 field names.
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	rc := got["requestContext"].(map[string]any)
	want := map[string]any{
		"version":         "2.0",
		"routeKey":        "POST /example/token",
		"rawPath":         "/example/token",
		"rawQueryString":  "a=1&a=2&b=x%20y",
		"cookies":         []any{"a=1", "b=2", "c=3"},
		"isBase64Encoded": true,
		"body":            base64.StdEncoding.EncodeToString(body),
		"headers": map[string]any{
			"authorization":     "Bearer t",
			"user-agent":        "ExampleApp/1.0",
			"x-multi":           "one,two",
			"host":              "api.example.com:3000",
			"x-forwarded-for":   "198.51.100.1, 192.0.2.7",
			"x-forwarded-proto": "http",
			"x-forwarded-port":  "3000",
		},
		"queryStringParameters": map[string]any{"a": "1,2", "b": "x y"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	wantRC := map[string]any{
		"routeKey":     "POST /example/token",
		"stage":        "$default",
		"domainName":   "api.example.com",
		"domainPrefix": "api",
		"time":         "14/Nov/2023:22:13:20 +0000",
		"timeEpoch":    float64(1_700_000_000_123),
		"http": map[string]any{
			"method":    "POST",
			"path":      "/example/token",
			"protocol":  "HTTP/1.1",
			"sourceIp":  "192.0.2.7",
			"userAgent": "ExampleApp/1.0",
		},
	}
	for k, v := range wantRC {
		if !reflect.DeepEqual(rc[k], v) {
			t.Errorf("requestContext.%s = %#v, want %#v", k, rc[k], v)
		}
	}
	again, _ := localapi.NewEvent(r, body, "", now)
	if id, _ := rc["requestId"].(string); len(id) != 16 || id == again.RequestContext.RequestID {
		t.Errorf("requestId %q: want 16 random characters", id)
	}

	// A UTF-8 body is passed as it is; no query, no cookies.
	r = httptest.NewRequest(http.MethodGet, "/example/token", nil)
	e, err = localapi.NewEvent(r, []byte(`{"é":1}`), "GET /example/token", now)
	if err != nil || e.Body != `{"é":1}` || e.IsBase64Encoded || e.QueryStringParameters != nil || e.Cookies != nil || e.Headers["x-forwarded-port"] != "80" {
		t.Errorf("event %+v", e)
	}
}

// TestParseQuery: queryStringParameters as API Gateway gives them, and a
// parameter that cannot be decoded refuses the query rather than being
// dropped.
func TestParseQuery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		raw  string
		want map[string]string
		err  error
	}{
		{"", nil, nil},
		{"platform=ios", map[string]string{"platform": "ios"}, nil},
		{"a=1&a=2&b=x%20y", map[string]string{"a": "1,2", "b": "x y"}, nil},
		{"b=x+y&c=%2B", map[string]string{"b": "x y", "c": "+"}, nil},
		{"platform=", map[string]string{"platform": ""}, nil},
		{"platform", map[string]string{"platform": ""}, nil},
		{"a=1&&b=2&", map[string]string{"a": "1", "b": "2"}, nil},
		{"a=x=y", map[string]string{"a": "x=y"}, nil},
		{"platform=ios;", map[string]string{"platform": "ios;"}, nil}, // ";" separates nothing
		{"platform=ios;x=1", map[string]string{"platform": "ios;x=1"}, nil},
		{"%70latform=android", map[string]string{"platform": "android"}, nil},
		{"platform=android&x=%zz", nil, localapi.ErrBadQuery},
		{"x=%zz&platform=android", nil, localapi.ErrBadQuery},
		{"%zz=1&platform=android", nil, localapi.ErrBadQuery},
		{"platform=web%", nil, localapi.ErrBadQuery},
		{"platform=web%4", nil, localapi.ErrBadQuery},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := localapi.ParseQuery(tt.raw)
			if !errors.Is(err, tt.err) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q) = %v, %v; want %v, %v", tt.raw, got, err, tt.want, tt.err)
			}
		})
	}
}

// fakeHandler records the events it gets and answers with resp and err.
type fakeHandler struct {
	resp events.APIGatewayV2HTTPResponse
	err  error

	mu  sync.Mutex
	got []events.APIGatewayV2HTTPRequest
}

func (f *fakeHandler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := ctx.Deadline(); !ok {
		return events.APIGatewayV2HTTPResponse{}, errors.New("no deadline")
	}
	f.got = append(f.got, req)
	return f.resp, f.err
}

// TestServerResponses: how the server passes requests to a handler and
// writes back what it returns.
func TestServerResponses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    *fakeHandler
		status     int
		body       string
		header     http.Header
		errorCode  string
		noHandlers bool
	}{
		{
			name: "headers, multi-value headers and cookies",
			handler: &fakeHandler{resp: events.APIGatewayV2HTTPResponse{
				StatusCode:        201,
				Headers:           map[string]string{"Content-Type": "text/plain", "X-One": "1"},
				MultiValueHeaders: map[string][]string{"X-Two": {"a", "b"}},
				Cookies:           []string{"s=1; HttpOnly", "t=2"},
				Body:              "made",
			}},
			status: 201,
			body:   "made",
			header: http.Header{"Content-Type": {"text/plain"}, "X-One": {"1"}, "X-Two": {"a", "b"}, "Set-Cookie": {"s=1; HttpOnly", "t=2"}},
		},
		{
			name:    "base64 body",
			handler: &fakeHandler{resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: base64.StdEncoding.EncodeToString([]byte{0, 1}), IsBase64Encoded: true}},
			status:  200,
			body:    "\x00\x01",
		},
		{
			name:      "bad base64",
			handler:   &fakeHandler{resp: events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "!", IsBase64Encoded: true}},
			status:    500,
			errorCode: "internal",
		},
		{
			name:      "no status",
			handler:   &fakeHandler{resp: events.APIGatewayV2HTTPResponse{Body: "{}"}},
			status:    500,
			errorCode: "internal",
		},
		{
			name:      "handler error",
			handler:   &fakeHandler{err: errors.New("secret detail")},
			status:    500,
			errorCode: "internal",
		},
		{
			name:       "a function without a handler is not served",
			handler:    &fakeHandler{},
			noHandlers: true,
			status:     404,
			errorCode:  "not_found",
		},
	}
	first := localapi.Routes[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			handlers := map[string]localapi.Handler{first.Vendor.LogicalID: tt.handler}
			if tt.noHandlers {
				handlers = nil
			}
			ts := httptest.NewServer(localapi.NewServer(handlers, nil))
			t.Cleanup(ts.Close)
			resp := call(t, first.Method, ts.URL+first.Path+"?x=1", "tok", []byte(`{"a":1}`))
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.status, tt.status, resp.body)
			}
			if tt.errorCode != "" {
				if !strings.Contains(string(resp.body), `"code":"`+tt.errorCode+`"`) || strings.Contains(string(resp.body), "secret") {
					t.Errorf("body %s, want code %s and no detail", resp.body, tt.errorCode)
				}
			} else if string(resp.body) != tt.body {
				t.Errorf("body %q, want %q", resp.body, tt.body)
			}
			for k, v := range tt.header {
				if got := resp.header.Values(k); !reflect.DeepEqual(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.noHandlers {
				return
			}
			if len(tt.handler.got) != 1 {
				t.Fatalf("handler called %d times", len(tt.handler.got))
			}
			e := tt.handler.got[0]
			if e.RouteKey != first.Key() || e.RawQueryString != "x=1" || e.Body != `{"a":1}` ||
				e.Headers["authorization"] != "Bearer tok" || e.RequestContext.HTTP.SourceIP != "127.0.0.1" ||
				e.RequestContext.RequestID != resp.header.Get("Apigw-Requestid") {
				t.Errorf("event %+v, Apigw-Requestid %q", e, resp.header.Get("Apigw-Requestid"))
			}
		})
	}
}
