package dev_test

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// parseKey decodes one PKCS #8 PEM block holding an RSA key, and nothing
// after it.
func parseKey(t *testing.T, pemKey string) *rsa.PrivateKey {
	t.Helper()
	label, _, _ := strings.Cut(pemKey, "\n")
	if label != dev.DevKeyLabel || !strings.Contains(label, "dev-only") {
		t.Errorf("the key's first line is %q, want the dev-only label", label)
	}
	block, rest := pem.Decode([]byte(pemKey))
	if block == nil || block.Type != "PRIVATE KEY" || len(block.Headers) != 0 || len(rest) != 0 {
		t.Fatalf("not one PKCS #8 PEM block after the label: %q", pemKey)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("a %T, not an RSA key", key)
	}
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRSAPrivateKey: the key is valid, of the size asked, the same for
// the same seed and size, another for another seed or size, and the very
// key it was when this test was written (the SHA-256 of its modulus), so
// a generated file that holds it does not change under another Go version.
func TestRSAPrivateKey(t *testing.T) {
	const seed = "dev-only-acme-key-not-for-production"
	a := dev.RSAPrivateKey(seed, 2048)
	if again := dev.RSAPrivateKey(seed, 2048); again != a {
		t.Error("two keys from the same seed differ")
	}
	key := parseKey(t, a)
	if key.N.BitLen() != 2048 || key.E != 65537 {
		t.Errorf("key has %d bits and e = %d, want 2048 and 65537", key.N.BitLen(), key.E)
	}
	sum := sha256.Sum256(key.N.Bytes())
	if got, want := hex.EncodeToString(sum[:]), pinnedModulus; got != want {
		t.Errorf("SHA-256 of the modulus = %s, want %s: the derivation changed", got, want)
	}
	if dev.RSAPrivateKey(seed+"x", 2048) == a {
		t.Error("another seed gives the same key")
	}
	if other := parseKey(t, dev.RSAPrivateKey(seed, 1024)); other.N.BitLen() != 1024 {
		t.Errorf("a 1024-bit key has %d bits", other.N.BitLen())
	}
	for _, bits := range []int{512, 2047, 2056} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RSAPrivateKey(%d bits) did not panic", bits)
				}
			}()
			dev.RSAPrivateKey(seed, bits)
		}()
	}
}

// pinnedModulus is the SHA-256, in hex, of the modulus of the 2048-bit
// key RSAPrivateKey derives from "dev-only-acme-key-not-for-production".
const pinnedModulus = "55d0d9dd6a8d4ecbfef1166f1dc292fa2002889342c4ddc438a411fe3c3ac40d"

// TestSecretWithDev: a Spec with Dev lays out its own dev-only value, with
// the dev-only strings and keys of Values; one without gives each key its
// Value.
func TestSecretWithDev(t *testing.T) {
	spec := secrets.Spec{Setting: "ACME_SECRET_ID", Keys: []string{"kid"}, Dev: func(g secrets.DevValues) map[string]string {
		return map[string]string{"kid": g.Text("kid"), "key." + g.Text("kid"): g.RSAPrivateKey("key", 2048)}
	}}
	var got map[string]string
	if err := json.Unmarshal([]byte(dev.Secret("acme", spec)), &got); err != nil {
		t.Fatal(err)
	}
	kid := dev.Value("acme", "kid")
	if len(got) != 2 || got["kid"] != kid || got["key."+kid] != dev.RSAPrivateKey(dev.Value("acme", "key"), 2048) {
		t.Errorf("Secret = %v, want the kid and its key", got)
	}
	parseKey(t, got["key."+kid])
	if !strings.HasPrefix(kid, "dev-only-") {
		t.Errorf("kid %q does not say dev-only", kid)
	}
	spec.Dev = nil
	if got := dev.Secret("acme", spec); got != `{"kid":"`+kid+`"}` {
		t.Errorf("without Dev, Secret = %s", got)
	}
}
