package stream_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/session"
	"github.com/vendortokens/vendor-token-functions/pkg/stream"
)

var (
	// testKey has the shape of a Stream API secret: 64 characters of
	// [0-9a-z].
	testKey = []byte("k3x9q2m7v8p4w6r1t5y0u2i8o3a7s9d4f6g1h5j0l2z8c3b7n9e4q6w1r5t0y2u8")
	testNow = time.Date(2023, 11, 14, 22, 13, 20, 987654321, time.UTC) // Unix 1700000000.987654321
	// testIat is the iat every token issued at testNow carries: whole
	// seconds, IssuedAtSkew early.
	testIat = time.Unix(1700000000-5, 0)
)

// checkToken verifies token with jwx (an independent JOSE implementation),
// checks its exact header bytes, and that its payload has exactly the
// claims user_id, iat and exp, with user_id equal to userID, iat equal to
// iat and exp equal to iat + ttl, both whole numbers.
func checkToken(t *testing.T, token string, key []byte, userID string, iat time.Time, ttl time.Duration) {
	t.Helper()
	exp := iat.Add(ttl)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	if got, want := string(header), `{"alg":"HS256","typ":"JWT"}`; got != want {
		t.Errorf("header = %s, want %s", got, want)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("payload: %v", err)
	}
	if got, want := slices.Sorted(maps.Keys(raw)), []string{"exp", "iat", "user_id"}; !slices.Equal(got, want) {
		t.Errorf("claims = %v, want %v", got, want)
	}
	if raw["user_id"] != userID {
		t.Errorf("user_id = %#v, want %q", raw["user_id"], userID)
	}
	for name, want := range map[string]time.Time{"iat": iat, "exp": exp} {
		if n, ok := raw[name].(json.Number); !ok || n.String() != strconv.FormatInt(want.Unix(), 10) {
			t.Errorf("%s = %#v, want the number %d", name, raw[name], want.Unix())
		}
	}

	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(-time.Second) })))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if got, ok := tok.Expiration(); !ok || !got.Equal(exp) {
		t.Errorf("jwx exp = %v, want %v", got, exp)
	}
	if got, ok := tok.IssuedAt(); !ok || !got.Equal(iat) {
		t.Errorf("jwx iat = %v, want %v", got, iat)
	}
	if got, ok := tok.Expiration(); ok {
		if issued, _ := tok.IssuedAt(); got.Sub(issued) != ttl {
			t.Errorf("jwx exp - iat = %v, want %v", got.Sub(issued), ttl)
		}
	}
	var got string
	if err := tok.Get("user_id", &got); err != nil || got != userID {
		t.Errorf("jwx user_id = %q (%v), want %q", got, err, userID)
	}
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), key),
		jwt.WithClock(jwt.ClockFunc(func() time.Time { return exp.Add(time.Second) }))); err == nil {
		t.Error("jwx accepted the token after its exp")
	}
	other := bytes.Clone(key)
	other[0] ^= 1
	if _, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.HS256(), other), jwt.WithValidate(false)); err == nil {
		t.Error("jwx verified the token with another key")
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name   string
		userID string
		ttl    time.Duration
	}{
		{"letters, digits and -", "user-123", stream.DefaultTTL},
		{"one character", "u", time.Minute},
		{"every allowed character", "AZaz09@_-", 24 * time.Hour},
		{"an email without dots", "ana@example", time.Hour},
		{"a UUID", "8d3f6c2e-5b1a-4e7f-9c0d-2a4b6e8f1a3c", 90 * time.Second},
		{"255 characters", strings.Repeat("a", stream.MaxUserIDLen), time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, exp, err := stream.Sign(testKey, identity.Identity{UserID: tt.userID, Email: "ana@example.com", Name: "Ana"}, testNow, tt.ttl)
			if err != nil {
				t.Fatal(err)
			}
			if want := testIat.Add(tt.ttl); !exp.Equal(want) {
				t.Errorf("exp = %v, want %v", exp, want)
			}
			checkToken(t, token, testKey, tt.userID, testIat, tt.ttl)
		})
	}
}

// TestSignIssuedAt: iat is the signing time in whole seconds less
// IssuedAtSkew, never later than the signing time, whatever its fraction.
func TestSignIssuedAt(t *testing.T) {
	for _, now := range []time.Time{
		time.Unix(1700000000, 0),
		time.Unix(1700000000, 1),
		time.Unix(1700000000, 999999999),
	} {
		t.Run(now.Format(time.RFC3339Nano), func(t *testing.T) {
			token, _, err := stream.Sign(testKey, identity.Identity{UserID: "u"}, now, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			iat := time.Unix(1700000000, 0).Add(-stream.IssuedAtSkew)
			checkToken(t, token, testKey, "u", iat, time.Minute)
		})
	}
	if stream.IssuedAtSkew <= 0 || stream.IssuedAtSkew%time.Second != 0 {
		t.Errorf("IssuedAtSkew = %v, want a positive whole number of seconds", stream.IssuedAtSkew)
	}
}

func TestSignErrors(t *testing.T) {
	tests := []struct {
		name   string
		key    []byte
		userID string
		ttl    time.Duration
		want   error
		kind   *apierror.Kind
	}{
		{"empty user id", testKey, "", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"Auth0 subject with |", testKey, "google-oauth2|1234", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"email with a dot", testKey, "ana.b@example.com", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"space", testKey, "ana b", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"slash", testKey, "users/1", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"colon", testKey, "tenant:1", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"non-ASCII letter", testKey, "zoë", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"html", testKey, "<b>", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"NUL", testKey, "a\x00", time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"256 characters", testKey, strings.Repeat("a", stream.MaxUserIDLen+1), time.Hour, stream.ErrUserID, apierror.Forbidden},
		{"no key", nil, "u", time.Hour, stream.ErrKeyTooShort, apierror.Internal},
		{"31-byte key", testKey[:stream.MinKeyLen-1], "u", time.Hour, stream.ErrKeyTooShort, apierror.Internal},
		{"zero lifetime", testKey, "u", 0, stream.ErrNoLifetime, apierror.Internal},
		{"negative lifetime", testKey, "u", -time.Hour, stream.ErrNoLifetime, apierror.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, exp, err := stream.Sign(tt.key, identity.Identity{UserID: tt.userID}, testNow, tt.ttl)
			if !errors.Is(err, tt.want) || token != "" || !exp.IsZero() {
				t.Fatalf("Sign = %q, %v, %v; want %v", token, exp, err, tt.want)
			}
			if kind, _ := apierror.Classify(err); kind != tt.kind {
				t.Errorf("kind = %s, want %s", kind.Code, tt.kind.Code)
			}
			if bytes.Contains([]byte(err.Error()), testKey[:8]) {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
	if _, _, err := stream.Sign(testKey[:stream.MinKeyLen], identity.Identity{UserID: "u"}, testNow, time.Minute); err != nil {
		t.Errorf("Sign with a %d-byte key: %v", stream.MinKeyLen, err)
	}
}

func TestErrUserIDMessage(t *testing.T) {
	kind, msg := apierror.Classify(stream.ErrUserID)
	if kind != apierror.Forbidden {
		t.Errorf("kind = %s, want forbidden", kind.Code)
	}
	for _, want := range []string{"Stream user id", "255", "a-z", "A-Z", "digit", "@", "_", "-"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
}

func TestMint(t *testing.T) {
	errStore := errors.New("secret store down")
	tests := []struct {
		name     string
		userID   string
		key      func(context.Context) ([]byte, error)
		wantErr  error
		wantKind *apierror.Kind
		keyReads int64
	}{
		{"ok", "user-123", func(context.Context) ([]byte, error) { return testKey, nil }, nil, nil, 1},
		{"secret error", "user-123", func(context.Context) ([]byte, error) { return nil, errStore }, errStore, apierror.Internal, 1},
		{"short key", "user-123", func(context.Context) ([]byte, error) { return testKey[:12], nil }, stream.ErrKeyTooShort, apierror.Internal, 1},
		{"user id Stream refuses: no key read", "auth0|123", func(context.Context) ([]byte, error) { return nil, errStore }, stream.ErrUserID, apierror.Forbidden, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reads atomic.Int64
			m := &stream.Minter{
				Key: func(ctx context.Context) ([]byte, error) { reads.Add(1); return tt.key(ctx) },
				TTL: 10 * time.Minute,
				Now: func() time.Time { return testNow },
			}
			got, err := m.Mint(context.Background(), identity.Identity{UserID: tt.userID, Email: "ana@example.com"})
			if n := reads.Load(); n != tt.keyReads {
				t.Errorf("the key was read %d times, want %d", n, tt.keyReads)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("Mint = %v, %v; want %v", got, err, tt.wantErr)
				}
				if kind, _ := apierror.Classify(err); kind != tt.wantKind {
					t.Errorf("kind = %s, want %s", kind.Code, tt.wantKind.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp := got.(stream.Response)
			checkToken(t, resp.Token, testKey, tt.userID, testIat, 10*time.Minute)
			exp := testIat.Add(10 * time.Minute).Unix()
			body, _ := json.Marshal(got)
			want := `{"token":"` + resp.Token + `","user_id":"` + tt.userID + `","expires_at":` + strconv.FormatInt(exp, 10) + `}`
			if string(body) != want {
				t.Errorf("body = %s, want %s", body, want)
			}
		})
	}
}

// TestHandler serves POST /stream/token as API Gateway's JWT authorizer
// passes sessions: the token and the body's user_id are the session's user
// id whatever the request says, expires_at is the token's exp, a user id
// Stream would refuse is 403 forbidden, and neither a log line nor the
// body holds the secret (nor a log line the token).
func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		sub    string
		status int
	}{
		{"user id", "user-7", 200},
		{"Cognito-style UUID", "0f4e2b6a-1c3d-4e5f-8a9b-7c6d5e4f3a2b", 200},
		{"Auth0 subject", "auth0|64f0c0ffee", 403},
		{"email with dots", "ana.b@example.com", 403},
	}
	secretJSON := `{"api_secret":"` + string(testKey) + `"}`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			env := config.New(func(string) string { return "" })
			newMinter := stream.Descriptor.Configure(env).NewMinter
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, stream.Descriptor.Secret, secretJSON)
			h := &httpapi.Handler{
				Session: &session.Authorizer{},
				Minter:  newMinter(secret, descriptor.Deps{Logger: slog.Default(), Now: func() time.Time { return testNow }}),
				Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
			}
			req := events.APIGatewayV2HTTPRequest{
				RouteKey:              "POST /stream/token",
				Body:                  `{"user_id":"admin","id":"admin"}`,
				QueryStringParameters: map[string]string{"user_id": "admin"},
			}
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": tt.sub, "name": "Ana"}},
			}
			resp, _ := h.Handle(context.Background(), req)
			if strings.Contains(logs.String(), string(testKey)) || strings.Contains(resp.Body, string(testKey)) {
				t.Error("a log line or the body holds the API secret")
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, body %s; want %d", resp.StatusCode, resp.Body, tt.status)
			}
			if tt.status != 200 {
				_, msg := apierror.Classify(stream.ErrUserID)
				var body struct {
					Error struct{ Code, Message string }
				}
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error.Code != "forbidden" || body.Error.Message != msg {
					t.Errorf("body = %s, want forbidden with %q", resp.Body, msg)
				}
				return
			}
			var body map[string]any
			dec := json.NewDecoder(strings.NewReader(resp.Body))
			dec.UseNumber()
			if err := dec.Decode(&body); err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(maps.Keys(body)); !slices.Equal(got, []string{"expires_at", "token", "user_id"}) {
				t.Errorf("body keys = %v", got)
			}
			if body["user_id"] != tt.sub {
				t.Errorf("user_id = %#v, want the session's %q", body["user_id"], tt.sub)
			}
			token, _ := body["token"].(string)
			checkToken(t, token, testKey, tt.sub, testIat, stream.DefaultTTL)
			if n, _ := body["expires_at"].(json.Number); n.String() != strconv.FormatInt(testIat.Add(stream.DefaultTTL).Unix(), 10) {
				t.Errorf("expires_at = %v, want the token's exp %d", body["expires_at"], testIat.Add(stream.DefaultTTL).Unix())
			}
			sig := token[strings.LastIndexByte(token, '.')+1:]
			for _, s := range []string{token, sig} {
				if strings.Contains(logs.String(), s) {
					t.Errorf("a log line holds %q", s)
				}
			}
			if !strings.Contains(logs.String(), `"user_id":"`+tt.sub+`"`) {
				t.Errorf("logs = %s, want the request line", logs.String())
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr bool
	}{
		{"", stream.DefaultTTL, false},
		{"1m", time.Minute, false},
		{"24h", 24 * time.Hour, false},
		{"90s", 90 * time.Second, false},
		{"2h30m", 150 * time.Minute, false},
		{"59s", 0, true},
		{"24h1s", 0, true},
		{"90.5s", 0, true},
		{"-1h", 0, true},
		{"forever", 0, true},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.value), func(t *testing.T) {
			env := config.New(func(name string) string {
				if name == "STREAM_TOKEN_TTL" {
					return tt.value
				}
				return ""
			})
			newMinter := stream.Descriptor.Configure(env).NewMinter
			err := env.Err()
			if tt.wantErr {
				if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "STREAM_TOKEN_TTL") {
					t.Fatalf("err = %v, want config.ErrInvalid naming STREAM_TOKEN_TTL", err)
				}
				if strings.Contains(err.Error(), tt.value) {
					t.Errorf("err = %v, quotes the value %q", err, tt.value)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			secret := secretstest.Offline(t, stream.Descriptor.Secret, dev.Secret(stream.Descriptor.Name, stream.Descriptor.Secret))
			m := newMinter(secret, descriptor.Deps{Logger: slog.Default()}).(*stream.Minter)
			if m.TTL != tt.want || m.Key == nil || m.Now != nil {
				t.Errorf("Minter = %+v, want TTL %v with the key and the real clock", m, tt.want)
			}
			key, err := m.Key(context.Background())
			if err != nil || string(key) != dev.Value("stream", "api_secret") {
				t.Errorf("Key = %q, %v; want the secret's api_secret", key, err)
			}
		})
	}
}

// TestSecretCheck loads the secret as the function does: the API secret
// must be there and at least MinKeyLen bytes, and no error quotes it.
func TestSecretCheck(t *testing.T) {
	tests := []struct {
		name string
		json string
		want error
	}{
		{"a 64-character secret", `{"api_secret":"` + string(testKey) + `"}`, nil},
		{"32 bytes", `{"api_secret":"` + string(testKey[:32]) + `"}`, nil},
		{"the dev-only value", dev.Secret(stream.Descriptor.Name, stream.Descriptor.Secret), nil},
		{"31 bytes", `{"api_secret":"` + string(testKey[:31]) + `"}`, secrets.ErrInvalid},
		{"the 12-character API key in its place", `{"api_secret":"` + string(testKey[:12]) + `"}`, secrets.ErrInvalid},
		{"missing", `{"api_key":"` + string(testKey[:12]) + `"}`, secrets.ErrMissingKey},
		{"empty", `{"api_secret":""}`, secrets.ErrMissingKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loader := &secrets.Loader{
				Getenv: func(name string) string {
					if name == "STREAM_SECRET_JSON" {
						return tt.json
					}
					return ""
				},
				Logger: slog.New(slog.DiscardHandler),
			}
			_, err := loader.Load(context.Background(), stream.Descriptor.Secret)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Load = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "STREAM_SECRET") || !strings.Contains(err.Error(), "api_secret") {
				t.Errorf("err = %v, want it to name the setting and the JSON key", err)
			}
			if strings.Contains(err.Error(), string(testKey[:12])) {
				t.Errorf("err = %v, quotes the value", err)
			}
			if tt.want == secrets.ErrInvalid && !errors.Is(err, stream.ErrKeyTooShort) {
				t.Errorf("err = %v, want ErrKeyTooShort", err)
			}
		})
	}
}

func TestDescriptor(t *testing.T) {
	d := stream.Descriptor
	if d.Name != "stream" || d.LogicalID != "StreamFunction" || d.Title != "Stream Chat" || d.Summary == "" {
		t.Errorf("Name, LogicalID, Title, Summary = %q, %q, %q, %q", d.Name, d.LogicalID, d.Title, d.Summary)
	}
	if len(d.Routes) != 1 || d.Routes[0].Key() != "POST /stream/token" || d.Routes[0].Query != "" {
		t.Errorf("Routes = %+v, want POST /stream/token alone", d.Routes)
	}
	for _, key := range []string{`"token"`, `"user_id"`, `"expires_at"`} {
		if !strings.Contains(d.Response, key) {
			t.Errorf("Response %s lacks %s", d.Response, key)
		}
	}
	if len(d.Docs) == 0 {
		t.Error("no Docs")
	}
	for _, u := range d.Docs {
		if !strings.HasPrefix(u, "https://getstream.") {
			t.Errorf("Docs: %q is not one of Stream's https URLs", u)
		}
	}
	if d.Secret.Setting != "STREAM_SECRET_ID" || !slices.Equal(d.Secret.Keys, []string{"api_secret"}) || d.Secret.Check == nil {
		t.Errorf("Secret = %+v, want STREAM_SECRET_ID holding api_secret, checked", d.Secret)
	}
	for _, want := range []string{"API secret", "Dashboard", strconv.Itoa(stream.MinKeyLen) + " bytes"} {
		if !strings.Contains(d.Secret.Description, want) {
			t.Errorf("Secret.Description %q does not say %q", d.Secret.Description, want)
		}
	}
	if d.Upstream != nil {
		t.Error("Upstream is set; the function signs, it calls no API")
	}
	if len(d.Settings) != 1 {
		t.Fatalf("Settings = %+v, want STREAM_TOKEN_TTL alone", d.Settings)
	}
	s, ok := d.Setting("STREAM_TOKEN_TTL")
	if !ok || s.Default != "1h" || s.Min != time.Minute || s.Max != 24*time.Hour || !s.WholeSeconds || s.Required || s.Description == "" {
		t.Errorf("STREAM_TOKEN_TTL = %+v, want 1h by default, 1m to 24h, whole seconds, described", s)
	}
	if got := s.Bounds(); got != "1m to 24h, whole seconds" {
		t.Errorf("Bounds = %q", got)
	}
	if def, err := time.ParseDuration(s.Default); err != nil || def != stream.DefaultTTL {
		t.Errorf("Default %q, want DefaultTTL %v", s.Default, stream.DefaultTTL)
	}
	if got := s.Parameter(); got != "StreamTokenTtl" {
		t.Errorf("Parameter = %q", got)
	}
}

func BenchmarkMint(b *testing.B) {
	m := &stream.Minter{Key: func(context.Context) ([]byte, error) { return testKey, nil }, TTL: stream.DefaultTTL}
	user := identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
