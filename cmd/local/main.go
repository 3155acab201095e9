// Command local serves every vendor's token function on one local HTTP server,
// as API Gateway would, with dev-only defaults so that it needs no AWS
// account (see package localapi). make local runs it.
//
//	go run ./cmd/local [-addr 127.0.0.1:3000]
//	go run ./cmd/local -dev-session [-sub ID] [-email EMAIL] [-name NAME] [-ttl 1h]
//	go run ./cmd/local -start-api-env events/start-api-env.json
//
// Every setting of the functions can be given in the environment, as in
// Lambda; LOCAL_ADDR sets the default of -addr. It refuses to start when
// settings that reach a real vendor sit beside the published dev session
// key (localapi.CheckDevSessionKey), and answers only requests addressed
// to a loopback host. With -dev-session it prints only a session token, on
// stdout, and exits. With -start-api-env it prints the env file for `sam
// local start-api`, with the session key of SESSION_SECRET_JSON (see
// localapi.StartAPIEnv), and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

func main() {
	addr := flag.String("addr", envOr("LOCAL_ADDR", localapi.DefaultAddr), "listen address (loopback by default; env LOCAL_ADDR)")
	devSession := flag.Bool("dev-session", false, "print a dev session token and exit")
	sub := flag.String("sub", localapi.DevIdentity.UserID, "dev session: user id")
	email := flag.String("email", "", "dev session: email (default <sub>@example.com; -email= for none)")
	name := flag.String("name", localapi.DevIdentity.Name, "dev session: name")
	ttl := flag.Duration("ttl", localapi.DefaultSessionTTL, "dev session: lifetime")
	startAPIEnv := flag.String("start-api-env", "", "print this env file for sam local start-api with SESSION_SECRET_JSON added, and exit")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "local: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}

	if *startAPIEnv != "" {
		data, err := os.ReadFile(*startAPIEnv)
		if err == nil {
			data, err = localapi.StartAPIEnv(data, os.Getenv)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "local:", err)
			os.Exit(1)
		}
		os.Stdout.Write(data)
		return
	}

	if *devSession {
		if !isSet("email") {
			*email = *sub + "@example.com"
		}
		getenv := localapi.Getenv(os.Getenv, localapi.DevSettings())
		token, err := localapi.DevSession(getenv, identity.Identity{UserID: *sub, Email: *email, Name: *name}, time.Now(), *ttl)
		if err != nil {
			fmt.Fprintln(os.Stderr, "local:", err)
			os.Exit(1)
		}
		fmt.Println(token)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := function.NewLogger(os.Stderr, os.Getenv("AWS_LAMBDA_LOG_LEVEL"))
	if err := localapi.Run(ctx, localapi.Config{Addr: *addr, Logger: logger}); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// isSet reports whether the flag name was given on the command line.
func isSet(name string) bool {
	found := false
	flag.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
