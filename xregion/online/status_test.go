package online_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// legacyStore seeds a Lakebase Provisioned online store, created before
// online stores became Lakebase Autoscaling projects.
func legacyStore(ws *xregiontest.Workspace) string {
	ws.AddOnlineStore(ml.OnlineStore{Name: "legacy-store", CreationTime: "2025-06-01T00:00:00Z"})
	return "legacy-store"
}

// TestWaitOnlineThroughTheOwningAPI reads tables of both kinds of store,
// and checks which API each read went to.
func TestWaitOnlineThroughTheOwningAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// seed makes one table, scripted to be provisioning for two reads
		// and then online, and may inject faults.
		seed       func(ws *xregiontest.Workspace, name string)
		clients    func(ws *xregiontest.Workspace) online.StatusClients
		wantAPI    online.API
		wantErr    error
		wantCalls  map[string]int
		wantErrHas string
	}{
		{
			name:      "autoscaling_table_never_asks_the_provisioned_api",
			seed:      func(ws *xregiontest.Workspace, name string) { seedTable(ws, name, "") },
			wantAPI:   online.APIAutoscaling,
			wantCalls: map[string]int{"Postgres.GetSyncedTable": 3, "Database.GetSyncedDatabaseTable": 0},
		},
		{
			name: "provisioned_table_is_asked_there_first_once_known",
			seed: func(ws *xregiontest.Workspace, name string) { seedTable(ws, name, legacyStore(ws)) },
			// One refusal by the Autoscaling API, then three polls of the
			// Provisioned one.
			wantAPI:   online.APIProvisioned,
			wantCalls: map[string]int{"Postgres.GetSyncedTable": 1, "Database.GetSyncedDatabaseTable": 3},
		},
		{
			name: "workspace_without_the_autoscaling_api",
			seed: func(ws *xregiontest.Workspace, name string) {
				seedTable(ws, name, legacyStore(ws))
				ws.Inject(xregiontest.Fault{Method: "Postgres.GetSyncedTable", Err: &apierr.APIError{StatusCode: 501, ErrorCode: "NOT_IMPLEMENTED", Message: "no such API"}})
			},
			wantAPI:   online.APIProvisioned,
			wantCalls: map[string]int{"Postgres.GetSyncedTable": 1, "Database.GetSyncedDatabaseTable": 3},
		},
		{
			name: "only_the_provisioned_client",
			seed: func(ws *xregiontest.Workspace, name string) { seedTable(ws, name, legacyStore(ws)) },
			clients: func(ws *xregiontest.Workspace) online.StatusClients {
				return online.StatusClients{SyncedTables: ws.Database}
			},
			wantAPI:   online.APIProvisioned,
			wantCalls: map[string]int{"Postgres.GetSyncedTable": 0, "Database.GetSyncedDatabaseTable": 3},
		},
		{
			name: "permission_denied_is_not_try_the_other",
			seed: func(ws *xregiontest.Workspace, name string) {
				seedTable(ws, name, legacyStore(ws))
				ws.Inject(xregiontest.Fault{Method: "Postgres.GetSyncedTable", Err: xregiontest.PermissionDenied("no USE on the Lakebase project")})
			},
			wantErr:   apierr.ErrPermissionDenied,
			wantCalls: map[string]int{"Postgres.GetSyncedTable": 1, "Database.GetSyncedDatabaseTable": 0},
		},
		{
			name: "both_apis_refuse",
			seed: func(ws *xregiontest.Workspace, name string) {
				seedTable(ws, name, "")
				ws.Inject(xregiontest.Fault{Method: "Postgres.GetSyncedTable", Err: xregiontest.InvalidParameter("malformed name")})
			},
			// The Database API's own refusal of an Autoscaling table.
			wantErr:    apierr.ErrInvalidParameterValue,
			wantErrHas: "neither Lakebase API serves it",
			wantCalls:  map[string]int{"Postgres.GetSyncedTable": 1, "Database.GetSyncedDatabaseTable": 1},
		},
		{
			name:    "no_client",
			seed:    func(ws *xregiontest.Workspace, name string) { seedTable(ws, name, "") },
			clients: func(*xregiontest.Workspace) online.StatusClients { return online.StatusClients{} },
			// A programming error of the caller, reported before any call.
			wantErrHas: "no client reads online tables",
			wantCalls:  map[string]int{"Postgres.GetSyncedTable": 0, "Database.GetSyncedDatabaseTable": 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			const name = "serving.features.t"
			tt.seed(ws, name)
			c := status(ws)
			if tt.clients != nil {
				c = tt.clients(ws)
			}
			got, err := online.WaitOnline(t.Context(), c, online.WaitSpec{Tables: []string{name}}, noSleep)
			switch {
			case tt.wantErr == nil && tt.wantErrHas == "":
				if err != nil || len(got) != 1 || got[0].Phase != online.PhaseOnline || got[0].API != tt.wantAPI {
					t.Errorf("WaitOnline() = %+v, %v; want %s online through the %s API", got, err, name, tt.wantAPI)
				}
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr), tt.wantErrHas != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErrHas)):
				t.Errorf("WaitOnline() error = %v, want %v containing %q", err, tt.wantErr, tt.wantErrHas)
			}
			for m, want := range tt.wantCalls {
				if n := ws.Calls(m); n != want {
					t.Errorf("%s called %d times, want %d", m, n, want)
				}
			}
		})
	}
}

// seedTable seeds a SNAPSHOT online table fed from fraud_shared.ml.features,
// in store (or with none), scripted to be provisioning for two reads and
// then online.
func seedTable(ws *xregiontest.Workspace, name, store string) {
	ws.AddSyncedTable(database.SyncedDatabaseTable{Name: name, DatabaseInstanceName: store, Spec: &database.SyncedTableSpec{
		SourceTableFullName: "fraud_shared.ml.features", SchedulingPolicy: database.SyncedTableSchedulingPolicySnapshot,
	}})
	ws.ScriptTable(name, provisioningFor(2), ready)
}

// TestWaitOnlineDeletingFailsFast: a table being deleted ends the wait at
// the first poll that shows it, with the service's message.
func TestWaitOnlineDeletingFailsFast(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 2, func(i int) []xregiontest.SyncStep {
		if i == 1 {
			return []xregiontest.SyncStep{provisioning, {State: database.SyncedTableStateSyncedTableOnline, Provisioning: database.ProvisioningInfoStateDeleting, Message: "Synced table is being deleted by admin@example.com"}}
		}
		return []xregiontest.SyncStep{provisioningFor(1000), ready}
	})
	_, err := online.WaitOnline(t.Context(), status(ws), online.WaitSpec{Tables: names}, noSleep)
	var tf *online.TableFailedError
	if !errors.As(err, &tf) || tf.Status.Phase != online.PhaseDeleting || !strings.Contains(err.Error(), "being deleted by admin@example.com") {
		t.Fatalf("WaitOnline() error = %v, want a TableFailedError for a table being deleted, with the service's message", err)
	}
	if n := ws.Calls("Postgres.GetSyncedTable"); n != 4 {
		t.Errorf("GetSyncedTable called %d times, want 4 (two polls of two tables)", n)
	}
}

// TestPublishOnlineAutoscalingWithoutSpec: a Lakebase Autoscaling reply
// names no source, which is unknown, not a conflict, and a re-run of a
// converged state writes nothing.
func TestPublishOnlineAutoscalingWithoutSpec(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t) // no WithPostgresSpec: replies leave spec out
	spec := publishSpec()
	if _, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep); err != nil {
		t.Fatal(err)
	}
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("PublishOnline() on replies without spec: %v, want no conflict", err)
	}
	if _, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: res.OnlineNames()}, noSleep); err != nil {
		t.Fatal(err)
	}
	dst.ResetWrites()
	before := dst.Calls("Database.GetSyncedDatabaseTable") // asked for tables not published yet
	res, err = online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatal(err)
	}
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("re-run wrote %v, want nothing", w)
	}
	for _, pt := range res.Tables {
		if pt.Op != xregion.OpUnchanged || pt.API != online.APIAutoscaling || pt.LastSync.IsZero() {
			t.Errorf("re-run reported %+v, want unchanged, read through the Autoscaling API, with its last sync", pt)
		}
	}
	if n := dst.Calls("Database.GetSyncedDatabaseTable") - before; n != 0 {
		t.Errorf("the Provisioned API was asked %d times, want 0: every table answered through the Autoscaling API", n)
	}
}

// TestPublishOnlineDeletingFailsBeforeWriting: an existing table being
// deleted is an error before any write.
func TestPublishOnlineDeletingFailsBeforeWriting(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	dst.AddSyncedTable(database.SyncedDatabaseTable{Name: featuresOnline, UnityCatalogProvisioningState: database.ProvisioningInfoStateDeleting,
		DataSynchronizationStatus: &database.SyncedTableStatus{Message: "Deleting synced table"}})
	dst.ResetWrites()
	_, err := online.PublishOnline(t.Context(), clients(dst), publishSpec(), noSleep)
	if !errors.Is(err, online.ErrTableFailed) || !strings.Contains(err.Error(), "Deleting synced table") {
		t.Fatalf("PublishOnline() error = %v, want the table being deleted, with the service's message", err)
	}
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("PublishOnline() wrote %v, want nothing", w)
	}
}
