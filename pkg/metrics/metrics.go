package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Unit is a CloudWatch metric unit.
type Unit string

// The units used here.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
)

// Metric and dimension names.
const (
	Requests          = "Requests"
	UpstreamLatency   = "UpstreamLatency"
	UpstreamExchanges = "UpstreamExchanges"
	KeyRefreshes      = "KeyRefreshes"

	DimVendor  = "Vendor"
	DimOutcome = "Outcome"
	DimFault   = "Fault"
	DimResult  = "Result"
)

// Recorder writes metrics of one vendor's function.
type Recorder struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	vendor    string
	now       func() time.Time
}

// New returns a Recorder writing lines to w (os.Stdout in a function) in
// namespace, with the dimension Vendor=vendor. A nil now means time.Now.
func New(w io.Writer, namespace, vendor string, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{w: w, namespace: namespace, vendor: vendor, now: now}
}

// Request counts one request by its outcome: httpapi.OutcomeOK or the
// error code it was answered with.
func (r *Recorder) Request(outcome string) {
	r.write([][]string{{DimVendor}, {DimVendor, DimOutcome}},
		map[string]string{DimOutcome: outcome},
		metric{Requests, Count, 1})
}

// Upstream records one exchange with the vendor's API: how long it took
// and its fault, "" when it succeeded.
func (r *Recorder) Upstream(took time.Duration, fault string) {
	if fault == "" {
		fault = "none"
	}
	r.write([][]string{{DimVendor}, {DimVendor, DimFault}},
		map[string]string{DimFault: fault},
		metric{UpstreamLatency, Milliseconds, float64(took.Microseconds()) / 1000},
		metric{UpstreamExchanges, Count, 1})
}

// KeyRefresh counts one fetch of the issuer's keys; err is its error.
func (r *Recorder) KeyRefresh(err error) {
	result := "ok"
	if err != nil {
		result = "failed"
	}
	r.write([][]string{{DimVendor}, {DimVendor, DimResult}},
		map[string]string{DimResult: result},
		metric{KeyRefreshes, Count, 1})
}

type metric struct {
	name  string
	unit  Unit
	value float64
}

// write encodes one embedded metric format document as one line.
func (r *Recorder) write(dimensions [][]string, values map[string]string, metrics ...metric) {
	if r == nil {
		return
	}
	type metricDef struct {
		Name string `json:"Name"`
		Unit Unit   `json:"Unit"`
	}
	type directive struct {
		Namespace  string      `json:"Namespace"`
		Dimensions [][]string  `json:"Dimensions"`
		Metrics    []metricDef `json:"Metrics"`
	}
	doc := map[string]any{DimVendor: r.vendor}
	for k, v := range values {
		doc[k] = v
	}
	d := directive{Namespace: r.namespace, Dimensions: dimensions}
	for _, m := range metrics {
		d.Metrics = append(d.Metrics, metricDef{m.name, m.unit})
		doc[m.name] = m.value
	}
	doc["_aws"] = map[string]any{
		"Timestamp":         r.now().UnixMilli(),
		"CloudWatchMetrics": []directive{d},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return // strings and numbers always encode
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.w.Write(append(line, '\n'))
}
