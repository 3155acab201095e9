package salesforce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// runbookBlock matches a shell block of README.md whose first line is
// "# runbook: <name>", and captures the name and the block.
var runbookBlock = regexp.MustCompile("(?s)```sh\n\\s*# runbook: ([a-z-]+)\n(.*?)```")

// runbook returns README.md's runbook blocks by name.
func runbook(t *testing.T) map[string]string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, m := range runbookBlock.FindAllStringSubmatch(string(readme), -1) {
		lines := strings.Split(m[2], "\n")
		for i, line := range lines { // the blocks inside a list item are indented
			lines[i] = strings.TrimPrefix(line, "   ")
		}
		blocks[m[1]] = strings.Join(lines, "\n")
	}
	for _, name := range []string{"setup", "first-key", "add", "switch", "remove"} {
		if blocks[name] == "" {
			t.Fatalf("README.md has no block %q", name)
		}
	}
	return blocks
}

// fakeAWS stands in for the AWS CLI, with the secret in the file
// $FAKE_AWS_SECRET: describe-stacks gives the secret's ARN,
// get-secret-value --query SecretString --output text prints it, and
// put-secret-value --secret-string file:///dev/stdin replaces it. Each
// call's arguments are appended to $FAKE_AWS_LOG.
const fakeAWS = `#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$*" >> "$FAKE_AWS_LOG"
arn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens-prod/salesforce-AbCdEf
case "$1 $2" in
"cloudformation describe-stacks") echo "$arn" ;;
"secretsmanager get-secret-value")
  [[ " $* " == *" --secret-id $arn "* && " $* " == *" --query SecretString --output text "* ]] || { echo "fake aws: bad arguments" >&2; exit 2; }
  [ -s "$FAKE_AWS_SECRET" ] || { echo "ResourceNotFoundException" >&2; exit 254; }
  cat "$FAKE_AWS_SECRET"; echo ;;
"secretsmanager put-secret-value")
  [[ " $* " == *" --secret-id $arn "* && " $* " == *" --secret-string file:///dev/stdin "* ]] || { echo "fake aws: bad arguments" >&2; exit 2; }
  value=$(cat)
  [ -n "$value" ] || { echo "fake aws: empty SecretString" >&2; exit 252; }
  printf '%s' "$value" > "$FAKE_AWS_SECRET" ;;
*) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

// TestRunbook runs the shell blocks of README.md (the setup, the first
// key, and each step of a rotation) in bash with the real openssl and jq
// and a stand-in for the AWS CLI, and checks the secret each leaves as the
// function would: the keys and the signing kid it should hold, every key
// parsed. A step that must be refused (a taken kid, a switch to a key that
// is not there, the removal of the key that signs) stores nothing. No
// command line ever holds a key, and no file is left behind.
func TestRunbook(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	blocks := runbook(t)
	dir := t.TempDir()
	bin, work := filepath.Join(dir, "bin"), filepath.Join(dir, "work")
	for _, d := range []string{bin, work} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o700); err != nil {
		t.Fatal(err)
	}
	secretFile, logFile := filepath.Join(dir, "secret"), filepath.Join(dir, "aws.log")

	// step runs the setup block, then block, with vars, and returns bash's
	// exit status and the secret as it is after.
	step := func(t *testing.T, block string, vars ...string) (bool, map[string]string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", "-c", "set -o pipefail\n"+blocks["setup"]+"\n"+block)
		cmd.Dir = work
		cmd.Env = append([]string{
			"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + dir,
			"FAKE_AWS_SECRET=" + secretFile,
			"FAKE_AWS_LOG=" + logFile,
		}, vars...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if len(out) != 0 {
			t.Errorf("the block printed %q", out)
		}
		if entries, _ := os.ReadDir(work); len(entries) != 0 {
			t.Errorf("the block left %d files behind", len(entries))
		}
		raw, _ := os.ReadFile(secretFile)
		var secret map[string]string
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &secret); err != nil {
				t.Fatalf("the secret is not a JSON object of strings: %v\n%s", err, stderr.String())
			}
		}
		if err != nil {
			t.Logf("bash: %v: %s", err, stderr.String())
		}
		return err == nil, secret
	}
	// check fails t unless secret passes the function's checks with
	// signing and exactly kids.
	check := func(t *testing.T, secret map[string]string, signing string, kids ...string) {
		t.Helper()
		values := secrets.Values{}
		for k, v := range secret {
			values[k] = []byte(v)
		}
		keys, err := salesforce.NewKeyset(values)
		if err != nil {
			t.Fatalf("the function refuses the secret: %v", err)
		}
		var got []string
		for _, k := range keys.Keys() {
			got = append(got, k.Kid)
			if k.Public().N.BitLen() != 2048 {
				t.Errorf("key %s has %d bits", k.Kid, k.Public().N.BitLen())
			}
		}
		if keys.Signing().Kid != signing || !slices.Equal(slices.Sorted(slices.Values(got)), kids) {
			t.Errorf("signing %s, keys %v; want %s and %v", keys.Signing().Kid, got, signing, kids)
		}
	}

	ok, secret := step(t, blocks["first-key"], "KID=2025-01")
	if !ok {
		t.Fatal("first-key failed")
	}
	check(t, secret, "2025-01", "2025-01")

	type want struct {
		ok      bool
		signing string
		kids    []string
	}
	for _, c := range []struct {
		name  string
		block string
		vars  []string
		want  want
	}{
		{"add a taken kid", "add", []string{"NEW=2025-01"}, want{false, "2025-01", []string{"2025-01"}}},
		{"add", "add", []string{"NEW=2025-07"}, want{true, "2025-01", []string{"2025-01", "2025-07"}}},
		{"switch to a kid without a key", "switch", []string{"NEW=2026-01"}, want{false, "2025-01", []string{"2025-01", "2025-07"}}},
		{"switch", "switch", []string{"NEW=2025-07"}, want{true, "2025-07", []string{"2025-01", "2025-07"}}},
		{"remove the key that signs", "remove", []string{"OLD=2025-07"}, want{false, "2025-07", []string{"2025-01", "2025-07"}}},
		{"remove a kid without a key", "remove", []string{"OLD=2024-01"}, want{false, "2025-07", []string{"2025-01", "2025-07"}}},
		{"remove", "remove", []string{"OLD=2025-01"}, want{true, "2025-07", []string{"2025-07"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(secretFile)
			ok, secret := step(t, blocks[c.block], c.vars...)
			if ok != c.want.ok {
				t.Errorf("succeeded = %v, want %v", ok, c.want.ok)
			}
			if after, _ := os.ReadFile(secretFile); !c.want.ok && !bytes.Equal(before, after) {
				t.Error("a refused step changed the secret")
			}
			check(t, secret, c.want.signing, c.want.kids...)
		})
	}

	// Adding a key when the secret cannot be read stores nothing.
	if err := os.Remove(secretFile); err != nil {
		t.Fatal(err)
	}
	if ok, secret := step(t, blocks["add"], "NEW=2026-01"); ok || secret != nil {
		t.Errorf("add without a secret: succeeded = %v, secret %v", ok, secret)
	}

	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{"PRIVATE", "MII"} {
		if bytes.Contains(log, []byte(private)) {
			t.Errorf("a command line held key material:\n%s", log)
		}
	}
}
