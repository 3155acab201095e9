package perf_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/perf"
	"github.com/vendortokens/vendor-token-functions/pkg/runtimeapi"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets/secretstest"
)

const (
	module = "github.com/vendortokens/vendor-token-functions"
	// roundTrip is the simulated Secrets Manager round trip.
	roundTrip = 50 * time.Millisecond
	// invocations is how many requests each process serves before its peak
	// memory is read.
	invocations = 5
)

// subject is one binary that BenchmarkBootstrap starts.
type subject struct {
	name     string
	pkg      string   // import path of its main package
	settings []string // its settings, as KEY=value, without Secrets Manager's
	event    []byte   // the invocation payload
	// slow answers after roundTrip, fast at once.
	slow, fast *secretstest.Server

	starts, inits []time.Duration // cold starts with slow and with fast
	peakRSS       int64           // bytes
	exeBytes      int64           // of its linux/arm64 build
}

// BenchmarkBootstrap starts each function's bootstrap and the yardstick in
// turn, b.N times each, against a Runtime API and Secrets Manager on
// loopback; see the package documentation. Run it with -benchtime Nx.
func BenchmarkBootstrap(b *testing.B) {
	if testing.Short() {
		b.Skip("builds and starts binaries")
	}
	ctx := context.Background()
	subjects := bootstrapSubjects(b)
	pkgs := make([]string, len(subjects))
	for i, s := range subjects {
		pkgs[i] = s.pkg
	}
	host := buildProduction(b, runtime.GOOS, runtime.GOARCH, pkgs)
	arm64 := buildProduction(b, "linux", "arm64", pkgs)
	for i, s := range subjects {
		fi, err := os.Stat(arm64[i])
		if err != nil {
			b.Fatal(err)
		}
		s.exeBytes = fi.Size()
	}

	round := 0
	for b.Loop() {
		// Rotate the order, so no binary always follows the same one.
		for i := range subjects {
			j := (i + round) % len(subjects)
			s := subjects[j]
			s.starts = append(s.starts, coldStart(ctx, b, s, host[j], s.slow))
			s.inits = append(s.inits, coldStart(ctx, b, s, host[j], s.fast))
		}
		round++
	}

	const mib = 1 << 20
	for _, s := range subjects {
		b.ReportMetric(float64(median(s.starts))/float64(time.Millisecond), s.name+"-start-ms")
		b.ReportMetric(float64(median(s.inits))/float64(time.Millisecond), s.name+"-init-ms")
		b.ReportMetric(float64(s.peakRSS)/mib, s.name+"-rss-MiB")
		b.ReportMetric(float64(s.exeBytes)/mib, s.name+"-arm64-MiB")
		b.ReportMetric(float64(s.slow.MaxInFlight()), s.name+"-secrets-in-flight")
	}
}

// bootstrapSubjects returns every function and the yardstick, each with
// its own Secrets Manager stand-ins, and each function that calls its
// vendor's API with a stand-in of that API.
func bootstrapSubjects(b *testing.B) []*subject {
	token := sessionToken(b)
	var subjects []*subject
	for _, f := range fixtures {
		var settings []string
		for k, v := range f.env(f.standIn(b)) {
			settings = append(settings, k+"="+v)
		}
		slices.Sort(settings)
		subjects = append(subjects, &subject{
			name:     f.name,
			pkg:      module + "/functions/" + f.name,
			settings: settings,
			event:    mustJSON(b, event(f.route, token)),
			slow:     secretsServer(b),
			fast:     secretsServer(b),
		})
	}
	yardstickSecret := map[string]string{"perf/yardstick": "perf-yardstick-key-0123456789abcdef"}
	subjects = append(subjects, &subject{
		name:     perf.Yardstick,
		pkg:      module + "/pkg/perf/yardstick",
		settings: []string{"YARDSTICK_SECRET_ID=perf/yardstick"},
		event:    mustJSON(b, event("POST /yardstick", token)),
		slow:     secretstest.NewServer(b, yardstickSecret),
		fast:     secretstest.NewServer(b, yardstickSecret),
	})
	for _, s := range subjects {
		s.slow.SetDelay(roundTrip)
	}
	return subjects
}

// coldStart starts the binary at path as a fresh execution environment with
// secrets from sm, has it serve some invocations, records its peak memory,
// stops it and returns its cold start.
func coldStart(ctx context.Context, b *testing.B, s *subject, path string, sm *secretstest.Server) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	api := runtimeapi.NewServer(b)
	api.FunctionName = s.name
	p, err := api.Start(ctx, path, append(sm.Env(), s.settings...)...)
	if err != nil {
		b.Fatal(err)
	}
	took, err := p.WaitReady(ctx)
	if err != nil {
		b.Fatalf("%s: %v\n%s", s.name, err, p.Output())
	}
	for range invocations {
		res, err := api.Invoke(ctx, s.event)
		if err != nil || res.Error != nil || !bytes.Contains(res.Payload, []byte(`"statusCode":200`)) {
			b.Fatalf("%s: invocation: %v %v %s\n%s", s.name, err, res.Error, res.Payload, p.Output())
		}
	}
	s.peakRSS = max(s.peakRSS, peakRSS(b, p))
	cancel()
	_ = p.Wait(context.Background())
	return took
}

// buildProduction builds pkgs as the Makefile builds a bootstrap, but for
// goos/goarch, and returns the binaries' paths in the order of pkgs.
func buildProduction(b *testing.B, goos, goarch string, pkgs []string) []string {
	paths, err := runtimeapi.BuildFor(context.Background(), b.TempDir(), goos, goarch, pkgs...)
	if err != nil {
		b.Fatal(err)
	}
	return paths
}

// peakRSS returns the process's peak resident set (VmHWM), or 0 where
// /proc is not available. The rusage of a child (Maxrss) would not do: Go
// starts children with vfork, and Linux carries the high-water mark of the
// parent's memory over the exec, so it reports at least this test's own
// resident set.
func peakRSS(b *testing.B, p *runtimeapi.Process) int64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid()))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				b.Fatalf("VmHWM: %v", err)
			}
			return kib << 10
		}
	}
	return 0
}

func median[T cmp.Ordered](values []T) T {
	if len(values) == 0 {
		var zero T
		return zero
	}
	s := slices.Sorted(slices.Values(values))
	return s[len(s)/2]
}

func mustJSON(b *testing.B, v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
