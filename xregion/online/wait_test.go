package online_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

var (
	provisioning = xregiontest.SyncStep{State: database.SyncedTableStateSyncedTableProvisioningInitialSnapshot, Provisioning: database.ProvisioningInfoStateProvisioning}
	ready        = xregiontest.SyncStep{State: database.SyncedTableStateSyncedTableOnlineNoPendingUpdate, Provisioning: database.ProvisioningInfoStateActive}
)

func provisioningFor(n int) xregiontest.SyncStep { s := provisioning; s.Times = n; return s }

// onlineTables seeds n online tables named serving.features.tNNN, each with
// the script script(i), and returns their names.
func onlineTables(ws *xregiontest.Workspace, n int, script func(i int) []xregiontest.SyncStep) []string {
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s.%s.t%03d", onlineCatalog, onlineSchema, i)
		ws.AddSyncedTable(database.SyncedDatabaseTable{Name: names[i], Spec: &database.SyncedTableSpec{
			SourceTableFullName: fmt.Sprintf("%s.ml.t%03d", sharedCatalog, i), SchedulingPolicy: database.SyncedTableSchedulingPolicySnapshot,
		}})
		ws.ScriptTable(names[i], script(i)...)
	}
	return names
}

func TestWaitOnline(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	// Table i is online at poll i+1.
	names := onlineTables(ws, 4, func(i int) []xregiontest.SyncStep {
		if i == 0 {
			return []xregiontest.SyncStep{ready}
		}
		return []xregiontest.SyncStep{provisioningFor(i), ready}
	})
	var progress []string
	got, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{
		Tables:     append(names, names[0]), // duplicates are waited for once
		OnProgress: func(p online.Progress) { progress = append(progress, fmt.Sprintf("%d/%d", p.Online, p.Total)) },
	}, noSleep)
	if err != nil {
		t.Fatalf("WaitOnline() error = %v", err)
	}
	if diff := cmp.Diff([]string{"1/4", "2/4", "3/4", "4/4"}, progress); diff != "" {
		t.Errorf("progress mismatch (-want +got):\n%s", diff)
	}
	for _, st := range got {
		if st.Phase != online.PhaseOnline {
			t.Errorf("%s: phase %s, want online", st.Name, st.Phase)
		}
	}
	// Table i is read once per poll until it is online, never after.
	if n, want := ws.Calls("Postgres.GetSyncedTable"), 1+2+3+4; n != want {
		t.Errorf("GetSyncedTable called %d times, want %d: tables online were polled again", n, want)
	}
}

func TestWaitOnlineFailsFast(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 5, func(i int) []xregiontest.SyncStep {
		if i == 3 {
			return []xregiontest.SyncStep{provisioning, {State: database.SyncedTableStateSyncedTableOfflineFailed, Provisioning: database.ProvisioningInfoStateActive, Message: "Snapshot failed: source table not readable"}}
		}
		return []xregiontest.SyncStep{provisioningFor(100), ready}
	})
	_, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names}, noSleep)
	var tf *online.TableFailedError
	if !errors.As(err, &tf) || !errors.Is(err, online.ErrTableFailed) {
		t.Fatalf("WaitOnline() error = %v, want a TableFailedError", err)
	}
	// The Autoscaling reply leaves out the Unity Catalog state ACTIVE.
	want := online.TableStatus{Name: names[3], Phase: online.PhaseFailed, State: database.SyncedTableStateSyncedTableOfflineFailed,
		Message: "Snapshot failed: source table not readable", API: online.APIAutoscaling}
	if diff := cmp.Diff(want, tf.Status); diff != "" {
		t.Errorf("failed status mismatch (-want +got):\n%s", diff)
	}
	if n := ws.Calls("Postgres.GetSyncedTable"); n != 10 {
		t.Errorf("GetSyncedTable called %d times, want 10 (two polls of five tables)", n)
	}
}

func TestWaitOnlineTimesOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := xregiontest.NewWorkspace()
		names := onlineTables(ws, 3, func(i int) []xregiontest.SyncStep {
			if i == 0 {
				return []xregiontest.SyncStep{ready}
			}
			return []xregiontest.SyncStep{provisioning}
		})
		start := time.Now()
		_, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names, Timeout: 10 * time.Minute},
			xregion.WithPollInterval(30*time.Second))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitOnline() error = %v, want DeadlineExceeded", err)
		}
		if took := time.Since(start); took != 10*time.Minute {
			t.Errorf("WaitOnline() returned after %v, want at the 10m deadline", took)
		}
		// 20 polls, at 0s, 30s, ..., 570s: the deadline falls where the 21st would be.
		if n, want := ws.Calls("Postgres.GetSyncedTable"), 1+2*20; n != want {
			t.Errorf("GetSyncedTable called %d times, want %d", n, want)
		}
	})
}

func TestWaitOnlineCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := xregiontest.NewWorkspace()
		names := onlineTables(ws, 2, func(int) []xregiontest.SyncStep { return []xregiontest.SyncStep{provisioning} })
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(90*time.Second, cancel)
		_, err := online.WaitOnline(ctx, status(ws), online.WaitSpec{Tables: names},
			xregion.WithPollInterval(time.Minute))
		if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitOnline() error = %v, want Canceled", err)
		}
	})
}

// The SDK has already retried throttling and unavailability for minutes
// when an error reaches WaitOnline: it does not retry them again.
func TestWaitOnlineReturnsUnavailability(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 2, func(int) []xregiontest.SyncStep { return []xregiontest.SyncStep{provisioning} })
	ws.Inject(xregiontest.Fault{Method: "Postgres.GetSyncedTable", Skip: 2, Times: 1, Err: xregiontest.Unavailable("try again later")})
	if _, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names}, noSleep); !errors.Is(err, apierr.ErrTemporarilyUnavailable) {
		t.Fatalf("WaitOnline() error = %v, want the 503", err)
	}
}

func TestWaitOnlineMissingGrace(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := xregiontest.NewWorkspace()
		names := onlineTables(ws, 1, func(int) []xregiontest.SyncStep { return []xregiontest.SyncStep{ready} })
		names = append(names, "serving.features.never_published")
		_, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names, MissingGrace: 90 * time.Second},
			xregion.WithPollInterval(30*time.Second))
		if !errors.Is(err, online.ErrTableMissing) {
			t.Fatalf("WaitOnline() error = %v, want ErrTableMissing", err)
		}
	})
}

func TestWaitOnlineStopsOnPermanentErrors(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 2, func(int) []xregiontest.SyncStep { return []xregiontest.SyncStep{provisioning} })
	ws.Inject(xregiontest.Fault{Method: "Postgres.GetSyncedTable", Skip: 2, Err: xregiontest.PermissionDenied("no SELECT on table")})
	_, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names}, noSleep)
	if !errors.Is(err, apierr.ErrPermissionDenied) {
		t.Fatalf("WaitOnline() error = %v, want PermissionDenied", err)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	active, prov := database.ProvisioningInfoStateActive, database.ProvisioningInfoStateProvisioning
	tests := []struct {
		state database.SyncedTableState
		uc    database.ProvisioningInfoState
		want  online.Phase
	}{
		{database.SyncedTableStateSyncedTableOnline, active, online.PhaseOnline},
		{database.SyncedTableStateSyncedTableOnlineNoPendingUpdate, active, online.PhaseOnline},
		{database.SyncedTableStateSyncedTableOnlineTriggeredUpdate, active, online.PhaseOnline},
		{database.SyncedTableStateSyncedTableOnlineContinuousUpdate, active, online.PhaseOnline},
		{database.SyncedTableStateSyncedTableOnlineUpdatingPipelineResources, active, online.PhaseOnline},
		{database.SyncedTableStateSyncedTableOnlineNoPendingUpdate, prov, online.PhasePending},
		{database.SyncedTableStateSyncedTableOnlineNoPendingUpdate, database.ProvisioningInfoStateDegraded, online.PhasePending},
		{database.SyncedTableStateSyncedTableProvisioning, active, online.PhasePending},
		{database.SyncedTableStateSyncedTableProvisioningPipelineResources, active, online.PhasePending},
		{database.SyncedTableStateSyncedTableProvisioningInitialSnapshot, active, online.PhasePending},
		{"", active, online.PhasePending},
		{database.SyncedTableStateSyncedTableOnlinePipelineFailed, active, online.PhaseFailed},
		{database.SyncedTableStateSyncedTableOfflineFailed, active, online.PhaseFailed},
		{database.SyncedTableStateSyncedTabledOffline, active, online.PhaseFailed},
		{"SYNCED_TABLE_OFFLINE", active, online.PhaseFailed},
		{database.SyncedTableStateSyncedTableProvisioning, database.ProvisioningInfoStateFailed, online.PhaseFailed},
		// Not a substring match: an unknown state is not online.
		{"SYNCED_TABLE_ONLINE_SOMETHING_NEW", active, online.PhasePending},
	}
	for _, tt := range tests {
		t.Run(string(tt.state)+"/"+string(tt.uc), func(t *testing.T) {
			t.Parallel()
			tbl := &database.SyncedDatabaseTable{UnityCatalogProvisioningState: tt.uc, DataSynchronizationStatus: &database.SyncedTableStatus{DetailedState: tt.state}}
			if got := online.Classify(tbl); got != tt.want {
				t.Errorf("Classify(%s, %s) = %s, want %s", tt.state, tt.uc, got, tt.want)
			}
		})
	}
}

// TestWaitOnlineKnown: a table known to be online from a read moments ago
// (PublishResult.Read) is not read again and is reported as known; the
// others are waited for as usual.
func TestWaitOnlineKnown(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 2, func(i int) []xregiontest.SyncStep { return []xregiontest.SyncStep{provisioningFor(1), ready} })
	known := online.TableStatus{Name: names[0], Phase: online.PhaseOnline}
	got, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names, Known: []online.TableStatus{known}}, noSleep)
	if err != nil {
		t.Fatalf("WaitOnline() error = %v", err)
	}
	if len(got) != 2 || got[0] != known || got[1].Phase != online.PhaseOnline {
		t.Errorf("WaitOnline() = %+v, want the known status of %s and %s online", got, names[0], names[1])
	}
	if n := ws.Calls("Database.GetSyncedDatabaseTable") + ws.Calls("Postgres.GetSyncedTable"); n != 2 {
		t.Errorf("%d status reads, want 2 (two polls of %s only)", n, names[1])
	}
}
