package rollout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestStatus reads converged, drifted, stale and unhealthy regions, with no
// write in any of them.
func TestObserve(t *testing.T) {
	t.Parallel()
	smoke := endpoint.Probe{Name: "smoke", Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42}]}`),
		Expect: endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`)}}
	tests := []struct {
		name      string
		after     func(w world) // between the rollout and the status
		spec      func(s *rollout.Spec)
		opts      []xregion.Option
		wantDrift string // in Drift, or "" for none
		wantStale bool
		unhealthy bool
	}{
		{name: "converged"},
		{name: "converged_and_healthy", spec: func(s *rollout.Spec) { s.Endpoint.Probes = []endpoint.Probe{smoke} }},
		{
			name:      "alias_moved",
			after:     func(w world) { w.src.SetAlias("main.ml.fraud", "champion", 2) },
			wantDrift: "serves version 1 (100%), not version 2",
		},
		{
			name:      "stale_table",
			spec:      func(s *rollout.Spec) { s.OnlineMaxStaleness = time.Hour },
			opts:      []xregion.Option{xregion.WithClock(func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })},
			wantDrift: "would be published again (stale",
			wantStale: true,
		},
		{
			name: "unhealthy",
			after: func(w world) {
				w.targets[0].ScriptQuery("xregion_main_ml_fraud.ml.fraud", "1", xregiontest.QueryScript{Predictions: []any{0.9}})
			},
			spec:      func(s *rollout.Spec) { s.Endpoint.Probes = []endpoint.Probe{smoke} },
			unhealthy: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "eu-west-1")
			spec := baseSpec()
			spec.Version = "@champion"
			if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], spec, noSleep); err != nil {
				t.Fatalf("Region() error = %v", err)
			}
			if tt.after != nil {
				tt.after(w)
			}
			if tt.spec != nil {
				tt.spec(&spec)
			}
			w.resetWrites()
			st, err := rollout.Observe(t.Context(), w.source(), w.regionTargets()[0], spec, append([]xregion.Option{noSleep}, tt.opts...)...)
			if err != nil {
				t.Fatalf("Observe() error = %v", err)
			}
			if got := w.writes(); len(got) != 0 {
				t.Errorf("Observe() wrote %v, want nothing", got)
			}
			drift := strings.Join(st.Drift, "; ")
			switch {
			case tt.wantDrift == "" && drift != "":
				t.Errorf("Drift = %q, want none", drift)
			case tt.wantDrift != "" && !strings.Contains(drift, tt.wantDrift):
				t.Errorf("Drift = %q, want %q", drift, tt.wantDrift)
			}
			if (len(st.Stale) > 0) != tt.wantStale {
				t.Errorf("Stale = %v, want stale: %t", st.Stale, tt.wantStale)
			}
			if st.Endpoint == nil || !st.Endpoint.Exists {
				t.Fatalf("Endpoint = %+v, want the endpoint observed", st.Endpoint)
			}
			if st.Endpoint.Healthy() == tt.unhealthy {
				t.Errorf("Endpoint healthy = %t, want %t (checks %+v)", st.Endpoint.Healthy(), !tt.unhealthy, st.Endpoint.Checks)
			}
			converged := tt.wantDrift == "" && !tt.wantStale && !tt.unhealthy
			if err := st.Err(); (err == nil) != converged || (err != nil && !errors.Is(err, rollout.ErrDrift)) {
				t.Errorf("Err() = %v, want drift: %t", err, !converged)
			}
			if len(st.Online) != 1 || st.Online[0].LastSync.IsZero() {
				t.Errorf("Online = %+v, want the table with its last sync", st.Online)
			}
		})
	}
}

// TestStatusBeforeAnyRollout: a region the model never reached has drifted
// in every step, and nothing is written to find that out.
func TestObserveBeforeAnyRollout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	st, err := rollout.Observe(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), noSleep)
	if err != nil {
		t.Fatalf("Observe() error = %v", err)
	}
	if len(w.writes()) != 0 {
		t.Errorf("Observe() wrote %v", w.writes())
	}
	drift := strings.Join(st.Drift, "; ")
	for _, want := range []string{"share xregion_main_ml_fraud does not exist", "shared catalog xregion_main_ml_fraud does not exist"} {
		if !strings.Contains(drift, want) {
			t.Errorf("Drift = %q, want %q", drift, want)
		}
	}
	if st.Err() == nil {
		t.Error("Err() = nil for a region the model never reached")
	}
}

// TestObserveRegions observes a fleet after the alias moved: every region
// has drifted, nothing is written, and the source is read once for all.
func TestObserveRegions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1", "ap-southeast-1", "us-west-2")
	spec := baseSpec()
	spec.Version = "@champion"
	if _, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), spec, rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("Regions() error = %v", err)
	}
	w.src.SetAlias("main.ml.fraud", "champion", 2)
	w.resetWrites()
	statuses, err := rollout.ObserveRegions(t.Context(), w.source(), w.regionTargets(), spec, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("ObserveRegions() error = %v", err)
	}
	if len(w.writes()) != 0 {
		t.Errorf("ObserveRegions() wrote %v", w.writes())
	}
	if len(statuses) != 3 {
		t.Fatalf("%d statuses, want 3", len(statuses))
	}
	for _, st := range statuses {
		if st.Want != 2 || !strings.Contains(strings.Join(st.Drift, "; "), "serves version 1 (100%), not version 2") || st.Err() == nil {
			t.Errorf("%s: want %d, drift %q; want version 2 wanted and version 1 served", st.Region, st.Want, st.Drift)
		}
	}
}

// BenchmarkObserveRegions reports the requests a status of a converged
// 10-region fleet costs, per region and on the source.
func BenchmarkObserveRegions(b *testing.B) {
	regions := make([]string, 10)
	for i := range regions {
		regions[i] = fmt.Sprintf("region-%02d", i)
	}
	w := newWorld(b, regions...)
	if _, err := rollout.Regions(b.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep); err != nil {
		b.Fatal(err)
	}
	var src, dst int
	for b.Loop() {
		s0, d0 := w.src.TotalCalls(), 0
		for _, t := range w.targets {
			d0 += t.TotalCalls()
		}
		if _, err := rollout.ObserveRegions(b.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep); err != nil {
			b.Fatal(err)
		}
		src += w.src.TotalCalls() - s0
		for _, t := range w.targets {
			dst += t.TotalCalls()
		}
		dst -= d0
	}
	b.ReportMetric(float64(src)/float64(b.N), "source-requests/op")
	b.ReportMetric(float64(dst)/float64(b.N)/10, "requests/region")
}

// TestRegionAppliesTargetOverrides: a target's own endpoint name applies in
// Region and Observe as in Regions.
func TestRegionAppliesTargetOverrides(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	target := w.regionTargets()[0]
	target.Endpoint = "fraud-eu"
	res, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep)
	if err != nil || res.Endpoint == nil || res.Endpoint.Endpoint != "fraud-eu" {
		t.Fatalf("Region() = %+v, %v; want endpoint fraud-eu", res.Endpoint, err)
	}
	st, err := rollout.Observe(t.Context(), w.source(), target, baseSpec(), noSleep)
	if err != nil || st.Endpoint == nil || st.Endpoint.Endpoint != "fraud-eu" || st.Err() != nil {
		t.Errorf("Observe() = %+v, %v; want fraud-eu observed, converged", st.Endpoint, err)
	}
}
