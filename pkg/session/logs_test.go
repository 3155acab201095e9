package session

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// noMinter is never reached: the session does not verify.
type noMinter struct{}

func (noMinter) Mint(context.Context, identity.Identity) (any, error) { return nil, nil }

// TestCallerTextInTheLog: a token whose header names a 4 KB kid full of
// control and format characters is refused, and the request's log line
// holds only a short, escaped excerpt of that kid.
func TestCallerTextInTheLog(t *testing.T) {
	k := keys()
	v := newTestJWKS(t, JWKSConfig{URL: newJWKSServer(t, issuerSet(t)).URL}, testOptions())
	// 4 KB, control and format characters first, a forged log line last.
	kid := "\x1b[2J\u202e\u200b\x00\n" + strings.Repeat("k", 4<<10-40) + "\n{\"level\":\"INFO\",\"msg\":\"forged\"}"
	signer := rsaSigner("RS256", crypto.SHA256, k.rsa, kid)
	token := signer.valid(t, nil)
	if len(token) > MaxTokenLen {
		t.Fatalf("the token is %d bytes, over MaxTokenLen", len(token))
	}

	var logs bytes.Buffer
	h := &httpapi.Handler{Session: v, Minter: noMinter{}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	resp, _ := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
		RouteKey: "POST /acme/token",
		Headers:  bearer(token).Headers,
	})
	if resp.StatusCode != 401 {
		t.Fatalf("status %d %s, want 401", resp.StatusCode, resp.Body)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	text, _ := line["error"].(string)
	if strings.Contains(logs.String(), "forged") {
		t.Errorf("the log holds the end of the kid: %s", logs.String())
	}
	if len(text) > 200 {
		t.Errorf("the error logged is %d bytes: %q", len(text), text)
	}
	for _, r := range text {
		if !unicode.IsGraphic(r) {
			t.Errorf("the error logged holds %U: %q", r, text)
		}
	}
	if want := `kid "\x1b[2J\u202e\u200b\x00\n` + strings.Repeat("k", 20) + `"...`; !strings.Contains(text, want) {
		t.Errorf("the error logged %q does not hold the kid's escaped excerpt %s", text, want)
	}
}
