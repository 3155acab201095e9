package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

// testKey is a PKCS #8 PEM test key derived from name, without the dev
// label: a key as openssl genpkey writes it.
func testKey(name string) string {
	_, block, _ := strings.Cut(dev.RSAPrivateKey("jwk-test-"+name, 2048), "\n")
	return block
}

func secretOf(signing string, keys ...string) string {
	m := map[string]string{"signing_kid": signing}
	for _, kid := range keys {
		m["key."+kid] = testKey(kid)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func runJWK(t *testing.T, getenv func(string) string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(context.Background(), args, getenv, &out, &errs)
	return code, out.String(), errs.String()
}

// published is what the function publishes for secretJSON.
func published(t *testing.T, secretJSON string) salesforce.JWKS {
	t.Helper()
	secret := secretstest.Offline(t, salesforce.Descriptor.Secret, secretJSON)
	keys, err := salesforce.NewKeyring(secret).Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return keys.JWKS()
}

// TestPrintsTheUploadForm: each key, one line each, in the form of
// Salesforce's upload, with the very members the function publishes; -kid
// one key, the file to upload; -set the JWK set as the route serves it.
// Nothing private is printed.
func TestPrintsTheUploadForm(t *testing.T) {
	secret := secretOf("k2", "k1", "k2")
	getenv := env(map[string]string{"SALESFORCE_SECRET_JSON": secret})
	want := published(t, secret)

	code, stdout, stderr := runJWK(t, getenv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per key:\n%s", len(lines), stdout)
	}
	for i, line := range lines {
		wantLine, _ := json.Marshal(want.Keys[i].Upload())
		if line != string(wantLine) {
			t.Errorf("line %d = %s, want %s", i, line, wantLine)
		}
	}

	code, stdout, _ = runJWK(t, getenv, "-kid", "k1")
	var one salesforce.UploadJWK
	if err := json.Unmarshal([]byte(stdout), &one); code != 0 || err != nil || one.Kid != "k1" || strings.Count(stdout, "\n") != 1 {
		t.Errorf("-kid k1: exit %d, %q (%v)", code, stdout, err)
	}
	if one.N != want.Keys[1].N || one.X5c[0] != want.Keys[1].X5c[0] {
		t.Error("-kid k1 prints another key than the one published")
	}

	code, stdout, _ = runJWK(t, getenv, "-set")
	wantSet, _ := json.Marshal(want)
	if code != 0 || stdout != string(wantSet)+"\n" {
		t.Errorf("-set: exit %d, %s; want %s", code, stdout, wantSet)
	}

	// Nothing of a private key: no PEM, no private exponent.
	for _, kid := range []string{"k1", "k2"} {
		block, _ := pem.Decode([]byte(testKey(kid)))
		key, _ := x509.ParsePKCS8PrivateKey(block.Bytes)
		for _, args := range [][]string{nil, {"-set"}} {
			_, out, _ := runJWK(t, getenv, args...)
			if strings.Contains(out, "PRIVATE") || strings.Contains(out, string(block.Bytes[40:60])) ||
				strings.Contains(out, b64(key.(*rsa.PrivateKey).D.Bytes()[:16])) {
				t.Errorf("%v: the output holds private material of %s", args, kid)
			}
		}
	}
}

// TestFromSecretsManager reads the secret from Secrets Manager, the one
// SALESFORCE_SECRET_ID names, as the function does.
func TestFromSecretsManager(t *testing.T) {
	secret := secretOf("k1", "k1")
	srv := secretstest.NewServer(t, map[string]string{"prod/salesforce": secret})
	srv.Setenv(t)
	code, stdout, stderr := runJWK(t, env(map[string]string{"SALESFORCE_SECRET_ID": "prod/salesforce"}), "-kid", "k1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantLine, _ := json.Marshal(published(t, secret).Keys[0].Upload())
	if stdout != string(wantLine)+"\n" {
		t.Errorf("stdout = %s, want %s", stdout, wantLine)
	}
	if srv.CallsFor("prod/salesforce") != 1 {
		t.Errorf("%d reads of the secret", srv.CallsFor("prod/salesforce"))
	}
}

// TestRefuses: no secret, a secret the function would refuse, the dev-only
// secret, an unknown kid and bad arguments; the errors name settings and
// JSON keys, never a value.
func TestRefuses(t *testing.T) {
	k1 := testKey("k1")
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		code int
		want []string
	}{
		{"no secret", nil, nil, 1, []string{"SALESFORCE_SECRET_ID"}},
		{"signing kid without its key", map[string]string{"SALESFORCE_SECRET_JSON": secretOf("k9", "k1")}, nil, 1, []string{"signing_kid"}},
		{"a key that does not parse", map[string]string{"SALESFORCE_SECRET_JSON": `{"signing_kid":"k1","key.k1":` + strings.ReplaceAll(quote(k1), "M", "") + `}`}, nil, 1, []string{"key.k1"}},
		{"the dev-only secret", map[string]string{"SALESFORCE_SECRET_JSON": dev.Secret("salesforce", salesforce.Descriptor.Secret)}, nil, 1, []string{"dev-only"}},
		{"an unknown kid", map[string]string{"SALESFORCE_SECRET_JSON": secretOf("k1", "k1")}, []string{"-kid", "k7"}, 1, []string{`"k7"`}},
		{"-kid and -set", map[string]string{"SALESFORCE_SECRET_JSON": secretOf("k1", "k1")}, []string{"-kid", "k1", "-set"}, 2, []string{"usage"}},
		{"an argument", map[string]string{"SALESFORCE_SECRET_JSON": secretOf("k1", "k1")}, []string{"k1"}, 2, []string{"usage"}},
		{"an unknown flag", nil, []string{"-private"}, 2, []string{"-private"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runJWK(t, env(c.vars), c.args...)
			if code != c.code || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want exit %d and nothing printed", code, stdout, c.code)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr = %s, want it to name %s", stderr, w)
				}
			}
			if strings.Contains(stderr, k1[40:80]) {
				t.Errorf("stderr quotes the key")
			}
		})
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// b64 is b as a JWK writes a number: base64url, unpadded.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
