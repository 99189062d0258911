package online_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// publishAndWait publishes spec's tables into dst and waits until they are
// online; it returns when the features table's last sync ended.
func publishAndWait(t *testing.T, dst *xregiontest.Workspace, spec online.PublishSpec) time.Time {
	t.Helper()
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatal(err)
	}
	st, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: res.OnlineNames()}, noSleep)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == featuresOnline {
			if s.LastSync.IsZero() {
				t.Fatalf("WaitOnline() reported no last sync for %s: %+v", s.Name, s)
			}
			return s.LastSync
		}
	}
	t.Fatalf("WaitOnline() = %+v, want %s", st, featuresOnline)
	return time.Time{}
}

// TestPublishOnlineHealsAFailedTable: a table that failed, here because its
// source was dropped and re-created, is published again on the next run,
// comes online, and the run after that writes nothing.
func TestPublishOnlineHealsAFailedTable(t *testing.T) {
	t.Parallel()
	src, dst := sharedTables(t)
	spec := publishSpec()
	publishAndWait(t, dst, spec)

	src.RecreateTable(features)
	dst.ResetWrites()
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("PublishOnline() of a failed table: %v, want it published again", err)
	}
	want := []xregiontest.Write{{Method: "FeatureStore.PublishTable", Resource: featuresOnline}}
	if diff := cmp.Diff(want, dst.Writes()); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
	if pt := res.Tables[0]; pt.Op != xregion.OpUpdated || !strings.HasPrefix(pt.Reason, "failed: SYNCED_TABLE_OFFLINE_FAILED") {
		t.Errorf("healed table reported %+v, want updated, because it had failed", pt)
	}
	if _, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: res.OnlineNames()}, noSleep); err != nil {
		t.Fatalf("WaitOnline() after the heal: %v", err)
	}
	dst.ResetWrites()
	if _, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep); err != nil {
		t.Fatal(err)
	}
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("run after the heal wrote %v, want nothing", w)
	}
}

// TestRefreshPolicy: which healthy tables are synced again, by policy, the
// version's creation time and the maximum staleness.
func TestRefreshPolicy(t *testing.T) {
	t.Parallel()
	hour := time.Hour
	tests := []struct {
		name string
		// edit sets the policy; last is when the features table was last
		// synced, the history table a second later or so.
		edit func(s *online.PublishSpec, last time.Time)
		// now is the clock of the run, relative to last.
		now        time.Duration
		wantSynced bool
		wantReason string
	}{
		{name: "auto_version_newer_than_the_sync", edit: func(s *online.PublishSpec, last time.Time) { s.VersionCreated = last.Add(hour) },
			wantSynced: true, wantReason: "stale: last synced"},
		{name: "auto_version_older_than_the_sync", edit: func(s *online.PublishSpec, last time.Time) { s.VersionCreated = last.Add(-hour) }},
		{name: "auto_version_unknown", edit: func(*online.PublishSpec, time.Time) {}},
		{name: "never_version_newer_than_the_sync", edit: func(s *online.PublishSpec, last time.Time) {
			s.Refresh, s.VersionCreated = online.RefreshNever, last.Add(hour)
		}},
		{name: "always", edit: func(s *online.PublishSpec, last time.Time) {
			s.Refresh, s.VersionCreated = online.RefreshAlways, last.Add(-hour)
		}, wantSynced: true, wantReason: "refresh policy always"},
		{name: "max_staleness_passed", edit: func(s *online.PublishSpec, last time.Time) {
			s.VersionCreated, s.MaxStaleness = last.Add(-hour), hour
		}, now: 2 * hour, wantSynced: true, wantReason: "more than 1h0m0s ago"},
		{name: "max_staleness_not_passed", edit: func(s *online.PublishSpec, last time.Time) {
			s.VersionCreated, s.MaxStaleness = last.Add(-hour), 3*hour
		}, now: 2 * hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, dst := sharedTables(t)
			spec := publishSpec()
			spec.Tables = spec.Tables[:1]
			last := publishAndWait(t, dst, spec)
			tt.edit(&spec, last)
			clock := xregion.WithClock(func() time.Time { return last.Add(tt.now) })

			dst.ResetWrites()
			res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep, clock)
			if err != nil {
				t.Fatal(err)
			}
			var want []xregiontest.Write
			wantOp := xregion.OpUnchanged
			if tt.wantSynced {
				want = []xregiontest.Write{{Method: "FeatureStore.PublishTable", Resource: featuresOnline}}
				wantOp = xregion.OpUpdated
			}
			if diff := cmp.Diff(want, dst.Writes()); diff != "" {
				t.Errorf("writes mismatch (-want +got):\n%s", diff)
			}
			pt := res.Tables[0]
			if pt.Op != wantOp || !strings.Contains(pt.Reason, tt.wantReason) || (tt.wantReason == "") != (pt.Reason == "") || !pt.LastSync.Equal(last) {
				t.Errorf("PublishOnline() table = %+v, want %s, reason containing %q, last sync %s", pt, wantOp, tt.wantReason, last)
			}
			if !tt.wantSynced {
				return
			}
			// The re-synced table comes online again with a newer sync.
			st, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: res.OnlineNames()}, noSleep)
			if err != nil || !st[0].LastSync.After(last) {
				t.Errorf("WaitOnline() after the re-sync = %+v, %v; want online with a sync after %s", st, err, last)
			}
		})
	}
}

// TestRefreshUnknownLastSync: an online table whose last sync the service
// does not report is left alone, so that a re-run writes nothing.
func TestRefreshUnknownLastSync(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	dst.AddOnlineStore(ml.OnlineStore{Name: online.DefaultStoreName(onlineCatalog)})
	dst.AddSyncedTable(database.SyncedDatabaseTable{Name: featuresOnline, UnityCatalogProvisioningState: database.ProvisioningInfoStateActive,
		DataSynchronizationStatus: &database.SyncedTableStatus{DetailedState: database.SyncedTableStateSyncedTableOnlineNoPendingUpdate}})
	spec := publishSpec()
	spec.Tables = spec.Tables[:1]
	spec.VersionCreated, spec.MaxStaleness = time.Now().Add(time.Hour), time.Minute
	dst.ResetWrites()
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatal(err)
	}
	if w := dst.Writes(); len(w) != 0 || res.Tables[0].Op != xregion.OpUnchanged {
		t.Errorf("PublishOnline() = %+v, wrote %v; want the table left unchanged", res.Tables, w)
	}
}

func TestRefreshSpecValidation(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(*online.PublishSpec){
		"unknown_policy":       func(s *online.PublishSpec) { s.Refresh = "sometimes" },
		"negative_staleness":   func(s *online.PublishSpec) { s.MaxStaleness = -time.Minute },
		"never_with_staleness": func(s *online.PublishSpec) { s.Refresh, s.MaxStaleness = online.RefreshNever, time.Hour },
	} {
		spec := publishSpec()
		edit(&spec)
		if err := spec.Validate(); !errors.Is(err, xregion.ErrInvalidInput) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidInput", name, err)
		}
	}
}

// TestRefreshLeavesASyncingTable: a table published again and still
// syncing is left to sync by a run that comes before it is done, though
// its last finished sync is still older than the version.
func TestRefreshLeavesASyncingTable(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	spec := publishSpec()
	spec.Tables = spec.Tables[:1]
	last := publishAndWait(t, dst, spec)
	spec.VersionCreated = last.Add(time.Hour)
	if res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep); err != nil || res.Tables[0].Op != xregion.OpUpdated {
		t.Fatalf("PublishOnline() = %+v, %v; want the stale table synced again", res, err)
	}
	dst.ResetWrites()
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatal(err)
	}
	if w := dst.Writes(); len(w) != 0 || res.Tables[0].Op != xregion.OpUnchanged {
		t.Errorf("PublishOnline() while the table syncs = %+v, wrote %v; want it left to sync", res.Tables, w)
	}
}
