package xregiontest

import (
	"context"
	"errors"
	"strings"
	"time"

	sdktime "github.com/databricks/databricks-sdk-go/common/types/time"
	"github.com/databricks/databricks-sdk-go/experimental/api"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/postgres"
)

// Postgres is the fake of w.Postgres, the Lakebase Autoscaling API, as far
// as synced tables go: the online tables of online stores that are Lakebase
// Autoscaling projects, the default for stores created from
// [AutoscalingSince] on. It is safe for concurrent use. Get it from a
// [Workspace]; the zero value is not usable.
//
// Its replies leave out what the service may leave out: the input-only Spec
// (unless [WithPostgresSpec]), and the Unity Catalog provisioning state of
// a table that is ACTIVE.
type Postgres struct{ w *Workspace }

// WithPostgresSpec makes [Postgres.GetSyncedTable] reply with the synced
// table's Spec (its source table, primary key and scheduling policy), a
// kinder mode than the default, which leaves Spec out as the service may.
func WithPostgresSpec() Option {
	return func(c *config) { c.postgresSpec = true }
}

// WithRepublishWithoutSync makes publishing again into an existing online
// table accepted but ineffective: the table keeps its data and its last
// sync. Whether a republish of a healthy SNAPSHOT table syncs it again is
// not documented (nothing public says more than that a failed table stays
// failed until it is published again); this mode lets tests check
// that callers notice when it does not.
func WithRepublishWithoutSync() Option {
	return func(c *config) { c.republishNoSync = true }
}

// syncedTablesPrefix starts the resource name of a synced table in the
// Postgres API.
const syncedTablesPrefix = "synced_tables/"

// GetSyncedTable returns a synced table of a Lakebase Autoscaling project,
// named "synced_tables/catalog.schema.table", with its status: the current
// step of its script, which the read then moves on, as
// [Database.GetSyncedDatabaseTable] does for Provisioned stores. Its Spec
// is left out unless [WithPostgresSpec] is given; its status has no Unity
// Catalog provisioning state while that is ACTIVE, and the
// LastSync and LastSyncTime of the last sync done.
//
// It returns a 400 INVALID_PARAMETER_VALUE error for a name without the
// "synced_tables/" prefix or not catalog.schema.table after it, and a 404
// RESOURCE_DOES_NOT_EXIST error when there is no such table or the table
// is one of a Lakebase Provisioned instance.
func (s *Postgres) GetSyncedTable(ctx context.Context, req postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error) {
	return call(ctx, s.w, "Postgres.GetSyncedTable", func() (*postgres.SyncedTable, string, error) {
		w := s.w
		// why: the resource name is "synced_tables/{catalog}.{schema}.{table}"
		// (SDK doc of GetSyncedTableRequest.Name).
		full, ok := strings.CutPrefix(req.Name, syncedTablesPrefix)
		if !ok {
			return nil, "", InvalidParameter("invalid synced table name %q: want synced_tables/catalog.schema.table", req.Name)
		}
		if _, err := parseFull("synced table", full); err != nil {
			return nil, "", err
		}
		st := w.readSynced(full)
		// why: the Autoscaling API manages the resources of projects; that
		// it answers "not found" for a table of a Provisioned instance is
		// an assumption (no public source says what either API answers for
		// the other's tables).
		if st == nil || !st.autoscaling {
			return nil, "", NotFound("Synced table '%s' does not exist.", req.Name)
		}
		d := w.report(full, st)
		out := &postgres.SyncedTable{Name: syncedTablesPrefix + full, SyncedTableId: full}
		if t, ok := w.tables[full]; ok {
			out.Uid = t.TableId
			out.CreateTime = msTime(t.CreatedAt)
		}
		// why: the GCP API page marks spec input-only, so the reply may
		// omit it; the fake omits it unless
		// WithPostgresSpec asks for it.
		if w.cfg.postgresSpec && d.Spec != nil {
			out.Spec = &postgres.SyncedTableSyncedTableSpec{
				SourceTableFullName: d.Spec.SourceTableFullName,
				PrimaryKeyColumns:   d.Spec.PrimaryKeyColumns,
				TimeseriesKey:       d.Spec.TimeseriesKey,
				SchedulingPolicy:    postgres.SyncedTableSyncedTableSpecSyncedTableSchedulingPolicy(d.Spec.SchedulingPolicy),
			}
		}
		status := &postgres.SyncedTableSyncedTableStatus{
			UnityCatalogProvisioningState: postgres.ProvisioningInfoState(d.UnityCatalogProvisioningState),
		}
		// why: a table whose Unity Catalog state is absent but whose sync
		// state is ONLINE is online (SDK postgres.SyncedTableSyncedTableStatus:
		// the state is optional): the reply may leave it out, and the fake does for ACTIVE.
		if d.UnityCatalogProvisioningState == database.ProvisioningInfoStateActive {
			status.UnityCatalogProvisioningState = ""
		}
		if ds := d.DataSynchronizationStatus; ds != nil {
			status.DetailedState = postgresState(ds.DetailedState)
			status.Message, status.PipelineId = ds.Message, ds.PipelineId
			if ls := ds.LastSync; ls != nil {
				start, _ := time.Parse(time.RFC3339, ls.SyncStartTimestamp)
				end, _ := time.Parse(time.RFC3339, ls.SyncEndTimestamp)
				// why: LastSyncTime is "the end timestamp of the last time
				// any data was synchronized" and LastSync.SyncEndTime "the
				// time when the data is available" (SDK doc of
				// SyncedTableSyncedTableStatus).
				status.LastSync = &postgres.SyncedTablePosition{SyncStartTime: sdktime.New(start), SyncEndTime: sdktime.New(end)}
				status.LastSyncTime = sdktime.New(end)
			}
		}
		out.Status = status
		return out, "", nil
	})
}

// postgresState is the Postgres API's spelling of a synced table state.
func postgresState(s database.SyncedTableState) postgres.SyncedTableState {
	// why: the Database API spells the offline state SYNCED_TABLED_OFFLINE,
	// the Postgres API SYNCED_TABLE_OFFLINE (the SDK's enums in
	// service/database and service/postgres model.go).
	if s == database.SyncedTableStateSyncedTabledOffline {
		return postgres.SyncedTableStateSyncedTableOffline
	}
	return postgres.SyncedTableState(s)
}

// msTime returns the time ms milliseconds after the epoch, in UTC, or nil
// for 0.
func msTime(ms int64) *sdktime.Time {
	if ms == 0 {
		return nil
	}
	return sdktime.New(time.UnixMilli(ms).UTC())
}

// DeleteSyncedTable deletes a synced table of a Lakebase Autoscaling
// project, named "synced_tables/catalog.schema.table", and the Unity
// Catalog table that stands for it. The deletion is a long-running
// operation: the table reports the provisioning state DELETING on its next
// reads, then is gone (see [WithDeleteLag]). The operation returned only
// names itself; poll [Postgres.GetSyncedTable] until it answers 404, as its
// Wait and Done are not served by the fake.
//
// It returns a 400 INVALID_PARAMETER_VALUE error for a malformed name, a
// 404 RESOURCE_DOES_NOT_EXIST error when there is no such table or the
// table is one of a Lakebase Provisioned instance, and a 400 INVALID_STATE
// error when it is already being deleted.
func (s *Postgres) DeleteSyncedTable(ctx context.Context, req postgres.DeleteSyncedTableRequest) (postgres.DeleteSyncedTableOperationInterface, error) {
	return call(ctx, s.w, "Postgres.DeleteSyncedTable", func() (postgres.DeleteSyncedTableOperationInterface, string, error) {
		w := s.w
		full, ok := strings.CutPrefix(req.Name, syncedTablesPrefix)
		if !ok {
			return nil, "", InvalidParameter("invalid synced table name %q: want synced_tables/catalog.schema.table", req.Name)
		}
		if _, err := parseFull("synced table", full); err != nil {
			return nil, "", err
		}
		st := w.synced[full]
		if st == nil || !st.autoscaling || st.deleting && st.deleteReads <= 0 {
			return nil, "", NotFound("Synced table '%s' does not exist.", req.Name)
		}
		// why: the SDK's DeleteSyncedTable returns a long-running
		// operation (service/postgres: DeleteSyncedTableOperationInterface),
		// so the table outlives the call.
		if err := w.deleteSynced(full, st); err != nil {
			return nil, "", err
		}
		return &deleteSyncedTableOp{name: "operations/" + w.newID("operation")}, full, nil
	})
}

// deleteSyncedTableOp is the long-running operation of a synced table's
// deletion, as far as the fake serves it: its name.
type deleteSyncedTableOp struct{ name string }

var errOperationNotServed = errors.New("xregiontest: the fake serves no long-running operations: poll Postgres.GetSyncedTable until it answers 404")

func (o *deleteSyncedTableOp) Wait(context.Context, ...api.Option) error {
	return errOperationNotServed
}
func (o *deleteSyncedTableOp) Name() string { return o.name }
func (o *deleteSyncedTableOp) Metadata() (*postgres.SyncedTableOperationMetadata, error) {
	return nil, nil
}
func (o *deleteSyncedTableOp) Done() (bool, error) { return false, errOperationNotServed }
