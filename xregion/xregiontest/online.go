package xregiontest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
)

// FeatureStore is the fake of w.FeatureStore: online stores, and publishing
// tables into them as online tables. It is safe for concurrent use. Get it
// from a [Workspace]; the zero value is not usable.
type FeatureStore struct{ w *Workspace }

// Database is the fake of w.Database, the Lakebase Provisioned API, as far
// as synced tables go: the online tables that [FeatureStore.PublishTable]
// makes in online stores that are Lakebase Provisioned instances, and those
// seeded as such with [Workspace.AddSyncedTable]. It refuses the tables of
// Lakebase Autoscaling projects, which only [Postgres] serves. It is safe
// for concurrent use. Get it from a [Workspace]; the zero value is not
// usable.
type Database struct{ w *Workspace }

// autoscalingSince is the date from which new online stores are Lakebase
// Autoscaling projects, 2026-03-23T00:00:00Z in milliseconds.
const autoscalingSince int64 = 1774224000000

// AutoscalingSince returns the date from which the online stores the fake
// creates are Lakebase Autoscaling projects, whose synced tables only
// [Postgres] serves: 2026-03-23T00:00:00Z. A store created before it (by
// the clock of [WithStartTime], or seeded with an earlier CreationTime) is
// a Lakebase Provisioned instance, whose synced tables [Database] serves.
func AutoscalingSince() time.Time { return time.UnixMilli(autoscalingSince).UTC() }

// SyncStep is one step of the status script of an online table (see
// [Workspace.ScriptTable]).
type SyncStep struct {
	// State is the data synchronization state reported, such as
	// SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT.
	State database.SyncedTableState
	// Provisioning is the Unity Catalog provisioning state reported, such
	// as PROVISIONING or ACTIVE.
	Provisioning database.ProvisioningInfoState
	// Message is the status message reported, if any.
	Message string
	// Times is how many reads report this step; 0 or less means 1. The
	// last step of a script is reported forever, whatever its Times.
	Times int
}

// DefaultSyncScript returns the status script of a published online table
// for which none was set with [Workspace.ScriptTable]: one read
// SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT with Unity Catalog
// PROVISIONING, then SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE with Unity
// Catalog ACTIVE, the state of a SNAPSHOT table once its snapshot is done.
// It returns a new slice on every call.
func DefaultSyncScript() []SyncStep {
	return []SyncStep{
		{
			State:        database.SyncedTableStateSyncedTableProvisioningInitialSnapshot,
			Provisioning: database.ProvisioningInfoStateProvisioning,
			Times:        1,
		},
		{
			State:        database.SyncedTableStateSyncedTableOnlineNoPendingUpdate,
			Provisioning: database.ProvisioningInfoStateActive,
		},
	}
}

// onlineStore is an online store and how many more reads it starts for.
type onlineStore struct {
	info     ml.OnlineStore
	starting int // GetOnlineStore reads left that report STARTING
	// autoscaling is set for a Lakebase Autoscaling project, clear for a
	// Lakebase Provisioned instance.
	autoscaling bool
	// deleting is set once the store is being deleted; deleteReads is how
	// many more reads show it DELETING before it is gone (see
	// WithDeleteLag).
	deleting    bool
	deleteReads int
}

// isAutoscaling reports whether a store created at ms (since the epoch) is
// a Lakebase Autoscaling project.
func isAutoscaling(ms int64) bool {
	// why: "New Online Feature Stores are now created as Lakebase
	// Autoscaling projects"; stores created after 2026-03-23 are
	// Autoscaling projects (Databricks online feature store docs). Older
	// ones stay Provisioned instances.
	return ms >= autoscalingSince
}

// syncedTable is an online table: a synced table fed from a table of the
// metastore.
type syncedTable struct {
	info database.SyncedDatabaseTable
	// store is the online store published to; "" for a seeded table never
	// published to.
	store string
	// published is set for tables made by PublishTable, which follow
	// DefaultSyncScript when no script is set.
	published bool
	// sourceID is the source table's TableId when it was published or
	// seeded; "" when unknown, and then the source is not watched.
	sourceID string
	// step and used are the script cursor: the step reported next and how
	// many reads have reported it.
	step, used int
	// autoscaling is set for a table of a Lakebase Autoscaling project,
	// which only the Postgres API serves.
	autoscaling bool
	// syncStart is when the current sync started (the publish), and
	// syncing is set until a read reports it done; lastStart and lastEnd
	// bound the last sync done, 0 when there was none.
	syncStart, lastStart, lastEnd int64
	syncing                       bool
	// deleting is set once the table is being deleted; deleteReads is how
	// many more reads show it DELETING before it is gone (see
	// WithDeleteLag).
	deleting    bool
	deleteReads int
}

// storeNameProblem says what is wrong with an online store name, or returns
// "" when it is valid.
func storeNameProblem(name string) string {
	switch {
	case name == "":
		return "name is empty"
	case len(name) > 63:
		return "name is longer than 63 characters"
	case name[0] == '-' || name[len(name)-1] == '-':
		return "name must start and end with a lower-case letter or digit"
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
			return "name may only contain lower-case letters, digits and hyphens"
		}
	}
	return ""
}

// validCapacity reports whether c is a capacity an online store can have.
func validCapacity(c string) bool {
	switch c {
	case "CU_1", "CU_2", "CU_4", "CU_8":
		return true
	}
	return false
}

// timestamp formats a time of the logical clock as the service formats
// string timestamps.
func timestamp(ms int64) string {
	// why: OnlineStore.CreationTime is a string in the SDK; a protobuf
	// Timestamp in JSON is RFC 3339 in UTC (assumption: neither the SDK nor
	// the API docs show the format).
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// AddOnlineStore seeds an online store as given. Its State is what it
// reports on every read, AVAILABLE when empty: a store seeded STARTING,
// STOPPED or DELETING stays so, unlike one made by
// [FeatureStore.CreateOnlineStore]. Capacity defaults to CU_1; Creator and
// CreationTime are filled when empty. A store whose CreationTime (RFC 3339)
// is before [AutoscalingSince] is a Lakebase Provisioned instance; any
// other is a Lakebase Autoscaling project.
//
// It panics if Name is not a valid online store name (lower-case letters,
// digits and hyphens, at most 63, starting and ending with a letter or
// digit) or the store exists.
func (w *Workspace) AddOnlineStore(s ml.OnlineStore) {
	if p := storeNameProblem(s.Name); p != "" {
		panic(fmt.Sprintf("xregiontest: AddOnlineStore: %q: %s", s.Name, p))
	}
	defer w.lock()()
	if _, ok := w.stores[s.Name]; ok {
		panic(fmt.Sprintf("xregiontest: AddOnlineStore: online store %q exists", s.Name))
	}
	s = clone(s)
	if s.State == "" {
		s.State = ml.OnlineStoreStateAvailable
	}
	if s.Capacity == "" {
		s.Capacity = "CU_1"
	}
	if s.Creator == "" {
		s.Creator = w.cfg.user
	}
	created := w.now()
	if s.CreationTime == "" {
		s.CreationTime = timestamp(created)
	} else if t, err := time.Parse(time.RFC3339, s.CreationTime); err == nil {
		created = t.UnixMilli()
	}
	w.stores[s.Name] = &onlineStore{info: s, autoscaling: isAutoscaling(created)}
}

// CreateOnlineStore creates an online store owned by the caller. It reports
// STARTING until it has been read a number of times ([WithStoreStartup]),
// then AVAILABLE. The output-only State, Creator and CreationTime of the
// request are ignored. The store is a Lakebase Autoscaling project, unless
// the workspace's clock is before [AutoscalingSince] ([WithStartTime]).
//
// It returns a 400 INVALID_PARAMETER_VALUE error for a missing or invalid
// name or capacity, or a negative ReadReplicaCount, and a 409
// RESOURCE_ALREADY_EXISTS error when the store exists.
func (s *FeatureStore) CreateOnlineStore(ctx context.Context, req ml.CreateOnlineStoreRequest) (*ml.OnlineStore, error) {
	return call(ctx, s.w, "FeatureStore.CreateOnlineStore", func() (*ml.OnlineStore, string, error) {
		w := s.w
		in := req.OnlineStore
		// why: online stores are Lakebase database instances, named like
		// DNS labels (RFC 1123: lower-case letters, digits and hyphens, at
		// most 63, starting and ending with a letter or digit). The
		// SDK does not state the rule (assumption).
		if p := storeNameProblem(in.Name); p != "" {
			return nil, "", InvalidParameter("invalid online store name %q: %s", in.Name, p)
		}
		// why: capacity is required and one of CU_1, CU_2, CU_4, CU_8
		// (SDK doc of ml.OnlineStore.Capacity).
		if !validCapacity(in.Capacity) {
			return nil, "", InvalidParameter("invalid capacity %q: want one of CU_1, CU_2, CU_4, CU_8", in.Capacity)
		}
		if in.ReadReplicaCount < 0 {
			return nil, "", InvalidParameter("read_replica_count must not be negative, got %d", in.ReadReplicaCount)
		}
		if _, ok := w.stores[in.Name]; ok {
			return nil, "", AlreadyExists("Online store '%s' already exists.", in.Name)
		}
		// why: State, Creator and CreationTime are output-only (SDK doc of
		// ml.OnlineStore); the service sets them, and ignores them on input as APIs
		// shaped like this one do (assumption).
		created := w.now()
		st := &onlineStore{
			info: ml.OnlineStore{
				Name: in.Name, Capacity: in.Capacity, ReadReplicaCount: in.ReadReplicaCount, UsagePolicyId: in.UsagePolicyId,
				Creator: w.cfg.user, CreationTime: timestamp(created), State: ml.OnlineStoreStateAvailable,
			},
			starting:    w.cfg.storeStartup,
			autoscaling: isAutoscaling(created),
		}
		// why: a new store starts asynchronously and has no waiter
		// (the SDK's CreateOnlineStore returns no waiter: poll GetOnlineStore until AVAILABLE).
		if st.starting > 0 {
			st.info.State = ml.OnlineStoreStateStarting
		}
		w.stores[in.Name] = st
		out := clone(st.info)
		return &out, in.Name, nil
	})
}

// GetOnlineStore returns an online store. Each read of a store made by
// [FeatureStore.CreateOnlineStore] moves its startup on (see
// [WithStoreStartup]). It returns a 404 RESOURCE_DOES_NOT_EXIST error when
// the store does not exist.
func (s *FeatureStore) GetOnlineStore(ctx context.Context, req ml.GetOnlineStoreRequest) (*ml.OnlineStore, error) {
	return call(ctx, s.w, "FeatureStore.GetOnlineStore", func() (*ml.OnlineStore, string, error) {
		st := s.w.stores[req.Name]
		if st != nil && st.deleting {
			if st.deleteReads <= 0 {
				delete(s.w.stores, req.Name)
				st = nil
			} else {
				st.deleteReads--
			}
		}
		if st == nil {
			return nil, "", NotFound("Online store '%s' does not exist.", req.Name)
		}
		out := clone(st.info)
		if st.starting > 0 {
			st.starting--
			if st.starting == 0 {
				st.info.State = ml.OnlineStoreStateAvailable
			}
		}
		return &out, "", nil
	})
}

// ListOnlineStoresAll returns every online store, sorted by name, in their
// current state; listing does not move a store's startup on. The fake
// returns one page and issues no page tokens. It returns a 400
// INVALID_PARAMETER_VALUE error for a negative PageSize or a PageToken.
func (s *FeatureStore) ListOnlineStoresAll(ctx context.Context, req ml.ListOnlineStoresRequest) ([]ml.OnlineStore, error) {
	return call(ctx, s.w, "FeatureStore.ListOnlineStoresAll", func() ([]ml.OnlineStore, string, error) {
		if req.PageSize < 0 {
			return nil, "", InvalidParameter("page_size must not be negative")
		}
		if req.PageToken != "" {
			return nil, "", InvalidParameter("invalid page_token")
		}
		out := []ml.OnlineStore{}
		for _, n := range slices.Sorted(maps.Keys(s.w.stores)) {
			out = append(out, clone(s.w.stores[n].info))
		}
		return out, "", nil
	})
}

// primaryKey returns the primary-key constraint of t, or nil.
func primaryKey(t catalog.TableInfo) *catalog.PrimaryKeyConstraint {
	for _, c := range t.TableConstraints {
		if c.PrimaryKeyConstraint != nil && len(c.PrimaryKeyConstraint.ChildColumns) > 0 {
			return c.PrimaryKeyConstraint
		}
	}
	return nil
}

// PublishTable publishes the table SourceTableName, read as this workspace
// reads it (a table of a catalog created from a share included), into an
// online store as the online table PublishSpec.OnlineTableName. The online
// table is a synced table that [Database.GetSyncedDatabaseTable] reports on
// and a Unity Catalog table that [Tables.Get] returns, of type FOREIGN. Its
// status follows its script ([Workspace.ScriptTable], [DefaultSyncScript]).
// Publishing again from the same source into the same online table is a
// republish: it keeps the table and its pipeline, binds it to the source's
// current TableId and runs its script from the start.
//
// It returns
//   - a 400 INVALID_PARAMETER_VALUE error for a missing online store or
//     publish mode, a table name that is not catalog.schema.table, a mode
//     other than SNAPSHOT for a source in a catalog created from a share, a
//     source without a primary key (unless FullFeatureName is set), or a
//     republish in another mode;
//   - a 400 INVALID_STATE error when the store is not AVAILABLE;
//   - a 404 RESOURCE_DOES_NOT_EXIST error when the source table, the store
//     or the online table's catalog does not exist;
//   - a 403 PERMISSION_DENIED error when the online table's catalog was
//     created from a share;
//   - a 409 RESOURCE_ALREADY_EXISTS error when a table of the online
//     table's name exists and is not an online table fed from the source
//     in this store.
func (s *FeatureStore) PublishTable(ctx context.Context, req ml.PublishTableRequest) (*ml.PublishTableResponse, error) {
	return call(ctx, s.w, "FeatureStore.PublishTable", func() (*ml.PublishTableResponse, string, error) {
		w := s.w
		spec := req.PublishSpec
		// why: online_store, online_table_name (three-part) and
		// publish_mode are required (SDK doc of ml.PublishSpec).
		if spec.OnlineStore == "" {
			return nil, "", InvalidParameter("publish_spec.online_store is required")
		}
		dst, err := parseFull("online table", spec.OnlineTableName)
		if err != nil {
			return nil, "", err
		}
		switch spec.PublishMode {
		case ml.PublishSpecPublishModeSnapshot, ml.PublishSpecPublishModeTriggered, ml.PublishSpecPublishModeContinuous:
		case "":
			return nil, "", InvalidParameter("publish_spec.publish_mode is required")
		default:
			return nil, "", InvalidParameter("unknown publish_mode %q: want SNAPSHOT, TRIGGERED or CONTINUOUS", spec.PublishMode)
		}
		src, err := w.table(req.SourceTableName)
		if err != nil {
			return nil, "", err
		}
		store := w.stores[spec.OnlineStore]
		if store == nil {
			return nil, "", NotFound("Online store '%s' does not exist.", spec.OnlineStore)
		}
		// why: publishing before the store is ready fails (online feature
		// store docs: "after your online store is in the AVAILABLE state,
		// you can publish"). The code
		// the service sends is unknown (assumption).
		if store.info.State != ml.OnlineStoreStateAvailable {
			return nil, "", invalidState("Online store '%s' is %s; it must be AVAILABLE to publish to it.", spec.OnlineStore, store.info.State)
		}
		c, ok := w.catalogs[dst[0]]
		if !ok {
			return nil, "", NotFound("Catalog '%s' does not exist.", dst[0])
		}
		// why: shared catalogs are read-only and cannot hold online tables
		// (cross-region-model-serving-dab article, "Shared catalogs are
		// read-only"). Only read privileges
		// can be granted on a catalog created from a share, so the CREATE
		// TABLE that an online table needs is never held: a permission
		// failure, not a malformed request (the code is an assumption).
		if c.CatalogType == catalog.CatalogTypeDeltasharingCatalog {
			return nil, "", PermissionDenied("Catalog '%s' was created from a share and is read-only: online table '%s' cannot be created in it.", dst[0], spec.OnlineTableName)
		}
		// why: "Online tables created from Delta Shared feature tables only
		// support Snapshot sync mode" (cross-region-model-serving-dab article,
		// "Snapshot-only sync for shared tables").
		if sc := w.catalogs[src.CatalogName]; sc.CatalogType == catalog.CatalogTypeDeltasharingCatalog && spec.PublishMode != ml.PublishSpecPublishModeSnapshot {
			return nil, "", InvalidParameter("Table '%s' is shared through Delta Sharing and can only be published in SNAPSHOT mode, not %s.", req.SourceTableName, spec.PublishMode)
		}
		// why: an online table is keyed by the source's primary key;
		// FullFeatureName is "Required for view sources without a UC
		// PrimaryKeyConstraint" (SDK doc of PublishSpec.FullFeatureName).
		pk := primaryKey(src)
		if pk == nil && spec.FullFeatureName == "" {
			return nil, "", InvalidParameter("Table '%s' has no primary key constraint; add one, or set full_feature_name.", req.SourceTableName)
		}
		name := spec.OnlineTableName
		if ex := w.synced[name]; ex != nil && ex.deleting {
			// why: the name is taken until the table is gone (assumption:
			// the service's refusal is not documented).
			return nil, "", invalidState("Online table '%s' is being deleted; publish it again once it is gone.", name)
		}
		if ex := w.synced[name]; ex != nil {
			resp, err := w.republish(ex, req, src)
			return resp, name, err
		}
		if _, ok := w.tables[name]; ok {
			return nil, "", AlreadyExists("Table '%s' already exists.", name)
		}
		pipeline := w.newID("pipeline")
		ts := &database.SyncedTableSpec{
			SourceTableFullName: req.SourceTableName,
			SchedulingPolicy:    database.SyncedTableSchedulingPolicy(spec.PublishMode),
		}
		if pk != nil {
			ts.PrimaryKeyColumns = slices.Clone(pk.ChildColumns)
			if len(pk.TimeseriesColumns) > 0 {
				ts.TimeseriesKey = pk.TimeseriesColumns[0]
			}
		}
		// why: the SDK doc calls the result "the synced online-table sync
		// pipeline" (SDK doc of PublishSpec.BudgetPolicyId), so the fake keeps it as a
		// synced table that w.Database reports on (an assumption).
		w.synced[name] = &syncedTable{
			info: database.SyncedDatabaseTable{
				Name:                      name,
				Spec:                      ts,
				DataSynchronizationStatus: &database.SyncedTableStatus{PipelineId: pipeline},
			},
			store: spec.OnlineStore, published: true, sourceID: src.TableId,
			autoscaling: store.autoscaling, syncStart: w.now(), syncing: true,
		}
		w.tables[name] = w.onlineTableInfo(dst, pipeline)
		return &ml.PublishTableResponse{OnlineTableName: name, PipelineId: pipeline}, name, nil
	})
}

// republish publishes again into the existing online table ex.
func (w *Workspace) republish(ex *syncedTable, req ml.PublishTableRequest, src catalog.TableInfo) (*ml.PublishTableResponse, error) {
	spec := req.PublishSpec
	var from string
	var policy database.SyncedTableSchedulingPolicy
	if ex.info.Spec != nil {
		from, policy = ex.info.Spec.SourceTableFullName, ex.info.Spec.SchedulingPolicy
	}
	// why: PublishSpec's doc speaks of "republishing to an existing online
	// table" (SDK doc of PublishSpec.Tags), so publishing again from the same source is
	// accepted; an online table of that name fed from another source, or
	// in another store, is a conflict (assumption).
	if from != req.SourceTableName || (ex.store != "" && ex.store != spec.OnlineStore) {
		return nil, AlreadyExists("Online table '%s' already exists, fed from '%s' in online store '%s'.", spec.OnlineTableName, from, ex.store)
	}
	// why: republishing reuses the sync pipeline, which keeps its
	// scheduling policy (assumption).
	if policy != "" && string(policy) != string(spec.PublishMode) {
		return nil, InvalidParameter("Online table '%s' is synced in %s mode, not %s.", spec.OnlineTableName, policy, spec.PublishMode)
	}
	// why: re-publishing is the documented remedy for a source table that
	// was dropped and re-created (cross-region-model-serving-dab article,
	// "Table ID stability matters"),
	// so it binds the table to the current source and syncs it again
	// (assumption).
	ex.store, ex.published, ex.sourceID = spec.OnlineStore, true, src.TableId
	if w.cfg.republishNoSync {
		// The unverified alternative (WithRepublishWithoutSync): accepted,
		// but the table keeps its data and its last sync.
		var pipeline string
		if ds := ex.info.DataSynchronizationStatus; ds != nil {
			pipeline = ds.PipelineId
		}
		return &ml.PublishTableResponse{OnlineTableName: spec.OnlineTableName, PipelineId: pipeline}, nil
	}
	ex.step, ex.used = 0, 0
	ex.autoscaling = w.stores[spec.OnlineStore].autoscaling
	// why: a SNAPSHOT pipeline "can be triggered later ... Successive
	// updates always perform a full copy of the source table data" (SDK
	// doc of SyncedTableSchedulingPolicy SNAPSHOT); that a republish is
	// such an update is an assumption (nothing public says more than that a
	// failed table stays failed until it is published again).
	ex.syncStart, ex.syncing = w.now(), true
	if ex.info.DataSynchronizationStatus == nil {
		ex.info.DataSynchronizationStatus = &database.SyncedTableStatus{}
	}
	ds := ex.info.DataSynchronizationStatus
	if ds.PipelineId == "" {
		ds.PipelineId = w.newID("pipeline")
	}
	return &ml.PublishTableResponse{OnlineTableName: spec.OnlineTableName, PipelineId: ds.PipelineId}, nil
}

// onlineTableInfo is the Unity Catalog table of an online table.
func (w *Workspace) onlineTableInfo(parts []string, pipeline string) catalog.TableInfo {
	// why: an online table's data lives in the online store's Postgres
	// database, not in the metastore's storage, which Unity Catalog shows
	// as a FOREIGN table; no public source shows its shape (assumption;
	// callers use Tables.Get only as an existence check).
	return catalog.TableInfo{
		FullName: parts[0] + "." + parts[1] + "." + parts[2], CatalogName: parts[0], SchemaName: parts[1], Name: parts[2],
		TableType: catalog.TableTypeForeign, DataSourceFormat: catalog.DataSourceFormatPostgresqlFormat,
		TableId: w.newID("table"), MetastoreId: w.cfg.metastoreID, PipelineId: pipeline,
		Owner: w.cfg.user, CreatedAt: w.now(), CreatedBy: w.cfg.user,
	}
}

// DeleteOnlineTable deletes an online table of either kind of store, and
// the Unity Catalog table that stands for it, as
// [Database.DeleteSyncedDatabaseTable] and [Postgres.DeleteSyncedTable] do:
// the table reports DELETING on its next reads, then is gone (see
// [WithDeleteLag]). A script set for its name stays, and applies to a
// table published again under that name. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when there is no such online table, and a
// 400 INVALID_STATE error when it is already being deleted.
func (s *FeatureStore) DeleteOnlineTable(ctx context.Context, req ml.DeleteOnlineTableRequest) error {
	_, err := call(ctx, s.w, "FeatureStore.DeleteOnlineTable", func() (struct{}, string, error) {
		return struct{}{}, req.OnlineTableName, s.w.deleteOnline(req.OnlineTableName)
	})
	return err
}

// DeleteSyncedDatabaseTable deletes a synced table of a Lakebase
// Provisioned store: it reports DELETING on its next reads, then is gone
// (see [WithDeleteLag]). PurgeData changes nothing, as the fake keeps no
// data. It returns a 404 RESOURCE_DOES_NOT_EXIST error when there is no
// such table, a 400 INVALID_PARAMETER_VALUE error for a table of a
// Lakebase Autoscaling project (see [Database.GetSyncedDatabaseTable]),
// and a 400 INVALID_STATE error when it is already being deleted.
func (s *Database) DeleteSyncedDatabaseTable(ctx context.Context, req database.DeleteSyncedDatabaseTableRequest) error {
	_, err := call(ctx, s.w, "Database.DeleteSyncedDatabaseTable", func() (struct{}, string, error) {
		st, err := s.w.provisioned(req.Name, false)
		if err != nil {
			return struct{}{}, "", err
		}
		return struct{}{}, req.Name, s.w.deleteSynced(req.Name, st)
	})
	return err
}

func (w *Workspace) deleteOnline(name string) error {
	if _, err := parseFull("online table", name); err != nil {
		return err
	}
	st := w.synced[name]
	if st == nil || st.deleting && st.deleteReads <= 0 {
		return NotFound("Synced table '%s' does not exist.", name)
	}
	return w.deleteSynced(name, st)
}

// deleteSynced starts deleting the online table st called name: it is
// DELETING for the reads of WithDeleteLag, then gone.
func (w *Workspace) deleteSynced(name string, st *syncedTable) error {
	// why: the service's answer to a second delete of a table being
	// deleted is not documented; the fake refuses it, the more
	// inconvenient way (callers should wait, not delete again).
	if st.deleting {
		return invalidState("Synced table '%s' is already being deleted.", name)
	}
	// why: a synced table has the provisioning state DELETING (terraform
	// synced-table docs), and every delete of one is asynchronous or
	// likely so: the Postgres API's returns a long-running operation (SDK
	// Postgres.DeleteSyncedTable), the Database API's returns {} but the
	// Unity Catalog side is likely asynchronous, and the feature store's
	// is not documented (SDK ml.DeleteOnlineTableRequest returns nothing:
	// poll GET until 404). The
	// fake makes all three lag, the more inconvenient way.
	w.startDelete(name, st)
	return nil
}

// startDelete marks the online table st called name as being deleted.
func (w *Workspace) startDelete(name string, st *syncedTable) {
	if w.cfg.deleteLag == 0 {
		w.dropSynced(name)
		return
	}
	st.deleting, st.deleteReads = true, w.cfg.deleteLag
}

// dropSynced removes the online table called name.
func (w *Workspace) dropSynced(name string) {
	// why: the online table is the Unity Catalog table; deleting one
	// deletes the other (assumption: the SDK offers a delete through either API).
	delete(w.synced, name)
	delete(w.tables, name)
}

// readSynced returns the online table called name for a read, moving its
// deletion on: nil once it is gone.
func (w *Workspace) readSynced(name string) *syncedTable {
	st := w.synced[name]
	if st != nil && st.deleting {
		if st.deleteReads <= 0 {
			w.dropSynced(name)
			return nil
		}
		st.deleteReads--
	}
	return st
}

// DefaultDeleteLag is the delete lag of a workspace made without
// [WithDeleteLag].
const DefaultDeleteLag = 2

// WithDeleteLag sets how long a deletion takes: an online store deleted by
// [FeatureStore.DeleteOnlineStore], or an online table of a Lakebase
// Autoscaling project deleted by [Postgres.DeleteSyncedTable] (or by
// [FeatureStore.DeleteOnlineTable]), reports DELETING on its next n reads
// and is gone (404 RESOURCE_DOES_NOT_EXIST) from the read after. Only those
// reads move it on, never the wall clock. The default is
// [DefaultDeleteLag]; 0 deletes at once, a kinder mode. It panics if n < 0.
func WithDeleteLag(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("xregiontest: WithDeleteLag: %d < 0", n))
	}
	return func(c *config) { c.deleteLag = n }
}

// DeleteOnlineStore deletes an online store: it reports DELETING on its
// next reads, then is gone (see [WithDeleteLag]); while DELETING nothing
// can be published into it. The online tables it still holds are deleted
// with it. It returns a 404 RESOURCE_DOES_NOT_EXIST error when the store
// does not exist, and a 400 INVALID_STATE error when it is already being
// deleted.
func (s *FeatureStore) DeleteOnlineStore(ctx context.Context, req ml.DeleteOnlineStoreRequest) error {
	_, err := call(ctx, s.w, "FeatureStore.DeleteOnlineStore", func() (struct{}, string, error) {
		w := s.w
		st := w.stores[req.Name]
		if st == nil || st.deleting && st.deleteReads <= 0 {
			return struct{}{}, "", NotFound("Online store '%s' does not exist.", req.Name)
		}
		// why: a second delete of a store being deleted is not documented;
		// the fake refuses it, the more inconvenient way.
		if st.deleting {
			return struct{}{}, "", invalidState("Online store '%s' is already being deleted.", req.Name)
		}
		// why: whether the service refuses to delete a store that still
		// holds tables or deletes them with it is unknown (no Databricks doc
		// or issue says; SDK DeleteOnlineStoreRequest has no force flag).
		// The fake takes the tables with it, the more
		// dangerous way: only the caller's own check keeps other models'
		// tables.
		for _, n := range w.storeTables(req.Name) {
			if t := w.synced[n]; !t.deleting {
				w.startDelete(n, t)
			}
		}
		// why: deletion is asynchronous: the store is DELETING, then Get
		// answers 404 (terraform online_store docs list DELETING among the
		// store states; terraform's online_store Delete returns before the
		// store is gone, terraform-provider-databricks online_store resource).
		st.starting = 0
		st.info.State = ml.OnlineStoreStateDeleting
		st.deleting, st.deleteReads = true, w.cfg.deleteLag
		if w.cfg.deleteLag == 0 {
			delete(w.stores, req.Name)
		}
		return struct{}{}, req.Name, nil
	})
	return err
}

// storeTables returns the names of the online tables of the store called
// name, sorted, those being deleted included.
func (w *Workspace) storeTables(name string) []string {
	var out []string
	for _, n := range slices.Sorted(maps.Keys(w.synced)) {
		if st := w.synced[n]; st.store == name || st.store == "" && st.info.DatabaseInstanceName == name {
			out = append(out, n)
		}
	}
	return out
}

// WithSyncedTableList makes [Database.ListSyncedDatabaseTablesAll] list
// the synced tables of a Lakebase Provisioned instance, a kinder mode than
// the default, in which it fails with 501 NOT_IMPLEMENTED as the SDK
// documents the real call.
func WithSyncedTableList() Option {
	return func(c *config) { c.syncedList = true }
}

// ListSyncedDatabaseTablesAll lists the synced tables of a Lakebase
// Provisioned instance, InstanceName, with their status as a read reports
// it (without moving their scripts on); for an online store of that kind,
// the instance is the store. The fake returns one page and issues no page
// tokens.
//
// By default it fails with a 501 NOT_IMPLEMENTED error, as the SDK
// documents the call ("currently unimplemented, but exposed for Terraform
// support"); [WithSyncedTableList] makes it list. Then it returns a 404
// RESOURCE_DOES_NOT_EXIST error when no Provisioned instance has that name
// (an online store that is a Lakebase Autoscaling project is not one), and
// a 400 INVALID_PARAMETER_VALUE error for a negative PageSize or a
// PageToken.
func (s *Database) ListSyncedDatabaseTablesAll(ctx context.Context, req database.ListSyncedDatabaseTablesRequest) ([]database.SyncedDatabaseTable, error) {
	return call(ctx, s.w, "Database.ListSyncedDatabaseTablesAll", func() ([]database.SyncedDatabaseTable, string, error) {
		w := s.w
		// why: the SDK's doc of ListSyncedDatabaseTables says "This API is
		// currently unimplemented, but exposed for Terraform support"
		// (SDK service/database/api.go); the fake follows it unless told to list.
		if !w.cfg.syncedList {
			return nil, "", apiError(http.StatusNotImplemented, codeNotImplemented, "ListSyncedDatabaseTables is not implemented.")
		}
		if req.PageSize < 0 {
			return nil, "", InvalidParameter("page_size must not be negative")
		}
		if req.PageToken != "" {
			return nil, "", InvalidParameter("invalid page_token")
		}
		// why: an online store of the Provisioned kind is a database
		// instance named like the store (the online feature store docs say so
		// of Autoscaling projects; the same for instances is an assumption);
		// the Database API knows no Autoscaling project (same docs).
		st := w.stores[req.InstanceName]
		if st == nil || st.autoscaling || st.deleting && st.deleteReads <= 0 {
			return nil, "", NotFound("Database instance '%s' does not exist.", req.InstanceName)
		}
		out := []database.SyncedDatabaseTable{}
		for _, n := range w.storeTables(req.InstanceName) {
			t := clone(w.synced[n].info)
			if w.synced[n].deleting {
				t.UnityCatalogProvisioningState = database.ProvisioningInfoStateDeleting
			}
			out = append(out, t)
		}
		return out, "", nil
	})
}

// GetSyncedDatabaseTable returns an online table of a Lakebase Provisioned
// store with its status: the current step of its script, which the read
// then moves on. When its source table has been dropped or re-created since
// it was published, it reports SYNCED_TABLE_OFFLINE_FAILED instead. Once a
// sync is done, its status has the LastSync times.
//
// It returns a 404 RESOURCE_DOES_NOT_EXIST error when there is no such
// table, and a 400 INVALID_PARAMETER_VALUE error for a table of a Lakebase
// Autoscaling project, which only [Postgres.GetSyncedTable] serves.
func (s *Database) GetSyncedDatabaseTable(ctx context.Context, req database.GetSyncedDatabaseTableRequest) (*database.SyncedDatabaseTable, error) {
	return call(ctx, s.w, "Database.GetSyncedDatabaseTable", func() (*database.SyncedDatabaseTable, string, error) {
		st, err := s.w.provisioned(req.Name, true)
		if err != nil {
			return nil, "", err
		}
		out := s.w.report(req.Name, st)
		return &out, "", nil
	})
}

// provisioned returns the online table called name for the Lakebase
// Provisioned API; read moves a deletion on.
func (w *Workspace) provisioned(name string, read bool) (*syncedTable, error) {
	if _, err := parseFull("synced table", name); err != nil {
		return nil, err
	}
	st := w.synced[name]
	if read {
		st = w.readSynced(name)
	}
	if st == nil {
		return nil, NotFound("Synced table '%s' does not exist.", name)
	}
	// why: Databricks' Lakebase skill says the legacy synced-database-table
	// resource "fails on current Lakebase" and routes through the
	// Provisioned API, and checks status with the Postgres API
	// (databricks-agent-skills
	// skills/databricks-lakebase/references/synced-tables.md). The code
	// is an assumption: a 400, not a 404, so that a caller that only falls
	// back to the other API on "not found" fails, as issue 10 reports.
	if st.autoscaling {
		return nil, InvalidParameter("Synced table '%s' belongs to a Lakebase Autoscaling project and cannot be managed through the Database API; use the Postgres API (/api/2.0/postgres/synced_tables/%s).", name, name)
	}
	return st, nil
}

// report returns a copy of st with the status of its script's current step,
// and moves the script on.
func (w *Workspace) report(name string, st *syncedTable) database.SyncedDatabaseTable {
	out := clone(st.info)
	status := func() *database.SyncedTableStatus {
		if out.DataSynchronizationStatus == nil {
			out.DataSynchronizationStatus = &database.SyncedTableStatus{}
		}
		return out.DataSynchronizationStatus
	}
	steps := w.scripts[name]
	if steps == nil && st.published {
		steps = DefaultSyncScript()
	}
	if st.deleting {
		// why: a table being deleted shows the provisioning state
		// DELETING (an enum value of ProvisioningInfoState) until it is
		// gone (terraform synced-table docs list the state).
		out.UnityCatalogProvisioningState = database.ProvisioningInfoStateDeleting
		steps = nil
	}
	if len(steps) > 0 {
		// why: there is no waiter; a published table goes through
		// provisioning states before it is online (SDK SyncedTableState enum), and the
		// fake moves on with each read, never with the wall clock.
		i := min(st.step, len(steps)-1)
		step := steps[i]
		st.used++
		if st.used >= max(step.Times, 1) && i < len(steps)-1 {
			st.step, st.used = i+1, 0
		}
		out.UnityCatalogProvisioningState = step.Provisioning
		ds := status()
		ds.DetailedState, ds.Message = step.State, step.Message
		if st.syncing && syncDone(step.State) {
			// why: LastSync is the "last successful synchronization"
			// (SDK doc of SyncedTableStatus.LastSync); a SNAPSHOT sync
			// is done when the table is online.
			st.lastStart, st.lastEnd, st.syncing = st.syncStart, w.now(), false
		}
	}
	if st.lastEnd != 0 {
		status().LastSync = &database.SyncedTablePosition{
			SyncStartTimestamp: timestamp(st.lastStart), SyncEndTimestamp: timestamp(st.lastEnd),
		}
	}
	if msg := w.sourceChanged(st); msg != "" {
		ds := status()
		ds.DetailedState, ds.Message = database.SyncedTableStateSyncedTableOfflineFailed, msg
	}
	return out
}

// syncDone reports whether a table in state s has synced its data.
func syncDone(s database.SyncedTableState) bool {
	switch s {
	case database.SyncedTableStateSyncedTableOnline,
		database.SyncedTableStateSyncedTableOnlineNoPendingUpdate,
		database.SyncedTableStateSyncedTableOnlineTriggeredUpdate,
		database.SyncedTableStateSyncedTableOnlineContinuousUpdate,
		database.SyncedTableStateSyncedTableOnlineUpdatingPipelineResources:
		return true
	}
	return false
}

// sourceChanged says how the source of st has changed since it was
// published, or returns "" when it has not or is not watched.
func (w *Workspace) sourceChanged(st *syncedTable) string {
	if st.sourceID == "" || st.info.Spec == nil {
		return ""
	}
	// why: feature lookups are bound to the source's table id, and "if
	// someone drops and recreates a source feature table ... the UUID
	// changes and the online table link breaks" (cross-region-model-serving-dab
	// article, "Table ID stability matters"). That the synced table then reports
	// SYNCED_TABLE_OFFLINE_FAILED, and this message, are assumptions.
	name := st.info.Spec.SourceTableFullName
	t, err := w.table(name)
	if err != nil {
		return fmt.Sprintf("Source table '%s' changed: it no longer exists or is no longer readable (it had table id %s). "+
			"Restore it with UNDROP TABLE WITH ID, or publish the table again.", name, st.sourceID)
	}
	if t.TableId != st.sourceID {
		return fmt.Sprintf("Source table '%s' changed: it has table id %s, not %s, so it was dropped and re-created. "+
			"Restore the original with UNDROP TABLE WITH ID, or publish the table again.", name, t.TableId, st.sourceID)
	}
	return ""
}

// ScriptTable sets the statuses that the online table called onlineTable
// reports to successive [Database.GetSyncedDatabaseTable] reads: each step
// for Times reads, the last one forever. It may be set before the table is
// published, and applies to it once it is; set on an existing table, it
// starts from its first step at the next read. With no steps it removes the
// script, and a published table follows [DefaultSyncScript] again. A source
// table dropped or re-created since the publish still shows as
// SYNCED_TABLE_OFFLINE_FAILED, whatever the script says.
//
// It panics if onlineTable is not a valid three-part name.
func (w *Workspace) ScriptTable(onlineTable string, steps ...SyncStep) {
	mustFull("ScriptTable", onlineTable)
	defer w.lock()()
	if len(steps) == 0 {
		delete(w.scripts, onlineTable)
	} else {
		w.scripts[onlineTable] = slices.Clone(steps)
	}
	if st := w.synced[onlineTable]; st != nil {
		st.step, st.used = 0, 0
	}
}

// AddSyncedTable seeds an online table as given, such as one fed from
// another source than the one a test publishes, creating its catalog if
// needed. Name ("catalog.schema.table") is required. It is a table of the
// online store DatabaseInstanceName names, if that store exists, and served
// by the API of that store's kind; otherwise it is a table of a Lakebase
// Autoscaling project, which only [Postgres] serves, unless the workspace's
// clock is before [AutoscalingSince]. It reports the
// UnityCatalogProvisioningState and DataSynchronizationStatus given, on
// every read, unless a script is set for it ([Workspace.ScriptTable]). It
// is also a Unity Catalog table of type FOREIGN, unless a table of that
// name was seeded first. When its source, Spec.SourceTableFullName, is
// readable now, the table is bound to the source's TableId as a published
// one is.
//
// It panics if Name is not a valid three-part name, if an online table of
// that name exists, or if the catalog was created from a share.
func (w *Workspace) AddSyncedTable(t database.SyncedDatabaseTable) {
	parts := mustFull("AddSyncedTable", t.Name)
	defer w.lock()()
	if w.synced[t.Name] != nil {
		panic(fmt.Sprintf("xregiontest: AddSyncedTable: online table %q exists", t.Name))
	}
	w.ensureCatalog("AddSyncedTable", parts[0])
	st := &syncedTable{info: clone(t), autoscaling: isAutoscaling(w.now())}
	if s := w.stores[t.DatabaseInstanceName]; s != nil {
		st.autoscaling = s.autoscaling
	}
	if t.Spec != nil {
		if src, err := w.table(t.Spec.SourceTableFullName); err == nil {
			st.sourceID = src.TableId
		}
	}
	w.synced[t.Name] = st
	if _, ok := w.tables[t.Name]; !ok {
		var pipeline string
		if t.DataSynchronizationStatus != nil {
			pipeline = t.DataSynchronizationStatus.PipelineId
		}
		w.tables[t.Name] = w.onlineTableInfo(parts, pipeline)
	}
}
