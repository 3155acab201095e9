// Command jwk prints the public halves of the keys in the Salesforce
// secret, for Salesforce Setup (Enhanced Chat User Verification):
//
//	go run ./pkg/salesforce/cmd/jwk              # every key, one JSON object a line
//	go run ./pkg/salesforce/cmd/jwk -kid 2025-01 > 2025-01.json   # one key, the file to upload
//	go run ./pkg/salesforce/cmd/jwk -set         # the JWK set, as GET /salesforce/jwks.json serves it
//
// Each key is printed in the form Salesforce's key upload takes
// (salesforce.UploadJWK): one key a file, with kid, alg, use, kty, x5c, n
// and e, the same certificate and members as the function publishes. The
// secret is read as the function reads it, through package secrets: from
// SALESFORCE_SECRET_JSON when set, else from Secrets Manager, the secret
// SALESFORCE_SECRET_ID names, with the AWS credentials and region of the
// environment. It is checked as the function checks it, and the dev-only
// secret, which is published with this repository, is refused. Nothing
// private is printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// errDevSecret: the secret is the dev-only one, which anyone can sign with.
var errDevSecret = errors.New("the secret holds a dev-only key, published with this repository: Salesforce must never trust it")

// run is the command: 0 when it printed the keys, 1 when the secret cannot
// be had, 2 for bad arguments.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("jwk", flag.ContinueOnError)
	flags.SetOutput(stderr)
	kid := flags.String("kid", "", "print only the key of this kid")
	set := flags.Bool("set", false, "print the JWK set, as GET /salesforce/jwks.json serves it, instead of the keys to upload")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: jwk [-kid KID | -set]\n\nPrints the public keys of %s (or %s) for Salesforce Setup.\n\n",
			salesforce.Descriptor.Secret.Setting, salesforce.Descriptor.Secret.OverrideSetting())
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 || (*set && *kid != "") {
		flags.Usage()
		return 2
	}

	keys, err := load(ctx, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "jwk:", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	if *set {
		return exit(stderr, enc.Encode(keys.JWKS()))
	}
	found := false
	for _, k := range keys.JWKS().Keys {
		if *kid != "" && k.Kid != *kid {
			continue
		}
		found = true
		if err := enc.Encode(k.Upload()); err != nil {
			return exit(stderr, err)
		}
	}
	if !found {
		fmt.Fprintf(stderr, "jwk: the secret holds no key of kid %q\n", *kid)
		return 1
	}
	return 0
}

func exit(stderr io.Writer, err error) int {
	if err != nil {
		fmt.Fprintln(stderr, "jwk:", err)
		return 1
	}
	return 0
}

// load reads and checks the secret as the function does, and refuses the
// dev-only one.
func load(ctx context.Context, getenv func(string) string, stderr io.Writer) (*salesforce.Keyset, error) {
	loader := &secrets.Loader{Getenv: getenv, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
	loaded, err := loader.Load(ctx, salesforce.Descriptor.Secret)
	if err != nil {
		return nil, err
	}
	values, err := loaded[0].Values(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range values {
		if strings.Contains(string(v), "dev-only") {
			return nil, errDevSecret
		}
	}
	return salesforce.NewKeyring(loaded[0]).Keys(ctx)
}
