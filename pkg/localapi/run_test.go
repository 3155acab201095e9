package localapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
	"github.com/vendortokens/vendor-token-functions/pkg/logtest"
	"github.com/vendortokens/vendor-token-functions/pkg/vendors"
)

// waitFor polls out until it holds s, for at most 10 s.
func waitFor(t *testing.T, out *logtest.Buffer, s string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if text := out.String(); strings.Contains(text, s) {
			return text
		}
	}
	t.Fatalf("no %q in the output:\n%s", s, out.String())
	return ""
}

// TestRun starts the server as make local does, runs the curl command it
// prints, calls every route it lists, and stops it.
func TestRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- localapi.Run(ctx, localapi.Config{
			Addr:    "127.0.0.1:0",
			Environ: func(string) string { return "" },
			Stdout:  &out,
			Logger:  quiet,
		})
	}()
	banner := waitFor(t, &out, "Stop with Ctrl-C.")

	// The printed curl command works as printed, on the first route.
	line := regexp.MustCompile(`(?m)^\s*(curl .*)$`).FindStringSubmatch(banner)
	if line == nil {
		t.Fatalf("no curl command in:\n%s", banner)
	}
	first := localapi.Routes[0]
	if !strings.Contains(line[1], "-X "+first.Method+" http://127.0.0.1:") || !strings.Contains(line[1], first.Path+" ") {
		t.Errorf("the curl command does not call %s: %s", first.Key(), line[1])
	}
	_, getenv := start(t, nil) // the same dev settings
	checkAnswer(t, runCurl(t, line[1]), responseFields(t, first.Vendor, getenv))

	// Every route is listed, on a URL that serves it.
	token := devToken(t, getenv, testID)
	for _, r := range localapi.Routes {
		note := ""
		if r.Public {
			note = `\s+\(no session\)`
		}
		m := regexp.MustCompile(`(?m)^\s+` + r.Method + `\s+(http://\S+` + regexp.QuoteMeta(r.Path) + `)\s+` + r.Vendor.LogicalID + note + `$`).FindStringSubmatch(banner)
		if m == nil {
			t.Errorf("%s is not listed in:\n%s", r.Key(), banner)
			continue
		}
		if resp := call(t, r.Method, m[1], token, nil); resp.status != http.StatusOK {
			t.Errorf("%s %s: %d %s", r.Method, m[1], resp.status, resp.body)
		}
	}
	wants := []string{"DEV-ONLY", "SESSION_SECRET_JSON", "make -s dev-session"}
	for _, v := range upstreamVendors() {
		wants = append(wants, "\n"+v.Title+" stand-in: http://127.0.0.1:", localapi.StandInPath(v)+" ("+v.Upstream.BaseURL+": http://127.0.0.1:")
	}
	for _, want := range wants {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner does not mention %q:\n%s", want, banner)
		}
	}
	if strings.Contains(banner, "WARNING") {
		t.Errorf("a loopback server warns:\n%s", banner)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(localapi.ShutdownTimeout + time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	waitFor(t, &out, "Shutting down.")
}

// runCurl runs a command line of the form Curl prints with net/http.
func runCurl(t *testing.T, line string) response {
	t.Helper()
	args := shellWords(t, line)
	if len(args) == 0 || args[0] != "curl" {
		t.Fatalf("not a curl command: %q", line)
	}
	method, url, header := http.MethodGet, "", http.Header{}
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-sS":
		case a == "-X" && i+1 < len(args):
			i++
			method = args[i]
		case a == "-H" && i+1 < len(args):
			i++
			k, v, ok := strings.Cut(args[i], ":")
			if !ok {
				t.Fatalf("bad header %q", args[i])
			}
			header.Add(k, strings.TrimSpace(v))
		case !strings.HasPrefix(a, "-") && url == "":
			url = a
		default:
			t.Fatalf("unexpected curl argument %q in %q", a, line)
		}
	}
	token, ok := strings.CutPrefix(header.Get("Authorization"), "Bearer ")
	if !ok || url == "" {
		t.Fatalf("no URL or bearer token in %q", line)
	}
	return call(t, method, url, token, nil)
}

// shellWords splits line as a POSIX shell would, for words that are plain
// or in single quotes.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for _, c := range line {
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			word.WriteRune(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		case strings.ContainsRune(`"\$`+"`", c):
			t.Fatalf("%q needs more than single quotes", line)
		default:
			word.WriteRune(c)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// runFailure is a Run that must fail, and the error it must return.
type runFailure struct {
	name, addr string
	env        map[string]string
	want       string
	is         error // nil: any error
}

// durationSetting returns the first vendor setting that is a duration, and
// its vendor.
func durationSetting() (descriptor.Vendor, config.Setting, bool) {
	for _, v := range vendors.All() {
		for _, s := range v.Settings {
			if s.IsDuration() {
				return v, s, true
			}
		}
	}
	return descriptor.Vendor{}, config.Setting{}, false
}

func TestRunFails(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	first := vendors.All()[0]
	tests := []runFailure{
		{"address in use", busy.Addr().String(), nil, "address already in use", nil},
		{"bad session setting", "127.0.0.1:0", map[string]string{"SESSION_LEEWAY": "forever"}, "SESSION_LEEWAY", nil},
		// Refused before any secret is read.
		{"real secret beside the dev session key", "127.0.0.1:0", map[string]string{first.Secret.Setting: "real-secret-name"}, first.Secret.Setting, localapi.ErrDevSessionKey},
	}
	// A vendor's own setting that its function refuses stops Run, naming
	// the function.
	if v, s, ok := durationSetting(); ok {
		tests = append(tests, runFailure{"bad " + s.Name, "127.0.0.1:0", map[string]string{s.Name: "forever"}, v.LogicalID, nil})
	}
	for _, v := range upstreamVendors() {
		tests = append(tests, runFailure{"real " + v.Upstream.BaseURL + " beside the dev session key", "127.0.0.1:0",
			map[string]string{v.Upstream.BaseURL: "https://api.example.com"}, v.Upstream.BaseURL, localapi.ErrDevSessionKey})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out logtest.Buffer
			// Bounded, should Run serve after all.
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := localapi.Run(ctx, localapi.Config{
				Addr:    tt.addr,
				Environ: func(k string) string { return tt.env[k] },
				Stdout:  &out,
				Logger:  quiet,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("Run = %v, want an error with %q (%v)", err, tt.want, tt.is)
			}
			if out.String() != "" {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

// TestRunLogsAfterBanner: the functions' start-up logs follow the banner,
// each with its function's attribute, and the warnings for secrets taken
// from the environment, one per secret and function, are one line that
// names every such setting.
func TestRunLogsAfterBanner(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out logtest.Buffer                                             // the banner and the logs, in the order written
	env := map[string]string{"SESSION_TRUST_UNVERIFIED_EMAIL": "true"} // a warning from every function
	done := make(chan error, 1)
	go func() {
		done <- localapi.Run(ctx, localapi.Config{
			Addr:    "127.0.0.1:0",
			Environ: func(k string) string { return env[k] },
			Stdout:  &out,
			Logger:  slog.New(slog.NewJSONHandler(&out, nil)),
		})
	}()
	text := waitFor(t, &out, localapi.OfflineSecretsMessage)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}

	banner, logs, ok := strings.Cut(text, "Stop with Ctrl-C.\n")
	if !ok || strings.Contains(banner, `"level"`) {
		t.Fatalf("a log line before the end of the banner:\n%s", text)
	}
	var offline [][]any
	trust := map[string]bool{}
	for line := range strings.Lines(logs) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			continue // the banner's "Shutting down."
		}
		switch m["msg"] {
		case localapi.OfflineSecretsMessage:
			settings, _ := m["settings"].([]any)
			offline = append(offline, settings)
			if m["level"] != "WARN" || m["function"] != nil {
				t.Errorf("the collapsed warning: %s", line)
			}
		case "secret taken from the environment instead of Secrets Manager; for offline use only":
			t.Errorf("a warning for one secret: %s", line)
		default:
			if strings.Contains(m["msg"].(string), "SESSION_TRUST_UNVERIFIED_EMAIL") {
				trust[m["function"].(string)] = true
			}
		}
	}
	var want []any
	for _, v := range vendors.All() {
		want = append(want, v.Secret.OverrideSetting())
	}
	want = append(want, "SESSION_SECRET_JSON")
	slices.SortFunc(want, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	if len(offline) != 1 || !reflect.DeepEqual(offline[0], want) {
		t.Errorf("collapsed warnings %v, want one naming %v:\n%s", offline, want, logs)
	}
	if len(trust) != len(vendors.All()) {
		t.Errorf("the functions' own warnings, by function: %v\n%s", trust, logs)
	}
}
