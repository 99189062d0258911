package online_test

import (
	"context"
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// autoscaling stands in for the Lakebase Autoscaling API, which the shipped
// fake does not serve: it knows one table.
type autoscaling struct{ table postgres.SyncedTable }

func (a autoscaling) GetSyncedTable(_ context.Context, r postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error) {
	if r.Name != "synced_tables/"+a.table.Name {
		return nil, xregiontest.NotFound("Synced table %q does not exist.", r.Name)
	}
	t := a.table
	return &t, nil
}

func TestStatusFallback(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	names := onlineTables(ws, 1, func(int) []xregiontest.SyncStep { return []xregiontest.SyncStep{ready} })
	pg := autoscaling{table: postgres.SyncedTable{Name: "serving.features.autoscaled", Status: &postgres.SyncedTableSyncedTableStatus{
		DetailedState: postgres.SyncedTableStateSyncedTableOffline, UnityCatalogProvisioningState: postgres.ProvisioningInfoStateActive, Message: "pipeline stopped",
	}}}
	f := online.StatusFallback{Database: ws.Database, Postgres: pg}

	got, err := f.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: names[0]})
	if err != nil || online.Classify(got) != online.PhaseOnline {
		t.Errorf("table of the Provisioned API: %+v, %v; want it online", got, err)
	}
	got, err = f.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: "serving.features.autoscaled"})
	if err != nil || online.Classify(got) != online.PhaseFailed || got.DataSynchronizationStatus.Message != "pipeline stopped" {
		t.Errorf("table of the Autoscaling API: %+v, %v; want it failed (SYNCED_TABLE_OFFLINE) with its message", got, err)
	}
	_, err = f.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: "serving.features.nowhere"})
	if !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("table of neither: error %v, want not found", err)
	}
	// WaitOnline reads through it.
	if _, err := online.WaitOnline(t.Context(), f, online.WaitSpec{Tables: []string{names[0], "serving.features.autoscaled"}}, noSleep); !errors.Is(err, online.ErrTableFailed) {
		t.Errorf("WaitOnline() error = %v, want the Autoscaling table's failure", err)
	}
}

// noAutoscaling is a workspace without the Lakebase Autoscaling API.
type noAutoscaling struct{}

func (noAutoscaling) GetSyncedTable(context.Context, postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error) {
	return nil, &apierr.APIError{ErrorCode: "NOT_IMPLEMENTED", StatusCode: 501, Message: "no route"}
}

func TestStatusFallbackWithoutAutoscaling(t *testing.T) {
	t.Parallel()
	f := online.StatusFallback{Database: xregiontest.NewWorkspace().Database, Postgres: noAutoscaling{}}
	_, err := f.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: "serving.features.t"})
	if !apierr.IsMissing(err) {
		t.Errorf("error = %v, want the Provisioned API's not found", err)
	}
}
