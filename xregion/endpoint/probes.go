package endpoint

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
)

const (
	// DefaultLatencyRequests is the sample of a probe with a latency budget
	// unless it says otherwise: how many answers its p95 is taken over.
	DefaultLatencyRequests = 20
	// MinLatencySample is the smallest sample a latency budget accepts:
	// with fewer answers the nearest-rank p95 is just the slowest one.
	MinLatencySample = 20
	// maxProbeRequests bounds the requests one probe sends through an
	// endpoint's routes to collect its sample from one entity.
	maxProbeRequests = 2000
	// probeConfidence is how likely the requests sent through the routes
	// are to collect a whole sample from the entity under test.
	probeConfidence = 0.99
)

// Probe is a request sent through the serving query API, with what its
// answer must look like. Probes are usually read from a JSON file with
// [LoadProbes]:
//
//	{"probes": [
//	  {"name": "smoke",
//	   "request": {"dataframe_records": [{"customer_id": 42, "amount": 310.5}]},
//	   "expect": {"path": "predictions.0", "equals": 0.12, "tolerance": 0.05}},
//	  {"name": "latency",
//	   "request": {"dataframe_split": {"columns": ["customer_id", "amount"], "data": [[42, 310.5]]}},
//	   "expect": {"latency_p95": "300ms", "requests": 20}}
//	]}
type Probe struct {
	// Name identifies the probe in results. Required.
	Name string `json:"name"`
	// Request is the body sent to the endpoint's invocations API; it must
	// set exactly one of dataframe_records, dataframe_split, inputs and
	// instances. Required.
	Request json.RawMessage `json:"request"`
	// Expect says what a passing answer looks like. Empty means any
	// successful answer passes.
	Expect Expect `json:"expect"`
}

// Expect is what a probe's answers must satisfy. Every answer must be
// successful; the fields add conditions.
type Expect struct {
	// Path, if set, must exist in the answer's JSON: dot-separated keys and
	// array indexes, such as "predictions.0" or "predictions.0.label".
	Path string `json:"path,omitempty"`
	// Equals, if set, is the JSON value the answer must hold at Path.
	Equals json.RawMessage `json:"equals,omitempty"`
	// Tolerance is the largest difference allowed when Equals is a number.
	Tolerance float64 `json:"tolerance,omitempty"`
	// LatencyP95, if set, bounds the 95th percentile of the answers'
	// latencies, written as a Go duration such as "300ms". It needs a
	// sample of at least [MinLatencySample] answers.
	LatencyP95 Duration `json:"latency_p95,omitempty"`
	// Requests is the probe's sample: how many answers from the version
	// under test it judges. Default: 1, or [DefaultLatencyRequests] with a
	// latency budget. Sent to a served entity directly, that is how many
	// requests go out. Through the endpoint's routes during a canary, where
	// only a share of the requests reach the new version, as many requests
	// go out as it takes to collect that many answers from it with 99%
	// confidence (for 1 answer at 10% traffic, 44 requests), and fewer
	// answers than that fail the check as "not enough data".
	Requests int `json:"requests,omitempty"`
}

// sample returns how many answers the probe judges.
func (e Expect) sample() int {
	if e.Requests > 0 {
		return e.Requests
	}
	if e.LatencyP95 > 0 {
		return DefaultLatencyRequests
	}
	return 1
}

// Duration is a time.Duration written in JSON as a string such as "300ms".
type Duration time.Duration

// UnmarshalJSON reads a duration string such as "300ms" or "1.5s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"300ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// LoadProbes reads a probe file: {"probes": [...]}. Unknown fields are
// errors, so that a typo does not silently weaken a check. Every error
// matches [xregion.ErrInvalidInput].
func LoadProbes(r io.Reader) ([]Probe, error) {
	var f struct {
		Probes []Probe `json:"probes"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, invalid.Input("health checks", "probe file", "%v", err)
	}
	if len(f.Probes) == 0 {
		return nil, invalid.Input("health checks", "probe file", `no probes: want {"probes": [{"name": ..., "request": {...}}]}`)
	}
	for i, p := range f.Probes {
		if err := p.validate(); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(f.Probes[:i], func(q Probe) bool { return q.Name == p.Name }) {
			return nil, invalid.Input("probe", p.Name, "name used twice")
		}
	}
	return f.Probes, nil
}

func (p Probe) validate() error {
	if p.Name == "" {
		return invalid.Input("probe", "", "no name")
	}
	if _, err := p.query(""); err != nil {
		return err
	}
	e := p.Expect
	if len(e.Equals) > 0 {
		if e.Path == "" {
			return invalid.Input("probe", p.Name, "expect.equals needs expect.path")
		}
		var v any
		if err := json.Unmarshal(e.Equals, &v); err != nil {
			return invalid.Input("probe", p.Name, "expect.equals is not JSON: %v", err)
		}
	}
	if e.Tolerance < 0 || e.Requests < 0 || e.LatencyP95 < 0 {
		return invalid.Input("probe", p.Name, "expect.tolerance, expect.requests and expect.latency_p95 must not be negative")
	}
	if e.LatencyP95 > 0 && e.sample() < MinLatencySample {
		return invalid.Input("probe", p.Name, "expect.latency_p95 needs a sample of at least %d answers; expect.requests is %d", MinLatencySample, e.Requests)
	}
	if e.Requests > maxProbeRequests {
		return invalid.Input("probe", p.Name, "expect.requests is %d; at most %d", e.Requests, maxProbeRequests)
	}
	return nil
}

// requestFields are the JSON fields of the invocations API's request body.
var requestFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[serving.QueryEndpointInput]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			m[name] = true
		}
	}
	return m
}()

// query decodes the probe's request for the endpoint.
func (p Probe) query(endpoint string) (serving.QueryEndpointInput, error) {
	var q serving.QueryEndpointInput
	if len(p.Request) == 0 {
		return q, invalid.Input("probe", p.Name, "no request")
	}
	// QueryEndpointInput decodes itself and ignores unknown fields, so check
	// the keys first: a typo must not silently weaken a probe.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(p.Request, &keys); err != nil {
		return q, invalid.Input("probe", p.Name, "request is not a JSON object: %v", err)
	}
	for k := range keys {
		if !requestFields[k] {
			return q, invalid.Input("probe", p.Name, "request has unknown field %q", k)
		}
	}
	if err := json.Unmarshal(p.Request, &q); err != nil {
		return q, invalid.Input("probe", p.Name, "request: %v", err)
	}
	set := 0
	for _, ok := range []bool{q.DataframeRecords != nil, q.DataframeSplit != nil, q.Inputs != nil, q.Instances != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return q, invalid.Input("probe", p.Name, "request must set exactly one of dataframe_records, dataframe_split, inputs and instances")
	}
	q.Name = endpoint
	return q, nil
}

// CheckStatus is the outcome of one health check.
type CheckStatus string

const (
	// CheckPass means the check held.
	CheckPass CheckStatus = "pass"
	// CheckFail means the endpoint answered and the answer broke the
	// check, or the model rejected the request (a 4xx answer).
	CheckFail CheckStatus = "fail"
	// CheckError means the check could not be run: the request failed
	// with a server or transport error. It is not a pass.
	CheckError CheckStatus = "error"
)

// CheckResult is the outcome of one health check.
type CheckResult struct {
	// Name is "readiness" or the probe's name.
	Name string `json:"name"`
	// Status is pass, fail or error.
	Status CheckStatus `json:"status"`
	// Detail says why a check did not pass, or what it measured.
	Detail string `json:"detail"`
	// ServedBy lists the served entities that answered the probe's
	// requests, as the endpoint reported them.
	ServedBy []string `json:"served_by,omitempty"`
	// LatencyP95 is the measured 95th-percentile latency, for probes with a
	// latency budget.
	LatencyP95 time.Duration `json:"latency_p95,omitempty"`
}

// answer is one answer to a probe's request.
type answer struct {
	resp    *serving.QueryEndpointResponse
	err     error
	latency time.Duration
}

// runProbe sends a probe's requests through the endpoint's routes and judges
// the answers. With entity empty every answer counts and the sample is sent
// as it is. With entity set, only the answers entity gave count, and as many
// requests go out as it takes to collect the sample from an entity that
// serves weight percent of the traffic (see [Expect].Requests).
func runProbe(ctx context.Context, c Endpoints, endpoint string, p Probe, entity string, weight int) CheckResult {
	q, err := p.query(endpoint)
	if err != nil { // validated already; kept for safety
		return CheckResult{Name: p.Name, Status: CheckError, Detail: err.Error()}
	}
	k := p.Expect.sample()
	n := k
	if entity != "" {
		n = requestsFor(k, weight)
	}
	send := func(ctx context.Context) (*serving.QueryEndpointResponse, error) { return c.Query(ctx, q) }
	return judgeSample(ctx, p, send, entity, k, n)
}

// directResult is the result of a probe sent to one entity directly;
// notFound says the workspace does not serve the per-entity path.
type directResult struct {
	CheckResult
	notFound bool
}

// runDirectProbe sends a probe's sample to one served entity directly.
func runDirectProbe(ctx context.Context, c EntityQuerier, endpoint, entity string, p Probe) directResult {
	q, err := p.query(endpoint)
	if err != nil { // validated already; kept for safety
		return directResult{CheckResult: CheckResult{Name: p.Name, Status: CheckError, Detail: err.Error()}}
	}
	k := p.Expect.sample()
	first := true
	notFound := false
	send := func(ctx context.Context) (*serving.QueryEndpointResponse, error) {
		resp, err := c.QueryServedEntity(ctx, endpoint, entity, q)
		if err == nil && resp == nil {
			err = errors.New("no answer")
		}
		if first && apierr.IsMissing(err) {
			notFound = true
		}
		first = false
		if err == nil && resp.ServedModelName == "" {
			resp.ServedModelName = entity // the path names the entity that answers
		}
		return resp, err
	}
	r := judgeSample(ctx, p, send, "", k, k)
	if notFound {
		return directResult{notFound: true}
	}
	r.Detail = strings.TrimPrefix(r.Detail+"; sent to "+entity+" directly", "; ")
	return directResult{CheckResult: r}
}

// judgeSample sends up to n requests until k answers count (all of them,
// or those entity gave) and judges the counted answers. Any failed request
// ends the probe: its answer cannot be told apart by entity.
func judgeSample(ctx context.Context, p Probe, send func(context.Context) (*serving.QueryEndpointResponse, error), entity string, k, n int) CheckResult {
	res := CheckResult{Name: p.Name, Status: CheckPass}
	var latencies []time.Duration
	sent := 0
	for sent < n && len(latencies) < k {
		sent++
		start := time.Now()
		resp, err := send(ctx)
		if err == nil && resp == nil {
			err = errors.New("no answer")
		}
		a := answer{resp: resp, err: err, latency: time.Since(start)}
		if a.err != nil {
			res.Status, res.Detail = queryFailure(a.err), fmt.Sprintf("request %d of %d: %v", sent, n, a.err)
			if errors.Is(a.err, apierr.ErrBadRequest) || errors.Is(a.err, apierr.ErrInvalidParameterValue) {
				// A probe file copied from an example carries the
				// example's input.
				res.Detail += "; the model refused the probe's request: is it an input this model accepts?"
			}
			return res
		}
		by := a.resp.ServedModelName
		if by != "" && !slices.Contains(res.ServedBy, by) {
			res.ServedBy = append(res.ServedBy, by)
		}
		if entity != "" && by != entity {
			continue
		}
		latencies = append(latencies, a.latency)
		if detail := p.Expect.judge(a.resp); detail != "" {
			res.Status, res.Detail = CheckFail, fmt.Sprintf("request %d of %d (served by %s): %s", sent, n, cmp.Or(by, "unknown"), detail)
			return res
		}
	}
	if len(latencies) < k {
		res.Status = CheckFail
		res.Detail = fmt.Sprintf("not enough data: %d of the %d answers the probe needs came from %s in %s (served by %v)",
			len(latencies), k, entity, plural(sent, "request"), res.ServedBy)
		return res
	}
	res.Detail = plural(len(latencies), "answer")
	if entity != "" {
		res.Detail = fmt.Sprintf("%s from %s in %s", plural(len(latencies), "answer"), entity, plural(sent, "request"))
	}
	if budget := time.Duration(p.Expect.LatencyP95); budget > 0 {
		res.LatencyP95 = p95(latencies)
		res.Detail += fmt.Sprintf(", p95 latency %s, budget %s", roundLatency(res.LatencyP95), budget)
		if res.LatencyP95 > budget {
			res.Status = CheckFail
		}
	}
	return res
}

// plural says "1 answer" or "2 answers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// roundLatency rounds a latency for people to read.
func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// requestsFor returns how many requests through the routes collect k
// answers from an entity that serves weight percent of the traffic with
// [probeConfidence], at most maxProbeRequests.
func requestsFor(k, weight int) int {
	if weight >= 100 || weight <= 0 {
		return k
	}
	p := float64(weight) / 100
	for n := k; n < maxProbeRequests; n++ {
		if atLeast(n, k, p) >= probeConfidence {
			return n
		}
	}
	return maxProbeRequests
}

// atLeast is the probability that n trials of probability p succeed at
// least k times.
func atLeast(n, k int, p float64) float64 {
	below := 0.0
	for i := range k {
		lc, _ := math.Lgamma(float64(n + 1))
		li, _ := math.Lgamma(float64(i + 1))
		lr, _ := math.Lgamma(float64(n - i + 1))
		below += math.Exp(lc - li - lr + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return 1 - below
}

// queryFailure tells a model's rejection (fail) from a failure to ask (error).
func queryFailure(err error) CheckStatus {
	var apiErr *apierr.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 &&
		!errors.Is(err, apierr.ErrTooManyRequests) && !errors.Is(err, apierr.ErrUnauthenticated) && !errors.Is(err, apierr.ErrPermissionDenied) {
		return CheckFail
	}
	return CheckError
}

// judge returns why an answer breaks the expectation, or "".
func (e Expect) judge(resp *serving.QueryEndpointResponse) string {
	if e.Path == "" {
		return ""
	}
	raw, err := json.Marshal(resp)
	if err != nil {
		return "answer is not JSON: " + err.Error()
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "answer is not JSON: " + err.Error()
	}
	got, ok := lookup(doc, e.Path)
	if !ok {
		return fmt.Sprintf("answer has no %q", e.Path)
	}
	if len(e.Equals) == 0 {
		return ""
	}
	var want any
	_ = json.Unmarshal(e.Equals, &want) // validated in LoadProbes
	if wf, ok := want.(float64); ok {
		gf, ok := got.(float64)
		if !ok {
			return fmt.Sprintf("%s is %v, want a number", e.Path, got)
		}
		if math.Abs(gf-wf) > e.Tolerance {
			return fmt.Sprintf("%s is %v, want %v ± %v", e.Path, gf, wf, e.Tolerance)
		}
		return ""
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("%s is %v, want %v", e.Path, got, want)
	}
	return ""
}

// lookup walks a decoded JSON document along a dot-separated path.
func lookup(doc any, path string) (any, bool) {
	for _, key := range strings.Split(path, ".") {
		switch v := doc.(type) {
		case map[string]any:
			next, ok := v[key]
			if !ok {
				return nil, false
			}
			doc = next
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			doc = v[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// p95 returns the nearest-rank 95th percentile.
func p95(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(math.Ceil(0.95*float64(len(s)))) - 1
	return s[max(rank, 0)]
}
