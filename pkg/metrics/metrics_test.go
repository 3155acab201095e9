package metrics_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"

	"github.com/vendortokens/vendor-token-functions/pkg/metrics"
)

var clock = func() time.Time { return time.UnixMilli(1_700_000_000_123) }

// extracted is a metric as CloudWatch extracts it from a line: its name,
// unit, value and the values of one dimension set.
type extracted struct {
	Name       string
	Unit       string
	Value      float64
	Dimensions map[string]string
}

// extract reads embedded metric format lines as CloudWatch does: each line
// a JSON object whose _aws block names the namespace, the dimension sets
// (each a list of root member names holding strings) and the metrics (root
// members holding numbers), and gives a Timestamp in epoch milliseconds.
func extract(t *testing.T, out []byte, namespace string) []extracted {
	t.Helper()
	var all []extracted
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var doc map[string]any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("not one JSON object per line: %q: %v", sc.Text(), err)
		}
		var aws struct {
			Timestamp         *int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string     `json:"Namespace"`
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct {
					Name string `json:"Name"`
					Unit string `json:"Unit"`
				} `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		}
		raw, _ := json.Marshal(doc["_aws"])
		if err := json.Unmarshal(raw, &aws); err != nil || aws.Timestamp == nil || len(aws.CloudWatchMetrics) == 0 {
			t.Fatalf("no valid _aws block in %q (%v)", sc.Text(), err)
		}
		if *aws.Timestamp != clock().UnixMilli() {
			t.Errorf("Timestamp = %d, want %d", *aws.Timestamp, clock().UnixMilli())
		}
		for _, d := range aws.CloudWatchMetrics {
			if d.Namespace != namespace {
				t.Errorf("Namespace = %q, want %q", d.Namespace, namespace)
			}
			for _, m := range d.Metrics {
				value, ok := doc[m.Name].(float64)
				if !ok {
					t.Fatalf("metric %s has no numeric value in %q", m.Name, sc.Text())
				}
				for _, set := range d.Dimensions {
					if len(set) == 0 || len(set) > 30 {
						t.Fatalf("dimension set %v", set)
					}
					dims := map[string]string{}
					for _, name := range set {
						v, ok := doc[name].(string)
						if !ok || v == "" {
							t.Fatalf("dimension %s has no string value in %q", name, sc.Text())
						}
						dims[name] = v
					}
					all = append(all, extracted{m.Name, m.Unit, value, dims})
				}
			}
		}
	}
	return all
}

func TestRecorder(t *testing.T) {
	for _, c := range []struct {
		name   string
		record func(r *metrics.Recorder)
		want   []extracted
	}{
		{"request answered", func(r *metrics.Recorder) { r.Request(httpapi.OutcomeOK) }, []extracted{
			{"Requests", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"Requests", "Count", 1, map[string]string{"Vendor": "acme", "Outcome": "ok"}},
		}},
		{"request refused", func(r *metrics.Recorder) { r.Request("upstream_unavailable") }, []extracted{
			{"Requests", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"Requests", "Count", 1, map[string]string{"Vendor": "acme", "Outcome": "upstream_unavailable"}},
		}},
		{"upstream exchange", func(r *metrics.Recorder) { r.Upstream(1500*time.Microsecond, "") }, []extracted{
			{"UpstreamLatency", "Milliseconds", 1.5, map[string]string{"Vendor": "acme"}},
			{"UpstreamLatency", "Milliseconds", 1.5, map[string]string{"Vendor": "acme", "Fault": "none"}},
			{"UpstreamExchanges", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"UpstreamExchanges", "Count", 1, map[string]string{"Vendor": "acme", "Fault": "none"}},
		}},
		{"upstream fault", func(r *metrics.Recorder) { r.Upstream(3*time.Second, "timeout") }, []extracted{
			{"UpstreamLatency", "Milliseconds", 3000, map[string]string{"Vendor": "acme"}},
			{"UpstreamLatency", "Milliseconds", 3000, map[string]string{"Vendor": "acme", "Fault": "timeout"}},
			{"UpstreamExchanges", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"UpstreamExchanges", "Count", 1, map[string]string{"Vendor": "acme", "Fault": "timeout"}},
		}},
		{"key refresh", func(r *metrics.Recorder) { r.KeyRefresh(nil) }, []extracted{
			{"KeyRefreshes", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"KeyRefreshes", "Count", 1, map[string]string{"Vendor": "acme", "Result": "ok"}},
		}},
		{"failed key refresh", func(r *metrics.Recorder) { r.KeyRefresh(errors.New("GET: status 500")) }, []extracted{
			{"KeyRefreshes", "Count", 1, map[string]string{"Vendor": "acme"}},
			{"KeyRefreshes", "Count", 1, map[string]string{"Vendor": "acme", "Result": "failed"}},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			c.record(metrics.New(&out, "VendorTokens", "acme", clock))
			got := extract(t, out.Bytes(), "VendorTokens")
			if !slices.EqualFunc(got, c.want, func(a, b extracted) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("extracted:\n got %v\nwant %v", got, c.want)
			}
			if bytes.Count(out.Bytes(), []byte("\n")) != 1 {
				t.Errorf("want one line, got %q", out.String())
			}
		})
	}
}

// A failed key fetch's error text (which may name a URL) is never written.
func TestRecorderWritesNoErrorText(t *testing.T) {
	var out bytes.Buffer
	metrics.New(&out, "N", "acme", clock).KeyRefresh(errors.New("GET https://issuer.example.com/keys?token=abc"))
	if bytes.Contains(out.Bytes(), []byte("token=abc")) {
		t.Errorf("line holds the error text: %s", out.String())
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var r *metrics.Recorder
	r.Request(httpapi.OutcomeOK)
	r.Upstream(time.Second, "dns")
	r.KeyRefresh(nil)
}

func ExampleRecorder_Request() {
	r := metrics.New(os.Stdout, "VendorTokens", "acme", func() time.Time { return time.UnixMilli(1700000000000) })
	r.Request("unauthorized")
	// Output:
	// {"Outcome":"unauthorized","Requests":1,"Vendor":"acme","_aws":{"CloudWatchMetrics":[{"Namespace":"VendorTokens","Dimensions":[["Vendor"],["Vendor","Outcome"]],"Metrics":[{"Name":"Requests","Unit":"Count"}]}],"Timestamp":1700000000000}}
}
