package vendortest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// recorder is a testing.TB that records what a helper reports: Fatal ends
// the goroutine, as testing's does. Only the methods the helpers call are
// implemented; any other panics.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Error(args ...any)   { r.msgs = append(r.msgs, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, a ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatal(args ...any)              { r.Error(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...); runtime.Goexit() }

// report runs f with a recorder, in a goroutine of its own so that Fatal
// can end it, and returns what f reported.
func report(f func(tb testing.TB)) []string {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.msgs
}

// fakeVendor is a vendor made for these tests, flawed as flaw says ("" for
// none): its settings are FAKE_MODE (alpha or beta), FAKE_NAME (required) and
// FAKE_TTL (10m, 1m to 1h, whole seconds); its answer is {"token",
// "expires_at"}, an HS256 JWT with the claims sub, mode, name, iat and exp.
func fakeVendor(flaw string) descriptor.Vendor {
	mode := config.Setting{Name: "FAKE_MODE", Default: "alpha", Values: []string{"alpha", "beta"}}
	name := config.Setting{Name: "FAKE_NAME", Required: true, Example: "example-name"}
	ttl := config.Setting{Name: "FAKE_TTL", Default: "10m", Min: time.Minute, Max: time.Hour, WholeSeconds: true}
	switch flaw {
	case "default out of bounds":
		ttl.Default = "2h"
	case "one second at least": // not a flaw: "0s", refused, is in the error's "1h0m0s"
		ttl.Min = time.Second
	}
	return descriptor.Vendor{
		Name:      "fake",
		LogicalID: "FakeFunction",
		Routes:    []descriptor.Route{{Method: http.MethodPost, Path: "/fake/token"}},
		Secret:    secrets.Spec{Setting: "FAKE_SECRET_ID", Keys: []string{"secret"}},
		Settings:  []config.Setting{mode, name, ttl},
		Configure: func(env *config.Env) descriptor.Setup {
			m := fakeMinter{flaw: flaw}
			if flaw == "echoes the value" {
				if m.mode = env.String(mode.Name, mode.Default); !slices.Contains(mode.Values, m.mode) {
					env.Fail(mode.Name, "unknown mode "+m.mode)
				}
			} else {
				m.mode = env.Text(mode)
			}
			m.name = env.Text(name)
			switch flaw {
			case "fractions allowed":
				m.ttl = env.Duration(ttl.Name, 10*time.Minute, ttl.Min, ttl.Max)
			case "stops at the first problem":
				if env.Err() == nil {
					m.ttl = env.Period(ttl)
				}
			case "ignores the setting":
				env.Period(ttl)
				m.ttl = 10 * time.Minute
			default:
				m.ttl = env.Period(ttl)
			}
			if flaw == "reads an undeclared setting" {
				env.Getenv("FAKE_EXTRA")
			}
			return descriptor.Setup{NewMinter: func(s *secrets.Secret, d descriptor.Deps) httpapi.Minter {
				m := m
				m.key, m.now = s.KeyFunc("secret"), d.Now
				return &m
			}}
		},
	}
}

type fakeMinter struct {
	key              func(context.Context) ([]byte, error)
	mode, name, flaw string
	ttl              time.Duration
	now              func() time.Time
}

var errNoUser = apierror.New(apierror.Forbidden, "no user id")

type fakeResponse struct {
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"`
}

func (m *fakeMinter) Mint(ctx context.Context, id identity.Identity) (any, error) {
	key, err := m.key(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if m.now != nil {
		now = m.now
	}
	switch m.flaw {
	case "leaks the key":
		return nil, fmt.Errorf("fake: refused the key %s", key)
	case "fixed clock":
		now = Clock
	case "own clock":
		now = time.Now
	}
	if id.UserID == "" {
		return nil, fmt.Errorf("fake: %w", errNoUser)
	}
	iat := now().Truncate(time.Second)
	exp := iat.Add(m.ttl)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": id.UserID, "mode": m.mode, "name": m.name, "iat": iat.Unix(), "exp": exp.Unix(),
	}).SignedString(key)
	if err != nil {
		return nil, err
	}
	if m.flaw == "expires_at off by one" {
		exp = exp.Add(time.Second)
	}
	return fakeResponse{Token: token, ExpiresAt: exp.Unix()}, nil
}

var fake = HS256{Vendor: fakeVendor(""), Header: `{"alg":"HS256","typ":"JWT"}`, Key: "secret", ExpiresAt: "exp"}

func fakeClaims(mode, name string, ttl time.Duration) map[string]any {
	return map[string]any{"sub": "user-123", "mode": mode, "name": name, "iat": Now, "exp": Now.Add(ttl)}
}

func fakeEffective(m httpapi.Minter) map[string]any {
	f := m.(*fakeMinter)
	return map[string]any{"FAKE_MODE": f.mode, "FAKE_NAME": f.name, "FAKE_TTL": f.ttl}
}

// TestFakeVendorPasses: the helpers pass a vendor without a flaw.
func TestFakeVendorPasses(t *testing.T) {
	Settings(t, fake.Vendor, fakeEffective)
	fake.Mint(t, []Case{
		{Name: "defaults", Identity: testUser, Claims: fakeClaims("alpha", "example-name", 10*time.Minute)},
		{Name: "settings", Settings: map[string]string{"FAKE_MODE": "beta", "FAKE_NAME": "n", "FAKE_TTL": "1h"},
			Identity: testUser, Claims: fakeClaims("beta", "n", time.Hour)},
		{Name: "refused", Identity: identity.Identity{Name: "Ana"}, Err: errNoUser},
	})
	a := Serve(t, fake.Vendor, "", Request{Claims: map[string]string{"sub": "user-123"}})
	fake.Check(t, json.RawMessage(a.Body), DevKey(fake.Vendor, "secret"), fakeClaims("alpha", "example-name", 10*time.Minute))
}

// TestSettingsShortValue: a refused value that the error's own words hold
// (the bound "1h0m0s" holds "0s") is not taken for the value repeated.
func TestSettingsShortValue(t *testing.T) {
	Settings(t, fakeVendor("one second at least"), fakeEffective)
}

// TestSettingsAre: the summary of each kind of setting, and a failure
// for a setting changed, missing or more.
func TestSettingsAre(t *testing.T) {
	want := map[string]string{
		"FAKE_MODE": "default alpha, alpha or beta",
		"FAKE_NAME": "required",
		"FAKE_TTL":  "default 10m, 1m to 1h, whole seconds",
	}
	SettingsAre(t, fakeVendor(""), want)
	changed := maps.Clone(want)
	changed["FAKE_TTL"] = "default 10m, 1m to 2h, whole seconds"
	fewer := maps.Clone(want)
	delete(fewer, "FAKE_NAME")
	more := maps.Clone(want)
	more["FAKE_EXTRA"] = "default x"
	for _, w := range []map[string]string{changed, fewer, more} {
		if msgs := report(func(tb testing.TB) { SettingsAre(tb, fakeVendor(""), w) }); len(msgs) != 1 {
			t.Errorf("SettingsAre(%q) reported %q, want one failure", w, msgs)
		}
	}
}

// TestSettingsCatch: Settings fails for each flaw of a vendor's settings,
// saying what is wrong.
func TestSettingsCatch(t *testing.T) {
	tests := []struct {
		flaw string
		want string // in one of the messages
	}{
		{"fractions allowed", "err = <nil>, want setting is not valid"},
		{"echoes the value", `holds the value "not-a-listed-value"`},
		{"ignores the setting", "the minter uses FAKE_TTL = 10m0s (time.Duration), want 1m0s (time.Duration)"},
		{"reads an undeclared setting", "Configure reads [FAKE_EXTRA FAKE_MODE FAKE_NAME FAKE_TTL]"},
		{"default out of bounds", "FAKE_TTL: Default 2h0m0s lies outside 1m to 1h, whole seconds"},
		{"stops at the first problem", "want it to name FAKE_TTL"},
		{"fixed clock", "the minter is not on the real clock"},
	}
	for _, tt := range tests {
		t.Run(tt.flaw, func(t *testing.T) {
			v := fakeVendor(tt.flaw)
			var msgs []string
			msgs = append(msgs, report(func(tb testing.TB) { checkDescriptor(tb, v) })...)
			msgs = append(msgs, report(func(tb testing.TB) { checkReads(tb, v) })...)
			msgs = append(msgs, report(func(tb testing.TB) { checkEveryProblem(tb, v) })...)
			for _, c := range settingCases(v) {
				msgs = append(msgs, report(func(tb testing.TB) { c.check(tb, v, fakeEffective) })...)
			}
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tt.want) }) {
				t.Errorf("no message holds %q; got %q", tt.want, msgs)
			}
		})
	}
}

// TestSettingCases: the cases follow from each kind of setting.
func TestSettingCases(t *testing.T) {
	var got []string
	for _, c := range settingCases(fakeVendor("")) {
		got = append(got, c.name())
	}
	want := []string{
		`FAKE_MODE="" accepted`, `FAKE_MODE="  " accepted`,
		`FAKE_MODE="alpha" accepted`, `FAKE_MODE=" alpha " accepted`, `FAKE_MODE="Alpha" refused`,
		`FAKE_MODE="beta" accepted`, `FAKE_MODE=" beta " accepted`, `FAKE_MODE="Beta" refused`,
		`FAKE_MODE="not-a-listed-value" refused`,
		`FAKE_NAME="example-name" accepted`, `FAKE_NAME=" example-name " accepted`,
		`FAKE_NAME="" refused`, `FAKE_NAME="   " refused`,
		`FAKE_TTL="" accepted`, `FAKE_TTL="  " accepted`, `FAKE_TTL=" 10m " accepted`,
		`FAKE_TTL="1m0s" accepted`, `FAKE_TTL="1h0m0s" accepted`, `FAKE_TTL="30m30s" accepted`,
		`FAKE_TTL="59s" refused`, `FAKE_TTL="1h0m1s" refused`, `FAKE_TTL="2h0m0s" refused`,
		`FAKE_TTL="-1h0m0s" refused`, `FAKE_TTL="3600" refused`, `FAKE_TTL="ten minutes" refused`,
		`FAKE_TTL="1m0.5s" refused`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("cases =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckCatches: HS256.Check, and so VerifyHS256, CheckFields and
// TokenBody, fail for each flaw of an answer.
func TestCheckCatches(t *testing.T) {
	key := DevKey(fake.Vendor, "secret")
	want := fakeClaims("alpha", "n", time.Hour)
	sign := func(header string, claims map[string]any, key []byte) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(header))
		p, _ := json.Marshal(claims)
		unsigned := h + "." + base64.RawURLEncoding.EncodeToString(p)
		sig, err := jwt.SigningMethodHS256.Sign(unsigned, key)
		if err != nil {
			t.Fatal(err)
		}
		return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	claims := func(change map[string]any) map[string]any {
		c := map[string]any{"sub": "user-123", "mode": "alpha", "name": "n", "iat": Now.Unix(), "exp": Now.Add(time.Hour).Unix()}
		for k, v := range change {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	body := func(token string, expiresAt int64) json.RawMessage {
		return json.RawMessage(`{"token":"` + token + `","expires_at":` + strconv.FormatInt(expiresAt, 10) + `}`)
	}
	exp := Now.Add(time.Hour).Unix()
	good := sign(fake.Header, claims(nil), key)
	tests := []struct {
		name string
		resp any
		want string
	}{
		{"another key", body(sign(fake.Header, claims(nil), []byte("another-key-of-some-length-0123456789")), exp), "does not verify with the key"},
		{"no typ", body(sign(`{"alg":"HS256"}`, claims(nil), key), exp), `header = {"alg":"HS256"}, want`},
		{"header in another order", body(sign(`{"typ":"JWT","alg":"HS256"}`, claims(nil), key), exp), "header = "},
		{"a claim more", body(sign(fake.Header, claims(map[string]any{"email": "x"}), key), exp), "claims = [email exp iat mode name sub]"},
		{"a claim less", body(sign(fake.Header, claims(map[string]any{"name": nil}), key), exp), "claims = [exp iat mode sub]"},
		{"a date as a string", body(sign(fake.Header, claims(map[string]any{"iat": strconv.FormatInt(Now.Unix(), 10)}), key), exp), "claims iat ="},
		{"a fraction of a second", body(sign(fake.Header, claims(map[string]any{"iat": float64(Now.Unix()) + 0.5}), key), exp), "claims iat ="},
		{"a string as a number", body(sign(fake.Header, claims(map[string]any{"name": 7}), key), exp), "claims name ="},
		{"another value", body(sign(fake.Header, claims(map[string]any{"mode": "beta"}), key), exp), `claims mode = "beta", want "alpha"`},
		{"expired an hour early", body(sign(fake.Header, claims(map[string]any{"exp": Now.Unix()}), key), Now.Unix()), "claims exp ="},
		{"expires_at off by one", body(good, exp+1), "expires_at = "},
		{"a field more", json.RawMessage(`{"token":"` + good + `","expires_at":` + strconv.FormatInt(exp, 10) + `,"user":"x"}`), "body = "},
		{"fields in another order", json.RawMessage(`{"expires_at":` + strconv.FormatInt(exp, 10) + `,"token":"` + good + `"}`), "body = "},
		{"expires_at a string", json.RawMessage(`{"token":"` + good + `","expires_at":"` + strconv.FormatInt(exp, 10) + `"}`), "body "},
		{"two segments", body(good[:strings.LastIndexByte(good, '.')], exp), "token has 2 segments"},
	}
	if msgs := report(func(tb testing.TB) { fake.Check(tb, body(good, exp), key, want) }); len(msgs) != 0 {
		t.Fatalf("a good answer fails: %q", msgs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := report(func(tb testing.TB) { fake.Check(tb, tt.resp, key, want) })
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tt.want) }) {
				t.Errorf("no message holds %q; got %q", tt.want, msgs)
			}
		})
	}

	t.Run("invariant", func(t *testing.T) {
		v := fake
		v.Invariant = func(tb testing.TB, claims map[string]any) { tb.Errorf("invariant broken") }
		if msgs := report(func(tb testing.TB) { v.Check(tb, body(good, exp), key, want) }); !slices.Equal(msgs, []string{"invariant broken"}) {
			t.Errorf("messages = %q", msgs)
		}
	})
}

// TestMintCatches: HS256.mint fails for claims other than the case's, for
// a minter that ignores the clock it is given, and for an error other than
// the case's.
func TestMintCatches(t *testing.T) {
	tests := []struct {
		name string
		v    descriptor.Vendor
		c    Case
		want string
	}{
		{"other claims", fakeVendor(""), Case{Settings: map[string]string{"FAKE_MODE": "beta"}, Identity: testUser,
			Claims: fakeClaims("alpha", "example-name", 10*time.Minute)}, `claims mode = "beta", want "alpha"`},
		{"own clock", fakeVendor("own clock"), Case{Identity: testUser, Claims: fakeClaims("alpha", "example-name", 10*time.Minute)}, "claims iat ="},
		{"another error", fakeVendor(""), Case{Identity: testUser, Err: context.Canceled}, "want no answer and context canceled"},
		{"no error", fakeVendor(""), Case{Identity: identity.Identity{}, Claims: fakeClaims("alpha", "example-name", 10*time.Minute)}, "Mint: fake: forbidden: no user id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := fake
			v.Vendor = tt.v
			msgs := report(func(tb testing.TB) { v.mint(tb, tt.c) })
			if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, tt.want) }) {
				t.Errorf("no message holds %q; got %q", tt.want, msgs)
			}
		})
	}
}

// TestServeCatches: Serve fails when an error carrying the secret's value
// reaches the log.
func TestServeCatches(t *testing.T) {
	msgs := report(func(tb testing.TB) {
		Serve(tb, fakeVendor("leaks the key"), "", Request{Claims: map[string]string{"sub": "user-123"}})
	})
	if !slices.Equal(msgs, []string{"the body or a log line holds the secret's secret"}) {
		t.Errorf("messages = %q", msgs)
	}
}

// TestEmailSessions: of the sessions, those that say with "true" or JSON
// true that the email is verified, and those trusted on purpose, carry it.
func TestEmailSessions(t *testing.T) {
	var with []string
	sessions := EmailSessions(t)
	for _, s := range sessions {
		if s.Email != "" {
			with = append(with, s.Name)
		}
	}
	want := []string{"authorizer verified", "authorizer unverified, trusted on purpose", "bearer verified", "bearer unverified, trusted on purpose"}
	if len(sessions) != 12 || !slices.Equal(with, want) {
		t.Errorf("%d sessions, with an email: %q; want 12, %q", len(sessions), with, want)
	}
}

// TestImportedOnlyByTests: no file of the module but a _test.go file
// imports this package.
func TestImportedOnlyByTests(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	const self = "github.com/vendortokens/vendor-token-functions/pkg/vendortest"
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == self {
				t.Errorf("%s imports %s; only _test.go files may", path, self)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAcme: the made-up vendor that the shared packages' tests build is a
// vendor as the helpers check one: its settings, its claims for each kind
// of session, and an answer through the real handler.
func TestAcme(t *testing.T) {
	SettingsAre(t, Acme, map[string]string{"ACME_TOKEN_TTL": "default 10m, 1m to 1h, whole seconds"})
	Settings(t, Acme, func(m httpapi.Minter) map[string]any {
		return map[string]any{"ACME_TOKEN_TTL": m.(*acmeMinter).ttl}
	})
	claims := func(email string, ttl time.Duration) map[string]any {
		c := map[string]any{"sub": "user-123", "iat": Now, "exp": Now.Add(ttl)}
		if email != "" {
			c["email"] = email
		}
		return c
	}
	var cases []Case
	for _, s := range EmailSessions(t) {
		cases = append(cases, Case{Name: s.Name, Identity: s.Identity, Claims: claims(s.Email, 10*time.Minute)})
	}
	cases = append(cases, Case{Name: "ttl", Settings: map[string]string{"ACME_TOKEN_TTL": "1h"}, Identity: testUser, Claims: claims(testUser.Email, time.Hour)})
	AcmeHS256.Mint(t, cases)

	a := Serve(t, Acme, "", Request{Claims: map[string]string{"sub": "user-123", "email": "ana@example.com", "email_verified": "true"}})
	if a.Status != http.StatusOK {
		t.Fatalf("status %d %s", a.Status, a.Body)
	}
	AcmeHS256.Check(t, json.RawMessage(a.Body), DevKey(Acme, "secret"), claims("ana@example.com", 10*time.Minute))
}
