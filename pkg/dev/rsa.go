package dev

import (
	"crypto/rsa"
	"crypto/sha3"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"sync"
)

// rsaKeys caches RSAPrivateKey's answers, by seed and size: deriving a key
// takes a fraction of a second.
var rsaKeys sync.Map // string -> string

// DevKeyLabel is the line of text before the PEM block of every key of
// RSAPrivateKey, so that the key says it is dev-only wherever it is
// pasted. RFC 7468 (section 2) lets text precede a PEM block, and OpenSSL
// reads such a file.
const DevKeyLabel = "dev-only key, derived from a seed published with its repository: never trust it"

// RSAPrivateKey is the RSA private key of bits bits (at least 1024, a
// multiple of 16) derived from seed, such as a Value, in PEM (PKCS #8,
// "PRIVATE KEY") after the line DevKeyLabel: the same key for the same
// seed and size, on every machine and Go version, so a generated file that
// holds it stays the same.
//
// crypto/rsa.GenerateKey cannot give that (it takes its randomness from the
// system), so the primes are drawn here from SHAKE256 of the seed: each
// candidate is bits/2 bits read from the XOF, its two top bits and its
// low bit set, kept when it is probably prime (Miller-Rabin and
// Baillie-PSW, math/big) and p-1 is prime to the public exponent 65537.
// Such a key is only as secret as its seed, which is published: it is for
// development alone, like every value of this package.
func RSAPrivateKey(seed string, bits int) string {
	if bits < 1024 || bits%16 != 0 {
		panic("dev: RSAPrivateKey: bits must be a multiple of 16, at least 1024")
	}
	id := strconv.Itoa(bits) + "\x00" + seed
	if pemKey, ok := rsaKeys.Load(id); ok {
		return pemKey.(string)
	}
	key := deriveRSAKey(seed, bits)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(fmt.Sprintf("dev: RSAPrivateKey: %v", err)) // a key that Validate accepted always marshals
	}
	pemKey := DevKeyLabel + "\n" + string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	rsaKeys.Store(id, pemKey)
	return pemKey
}

// deriveRSAKey makes the key RSAPrivateKey encodes.
func deriveRSAKey(seed string, bits int) *rsa.PrivateKey {
	xof := sha3.NewSHAKE256()
	xof.Write([]byte("dev.RSAPrivateKey\x00" + strconv.Itoa(bits) + "\x00" + seed))
	e := big.NewInt(65537)
	p := derivePrime(xof, bits/2, e)
	q := derivePrime(xof, bits/2, e)
	for p.Cmp(q) == 0 {
		q = derivePrime(xof, bits/2, e)
	}
	one := big.NewInt(1)
	pm1, qm1 := new(big.Int).Sub(p, one), new(big.Int).Sub(q, one)
	gcd := new(big.Int).GCD(nil, nil, pm1, qm1)
	lambda := new(big.Int).Div(new(big.Int).Mul(pm1, qm1), gcd) // lcm(p-1, q-1)
	key := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: int(e.Int64())},
		D:         new(big.Int).ModInverse(e, lambda),
		Primes:    []*big.Int{p, q},
	}
	key.Precompute()
	if err := key.Validate(); err != nil || key.N.BitLen() != bits {
		panic(fmt.Sprintf("dev: RSAPrivateKey: derived an invalid key (%d bits): %v", key.N.BitLen(), err))
	}
	return key
}

// derivePrime reads candidates of bits bits from xof until one is
// probably prime with p-1 prime to e.
func derivePrime(xof io.Reader, bits int, e *big.Int) *big.Int {
	buf := make([]byte, bits/8)
	one := big.NewInt(1)
	for {
		if _, err := io.ReadFull(xof, buf); err != nil {
			panic(err) // SHAKE output never ends
		}
		buf[0] |= 0xc0 // two top bits: p*q has exactly 2*bits bits
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		if !p.ProbablyPrime(20) {
			continue
		}
		if new(big.Int).GCD(nil, nil, new(big.Int).Sub(p, one), e).Cmp(one) == 0 {
			return p
		}
	}
}
