package session

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/vendortokens/vendor-token-functions/pkg/apierror"
)

// testKeys are generated once per test binary.
type testKeys struct {
	rsa, enc, attacker *rsa.PrivateKey
	ec                 *ecdsa.PrivateKey
}

var keys = sync.OnceValue(func() testKeys {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	var k testKeys
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.enc, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.attacker, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	return k
})

const (
	rsaKID    = "rsa-1"
	ecKID     = "ec-1"
	hmacKID   = "hmac-1" // an oct key in the issuer's set, which must never verify
	encKID    = "rsa-enc"
	attackKID = "attacker-1"
)

func rsaSigner(alg string, h crypto.Hash, key *rsa.PrivateKey, kid string) signer {
	return signer{alg: alg, kid: kid, sign: func(input []byte) []byte {
		d := h.New()
		d.Write(input)
		sig, err := rsa.SignPKCS1v15(nil, key, h, d.Sum(nil))
		if err != nil {
			panic(err)
		}
		return sig
	}}
}

func ecSigner(alg string, h crypto.Hash, key *ecdsa.PrivateKey, kid string) signer {
	return signer{alg: alg, kid: kid, sign: func(input []byte) []byte {
		d := h.New()
		d.Write(input)
		r, s, err := ecdsa.Sign(rand.Reader, key, d.Sum(nil))
		if err != nil {
			panic(err)
		}
		size := (key.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig
	}}
}

// jwkOf returns the public JWK of key, made by an independent library.
func jwkOf(t testing.TB, key any, kid, use string) jwk.Key {
	t.Helper()
	k, err := jwk.PublicKeyOf(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	if use != "" {
		if err := k.Set(jwk.KeyUsageKey, use); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// issuerSet is the issuer's key set: its RSA and EC signing keys, an RSA
// key for encryption only, and an oct key.
func issuerSet(t testing.TB) []byte {
	t.Helper()
	k := keys()
	rsaKey := jwkOf(t, k.rsa, rsaKID, "sig")
	if err := rsaKey.Set(jwk.AlgorithmKey, jwa.RS256()); err != nil {
		t.Fatal(err)
	}
	return keySet(t, rsaKey, jwkOf(t, k.ec, ecKID, ""), jwkOf(t, k.enc, encKID, "enc"),
		jwkOf(t, testHMACKey, hmacKID, "sig"))
}

func keySet(t testing.TB, ks ...jwk.Key) []byte {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range ks {
		if err := set.AddKey(k); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwksServer serves a key set on loopback and counts the requests.
type jwksServer struct {
	*httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex
	serve http.HandlerFunc
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	s := &jwksServer{}
	s.setBody(body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		serve := s.serve
		s.mu.Unlock()
		serve(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(serve http.HandlerFunc) {
	s.mu.Lock()
	s.serve = serve
	s.mu.Unlock()
}

func (s *jwksServer) setBody(body []byte) {
	s.set(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

func (s *jwksServer) setStatus(code int) {
	s.set(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
}

// setHang makes requests wait until the client gives up.
func (s *jwksServer) setHang() {
	s.set(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
}

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestJWKS(t testing.TB, cfg JWKSConfig, opts Options) *JWT {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	v, err := NewJWKS(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jwksModes verify tokens of the issuer's RSA and EC keys.
func jwksModes(t testing.TB) []mode {
	srv := newJWKSServer(t, issuerSet(t))
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL}, testOptions())
	k := keys()
	rs := rsaSigner("RS256", crypto.SHA256, k.rsa, rsaKID)
	es := ecSigner("ES256", crypto.SHA256, k.ec, ecKID)
	return []mode{
		{name: "jwks-rs256", verifier: v, issuer: rs, foreign: rsaSigner("RS384", crypto.SHA384, k.rsa, rsaKID),
			cases: keySetCases(rs)},
		{name: "jwks-es256", verifier: v, issuer: es, foreign: ecSigner("ES384", crypto.SHA384, k.ec, ecKID),
			cases: keySetCases(es)},
	}
}

// keySetCases are the attacks on a jwks verifier whose issuer signs as s.
func keySetCases(s signer) []tokenCase {
	k := keys()
	pkix, _ := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	ecPKIX, _ := x509.MarshalPKIXPublicKey(&k.ec.PublicKey)
	confused := func(name string, secret []byte, kid string) tokenCase {
		return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, _ mode) string {
			return hmacSigner("HS256", sha256.New, secret).withKID(kid).valid(t, nil)
		}}
	}
	signedBy := func(name string, by signer) tokenCase {
		return tokenCase{name: name, want: ErrInvalid, token: func(t testing.TB, _ mode) string {
			return by.valid(t, nil)
		}}
	}
	return []tokenCase{
		{name: "no kid: every key is tried", token: func(t testing.TB, _ mode) string {
			return s.withKID("").valid(t, nil)
		}},
		confused("HS256 signed with the RSA public key (PEM)",
			pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}), rsaKID),
		confused("HS256 signed with the RSA public key (PKCS #1 PEM)",
			pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)}), rsaKID),
		confused("HS256 signed with the RSA public key (DER)", pkix, rsaKID),
		confused("HS256 signed with the RSA public key, no kid", pkix, ""),
		confused("HS256 signed with the EC public key (PEM)",
			pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPKIX}), ecKID),
		confused("HS256 signed with the key set's oct key", testHMACKey, hmacKID),
		confused("HS256 signed with the key set's oct key, no kid", testHMACKey, ""),
		signedBy("RS256 under the EC key's kid", rsaSigner("RS256", crypto.SHA256, k.rsa, ecKID)),
		signedBy("ES256 under the RSA key's kid", ecSigner("ES256", crypto.SHA256, k.ec, rsaKID)),
		signedBy("PS256, not allowed by default", signer{alg: "PS256", kid: rsaKID, sign: func(in []byte) []byte {
			d := sha256.Sum256(in)
			sig, _ := rsa.SignPSS(rand.Reader, k.rsa, crypto.SHA256, d[:], nil)
			return sig
		}}),
		signedBy("key for encryption only", rsaSigner("RS256", crypto.SHA256, k.enc, encKID)),
		signedBy("key for encryption only, no kid", rsaSigner("RS256", crypto.SHA256, k.enc, "")),
		signedBy("unknown kid", s.withKID("no-such-key")),
		signedBy("another key under the issuer's kid", rsaSigner("RS256", crypto.SHA256, k.attacker, rsaKID)),
	}
}

func (s signer) withKID(kid string) signer {
	s.kid = kid
	return s
}

func TestJWKSIndependentTokens(t *testing.T) {
	srv := newJWKSServer(t, issuerSet(t))
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL}, testOptions())
	payload, _ := json.Marshal(validClaims())
	k := keys()
	for _, tc := range []struct {
		alg jwa.SignatureAlgorithm
		key any
		kid string
	}{{jwa.RS256(), k.rsa, rsaKID}, {jwa.ES256(), k.ec, ecKID}} {
		t.Run(tc.alg.String(), func(t *testing.T) {
			h := jws.NewHeaders()
			if err := h.Set(jws.KeyIDKey, tc.kid); err != nil {
				t.Fatal(err)
			}
			token, err := jws.Sign(payload, jws.WithKey(tc.alg, tc.key, jws.WithProtectedHeaders(h)))
			if err != nil {
				t.Fatal(err)
			}
			checkVerify(t, v, string(token), nil, testID)
		})
	}
}

func TestJWKSRefresh(t *testing.T) {
	k := keys()
	setA := keySet(t, jwkOf(t, k.rsa, "a", "sig"))
	setAB := keySet(t, jwkOf(t, k.rsa, "a", "sig"), jwkOf(t, k.ec, "b", "sig"))
	tokenA := rsaSigner("RS256", crypto.SHA256, k.rsa, "a")
	tokenB := ecSigner("ES256", crypto.SHA256, k.ec, "b")
	tokenC := ecSigner("ES256", crypto.SHA256, k.ec, "c")
	// Tokens valid for the whole test.
	long := map[string]any{"exp": testNow.Add(24 * time.Hour).Unix()}

	srv := newJWKSServer(t, setA)
	c := &clock{now: testNow}
	opts := testOptions()
	opts.Now = c.Now
	var logs bytes.Buffer
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, opts)
	var tokens []string
	step := func(name string, s signer, want error, hits int64) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			t.Helper()
			token := s.valid(t, long)
			tokens = append(tokens, token)
			checkVerify(t, v, token, want, testID)
			if got := srv.hits.Load(); got != hits {
				t.Fatalf("the key set was fetched %d times, want %d", got, hits)
			}
		})
	}

	step("cold start fetched the set", tokenA, nil, 1)
	srv.setBody(setAB)
	step("an unknown kid just after the first fetch is not fetched", tokenB, ErrInvalid, 1)
	c.advance(noKeysRetry)
	step("an unknown kid causes a fetch", tokenB, nil, 2)
	step("a still unknown kid is rate limited", tokenC, ErrInvalid, 2)
	c.advance(defaultRefreshInterval - time.Second)
	step("still rate limited", tokenC, ErrInvalid, 2)
	c.advance(time.Second)
	step("after the interval, fetched again", tokenC, ErrInvalid, 3)

	srv.setStatus(http.StatusInternalServerError)
	c.advance(defaultRefreshInterval)
	step("a known kid needs no fetch", tokenB, nil, 3)
	step("a failed fetch for an unknown kid is unavailable, not invalid", tokenC, ErrKeysUnavailable, 4)
	step("the last good keys are kept", tokenA, nil, 4)
	step("after a failed fetch, rate limited again", tokenC, ErrInvalid, 4)

	c.advance(defaultMaxKeyAge)
	step("stale keys are fetched again; failing, they are kept", tokenB, nil, 5)
	srv.setBody(setA)
	c.advance(defaultRefreshInterval)
	step("stale keys are replaced: b is gone", tokenB, ErrInvalid, 6)
	step("fresh keys need no fetch", tokenA, nil, 6)

	if n := strings.Count(logs.String(), "fetching the issuer's keys failed"); n != 2 {
		t.Errorf("%d failed fetches logged, want 2:\n%s", n, &logs)
	}
	for _, token := range tokens {
		if strings.Contains(logs.String(), token[strings.LastIndex(token, ".")+1:]) {
			t.Fatal("a token reached the log")
		}
	}
}

func TestJWKSUnavailableAtStart(t *testing.T) {
	k := keys()
	tokenA := rsaSigner("RS256", crypto.SHA256, k.rsa, "a")
	long := map[string]any{"exp": testNow.Add(24 * time.Hour).Unix()}
	for _, tc := range []struct {
		name string
		fail func(*jwksServer)
	}{
		{"server error", func(s *jwksServer) { s.setStatus(http.StatusServiceUnavailable) }},
		{"not JSON", func(s *jwksServer) { s.set(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>")) }) }},
		{"no usable key", func(s *jwksServer) { s.setBody([]byte(`{"keys":[]}`)) }},
		{"hangs", func(s *jwksServer) { s.setHang() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, keySet(t, jwkOf(t, k.rsa, "a", "sig")))
			good := srv.serve
			tc.fail(srv)
			c := &clock{now: testNow}
			opts := testOptions()
			opts.Now = c.Now
			start := time.Now()
			v := newTestJWKS(t, JWKSConfig{URL: srv.URL, FetchTimeout: 200 * time.Millisecond}, opts)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("NewJWKS took %v", d)
			}
			token := tokenA.valid(t, long)
			_, err := v.Verify(context.Background(), bearer(token))
			if !errors.Is(err, ErrKeysUnavailable) || errors.Is(err, ErrInvalid) {
				t.Fatalf("Verify error = %v, want ErrKeysUnavailable", err)
			}
			if kind, _ := apierror.Classify(err); kind != apierror.UpstreamUnavailable {
				t.Fatalf("Classify = %v", kind)
			}
			if hits := srv.hits.Load(); hits != 1 {
				t.Fatalf("%d fetches, want 1 (the next is rate limited)", hits)
			}
			srv.set(good)
			c.advance(noKeysRetry)
			checkVerify(t, v, token, nil, testID)
		})
	}
}

func TestJWKSUnreachable(t *testing.T) {
	srv := newJWKSServer(t, nil)
	srv.Close()
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL}, testOptions())
	token := rsaSigner("RS256", crypto.SHA256, keys().rsa, rsaKID).valid(t, nil)
	if _, err := v.Verify(context.Background(), bearer(token)); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Verify error = %v, want ErrKeysUnavailable", err)
	}
}

func TestJWKSRequestDeadline(t *testing.T) {
	k := keys()
	srv := newJWKSServer(t, keySet(t, jwkOf(t, k.rsa, "a", "sig")))
	c := &clock{now: testNow}
	opts := testOptions()
	opts.Now = c.Now
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL, FetchTimeout: time.Minute}, opts)
	srv.setHang()
	c.advance(noKeysRetry)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	// kid b is unknown: the fetch it causes must end with the request.
	token := ecSigner("ES256", crypto.SHA256, k.ec, "b").valid(t, nil)
	_, err := v.Verify(ctx, bearer(token))
	if !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("Verify error = %v, want ErrKeysUnavailable", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Verify took %v despite a 100ms deadline", d)
	}
}

func TestJWKSResponseSizeLimit(t *testing.T) {
	k := keys()
	set := keySet(t, jwkOf(t, k.rsa, "a", "sig"))
	// pad is a key set of exactly n bytes: set with padding whitespace.
	pad := func(n int) []byte { return append(bytes.Clone(set), bytes.Repeat([]byte(" "), n-len(set))...) }
	token := rsaSigner("RS256", crypto.SHA256, k.rsa, "a").valid(t, nil)
	for _, tc := range []struct {
		name string
		body []byte
		// chunked hides the length until the body is read.
		chunked bool
		want    error
	}{
		{"1 MiB", pad(maxJWKSBytes), false, nil},
		{"1 MiB chunked", pad(maxJWKSBytes), true, nil},
		{"over 1 MiB", pad(maxJWKSBytes + 1), false, ErrKeysUnavailable},
		{"over 1 MiB chunked", pad(maxJWKSBytes + 1), true, ErrKeysUnavailable},
		{"over 1 MiB inside the JSON", append([]byte(`{"pad":"`+string(bytes.Repeat([]byte("x"), maxJWKSBytes))+`",`), set[1:]...),
			true, ErrKeysUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, nil)
			srv.set(func(w http.ResponseWriter, _ *http.Request) {
				if !tc.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(tc.body)))
				}
				w.Write(tc.body)
			})
			v := newTestJWKS(t, JWKSConfig{URL: srv.URL}, testOptions())
			checkVerify(t, v, token, tc.want, testID)
		})
	}
}

func TestNewJWKSRefuses(t *testing.T) {
	srv := newJWKSServer(t, issuerSet(t))
	tests := []struct {
		name string
		cfg  JWKSConfig
		opts func(*Options)
	}{
		{name: "no URL", cfg: JWKSConfig{}},
		{name: "not a URL", cfg: JWKSConfig{URL: "://"}},
		{name: "relative URL", cfg: JWKSConfig{URL: "/jwks.json"}},
		{name: "plain http", cfg: JWKSConfig{URL: "http://issuer.example/jwks.json"}},
		{name: "user info", cfg: JWKSConfig{URL: "https://user:pa55word@issuer.example/jwks.json"}},
		{name: "user name", cfg: JWKSConfig{URL: "https://user@issuer.example/jwks.json"}},
		{name: "user info, loopback", cfg: JWKSConfig{URL: strings.Replace(srv.URL, "://", "://user:pa55word@", 1)}},
		{name: "refresh interval over a minute", cfg: JWKSConfig{URL: srv.URL, RefreshInterval: time.Minute + time.Second}},
		{name: "file URL", cfg: JWKSConfig{URL: "file:///etc/jwks.json"}},
		{name: "HS256", cfg: JWKSConfig{URL: srv.URL, Algorithms: []string{"RS256", "HS256"}}},
		{name: "HS512", cfg: JWKSConfig{URL: srv.URL, Algorithms: []string{"HS512"}}},
		{name: "none", cfg: JWKSConfig{URL: srv.URL, Algorithms: []string{"none"}}},
		{name: "lower-case alg", cfg: JWKSConfig{URL: srv.URL, Algorithms: []string{"rs256"}}},
		{name: "negative timeout", cfg: JWKSConfig{URL: srv.URL, FetchTimeout: -time.Second}},
		{name: "no issuer", cfg: JWKSConfig{URL: srv.URL}, opts: func(o *Options) { o.Issuer = "" }},
		{name: "no audience", cfg: JWKSConfig{URL: srv.URL}, opts: func(o *Options) { o.Audience = nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			v, err := NewJWKS(context.Background(), tc.cfg, opts)
			if err == nil || v != nil {
				t.Fatalf("NewJWKS = %v, %v; want an error", v, err)
			}
			if strings.Contains(err.Error(), "pa55word") || (strings.Contains(tc.cfg.URL, "/jwks.json") && strings.Contains(err.Error(), tc.cfg.URL)) {
				t.Fatalf("the error repeats the URL: %v", err)
			}
		})
	}
	if hits := srv.hits.Load(); hits != 0 {
		t.Fatalf("a bad configuration fetched the key set %d times", hits)
	}
}

func TestJWKSConfig(t *testing.T) {
	k := keys()
	ps256 := signer{alg: "PS256", kid: rsaKID, sign: func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, _ := rsa.SignPSS(rand.Reader, k.rsa, crypto.SHA256, d[:], nil)
		return sig
	}}
	rs256 := rsaSigner("RS256", crypto.SHA256, k.rsa, rsaKID)
	unmarked := newJWKSServer(t, keySet(t, jwkOf(t, k.rsa, rsaKID, "")))
	marked := newJWKSServer(t, issuerSet(t)) // rsa-1 is marked RS256
	client := &http.Client{}
	cfg := JWKSConfig{URL: unmarked.URL, Algorithms: []string{"PS256"}, HTTPClient: client}
	v := newTestJWKS(t, cfg, testOptions())
	if client.Transport != nil || client.Timeout != 0 || client.CheckRedirect != nil {
		t.Fatal("NewJWKS changed the given HTTP client")
	}
	checkVerify(t, v, ps256.valid(t, nil), nil, testID)
	checkVerify(t, v, rs256.valid(t, nil), ErrInvalid, testID)

	cfg.URL = marked.URL
	v = newTestJWKS(t, cfg, testOptions())
	checkVerify(t, v, ps256.valid(t, nil), ErrInvalid, testID)
}

// TestJWKSRedirects: a redirect on the configured URL's origin is followed
// as that URL; one elsewhere only to https and to public addresses,
// checked on the address connected to, so a name that resolves to
// loopback is refused as an IP literal is.
func TestJWKSRedirects(t *testing.T) {
	k := keys()
	set := keySet(t, jwkOf(t, k.rsa, rsaKID, "sig"))
	token := rsaSigner("RS256", crypto.SHA256, k.rsa, rsaKID).valid(t, nil)
	plain := newJWKSServer(t, set)                  // http, loopback
	secure := httptest.NewTLSServer(serveKeys(set)) // https, loopback
	t.Cleanup(secure.Close)
	securePort := secure.Listener.Addr().(*net.TCPAddr).Port

	for _, tc := range []struct {
		name   string
		tls    bool   // the configured URL is https
		to     string // the redirect's target; a path stays on the configured origin
		reason error  // the fetch error must be this; nil for a fetch that succeeds
		says   string // or say this
	}{
		{name: "same origin, http", to: "/keys"},
		{name: "same origin, https", tls: true, to: "/keys"},
		{name: "http to another loopback port", to: plain.URL + "/keys", says: "must be https"},
		{name: "http to plain http elsewhere", to: "http://issuer.invalid/jwks.json", says: "must be https"},
		{name: "https to http on loopback", tls: true, to: plain.URL + "/keys", says: "must be https"},
		{name: "https to https on another loopback port", tls: true, to: secure.URL + "/keys", reason: errRefusedAddress},
		{name: "https to IPv6 loopback", tls: true, to: "https://[::1]:" + strconv.Itoa(securePort) + "/keys", reason: errRefusedAddress},
		{name: "https to link-local metadata", tls: true, to: "https://169.254.169.254/latest/meta-data/", reason: errRefusedAddress},
		{name: "https to a private address", tls: true, to: "https://10.0.0.1/jwks.json", reason: errRefusedAddress},
		{name: "https to a name that resolves to loopback", tls: true, to: "https://localhost:" + strconv.Itoa(securePort) + "/keys", reason: errRefusedAddress},
		{name: "https with user info", tls: true, to: "https://user:pa55word@issuer.example/keys", says: "user info"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			redirect := func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/keys" {
					w.Write(set)
					return
				}
				http.Redirect(w, r, tc.to, http.StatusFound)
			}
			cfg := JWKSConfig{}
			if tc.tls {
				srv := httptest.NewTLSServer(http.HandlerFunc(redirect))
				t.Cleanup(srv.Close)
				cfg.URL, cfg.HTTPClient = srv.URL+"/jwks.json", srv.Client()
			} else {
				srv := newJWKSServer(t, nil)
				srv.set(redirect)
				cfg.URL = srv.URL + "/jwks.json"
			}
			var fetchErr error
			cfg.Fetched = func(err error) { fetchErr = err }
			v := newTestJWKS(t, cfg, testOptions())
			if tc.reason == nil && tc.says == "" {
				checkVerify(t, v, token, nil, testID)
				return
			}
			checkVerify(t, v, token, ErrKeysUnavailable, testID)
			switch {
			case fetchErr == nil:
				t.Fatal("the fetch did not fail")
			case tc.reason != nil && !errors.Is(fetchErr, tc.reason):
				t.Errorf("the fetch failed with %v, want %v", fetchErr, tc.reason)
			case tc.says != "" && !strings.Contains(fetchErr.Error(), tc.says):
				t.Errorf("the fetch failed with %v, want it to say %q", fetchErr, tc.says)
			}
			if strings.Contains(fetchErr.Error(), "pa55word") {
				t.Errorf("the error shows user info: %v", fetchErr)
			}
		})
	}
}

// serveKeys answers every request with the key set set.
func serveKeys(set []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(set) })
}

// TestRedirectDialRefusesNonPublic: a request off the configured origin
// connects only to public addresses, checked on the address dialed, and
// never through a proxy; the configured origin itself is reached as
// configured.
func TestRedirectDialRefusesNonPublic(t *testing.T) {
	srv := httptest.NewServer(serveKeys([]byte(`{"keys":[]}`)))
	t.Cleanup(srv.Close)
	home, _ := url.Parse(srv.URL)
	g := newOriginGuard(originOf(home), nil)
	get := func(rawURL string) error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := g.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(srv.URL + "/jwks.json"); err != nil {
		t.Fatalf("the configured origin: %v", err)
	}
	port := home.Port()
	for _, u := range []string{"http://localhost:" + port + "/", "http://127.0.0.2:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		if err := get(u); !errors.Is(err, errRefusedAddress) {
			t.Errorf("GET %s: %v, want %v", u, err, errRefusedAddress)
		}
	}

	proxied := &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: "127.0.0.1:9"})}
	g = newOriginGuard(originOf(home), proxied)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://issuer.example/jwks.json", nil)
	if _, err := g.RoundTrip(req); !errors.Is(err, errRedirectProxy) {
		t.Errorf("through a proxy: %v, want %v", err, errRedirectProxy)
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14":        true,
		"8.8.8.8":              true,
		"2606:4700:4700::1111": true,
		"127.0.0.1":            false,
		"127.9.9.9":            false,
		"::1":                  false,
		"0.0.0.0":              false,
		"0.1.2.3":              false,
		"::":                   false,
		"10.1.2.3":             false,
		"172.16.0.1":           false,
		"192.168.1.1":          false,
		"169.254.169.254":      false,
		"fe80::1":              false,
		"fd00:ec2::254":        false,
		"fc00::1":              false,
		"100.64.0.1":           false,
		"224.0.0.1":            false,
		"ff02::1":              false,
		"255.255.255.255":      false,
		"240.0.0.1":            false,
		"::ffff:127.0.0.1":     false,
		"::ffff:10.0.0.1":      false,
		"::ffff:8.8.8.8":       true,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

// jwkJSON returns the JSON members of key, with over applied.
func jwkJSON(t testing.TB, key jwk.Key, over map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(key)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return merged(m, over)
}

// selfSigned returns a DER certificate of key's public key.
func selfSigned(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: testNow, NotAfter: testNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestJWKSSkipsMalformedKeys(t *testing.T) {
	k := keys()
	rsaKey := jwkOf(t, k.rsa, rsaKID, "sig")
	ecKey := jwkOf(t, k.ec, ecKID, "sig")
	// y+1 is not on the curve (y and p-y are the only points at x).
	offCurve := new(big.Int).Add(k.ec.Y, big.NewInt(1)).FillBytes(make([]byte, 32))
	malformed := []struct {
		kid string
		key map[string]any
	}{
		{"rsa-e-1", jwkJSON(t, rsaKey, map[string]any{"kid": "rsa-e-1", "e": "AQ"})},
		{"ec-off-curve", jwkJSON(t, ecKey, map[string]any{"kid": "ec-off-curve", "y": base64.RawURLEncoding.EncodeToString(offCurve)})},
		{"x5c-not-a-certificate", jwkJSON(t, rsaKey, map[string]any{"kid": "x5c-not-a-certificate",
			"x5c": []any{base64.StdEncoding.EncodeToString([]byte("not a certificate"))}})},
		{"x5c-of-another-key", jwkJSON(t, rsaKey, map[string]any{"kid": "x5c-of-another-key",
			"x5c": []any{base64.StdEncoding.EncodeToString(selfSigned(t, k.attacker))}})},
		{"x5c-not-base64", jwkJSON(t, rsaKey, map[string]any{"kid": "x5c-not-base64", "x5c": []any{"%%%"}})},
		{"n-not-a-string", jwkJSON(t, rsaKey, map[string]any{"kid": "n-not-a-string", "n": 1})},
	}
	set := []any{}
	for _, m := range malformed {
		set = append(set, m.key)
	}
	// The good keys come after the bad ones, and between them.
	set = append(set, jwkJSON(t, rsaKey, nil), map[string]any{"kty": "EC", "crv": "P-256K", "x": "AA", "y": "AA", "kid": "unsupported"})
	set = append(set, jwkJSON(t, ecKey, nil))
	body, err := json.Marshal(map[string]any{"keys": set})
	if err != nil {
		t.Fatal(err)
	}
	srv := newJWKSServer(t, body)
	var logs bytes.Buffer
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, testOptions())

	checkVerify(t, v, rsaSigner("RS256", crypto.SHA256, k.rsa, rsaKID).valid(t, nil), nil, testID)
	checkVerify(t, v, ecSigner("ES256", crypto.SHA256, k.ec, ecKID).valid(t, nil), nil, testID)
	checkVerify(t, v, rsaSigner("RS256", crypto.SHA256, k.rsa, "rsa-e-1").valid(t, nil), ErrInvalid, testID)
	checkVerify(t, v, rsaSigner("RS256", crypto.SHA256, k.attacker, "x5c-of-another-key").valid(t, nil), ErrInvalid, testID)
	if hits := srv.hits.Load(); hits != 1 {
		t.Errorf("the key set was fetched %d times, want 1", hits)
	}

	var warned []string
	for line := range strings.Lines(logs.String()) {
		var entry struct{ Level, Msg, KID string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		if entry.Level == "WARN" && strings.Contains(entry.Msg, "malformed key") {
			warned = append(warned, entry.KID)
		}
	}
	for i, m := range malformed {
		if i >= len(warned) || warned[i] != m.kid {
			t.Fatalf("warnings name the keys %q, want %d of them, in order, the first %q", warned, len(malformed), m.kid)
		}
	}
	if len(warned) != len(malformed) {
		t.Errorf("warnings name the keys %q, want only the malformed ones", warned)
	}
}

// TestJWKSNewKeyDespiteUnknownKIDs floods the verifier with tokens of
// made-up kids while the issuer publishes a new key just after a fetch:
// the new key is used within a minute all the same, and the issuer is
// asked at most once a minute.
func TestJWKSNewKeyDespiteUnknownKIDs(t *testing.T) {
	k := keys()
	setA := keySet(t, jwkOf(t, k.rsa, "a", "sig"))
	setAB := keySet(t, jwkOf(t, k.rsa, "a", "sig"), jwkOf(t, k.ec, "b", "sig"))
	long := map[string]any{"exp": testNow.Add(24 * time.Hour).Unix()}
	tokenB := ecSigner("ES256", crypto.SHA256, k.ec, "b").valid(t, long)
	flood := func(i int) string {
		return ecSigner("ES256", crypto.SHA256, k.ec, fmt.Sprintf("made-up-%d", i)).valid(t, long)
	}

	srv := newJWKSServer(t, setA)
	c := &clock{now: testNow}
	opts := testOptions()
	opts.Now = c.Now
	v := newTestJWKS(t, JWKSConfig{URL: srv.URL}, opts)

	// A made-up kid as soon as a fetch is allowed takes the fetch...
	c.advance(noKeysRetry)
	checkVerify(t, v, flood(0), ErrInvalid, testID)
	if hits := srv.hits.Load(); hits != 2 {
		t.Fatalf("the key set was fetched %d times, want 2", hits)
	}
	// ... and then the issuer publishes key b.
	srv.setBody(setAB)
	published := c.Now()

	for i := 1; ; i++ {
		c.advance(time.Second)
		for j := range 10 {
			checkVerify(t, v, flood(10*i+j), ErrInvalid, testID)
		}
		_, err := v.Verify(context.Background(), bearer(tokenB))
		if err == nil {
			break
		}
		if waited := c.Now().Sub(published); waited >= time.Minute {
			t.Fatalf("key b is still refused %v after it was published: %v", waited, err)
		}
	}
	if waited := c.Now().Sub(published); waited > time.Minute {
		t.Errorf("key b was first used %v after it was published", waited)
	}
	// At cold start, after 30s, and once more within the minute.
	if hits := srv.hits.Load(); hits != 3 {
		t.Errorf("the key set was fetched %d times, want 3", hits)
	}
}

// TestJWKSURLQueryIsNeverLogged gives the key set URL a secret query and
// makes every kind of failure: none shows the query, in the log or in the
// error that the request log receives.
func TestJWKSURLQueryIsNeverLogged(t *testing.T) {
	const secret = "s3cret-api-key"
	k := keys()
	token := rsaSigner("RS256", crypto.SHA256, k.rsa, "a").valid(t, nil)
	closed := newJWKSServer(t, nil)
	closed.Close()
	badKey := keySet(t, jwkOf(t, k.rsa, "a", "sig"))
	badKey = bytes.Replace(badKey, []byte(`"keys":[`), []byte(`"keys":[{"kty":"RSA","kid":"bad","n":"AQAB","e":"AQ"},`), 1)
	for _, tc := range []struct {
		name  string
		serve func(s *jwksServer)
		url   func(s *jwksServer) string
	}{
		{name: "unreachable", url: func(*jwksServer) string { return closed.URL }},
		{name: "server error", serve: func(s *jwksServer) { s.setStatus(http.StatusInternalServerError) }},
		{name: "hangs", serve: func(s *jwksServer) { s.setHang() }},
		{name: "redirect to plain http", serve: func(s *jwksServer) {
			s.set(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://issuer.invalid/jwks.json?"+r.URL.RawQuery, http.StatusFound)
			})
		}},
		{name: "malformed key", serve: func(s *jwksServer) { s.setBody(badKey) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, nil)
			if tc.serve != nil {
				tc.serve(srv)
			}
			base := srv.URL
			if tc.url != nil {
				base = tc.url(srv)
			}
			var logs bytes.Buffer
			v := newTestJWKS(t, JWKSConfig{URL: base + "/keys/jwks.json?key=" + secret + "#frag", FetchTimeout: 200 * time.Millisecond,
				Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, testOptions())
			_, err := v.Verify(context.Background(), bearer(token))
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("the Verify error shows the URL's query: %v", err)
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log shows the URL's query:\n%s", &logs)
			}
			if !strings.Contains(logs.String(), `"jwks_url":"`+base+`/keys/jwks.json"`) {
				t.Errorf("the log does not name the URL by scheme, host and path:\n%s", &logs)
			}
		})
	}
}
