package endpoint_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestLoadProbesExampleFile(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/probes.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := endpoint.LoadProbes(f)
	if err != nil {
		t.Fatalf("LoadProbes() error = %v", err)
	}
	want := []endpoint.Probe{
		{Name: "smoke", Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42, "amount": 310.5}]}`),
			Expect: endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.05}},
		{Name: "has-prediction", Request: json.RawMessage(`{"dataframe_split": {"columns": ["customer_id", "amount"], "data": [[7, 12.0]]}}`),
			Expect: endpoint.Expect{Path: "predictions.0"}},
		{Name: "latency", Request: json.RawMessage(`{"instances": [{"customer_id": 42, "amount": 310.5}]}`),
			Expect: endpoint.Expect{LatencyP95: endpoint.Duration(300 * time.Millisecond), Requests: 20}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadProbes() mismatch (-want +got):\n%s", diff)
	}
	// Every probe of the documented example passes against the fake's
	// default answers.
	ws := target(t)
	s := spec(3)
	s.Name = "probe-target"
	s.Probes = got
	res, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil {
		t.Fatalf("DeployWithRollback() with the example probes error = %v", err)
	}
	if n := len(res.Checks); n != 4 {
		t.Errorf("ran %d checks, want readiness and 3 probes", n)
	}
}

func TestLoadProbesRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"not_json":            `{"probes": [`,
		"no_probes":           `{"probes": []}`,
		"unknown_field":       `{"probes": [{"name": "a", "request": {"inputs": [1]}, "expect": {"pth": "predictions"}}]}`,
		"no_name":             `{"probes": [{"request": {"inputs": [1]}}]}`,
		"no_request":          `{"probes": [{"name": "a"}]}`,
		"two_request_kinds":   `{"probes": [{"name": "a", "request": {"inputs": [1], "instances": [1]}}]}`,
		"unknown_request":     `{"probes": [{"name": "a", "request": {"input_records": [1]}}]}`,
		"equals_without_path": `{"probes": [{"name": "a", "request": {"inputs": [1]}, "expect": {"equals": 1}}]}`,
		"bad_duration":        `{"probes": [{"name": "a", "request": {"inputs": [1]}, "expect": {"latency_p95": "fast"}}]}`,
		"negative_tolerance":  `{"probes": [{"name": "a", "request": {"inputs": [1]}, "expect": {"path": "predictions.0", "equals": 1, "tolerance": -1}}]}`,
		"duplicate_name":      `{"probes": [{"name": "a", "request": {"inputs": [1]}}, {"name": "a", "request": {"inputs": [2]}}]}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := endpoint.LoadProbes(strings.NewReader(body)); !errors.Is(err, xregion.ErrInvalidInput) {
				t.Errorf("LoadProbes(%s) error = %v, want ErrInvalidInput", body, err)
			}
		})
	}
}

func TestProbeExpectations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer []any
		expect endpoint.Expect
		want   endpoint.CheckStatus
	}{
		{name: "any_success", answer: []any{0.5}, want: endpoint.CheckPass},
		{name: "path_present", answer: []any{0.5}, expect: endpoint.Expect{Path: "predictions.0"}, want: endpoint.CheckPass},
		{name: "path_missing", answer: []any{0.5}, expect: endpoint.Expect{Path: "predictions.1"}, want: endpoint.CheckFail},
		{name: "within_tolerance", answer: []any{0.53}, expect: endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.05}, want: endpoint.CheckPass},
		{name: "outside_tolerance", answer: []any{0.56}, expect: endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.05}, want: endpoint.CheckFail},
		{name: "equal_object", answer: []any{map[string]any{"label": "fraud"}}, expect: endpoint.Expect{Path: "predictions.0.label", Equals: json.RawMessage(`"fraud"`)}, want: endpoint.CheckPass},
		{name: "unequal_string", answer: []any{map[string]any{"label": "ok"}}, expect: endpoint.Expect{Path: "predictions.0.label", Equals: json.RawMessage(`"fraud"`)}, want: endpoint.CheckFail},
		{name: "number_expected_string_given", answer: []any{"0.5"}, expect: endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`)}, want: endpoint.CheckFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			ws.ScriptQuery(model, "3", xregiontest.QueryScript{Predictions: tt.answer})
			s := spec(3)
			s.Entity = endpoint.Entity{Name: "fraud-3", Model: model, Version: 3, WorkloadSize: "Medium"}
			// Probe the live endpoint through a no-op deployment of the
			// version it already serves with an extra probe: it would be
			// "unchanged" and skip probes, so deploy to a fresh endpoint.
			s.Name = "probe-" + strings.ReplaceAll(tt.name, "_", "-")
			s.Probes = []endpoint.Probe{{Name: "p", Request: smoke.Request, Expect: tt.expect}}
			res, _ := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
			var got endpoint.CheckStatus
			for _, c := range res.Checks {
				if c.Name == "p" {
					got = c.Status
				}
			}
			if got != tt.want {
				t.Errorf("probe status = %q, want %q (checks %+v)", got, tt.want, res.Checks)
			}
		})
	}
}

// TestProbeRefusedRequestSaysWhy: a probe whose request the model refuses
// (a 400, as for a probe file copied with another model's input) fails and
// says that the request is the likely cause; a server error says nothing of
// the kind.
func TestProbeRefusedRequestSaysWhy(t *testing.T) {
	t.Parallel()
	const hint = "is it an input this model accepts?"
	for _, tt := range []struct {
		name     string
		err      error
		want     endpoint.CheckStatus
		wantHint bool
	}{
		{"bad_input", xregiontest.InvalidParameter("Model is missing inputs ['amount']."), endpoint.CheckFail, true},
		{"server_error", xregiontest.Unavailable("try again"), endpoint.CheckError, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			ws.ScriptQuery(model, "3", xregiontest.QueryScript{Err: tt.err})
			s := spec(3)
			s.Entity = endpoint.Entity{Name: "fraud-3", Model: model, Version: 3, WorkloadSize: "Medium"}
			s.Name = "probe-" + strings.ReplaceAll(tt.name, "_", "-")
			s.Probes = []endpoint.Probe{{Name: "p", Request: smoke.Request}}
			res, _ := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
			var got *endpoint.CheckResult
			for i, c := range res.Checks {
				if c.Name == "p" {
					got = &res.Checks[i]
				}
			}
			if got == nil || got.Status != tt.want || strings.Contains(got.Detail, hint) != tt.wantHint {
				t.Errorf("probe = %+v, want status %s and the hint %v", got, tt.want, tt.wantHint)
			}
		})
	}
}
