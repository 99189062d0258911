package online

import (
	"context"
	"errors"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/postgres"
)

// PostgresSyncedTables reads the synced tables of Lakebase Autoscaling
// projects (w.Postgres).
type PostgresSyncedTables interface {
	GetSyncedTable(ctx context.Context, request postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error)
}

var _ PostgresSyncedTables = postgres.PostgresInterface(nil)

// StatusFallback reads an online table's status through the Lakebase
// Provisioned API (w.Database) and, for a table that API does not know,
// through the Lakebase Autoscaling API (w.Postgres), converted to the
// former's shape. Which of the two backs the online stores of a workspace is
// not documented, so asking both is the safe reading. It implements
// [SyncedTables]; a nil Postgres disables the fallback.
type StatusFallback struct {
	Database SyncedTables
	Postgres PostgresSyncedTables
}

var _ SyncedTables = StatusFallback{}

// GetSyncedDatabaseTable returns the table from whichever API knows it, or
// the first API's not-found error.
func (f StatusFallback) GetSyncedDatabaseTable(ctx context.Context, request database.GetSyncedDatabaseTableRequest) (*database.SyncedDatabaseTable, error) {
	t, err := f.Database.GetSyncedDatabaseTable(ctx, request)
	if err == nil || !isMissing(err) || f.Postgres == nil {
		return t, err
	}
	p, perr := f.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/" + request.Name})
	switch {
	case isMissing(perr), errors.Is(perr, apierr.ErrNotImplemented):
		// Not there either, or no such API in this workspace.
		return nil, err
	case perr != nil:
		return nil, perr
	}
	out := &database.SyncedDatabaseTable{Name: request.Name}
	if s := p.Spec; s != nil {
		out.Spec = &database.SyncedTableSpec{
			SourceTableFullName: s.SourceTableFullName,
			PrimaryKeyColumns:   s.PrimaryKeyColumns,
			TimeseriesKey:       s.TimeseriesKey,
			SchedulingPolicy:    database.SyncedTableSchedulingPolicy(s.SchedulingPolicy),
		}
	}
	if s := p.Status; s != nil {
		out.UnityCatalogProvisioningState = database.ProvisioningInfoState(s.UnityCatalogProvisioningState)
		// The state names are the same, but for the offline one, which
		// Classify knows in both spellings.
		out.DataSynchronizationStatus = &database.SyncedTableStatus{
			DetailedState: database.SyncedTableState(s.DetailedState), Message: s.Message, PipelineId: s.PipelineId,
		}
	}
	return out, nil
}
