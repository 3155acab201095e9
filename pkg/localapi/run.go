package localapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// DefaultAddr is where Run listens unless told otherwise: loopback only.
const DefaultAddr = "127.0.0.1:3000"

// ShutdownTimeout bounds how long Run waits for requests in flight once
// its context ends.
const ShutdownTimeout = 5 * time.Second

// Config is what Run takes from its surroundings.
type Config struct {
	Addr    string              // listen address; "" means DefaultAddr
	Environ func(string) string // the environment; nil means os.Getenv
	Stdout  io.Writer           // the start-up banner; nil means os.Stdout
	Logger  *slog.Logger        // the functions' logs; nil means slog.Default()
}

// Run serves Routes on c.Addr until ctx ends, then shuts down, waiting at
// most ShutdownTimeout for requests in flight. The functions are built from
// the environment over DevSettings (see Getenv), with the base URL of each
// API a function calls (descriptor.Upstream) defaulting to this server's
// own stand-in for it (StandInPath); Run refuses to start,
// before reading any secret, when CheckDevSessionKey refuses those
// settings. Once serving, Run prints the routes and a curl command that
// calls the first of them with a fresh dev session to c.Stdout; only then does it write the functions'
// start-up logs to c.Logger, with the warnings that package secrets gives
// for each secret taken from the environment collapsed into one
// (OfflineSecretsMessage). It returns nil after a clean shutdown.
func Run(ctx context.Context, c Config) error {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Environ == nil {
		c.Environ = os.Getenv
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	base := baseURL(addr)

	defaults := devSettings(base)
	getenv := Getenv(c.Environ, defaults)
	if err := CheckDevSessionKey(getenv, base); err != nil {
		return err
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.Default()
	}
	startLog := newStartLog(logger.Handler())
	srv, err := New(ctx, function.Deps{Getenv: getenv, Logger: slog.New(startLog)})
	if err != nil {
		_ = startLog.release(ctx)
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	printBanner(c.Stdout, base, !addr.IP.IsLoopback(), c.Environ, defaults, getenv)
	_ = startLog.release(ctx)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(c.Stdout, "Shutting down.")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// baseURL is the URL that reaches a listener at addr from this machine.
func baseURL(addr *net.TCPAddr) string {
	ip := addr.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), fmt.Sprint(addr.Port))
}

// printBanner tells what is served and how to try it.
func printBanner(w io.Writer, base string, exposed bool, environ func(string) string, defaults map[string]string, getenv func(string) string) {
	fmt.Fprintf(w, "Serving the token functions as API Gateway would, on %s\n", base)
	if exposed {
		fmt.Fprintln(w, "WARNING: not a loopback address; anyone who reaches it can mint tokens with these settings.")
	}
	fmt.Fprintln(w, "\nRoutes:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range Routes {
		note := ""
		if r.Public {
			note = "\t(no session)"
		}
		fmt.Fprintf(tw, "  %s\t%s%s\t%s%s\n", r.Method, base, r.Path, r.Vendor.LogicalID, note)
	}
	_ = tw.Flush()

	var fromEnv, dev []string
	for name := range defaults {
		if set(environ, name) {
			fromEnv = append(fromEnv, name)
		} else if getenv(name) != "" {
			dev = append(dev, name)
		}
	}
	slices.Sort(fromEnv)
	slices.Sort(dev)
	fmt.Fprintf(w, "\nDEV-ONLY defaults in use (never deploy them): %s\n", strings.Join(dev, ", "))
	if len(fromEnv) > 0 {
		fmt.Fprintf(w, "From your environment: %s\n", strings.Join(fromEnv, ", "))
	}
	for _, v := range vendors.All() {
		if path := StandInPath(v); path != "" {
			fmt.Fprintf(w, "%s stand-in: %s (%s: %s)\n", v.Title, base+path, v.Upstream.BaseURL, getenv(v.Upstream.BaseURL))
		}
	}

	token, err := DevSession(getenv, DevIdentity, time.Now(), DefaultSessionTTL)
	switch {
	case err != nil:
		fmt.Fprintf(w, "\nNo dev session: %v\n", err)
	case len(Routes) > 0:
		first := Routes[0]
		fmt.Fprintf(w, "\nTry it, with a dev session for %s valid for %s:\n\n  %s\n",
			DevIdentity.UserID, shortDuration(DefaultSessionTTL), Curl(first.Method, base+first.Path, token))
		fmt.Fprintln(w, "\nAnother session: TOKEN=$(make -s dev-session SUB=user-2 EMAIL=user-2@example.com NAME='User Two')")
	}
	fmt.Fprintln(w, "\nStop with Ctrl-C.")
}

// shortDuration writes d without zero trailing units: "1h", not "1h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Curl returns a curl command line that calls url with method and the
// session token as a bearer token. url and token must not hold a quote.
func Curl(method, url, token string) string {
	return fmt.Sprintf("curl -sS -X %s %s -H 'Authorization: Bearer %s'", method, url, token)
}
