package salesforce_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendortest"
)

const testIssuer = "https://app.example.com"

// verify checks token with lestrrat-go/jwx (a JOSE implementation other
// than the one that signs) against jwks, a published JWK set: it must
// verify with the key of its kid, wantKid, as RS256, and be accepted a
// second before its exp and refused a second after. It returns the
// token's exact header and its claims, numbers as json.Number.
func verify(t *testing.T, token string, jwks []byte, wantKid string) (header string, claims map[string]any) {
	t.Helper()
	if err := verifyErr(token, jwks); err != nil {
		t.Fatalf("jwx: the token does not verify with the published keys: %v", err)
	}
	parts := strings.Split(token, ".")
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	header = string(h)
	if want := `{"alg":"RS256","kid":"` + wantKid + `","typ":"JWT"}`; header != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		t.Fatal(err)
	}

	set, _ := jwk.Parse(jwks)
	tok, err := jwt.Parse([]byte(token), jwt.WithKeySet(set), jwt.WithValidate(false))
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	exp, ok := tok.Expiration()
	if !ok {
		t.Fatal("jwx reads no exp")
	}
	at := func(ts time.Time) jwt.ValidateOption {
		return jwt.WithClock(jwt.ClockFunc(func() time.Time { return ts }))
	}
	if err := jwt.Validate(tok, at(exp.Add(-time.Second)), jwt.WithIssuer(testIssuer)); err != nil {
		t.Errorf("jwx refused the token a second before its exp: %v", err)
	}
	if err := jwt.Validate(tok, at(exp.Add(time.Second))); err == nil {
		t.Error("jwx accepted the token a second after its exp")
	}
	if iss, _ := tok.Issuer(); iss != claims["iss"] {
		t.Errorf("jwx iss = %q, want %v", iss, claims["iss"])
	}
	if sub, _ := tok.Subject(); sub != claims["sub"] {
		t.Errorf("jwx sub = %q, want %v", sub, claims["sub"])
	}
	if iat, ok := tok.IssuedAt(); !ok || iat.Unix() != mustInt(t, claims["iat"]) {
		t.Errorf("jwx iat = %v, want %v", iat.Unix(), claims["iat"])
	}
	if exp.Unix() != mustInt(t, claims["exp"]) {
		t.Errorf("jwx exp = %v, want %v", exp.Unix(), claims["exp"])
	}
	return header, claims
}

// verifyErr is jwx's verdict on token against the JWK set jwks: the key
// must be found by the token's kid, and used as its alg says (RS256).
func verifyErr(token string, jwks []byte) error {
	set, err := jwk.Parse(jwks)
	if err != nil {
		return err
	}
	_, err = jws.Verify([]byte(token), jws.WithKeySet(set, jws.WithRequireKid(true)))
	return err
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	i, err := n.Int64()
	if !ok || err != nil {
		t.Fatalf("%v is not a whole number", v)
	}
	return i
}

// publish is what GET /salesforce/jwks.json answers for secretJSON.
func publish(t *testing.T, secretJSON string) []byte {
	t.Helper()
	secret := secretstest.Offline(t, salesforce.Descriptor.Secret, secretJSON)
	env := configEnv(nil)
	p := salesforce.Descriptor.Configure(env).NewPublisher(secret, descriptor.Deps{})
	doc, err := p.Publish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestMint: the token is verified, claim by claim, by a second JOSE
// library against the JWK set the function publishes: exactly iss (the
// setting), sub (the session's user id), iat (the time of signing, whole
// seconds) and exp (iat + the TTL), in a header naming the signing kid;
// expires_at is exp. Nothing else of the session (email, verified or not,
// and name) reaches it.
func TestMint(t *testing.T) {
	secret := secretJSON("k2", map[string]string{"k1": pemKey("k1", 2048), "k2": pemKey("k2", 2048)})
	jwks := publish(t, secret)
	iat := vendortest.Now.Truncate(time.Second)
	for _, c := range []struct {
		name     string
		settings map[string]string
		user     identity.Identity
		ttl      time.Duration
	}{
		{"defaults", nil, identity.Identity{UserID: "user-123"}, time.Hour},
		{"a 5-minute token", map[string]string{"SALESFORCE_TOKEN_TTL": "5m"}, identity.Identity{UserID: "user-123"}, 5 * time.Minute},
		{"an Auth0 subject", nil, identity.Identity{UserID: "auth0|64f0c0ffee"}, time.Hour},
		{"every field of the session", nil, identity.Identity{UserID: "user-123", Email: "ana@example.com", Name: "Ana"}, time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := vendortest.NewMinter(t, salesforce.Descriptor, withIssuer(c.settings), secret, vendortest.Clock)
			resp, err := m.Mint(context.Background(), c.user)
			if err != nil {
				t.Fatal(err)
			}
			token, expiresAt := vendortest.TokenBody(t, resp)
			_, claims := verify(t, token, jwks, "k2")
			vendortest.CheckFields(t, "claims", claims, map[string]any{
				"iss": testIssuer, "sub": c.user.UserID, "iat": iat, "exp": iat.Add(c.ttl),
			})
			if expiresAt != iat.Add(c.ttl).Unix() {
				t.Errorf("expires_at = %d, want exp %d", expiresAt, iat.Add(c.ttl).Unix())
			}
		})
	}
	// The sessions that say in each way whether the email is verified all
	// give the same claims: the email is never put in the token.
	for _, s := range vendortest.EmailSessions(t) {
		m := vendortest.NewMinter(t, salesforce.Descriptor, withIssuer(nil), secret, vendortest.Clock)
		resp, err := m.Mint(context.Background(), s.Identity)
		if err != nil {
			t.Fatal(err)
		}
		token, _ := vendortest.TokenBody(t, resp)
		_, claims := verify(t, token, jwks, "k2")
		vendortest.CheckFields(t, "claims", claims, map[string]any{
			"iss": testIssuer, "sub": "user-123", "iat": iat, "exp": iat.Add(time.Hour),
		})
	}
}

// TestTokenNeedsThePublishedKey: a token verifies only against a set that
// publishes its signing key under its kid: not against another key under
// that kid, nor the right key under another kid, nor an empty set.
func TestTokenNeedsThePublishedKey(t *testing.T) {
	secret := secretJSON("k1", map[string]string{"k1": pemKey("k1", 2048)})
	m := vendortest.NewMinter(t, salesforce.Descriptor, withIssuer(nil), secret, nil)
	resp, err := m.Mint(context.Background(), identity.Identity{UserID: "user-1"})
	if err != nil {
		t.Fatal(err)
	}
	token, _ := vendortest.TokenBody(t, resp)
	if err := verifyErr(token, publish(t, secret)); err != nil {
		t.Fatalf("the token does not verify against its own set: %v", err)
	}
	for name, other := range map[string]string{
		"another key under its kid": secretJSON("k1", map[string]string{"k1": pemKey("k2", 2048)}),
		"its key under another kid": secretJSON("k9", map[string]string{"k9": pemKey("k1", 2048)}),
	} {
		if err := verifyErr(token, publish(t, other)); err == nil {
			t.Errorf("%s: the token verifies", name)
		}
	}
	if err := verifyErr(token, []byte(`{"keys":[]}`)); err == nil {
		t.Error("the token verifies against an empty set")
	}
}

// TestSign: Sign's own refusals, and its claims with no setting around.
func TestSign(t *testing.T) {
	secret, err := load(t, secretJSON("k1", map[string]string{"k1": pemKey("k1", 2048)}))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := salesforce.NewKeyring(secret).Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	user := identity.Identity{UserID: "user-1"}
	for _, c := range []struct {
		name   string
		issuer string
		user   identity.Identity
		ttl    time.Duration
		want   error
	}{
		{"no issuer", "", user, time.Hour, salesforce.ErrNoIssuer},
		{"no user", testIssuer, identity.Identity{}, time.Hour, salesforce.ErrNoUser},
		{"no lifetime", testIssuer, user, 0, salesforce.ErrNoLifetime},
		{"a negative lifetime", testIssuer, user, -time.Hour, salesforce.ErrNoLifetime},
	} {
		if token, _, err := keys.Sign(c.issuer, c.user, vendortest.Now, c.ttl); token != "" || !errors.Is(err, c.want) {
			t.Errorf("%s: Sign = %q, %v; want %v", c.name, token, err, c.want)
		}
	}
	token, exp, err := keys.Sign(testIssuer, user, vendortest.Now, 90*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verify(t, token, mustJSON(t, keys.JWKS()), "k1")
	iat := vendortest.Now.Truncate(time.Second)
	vendortest.CheckFields(t, "claims", claims, map[string]any{"iss": testIssuer, "sub": "user-1", "iat": iat, "exp": iat.Add(90 * time.Second)})
	if !exp.Equal(iat.Add(90 * time.Second)) {
		t.Errorf("exp = %v", exp)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServe answers requests through the real handler, the session
// verified as API Gateway's JWT authorizer passes it: the token is for the
// session's user, whatever the body or the query claim, and neither the
// body nor a log line holds a key of the secret (nor a log line the
// token).
func TestServe(t *testing.T) {
	secret := secretJSON("k1", map[string]string{"k1": pemKey("k1", 2048)})
	a := vendortest.Serve(t, salesforce.Descriptor, secret, vendortest.Request{
		Claims: map[string]string{"sub": "user-7", "email": "ana@example.com", "email_verified": "true"},
		Query:  map[string]string{"sub": "admin", "kid": "k9"},
		Body:   `{"sub":"admin","user_id":"admin"}`,
	})
	if a.Status != http.StatusOK {
		t.Fatalf("status %d: %s", a.Status, a.Body)
	}
	token, _ := vendortest.TokenBody(t, json.RawMessage(a.Body))
	_, claims := verify(t, token, publish(t, secret), "k1")
	if claims["sub"] != "user-7" {
		t.Errorf("sub = %v, want the session's user-7", claims["sub"])
	}
	if a := vendortest.Serve(t, salesforce.Descriptor, secret, vendortest.Request{}); a.Status != http.StatusUnauthorized {
		t.Errorf("without a session: %d %s", a.Status, a.Body)
	}
}

// TestRevokedSecret: once Secrets Manager says the secret is gone, both
// routes answer internal, and neither says why.
func TestRevokedSecret(t *testing.T) {
	srv := secretstest.NewServer(t, map[string]string{"app/salesforce": secretJSON("k1", map[string]string{"k1": pemKey("k1", 2048)})})
	clock := &movingClock{at: vendortest.Now}
	h := build(t, srv, clock, nil)
	if s, _ := get(t, h, jwksRoute, ""); s != http.StatusOK {
		t.Fatalf("before: %d", s)
	}
	srv.Delete("app/salesforce")
	clock.advance(2 * time.Minute)
	for _, c := range []struct{ route, session string }{{jwksRoute, ""}, {tokenRoute, "user-1"}} {
		var status int
		var body string
		for range 50 { // the re-read runs off the request path; it ends within a few requests
			if status, body = get(t, h, c.route, c.session); status != http.StatusOK {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if status != http.StatusInternalServerError || !strings.Contains(body, `"code":"internal"`) || strings.Contains(body, "Secrets Manager") {
			t.Errorf("%s: %d %s, want internal", c.route, status, body)
		}
	}
}

// TestSettings: SALESFORCE_ISSUER is required and reaches every token's
// iss; SALESFORCE_TOKEN_TTL is 1h by default, 1 minute to 24 hours.
func TestSettings(t *testing.T) {
	vendortest.SettingsAre(t, salesforce.Descriptor, map[string]string{
		"SALESFORCE_ISSUER":    "required",
		"SALESFORCE_TOKEN_TTL": "default 1h, 1m to 24h, whole seconds",
	})
	vendortest.Settings(t, salesforce.Descriptor, func(m httpapi.Minter) map[string]any {
		sm := m.(*salesforce.Minter)
		return map[string]any{"SALESFORCE_ISSUER": sm.Issuer, "SALESFORCE_TOKEN_TTL": sm.TTL}
	})
}

func TestDescriptor(t *testing.T) {
	d := salesforce.Descriptor
	if d.Name != "salesforce" || d.LogicalID != "SalesforceFunction" || d.Title != "Salesforce Enhanced Chat" || d.Summary == "" {
		t.Errorf("Name, LogicalID, Title, Summary = %q, %q, %q, %q", d.Name, d.LogicalID, d.Title, d.Summary)
	}
	want := []descriptor.Route{
		{Method: "POST", Path: "/salesforce/token"},
		{Method: "GET", Path: "/salesforce/jwks.json", Public: true},
	}
	if len(d.Routes) != 2 {
		t.Fatalf("Routes = %+v", d.Routes)
	}
	for i, r := range d.Routes {
		if r.Key() != want[i].Key() || r.Public != want[i].Public || r.Query != "" {
			t.Errorf("route %d = %+v, want %+v", i, r, want[i])
		}
	}
	if d.Routes[1].Summary == "" {
		t.Error("the public route has no Summary of its own")
	}
	for _, u := range d.Docs {
		if !strings.HasPrefix(u, "https://help.salesforce.com/") && !strings.HasPrefix(u, "https://developer.salesforce.com/") &&
			!strings.HasPrefix(u, "https://github.com/Salesforce-Async-Messaging/") {
			t.Errorf("Docs: %q is not one of Salesforce's", u)
		}
	}
	if d.Secret.Setting != "SALESFORCE_SECRET_ID" || !slices.Equal(d.Secret.Keys, []string{"signing_kid"}) ||
		d.Secret.Check == nil || d.Secret.Dev == nil || len(d.Secret.Optional) != 0 {
		t.Errorf("Secret = %+v", d.Secret)
	}
	for _, w := range []string{"key.<kid>", "signing_kid", "2048"} {
		if !strings.Contains(d.Secret.Description, w) {
			t.Errorf("Secret.Description %q does not say %q", d.Secret.Description, w)
		}
	}
	if d.Upstream != nil {
		t.Error("Upstream is set; the function signs, it calls no API")
	}
	// The dev-only secret: one key, of the dev-only kid, which signs.
	var devSecret map[string]string
	if err := json.Unmarshal([]byte(dev.Secret(d.Name, d.Secret)), &devSecret); err != nil {
		t.Fatal(err)
	}
	kid := dev.Value("salesforce", "signing_kid")
	if len(devSecret) != 2 || devSecret["signing_kid"] != kid || !strings.Contains(devSecret["key."+kid], "BEGIN PRIVATE KEY") {
		t.Errorf("dev secret keys = %v", slices.Sorted(maps.Keys(devSecret)))
	}
}

func BenchmarkMint(b *testing.B) {
	m := vendortest.NewMinter(b, salesforce.Descriptor, withIssuer(nil), "", nil)
	user := identity.Identity{UserID: "user-123"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mint(ctx, user); err != nil {
			b.Fatal(err)
		}
	}
}
