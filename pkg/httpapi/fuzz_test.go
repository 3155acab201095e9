package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
)

// FuzzHandle feeds raw API Gateway events through decoding and the handler:
// nothing may panic, and every answer is either the token, the public
// route's document (for its route key alone) or the contract's error body.
func FuzzHandle(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && !strings.HasSuffix(filepath.Base(name), "env.json") {
			f.Add(data)
		}
	}
	for _, seed := range []string{
		`{}`, `null`, `[]`, `{"headers":null,"body":"{}"}`,
		`{"headers":{"authorization":"Bearer x"},"body":"[1,2]","isBase64Encoded":false}`,
		`{"body":"e30=","isBase64Encoded":true}`,
		`{"body":"!!!","isBase64Encoded":true}`,
		`{"requestContext":{"authorizer":{"jwt":{"claims":null}}}}`,
		`{"headers":{"authorization":"Bearer ` + sessionToken + `"},"body":"{\"user_id\":\"x\"}"}`,
		`{"routeKey":"` + publicRoute + `"}`,
		`{"routeKey":"` + publicRoute + `","body":"[]","queryStringParameters":{"kid":"x"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req events.APIGatewayV2HTTPRequest
		if json.Unmarshal(raw, &req) != nil {
			return
		}
		var logs bytes.Buffer
		h := newHandler(fakeSession{}, &fakeMinter{}, &logs)
		h.Public = map[string]httpapi.Publisher{publicRoute: &fakePublisher{}}
		resp, err := h.Handle(context.Background(), req)
		if err != nil {
			t.Fatalf("Handle returned error %v", err)
		}
		if resp.StatusCode == 200 && req.RouteKey == publicRoute {
			if resp.Body != document {
				t.Fatalf("200 on the public route with body %s", resp.Body)
			}
			return
		}
		if resp.StatusCode == 200 {
			if resp.Body != `{"token":"`+mintedToken+`"}` {
				t.Fatalf("200 with body %s", resp.Body)
			}
			return
		}
		var env errorEnvelope
		if json.Unmarshal([]byte(resp.Body), &env) != nil || env.Error.Code == "" || env.Error.RequestID == "" {
			t.Fatalf("status %d with body %s", resp.StatusCode, resp.Body)
		}
	})
}
