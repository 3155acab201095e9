package perf

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The budgets. They are ratios to a measurement of the same run, because
// the machines that run them differ and are noisy; only peak memory is
// absolute.
const (
	HandlerBudget   = 1.5 // warm handler path / cryptography floor
	ColdStartBudget = 1.2 // cold start / the yardstick's
	SizeBudget      = 1.2 // linux/arm64 bootstrap / the yardstick's
	PeakRSSBudget   = 32  // MiB, so that a 128 MB function has room
	// FirstRequestBudget is for the first request after a cold start, in
	// round trips to the upstream: the request's own, and a little more.
	FirstRequestBudget = 1.3
)

// Yardstick is the yardstick's name in BenchmarkBootstrap's metrics.
const Yardstick = "yardstick"

// Results are benchmark results as `go test -bench` prints them: for each
// benchmark, named without its -GOMAXPROCS suffix, every sample of every
// unit (several with -count).
type Results struct {
	names  []string // in the order of their first line
	values map[string]map[string][]float64
}

// Parse reads the output of `go test -bench`, ignoring lines that are not
// benchmark results.
func Parse(r io.Reader) (*Results, error) {
	res := &Results{values: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// Name, iterations, then value-unit pairs.
		if len(fields) < 4 || len(fields)%2 != 0 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		units := res.values[name]
		if units == nil {
			units = map[string][]float64{}
			res.values[name] = units
			res.names = append(res.names, name)
		}
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return nil, fmt.Errorf("perf: %s: %q is not a number", name, fields[i])
			}
			units[fields[i+1]] = append(units[fields[i+1]], v)
		}
	}
	return res, sc.Err()
}

// Median returns the median of benchmark name's samples of unit, or NaN
// when there are none.
func (r *Results) Median(name, unit string) float64 {
	s := slices.Sorted(slices.Values(r.values[name][unit]))
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)/2]
}

// Min returns the least of benchmark name's samples of unit, or NaN when
// there are none.
func (r *Results) Min(name, unit string) float64 {
	s := r.values[name][unit]
	if len(s) == 0 {
		return math.NaN()
	}
	return slices.Min(s)
}

// Row is one function's measurements; NaN where a value was not measured.
type Row struct {
	Function string
	// BenchmarkWarm, in ns and allocs per call, and their ratio: the
	// median over the -count samples of each sample's median over its
	// pairs of batches, in which the handler's and the floor's calls
	// alternate (see the package documentation). Ratio, which the budget
	// holds, is the median of the pairs' own ratios, not Handler/Floor:
	// other work on the machine slows both batches of a pair alike, and
	// their ratio cancels it.
	Handler, Floor, Ratio, Allocs float64
	// BenchmarkBootstrap, in ms from exec to the first /next: with Secrets
	// Manager answering after 50 ms (Start) and at once (Init).
	Start, YardstickStart, Init, YardstickInit float64
	// The linux/arm64 bootstraps, in MiB.
	Size, YardstickSize float64
	// Peak resident memory after a few invocations, in MiB.
	PeakRSS, YardstickPeakRSS float64
	// The most GetSecretValue requests in flight at once.
	SecretsInFlight float64
	// BenchmarkFirstRequest, in upstream round trips: the first request
	// after a cold start, with the warm-up and without it.
	FirstRequest, FirstRequestUnwarmed float64
}

// Rows returns a Row per function, in the order of the BenchmarkWarm
// results, then any function measured only by BenchmarkBootstrap or
// BenchmarkFirstRequest.
func (r *Results) Rows() []Row {
	var functions []string
	for _, name := range r.names {
		if f, ok := strings.CutPrefix(name, "BenchmarkWarm/"); ok {
			if !slices.Contains(functions, f) {
				functions = append(functions, f)
			}
		}
	}
	var boot []string
	for _, m := range []struct{ benchmark, suffix string }{
		{"BenchmarkBootstrap", "-start-ms"},
		{"BenchmarkFirstRequest", "-first-warmed-rtt"},
	} {
		for unit := range r.values[m.benchmark] {
			if f, ok := strings.CutSuffix(unit, m.suffix); ok && f != Yardstick && !slices.Contains(functions, f) && !slices.Contains(boot, f) {
				boot = append(boot, f)
			}
		}
	}
	slices.Sort(boot)
	functions = append(functions, boot...)

	metric := func(who, what string) float64 { return r.Median("BenchmarkBootstrap", who+"-"+what) }
	rows := make([]Row, len(functions))
	for i, f := range functions {
		rows[i] = Row{
			Function:             f,
			Handler:              r.Median("BenchmarkWarm/"+f, "handler-ns/op"),
			Floor:                r.Median("BenchmarkWarm/"+f, "floor-ns/op"),
			Ratio:                r.Median("BenchmarkWarm/"+f, "handler/floor"),
			Allocs:               r.Median("BenchmarkWarm/"+f, "handler-allocs/op"),
			Start:                metric(f, "start-ms"),
			YardstickStart:       metric(Yardstick, "start-ms"),
			Init:                 metric(f, "init-ms"),
			YardstickInit:        metric(Yardstick, "init-ms"),
			Size:                 metric(f, "arm64-MiB"),
			YardstickSize:        metric(Yardstick, "arm64-MiB"),
			PeakRSS:              metric(f, "rss-MiB"),
			YardstickPeakRSS:     metric(Yardstick, "rss-MiB"),
			SecretsInFlight:      metric(f, "secrets-in-flight"),
			FirstRequest:         r.Median("BenchmarkFirstRequest", f+"-first-warmed-rtt"),
			FirstRequestUnwarmed: r.Median("BenchmarkFirstRequest", f+"-first-unwarmed-rtt"),
		}
	}
	return rows
}

// Misses returns the budgets that row misses, as text; a value that was not
// measured misses nothing.
func (row Row) Misses() []string {
	var misses []string
	check := func(what string, value, budget float64, unit string) {
		if value > budget { // false for NaN
			misses = append(misses, fmt.Sprintf("%s: %s %.2f%s, budget %.2f%s", row.Function, what, value, unit, budget, unit))
		}
	}
	check("handler/floor", row.Ratio, HandlerBudget, "x")
	check("cold start/yardstick", row.Start/row.YardstickStart, ColdStartBudget, "x")
	check("size/yardstick", row.Size/row.YardstickSize, SizeBudget, "x")
	check("peak RSS", row.PeakRSS, PeakRSSBudget, " MiB")
	check("first request after a cold start", row.FirstRequest, FirstRequestBudget, " round trips")
	if row.SecretsInFlight < 2 { // false for NaN
		misses = append(misses, fmt.Sprintf("%s: its two secrets were read one after the other, not at once", row.Function))
	}
	return misses
}

// WriteReport writes rows as a Markdown table, a few lines on cold starts,
// and the budgets' verdict, and returns every budget missed.
func WriteReport(w io.Writer, rows []Row) ([]string, error) {
	var b strings.Builder
	b.WriteString("| function | handler ns/op | floor ns/op | ratio | allocs/op | cold start ms (yardstick) | ratio | size MiB (yardstick) | ratio | peak RSS MiB |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var misses []string
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s (%s) | %s | %s (%s) | %s | %s |\n", r.Function,
			num(r.Handler, 0), num(r.Floor, 0), num(r.Ratio, 2), num(r.Allocs, 0),
			num(r.Start, 1), num(r.YardstickStart, 1), num(r.Start/r.YardstickStart, 2),
			num(r.Size, 2), num(r.YardstickSize, 2), num(r.Size/r.YardstickSize, 2), num(r.PeakRSS, 1))
		misses = append(misses, r.Misses()...)
	}
	if len(rows) > 0 && !math.IsNaN(rows[0].YardstickStart) {
		y := rows[0]
		fmt.Fprintf(&b, "| %s | | | | | %s | | %s | | %s |\n", Yardstick, num(y.YardstickStart, 1), num(y.YardstickSize, 2), num(y.YardstickPeakRSS, 1))
		b.WriteString("\nCold start with Secrets Manager answering at once (init work only), ms:")
		for _, r := range rows {
			fmt.Fprintf(&b, " %s %s,", r.Function, num(r.Init, 1))
		}
		fmt.Fprintf(&b, " %s %s.\n", Yardstick, num(y.YardstickInit, 1))
		b.WriteString("GetSecretValue calls in flight at once at cold start (two secrets each):")
		for i, r := range rows {
			fmt.Fprintf(&b, " %s %s", r.Function, num(r.SecretsInFlight, 0))
			if i < len(rows)-1 {
				b.WriteString(",")
			}
		}
		b.WriteString(".\n")
	}
	var first []string
	for _, r := range rows {
		if !math.IsNaN(r.FirstRequest) || !math.IsNaN(r.FirstRequestUnwarmed) {
			first = append(first, fmt.Sprintf("%s %s (%s)", r.Function, num(r.FirstRequest, 2), num(r.FirstRequestUnwarmed, 2)))
		}
	}
	if len(first) > 0 {
		b.WriteString("\nFirst request after a cold start, in upstream round trips, with the warm-up (without): " + strings.Join(first, ", ") + ".\n")
	}
	fmt.Fprintf(&b, "\nBudgets: handler <= %.1fx floor, cold start <= %.1fx and size <= %.1fx the yardstick, peak RSS < %d MiB, both secrets read at once, first request after a cold start <= %.1f round trips: ",
		HandlerBudget, ColdStartBudget, SizeBudget, PeakRSSBudget, FirstRequestBudget)
	if len(misses) == 0 {
		b.WriteString("all met.\n")
	} else {
		fmt.Fprintf(&b, "%d missed.\n", len(misses))
		for _, m := range misses {
			b.WriteString("  MISSED " + m + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return misses, err
}

// num formats v with prec decimals, or "-" for NaN.
func num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}
