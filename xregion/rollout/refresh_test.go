package rollout_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestRefresh syncs the online tables again, all of them or the stale ones,
// and leaves the endpoint alone.
func TestRefresh(t *testing.T) {
	t.Parallel()
	later := xregion.WithClock(func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })
	tests := []struct {
		name  string
		stale time.Duration
		opts  []xregion.Option
		want  bool // the table is synced again
	}{
		{name: "all", want: true},
		{name: "stale_only_and_stale", stale: time.Hour, opts: []xregion.Option{later}, want: true},
		{name: "stale_only_and_fresh", stale: 100 * 365 * 24 * time.Hour, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "eu-west-1")
			target := w.regionTargets()[0]
			first, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep)
			if err != nil {
				t.Fatalf("Region() error = %v", err)
			}
			before := first.OnlineStatus[0].LastSync
			w.resetWrites()
			spec := baseSpec()
			spec.OnlineMaxStaleness = tt.stale
			res, err := rollout.Refresh(t.Context(), w.source(), target, spec, append([]xregion.Option{noSleep}, tt.opts...)...)
			if err != nil {
				t.Fatalf("Refresh() error = %v", err)
			}
			writes := w.writes()
			if got := published(writes); got != tt.want {
				t.Errorf("published again: %t, want %t (writes %v)", got, tt.want, writes)
			}
			if slices.ContainsFunc(writes, func(wr xregiontest.Write) bool { return wr.Method != "FeatureStore.PublishTable" }) {
				t.Errorf("Refresh() wrote %v, want only publishes", writes)
			}
			if res.Endpoint != nil {
				t.Errorf("Refresh() touched the endpoint: %+v", res.Endpoint)
			}
			if len(res.OnlineStatus) != 1 || res.OnlineStatus[0].Phase != "online" {
				t.Fatalf("OnlineStatus = %+v, want the table online", res.OnlineStatus)
			}
			if after := res.OnlineStatus[0].LastSync; tt.want != after.After(before) {
				t.Errorf("last sync %v → %v, want a newer one: %t", before, after, tt.want)
			}
		})
	}
}

// TestRefreshBeforeAnyRollout refuses, writing nothing.
func TestRefreshBeforeAnyRollout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	_, err := rollout.Refresh(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), noSleep)
	if !errors.Is(err, xregion.ErrPrecondition) {
		t.Errorf("Refresh() error = %v, want a precondition error", err)
	}
	if len(w.writes()) != 0 {
		t.Errorf("Refresh() wrote %v", w.writes())
	}
}
