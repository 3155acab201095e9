package function_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/front"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// With FRONT_SECRET_ID, a function answers only what came through the
// protected front: a request to the execute-api endpoint directly gets
// 403, even with a good session.
func TestBuildProtectedFront(t *testing.T) {
	const origin = "origin-token-for-tests-0123456789abcdef0123456789"
	srv := secretstest.NewServer(t, map[string]string{
		"app/session": `{"signing_key":"` + sessionKey + `"}`,
		"app/acme":    `{"secret":"` + vendorKey + `"}`,
		"app/front":   `{"origin_token":"` + origin + `"}`,
	})
	env := withEnv(hs256Env(), "FRONT_SECRET_ID", "app/front")
	var logs bytes.Buffer
	h, err := build(t, env, srv, &logs)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	session := "Bearer " + sessionToken(t, "user-42")
	for _, c := range []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"through the front", map[string]string{"authorization": session, front.OriginHeader: origin}, 200},
		{"around the front", map[string]string{"authorization": session}, 403},
		{"a guessed token", map[string]string{"authorization": session, front.OriginHeader: "guess"}, 403},
	} {
		resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{RouteKey: route, Headers: c.headers})
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, resp.Body)
		}
		if c.status == 403 && !strings.Contains(resp.Body, `"code":"forbidden"`) {
			t.Errorf("%s: body %s, want the forbidden error", c.name, resp.Body)
		}
	}
	if strings.Contains(logs.String(), origin) {
		t.Errorf("the log shows the origin token: %s", logs.String())
	}

	// A front token shorter than front.MinTokenBytes stops the function at start.
	short := secretstest.NewServer(t, map[string]string{
		"app/session": `{"signing_key":"` + sessionKey + `"}`,
		"app/acme":    `{"secret":"` + vendorKey + `"}`,
		"app/front":   `{"origin_token":"short"}`,
	})
	if _, err := build(t, env, short, &logs); err == nil || !strings.Contains(err.Error(), "FRONT_SECRET_ID") {
		t.Errorf("Build with a short origin token: %v, want an error naming FRONT_SECRET_ID", err)
	}
}
