package rollout_test

import (
	"encoding/json"
	"errors"
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
