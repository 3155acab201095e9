package salesforce

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// The secret's layout (SALESFORCE_SECRET_ID): one JSON object of strings,
//
//	{"signing_kid": "2025-01",
//	 "key.2024-07": "-----BEGIN PRIVATE KEY-----\n...",
//	 "key.2025-01": "-----BEGIN PRIVATE KEY-----\n..."}
//
// Each "key.<kid>" holds an RSA private key, published under <kid>;
// "signing_kid" names the one that signs.
const (
	// SigningKidKey is the JSON key naming the kid whose key signs.
	SigningKidKey = "signing_kid"
	// KeyPrefix starts the JSON key of each private key: "key.<kid>".
	KeyPrefix = "key."
	// MinKeyBits is the least size of an RSA key's modulus: RFC 7518
	// (section 3.3) asks at least 2048 bits of an RS256 key.
	MinKeyBits = 2048
	// MaxKidLen is the longest kid: 1 to 64 characters, each a letter, a
	// digit, '.', '_' or '-', so it reads the same in a JSON key, a JWT
	// header, a certificate's name and a file name.
	MaxKidLen = 64
)

// Errors of the secret's check (Descriptor.Secret.Check): each names the
// JSON key at fault, never its value.
var (
	ErrNoKeys       = errors.New(`salesforce: the secret holds no "key.<kid>" private key`)
	ErrSigningKid   = errors.New(`salesforce: names no "key.<kid>" private key of the secret`)
	ErrUnknownKey   = errors.New(`salesforce: is neither "signing_kid" nor a "key.<kid>" private key`)
	ErrKid          = fmt.Errorf("salesforce: the kid must be 1 to %d characters, each a letter, a digit, '.', '_' or '-'", MaxKidLen)
	ErrKeyNotPEM    = errors.New(`salesforce: is not one PEM-encoded private key, PKCS #8 ("BEGIN PRIVATE KEY") or PKCS #1 ("BEGIN RSA PRIVATE KEY"); Go refuses RSA keys under 1024 bits as well`)
	ErrKeyEncrypted = errors.New("salesforce: is an encrypted private key; store it unencrypted (openssl genpkey without a cipher)")
	ErrKeyPublic    = errors.New("salesforce: is a public key or a certificate, not the private key")
	ErrKeyNotRSA    = errors.New("salesforce: is not an RSA key (RS256 signs with RSA)")
	ErrKeySize      = fmt.Errorf("salesforce: the RSA key must have at least %d bits", MinKeyBits)
)

// Key is one key of the secret: its kid, the private key, and the
// self-signed certificate of its public half that Salesforce's key upload
// asks for (x5c).
type Key struct {
	Kid  string
	priv *rsa.PrivateKey
	cert []byte // DER
}

// Public returns the key's public half.
func (k *Key) Public() *rsa.PublicKey { return &k.priv.PublicKey }

// Certificate returns the DER of the key's certificate; see Certificate.
func (k *Key) Certificate() []byte { return k.cert }

// Keyset is the secret's keys: the one that signs, and every key whose
// public half is published. It is immutable.
type Keyset struct {
	signing *Key
	keys    []*Key // the signing key first, then by kid
	jwks    JWKS
}

// Signing returns the key that signs.
func (s *Keyset) Signing() *Key { return s.signing }

// Keys returns every key, the signing key first, then by kid.
func (s *Keyset) Keys() []*Key { return slices.Clone(s.keys) }

// JWKS returns the public halves of every key, as GET
// /salesforce/jwks.json answers them.
func (s *Keyset) JWKS() JWKS { return s.jwks }

// NewKeyset reads the keys of a secret's values, checked as the secret's
// Check checks them (see CheckSecret), and makes each key's certificate.
func NewKeyset(v secrets.Values) (*Keyset, error) {
	signingKid, keys, err := parseSecret(v)
	if err != nil {
		return nil, err
	}
	set := &Keyset{}
	for _, kid := range slices.Sorted(maps.Keys(keys)) {
		cert, err := Certificate(kid, keys[kid])
		if err != nil {
			return nil, fmt.Errorf("JSON key %q: %w", KeyPrefix+kid, err)
		}
		k := &Key{Kid: kid, priv: keys[kid], cert: cert}
		if kid == signingKid {
			set.signing = k
			set.keys = slices.Insert(set.keys, 0, k)
		} else {
			set.keys = append(set.keys, k)
		}
	}
	for _, k := range set.keys {
		set.jwks.Keys = append(set.jwks.Keys, NewJWK(k.Kid, k.Public(), k.cert))
	}
	return set, nil
}

// CheckSecret is the secret's Check, at start and at every re-read (a
// re-read that fails it keeps the last good keys): the secret holds at
// least one "key.<kid>" and nothing but those and "signing_kid"; each kid
// is 1 to MaxKidLen characters, each a letter, a digit, '.', '_' or '-';
// each key is one unencrypted PEM block of an RSA private key, PKCS #8 or
// PKCS #1, of at least MinKeyBits bits; and "signing_kid" names one
// of them. Every problem is reported at once, each naming its JSON key and
// never its value.
func CheckSecret(v secrets.Values) error {
	_, _, err := parseSecret(v)
	return err
}

// parseSecret returns the signing kid and the private keys by kid.
func parseSecret(v secrets.Values) (signingKid string, keys map[string]*rsa.PrivateKey, err error) {
	keys = map[string]*rsa.PrivateKey{}
	refused := map[string]bool{} // kids whose key is there but refused
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if name == SigningKidKey {
			continue
		}
		kid, ok := strings.CutPrefix(name, KeyPrefix)
		if !ok {
			errs = append(errs, fmt.Errorf("JSON key %q: %w", name, ErrUnknownKey))
			continue
		}
		if !validKid(kid) {
			errs = append(errs, fmt.Errorf("JSON key %q: %w", name, ErrKid))
			continue
		}
		key, err := ParsePrivateKey(v[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("JSON key %q: %w", name, err))
			refused[kid] = true
			continue
		}
		keys[kid] = key
	}
	signingKid = string(v[SigningKidKey])
	switch _, ok := keys[signingKid]; {
	case len(keys) == 0 && len(refused) == 0:
		errs = append(errs, ErrNoKeys)
	case !ok && !refused[signingKid]: // a signing key that is there but refused is reported once, above
		errs = append(errs, fmt.Errorf("JSON key %s: %w", SigningKidKey, ErrSigningKid))
	}
	if err := errors.Join(errs...); err != nil {
		return "", nil, err
	}
	return signingKid, keys, nil
}

// validKid reports whether kid is 1 to MaxKidLen letters, digits, '.', '_'
// or '-'.
func validKid(kid string) bool {
	if kid == "" || len(kid) > MaxKidLen {
		return false
	}
	for i := 0; i < len(kid); i++ {
		switch c := kid[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// ParsePrivateKey reads one PEM block holding an unencrypted RSA private
// key, PKCS #8 ("PRIVATE KEY", as openssl genpkey writes it) or PKCS #1
// ("RSA PRIVATE KEY"), of at least MinKeyBits bits. Text before the
// block is let be, as RFC 7468 (section 2) allows (openssl pkcs12 writes
// "Bag Attributes" there); after it, only white space. Its errors say what
// is wrong and never quote the key.
func ParsePrivateKey(pemKey []byte) (*rsa.PrivateKey, error) {
	block, rest := pem.Decode(pemKey)
	if block == nil || len(bytes.TrimSpace(rest)) != 0 {
		return nil, ErrKeyNotPEM
	}
	if block.Headers["Proc-Type"] != "" || block.Headers["DEK-Info"] != "" { // the legacy encryption of OpenSSL
		return nil, ErrKeyEncrypted
	}
	var (
		parsed any
		err    error
	)
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, ErrKeyEncrypted
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		return nil, ErrKeyPublic
	case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
		return nil, ErrKeyNotRSA
	default:
		return nil, ErrKeyNotPEM
	}
	if err != nil {
		return nil, ErrKeyNotPEM // x509's text says nothing more useful, and is kept out of the logs
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, ErrKeyNotRSA
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("%w; it has %d", ErrKeySize, bits)
	}
	return key, nil
}

// The validity of every key's certificate. Salesforce's upload refuses a
// certificate valid for less than 10 days; the key, not the certificate,
// is what is trusted and rotated, so the certificate never expires:
// notAfter is 99991231235959Z, the value RFC 5280 (section 4.1.2.5) gives a
// certificate with no well-defined expiration, and notBefore the Unix
// epoch. Both are fixed so that the certificate is the same on every start.
var (
	certNotBefore = time.Unix(0, 0).UTC()
	certNotAfter  = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// Certificate returns the DER of the self-signed X.509 certificate of
// key's public half that the JWK's x5c carries: Salesforce's key upload
// requires x5c. It is made from the key alone, the same on every call, so
// every instance of the function publishes the same one and a key printed
// for upload matches the one published: subject and issuer CN=<kid>; serial
// number the first 16 bytes of the SHA-256 of the public key (its DER
// SubjectPublicKeyInfo), made positive; valid from the Unix epoch to
// 9999-12-31 (see certNotAfter); a CA of itself, as `openssl req -x509`
// makes the certificate of Salesforce's own recipe, with key usages digital
// signature and certificate signing, and the subject key identifier Go
// derives from the public key; signed by key with SHA-256 and PKCS #1
// v1.5, which is deterministic.
func Certificate(kid string, key *rsa.PrivateKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("salesforce: certificate: %w", err)
	}
	sum := sha256.Sum256(spki)
	sum[0] &= 0x7f // positive, and at most 16 bytes in DER
	sum[0] |= 0x40 // never zero, and always 16 bytes long
	tpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(sum[:16]),
		Subject:               pkix.Name{CommonName: kid},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true, // as openssl req -x509 makes it, in Salesforce's own recipe
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("salesforce: certificate: %w", err)
	}
	return der, nil
}

// JWK is the public half of one key as the JWK set publishes it (RFC
// 7517, RFC 7518 section 6.3.1): kty RSA, use sig, alg RS256, its kid, the
// modulus n and exponent e (base64url, unpadded big-endian), and x5c, its
// certificate (standard base64 DER, RFC 7517 section 4.7).
type JWK struct {
	Kty string   `json:"kty"`
	Use string   `json:"use"`
	Alg string   `json:"alg"`
	Kid string   `json:"kid"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X5c []string `json:"x5c"`
}

// JWKS is a JWK set: {"keys": [...]}.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// NewJWK returns the JWK of pub under kid, with cert (DER) as its x5c.
func NewJWK(kid string, pub *rsa.PublicKey, cert []byte) JWK {
	return JWK{
		Kty: "RSA",
		Use: "sig",
		Alg: Algorithm,
		Kid: kid,
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		X5c: []string{base64.StdEncoding.EncodeToString(cert)},
	}
}

// UploadJWK is one key as Salesforce Setup's key upload takes it (Setup >
// Enhanced Chat User Verification > New Key), one file per key: the
// members, in the order, of the sample JWK structure in Salesforce's
// "Troubleshooting User Verification", which its own key command line
// utility also writes. That structure holds the members y, crv, d and k
// with the placeholder values "y", "crv", "d" and "k": no key material,
// the public key's kid, alg, use, kty, x5c, n and e are the only values.
type UploadJWK struct {
	Kid string   `json:"kid"`
	Alg string   `json:"alg"`
	Use string   `json:"use"`
	Kty string   `json:"kty"`
	X5c []string `json:"x5c"`
	Y   string   `json:"y"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	Crv string   `json:"crv"`
	D   string   `json:"d"`
	K   string   `json:"k"`
}

// Upload returns the JWK in the form of Salesforce's upload (UploadJWK).
func (j JWK) Upload() UploadJWK {
	return UploadJWK{Kid: j.Kid, Alg: j.Alg, Use: j.Use, Kty: j.Kty, X5c: j.X5c, Y: "y", N: j.N, E: j.E, Crv: "crv", D: "d", K: "k"}
}
