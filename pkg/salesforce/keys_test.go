package salesforce_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// pemKey is a test RSA key of bits bits, PKCS #8 PEM as openssl genpkey
// writes it: derived by package dev from name, without dev's label line.
func pemKey(name string, bits int) string {
	_, block, _ := strings.Cut(dev.RSAPrivateKey("salesforce-test-"+name, bits), "\n")
	return block
}

// rsaKey is pemKey's key, parsed.
func rsaKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(pemKey(name, 2048)))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(*rsa.PrivateKey)
}

// secretJSON is the secret's JSON: signing_kid, then "key.<kid>" for each
// kid of keys, whose value is a PEM.
func secretJSON(signing string, keys map[string]string) string {
	m := map[string]string{"signing_kid": signing}
	for kid, pem := range keys {
		m["key."+kid] = pem
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// pemOf encodes der as one PEM block of type typ.
func pemOf(typ string, der []byte, headers map[string]string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der}))
}

// TestCheckSecret loads the secret as the function does (its Check):
// what it accepts, and each way it refuses one, every problem at once,
// each error naming the setting and the JSON key, never quoting a value.
func TestCheckSecret(t *testing.T) {
	k1, k2 := pemKey("k1", 2048), pemKey("k2", 2048)
	priv := rsaKey(t, "k1")
	pkcs1 := pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(priv), nil)
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	cert, err := salesforce.Certificate("k1", priv)
	if err != nil {
		t.Fatal(err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecSEC1, _ := x509.MarshalECPrivateKey(ec)
	short := pemKey("short", 1024)
	// The parts of the keys an error must never show.
	values := []string{k1[40:80], k2[40:80], pkcs1[40:80], short[40:80]}

	tests := []struct {
		name string
		json string
		want []error // each, and each JSON key in keys named
		keys []string
	}{
		{"one key", secretJSON("k1", map[string]string{"k1": k1}), nil, nil},
		{"two keys, the second signs", secretJSON("k2", map[string]string{"k1": k1, "k2": k2}), nil, nil},
		{"PKCS #1", secretJSON("k1", map[string]string{"k1": pkcs1}), nil, nil},
		{"a trailing newline", secretJSON("k1", map[string]string{"k1": k1 + "\n"}), nil, nil},
		{"text before the block", secretJSON("k1", map[string]string{"k1": "Bag Attributes\n    localKeyID: 01\n" + k1}), nil, nil},
		{"kid of every allowed character", secretJSON("Az09._-", map[string]string{"Az09._-": k1}), nil, nil},
		{"a 64-character kid", secretJSON(strings.Repeat("k", 64), map[string]string{strings.Repeat("k", 64): k1}), nil, nil},
		{"the dev-only secret", dev.Secret("salesforce", salesforce.Descriptor.Secret), nil, nil},

		{"no signing_kid", `{"key.k1":` + quote(k1) + `}`, []error{secrets.ErrMissingKey}, []string{"signing_kid"}},
		{"no key", `{"signing_kid":"k1"}`, []error{salesforce.ErrNoKeys}, nil},
		{"signing kid without its key", secretJSON("k3", map[string]string{"k1": k1, "k2": k2}), []error{salesforce.ErrSigningKid}, []string{"signing_kid"}},
		{"signing kid in another case", secretJSON("K1", map[string]string{"k1": k1}), []error{salesforce.ErrSigningKid}, []string{"signing_kid"}},
		{"a nested object", `{"signing_kid":"k1","keys":{"k1":` + quote(k1) + `}}`, []error{salesforce.ErrNoKeys}, nil},
		{"an unknown key", `{"signing_kid":"k1","key.k1":` + quote(k1) + `,"signing-kid":"k1"}`, []error{salesforce.ErrUnknownKey}, []string{"signing-kid"}},
		{"a key without the prefix", `{"signing_kid":"k1","k1":` + quote(k1) + `}`, []error{salesforce.ErrUnknownKey, salesforce.ErrNoKeys}, []string{`"k1"`}},
		{"an empty kid", `{"signing_kid":"k1","key.k1":` + quote(k1) + `,"key.":` + quote(k2) + `}`, []error{salesforce.ErrKid}, []string{`"key."`}},
		{"a kid with a space", secretJSON("k1", map[string]string{"k1": k1, "k 2": k2}), []error{salesforce.ErrKid}, []string{"key.k 2"}},
		{"a kid with a slash", secretJSON("k1", map[string]string{"k1": k1, "../k2": k2}), []error{salesforce.ErrKid}, []string{"key.../k2"}},
		{"a 65-character kid", secretJSON("k1", map[string]string{"k1": k1, strings.Repeat("k", 65): k2}), []error{salesforce.ErrKid}, []string{"key.kkk"}},
		{"not PEM", secretJSON("k1", map[string]string{"k1": base64.StdEncoding.EncodeToString([]byte(k1))}), []error{salesforce.ErrKeyNotPEM}, []string{"key.k1"}},
		{"a PEM of garbage", secretJSON("k1", map[string]string{"k1": pemOf("PRIVATE KEY", []byte("garbage"), nil)}), []error{salesforce.ErrKeyNotPEM}, []string{"key.k1"}},
		{"two blocks", secretJSON("k1", map[string]string{"k1": k1 + k2}), []error{salesforce.ErrKeyNotPEM}, []string{"key.k1"}},
		{"text after the block", secretJSON("k1", map[string]string{"k1": k1 + "and more"}), []error{salesforce.ErrKeyNotPEM}, []string{"key.k1"}},
		{"the body cut short", secretJSON("k1", map[string]string{"k1": k1[:len(k1)-60]}), []error{salesforce.ErrKeyNotPEM}, []string{"key.k1"}},
		{"encrypted PKCS #8", secretJSON("k1", map[string]string{"k1": pemOf("ENCRYPTED PRIVATE KEY", []byte("opaque"), nil)}), []error{salesforce.ErrKeyEncrypted}, []string{"key.k1"}},
		{"encrypted PKCS #1", secretJSON("k1", map[string]string{"k1": pemOf("RSA PRIVATE KEY", []byte("opaque"),
			map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"})}), []error{salesforce.ErrKeyEncrypted}, []string{"key.k1"}},
		{"the public key", secretJSON("k1", map[string]string{"k1": pemOf("PUBLIC KEY", spki, nil)}), []error{salesforce.ErrKeyPublic}, []string{"key.k1"}},
		{"the certificate", secretJSON("k1", map[string]string{"k1": pemOf("CERTIFICATE", cert, nil)}), []error{salesforce.ErrKeyPublic}, []string{"key.k1"}},
		{"an EC key, PKCS #8", secretJSON("k1", map[string]string{"k1": pemOf("PRIVATE KEY", ecDER, nil)}), []error{salesforce.ErrKeyNotRSA}, []string{"key.k1"}},
		{"an EC key, SEC 1", secretJSON("k1", map[string]string{"k1": pemOf("EC PRIVATE KEY", ecSEC1, nil)}), []error{salesforce.ErrKeyNotRSA}, []string{"key.k1"}},
		{"a 1024-bit key", secretJSON("k1", map[string]string{"k1": short}), []error{salesforce.ErrKeySize}, []string{"key.k1", "1024"}},
		{"a 1024-bit key beside a good one", secretJSON("k2", map[string]string{"k1": short, "k2": k2}), []error{salesforce.ErrKeySize}, []string{"key.k1"}},
		{"every problem at once", secretJSON("k9", map[string]string{"k1": short, "k 2": k2, "k3": "not a key"}),
			[]error{salesforce.ErrKeySize, salesforce.ErrKid, salesforce.ErrKeyNotPEM, salesforce.ErrSigningKid}, []string{"key.k1", "key.k 2", "key.k3", "signing_kid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.json)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Errorf("Load = %v, want %v", err, want)
				}
			}
			if err == nil {
				return
			}
			for _, key := range append(tt.keys, "SALESFORCE_SECRET") {
				if !strings.Contains(err.Error(), key) {
					t.Errorf("err = %v, want it to name %s", err, key)
				}
			}
			for _, v := range values {
				if strings.Contains(err.Error(), v) {
					t.Errorf("err = %v, quotes a key", err)
				}
			}
		})
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// load loads the secret from SALESFORCE_SECRET_JSON, as the function and
// the jwk command do.
func load(t *testing.T, value string) (*secrets.Secret, error) {
	t.Helper()
	loader := &secrets.Loader{
		Getenv: func(name string) string {
			if name == "SALESFORCE_SECRET_JSON" {
				return value
			}
			return ""
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	loaded, err := loader.Load(context.Background(), salesforce.Descriptor.Secret)
	if err != nil {
		return nil, err
	}
	return loaded[0], nil
}

// TestCertificate: each key's certificate is made from the key alone, the
// same every time; it is self-signed by the key, for the key's public
// half, named by the kid, and valid now and for far longer than the 10
// days Salesforce's upload asks.
func TestCertificate(t *testing.T) {
	key := rsaKey(t, "k1")
	der, err := salesforce.Certificate("k1", key)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := salesforce.Certificate("k1", key)
	if !bytes.Equal(der, again) {
		t.Fatal("two certificates of the same key differ")
	}
	if other, _ := salesforce.Certificate("k2", key); bytes.Equal(other, der) {
		t.Error("the kid does not reach the certificate")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		t.Error("the certificate is not of the key's public half")
	}
	if cert.Subject.CommonName != "k1" || cert.Issuer.CommonName != "k1" || !cert.IsCA ||
		cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageCertSign || cert.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("certificate = subject %v, issuer %v, CA %v, usage %v, %v", cert.Subject, cert.Issuer, cert.IsCA, cert.KeyUsage, cert.SignatureAlgorithm)
	}
	if !cert.NotBefore.Equal(time.Unix(0, 0)) || !cert.NotAfter.Equal(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Errorf("valid from %v to %v", cert.NotBefore, cert.NotAfter)
	}
	if cert.SerialNumber.Sign() <= 0 || len(cert.SerialNumber.Bytes()) != 16 {
		t.Errorf("serial number %v, want 16 positive bytes", cert.SerialNumber)
	}
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), CurrentTime: time.Now().Add(10 * 24 * time.Hour)}
	opts.Roots.AddCert(cert)
	if _, err := cert.Verify(opts); err != nil {
		t.Errorf("not valid 10 days from now: %v", err)
	}
}

// TestJWKS: the published set holds every key of the secret, the signing
// key first, each with exactly kty, use, alg, kid, n, e and x5c: the
// public half (as a second JOSE library reads it) and its certificate, and
// nothing of the private key.
func TestJWKS(t *testing.T) {
	secret, err := load(t, secretJSON("k2", map[string]string{"k1": pemKey("k1", 2048), "k2": pemKey("k2", 2048), "k0": pemKey("k0", 2048)}))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := salesforce.NewKeyring(secret).Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(keys.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Keys []map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range doc.Keys {
		kids = append(kids, k["kid"].(string))
		if got := slices.Sorted(maps.Keys(k)); !slices.Equal(got, []string{"alg", "e", "kid", "kty", "n", "use", "x5c"}) {
			t.Errorf("%s: members %v", k["kid"], got)
		}
		if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["e"] != "AQAB" {
			t.Errorf("%s: %v", k["kid"], k)
		}
	}
	if !slices.Equal(kids, []string{"k2", "k0", "k1"}) {
		t.Errorf("kids = %v, want the signing key first, then by kid", kids)
	}

	set, err := jwk.Parse(raw)
	if err != nil {
		t.Fatalf("jwx: %v", err)
	}
	if set.Len() != 3 {
		t.Fatalf("jwx reads %d keys", set.Len())
	}
	for i := range set.Len() {
		k, _ := set.Key(i)
		kid, _ := k.KeyID()
		if _, isPrivate := k.(jwk.RSAPrivateKey); isPrivate {
			t.Errorf("%s: jwx reads a private key", kid)
		}
		var pub rsa.PublicKey
		if err := jwk.Export(k, &pub); err != nil {
			t.Fatal(err)
		}
		if want := rsaKey(t, kid).PublicKey; !pub.Equal(&want) {
			t.Errorf("%s: jwx reads another public key", kid)
		}
		chain, ok := k.X509CertChain()
		if !ok || chain.Len() != 1 {
			t.Fatalf("%s: x5c is not one certificate", kid)
		}
		b64, _ := chain.Get(0)
		der, err := base64.StdEncoding.DecodeString(string(b64))
		if err != nil {
			t.Fatalf("%s: x5c is not standard base64: %v", kid, err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil || !pub.Equal(cert.PublicKey) {
			t.Errorf("%s: x5c is not the key's certificate (%v)", kid, err)
		}
		if want, _ := salesforce.Certificate(kid, rsaKey(t, kid)); !bytes.Equal(der, want) {
			t.Errorf("%s: x5c is not Certificate's", kid)
		}
	}
	for _, private := range []string{`"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`} {
		if strings.Contains(string(raw), private+":") {
			t.Errorf("the JWKS holds the private member %s", private)
		}
	}
	d := rsaKey(t, "k1").D.Bytes()
	if strings.Contains(string(raw), base64.RawURLEncoding.EncodeToString(d[:16])) {
		t.Error("the JWKS holds a private exponent")
	}
}

// TestUploadJWK: the form of Salesforce's key upload is its sample JWK
// structure, member for member and in its order: the key's kid, alg, use,
// kty, x5c, n and e, and the sample's placeholders y, crv, d and k, which
// hold no key material.
func TestUploadJWK(t *testing.T) {
	key := rsaKey(t, "k1")
	cert, _ := salesforce.Certificate("k1", key)
	j := salesforce.NewJWK("k1", &key.PublicKey, cert)
	raw, err := json.Marshal(j.Upload())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kid":"k1","alg":"RS256","use":"sig","kty":"RSA","x5c":["` + base64.StdEncoding.EncodeToString(cert) + `"],"y":"y",` +
		`"n":"` + base64.RawURLEncoding.EncodeToString(key.N.Bytes()) + `","e":"AQAB","crv":"crv","d":"d","k":"k"}`
	if string(raw) != want {
		t.Errorf("upload JWK:\n got %s\nwant %s", raw, want)
	}
	if n := new(big.Int).SetBytes(mustB64(t, j.N)); n.Cmp(key.N) != 0 {
		t.Error("n is not the modulus")
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
