package xregiontest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// Typed aliases keep the tables below short.
const (
	starting  = ml.OnlineStoreStateStarting
	available = ml.OnlineStoreStateAvailable
	stopped   = ml.OnlineStoreStateStopped
	snapshot  = ml.PublishSpecPublishModeSnapshot
	triggered = ml.PublishSpecPublishModeTriggered

	stProvisioning = database.SyncedTableStateSyncedTableProvisioning
	stInitial      = database.SyncedTableStateSyncedTableProvisioningInitialSnapshot
	stResources    = database.SyncedTableStateSyncedTableProvisioningPipelineResources
	stOnline       = database.SyncedTableStateSyncedTableOnlineNoPendingUpdate
	stFailed       = database.SyncedTableStateSyncedTableOfflineFailed
	stStale        = database.SyncedTableStateSyncedTableOnlinePipelineFailed
	ucProvisioning = database.ProvisioningInfoStateProvisioning
	ucActive       = database.ProvisioningInfoStateActive
	ucFailed       = database.ProvisioningInfoStateFailed
)

// keyed returns the constraints of a table with primary key id and
// timeseries column ts.
func keyed() []catalog.TableConstraint {
	return []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{
		Name: "pk", ChildColumns: []string{"id"}, TimeseriesColumns: []string{"ts"},
	}}}
}

// onlineWorkspace returns a workspace with a keyed table main.ml.keyed, a
// table without primary key main.ml.nokey, a catalog oc for online tables,
// and an AVAILABLE online store os1. Its clock is in 2025 (legacyClock),
// so that its online stores are Lakebase Provisioned instances, served by
// w.Database; postgres_test.go covers the Autoscaling ones.
func onlineWorkspace(opts ...xregiontest.Option) *xregiontest.Workspace {
	w := xregiontest.NewWorkspace(append([]xregiontest.Option{legacyClock}, opts...)...)
	w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	w.AddTable(catalog.TableInfo{FullName: "main.ml.nokey"})
	w.AddCatalog(catalog.CatalogInfo{Name: "oc"})
	w.AddOnlineStore(ml.OnlineStore{Name: "os1"})
	return w
}

// sharedOnline links two regions, shares main.ml.keyed (and the unkeyed
// main.ml.features) from src, mounts the share in dst as catalog "shared",
// and seeds dst with catalog oc and the AVAILABLE store os1, a Lakebase
// Provisioned instance created in 2025.
func sharedOnline(t *testing.T) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src, dst = regions(t)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	shareTo(t, src, dst,
		sharing.SharedDataObject{Name: "main.ml.keyed", DataObjectType: typeTable},
		sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: typeTable},
	)
	if _, err := dst.Catalogs.Create(t.Context(), catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatalf("Catalogs.Create: %v", err)
	}
	dst.AddCatalog(catalog.CatalogInfo{Name: "oc"})
	dst.AddOnlineStore(ml.OnlineStore{Name: "os1", CreationTime: "2025-01-01T00:00:00Z"})
	return src, dst
}

// publishReq publishes source as online into os1 in SNAPSHOT mode.
func publishReq(source, online string) ml.PublishTableRequest {
	return ml.PublishTableRequest{SourceTableName: source, PublishSpec: ml.PublishSpec{
		OnlineStore: "os1", OnlineTableName: online, PublishMode: snapshot,
	}}
}

func publish(t *testing.T, w *xregiontest.Workspace, source, online string) *ml.PublishTableResponse {
	t.Helper()
	resp, err := w.FeatureStore.PublishTable(t.Context(), publishReq(source, online))
	if err != nil {
		t.Fatalf("PublishTable(%s -> %s): %v", source, online, err)
	}
	return resp
}

// syncStatus is what one GetSyncedDatabaseTable read reports.
type syncStatus struct {
	State        database.SyncedTableState
	Provisioning database.ProvisioningInfoState
	Message      string
}

// readStatuses reads the status of online table name n times.
func readStatuses(t *testing.T, w *xregiontest.Workspace, name string, n int) []syncStatus {
	t.Helper()
	var out []syncStatus
	for range n {
		got, err := w.Database.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: name})
		if err != nil {
			t.Fatalf("GetSyncedDatabaseTable(%s): %v", name, err)
		}
		s := syncStatus{Provisioning: got.UnityCatalogProvisioningState}
		if ds := got.DataSynchronizationStatus; ds != nil {
			s.State, s.Message = ds.DetailedState, ds.Message
		}
		out = append(out, s)
	}
	return out
}

func storeStates(t *testing.T, w *xregiontest.Workspace, name string, n int) []ml.OnlineStoreState {
	t.Helper()
	var out []ml.OnlineStoreState
	for range n {
		got, err := w.FeatureStore.GetOnlineStore(t.Context(), ml.GetOnlineStoreRequest{Name: name})
		if err != nil {
			t.Fatalf("GetOnlineStore(%s): %v", name, err)
		}
		out = append(out, got.State)
	}
	return out
}

func TestOnlineStoreStartup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []xregiontest.Option
		wantCreate ml.OnlineStoreState
		wantReads  []ml.OnlineStoreState
	}{
		{name: "default_two_reads", wantCreate: starting, wantReads: []ml.OnlineStoreState{starting, starting, available, available}},
		{name: "zero_is_at_once", opts: []xregiontest.Option{xregiontest.WithStoreStartup(0)}, wantCreate: available, wantReads: []ml.OnlineStoreState{available, available}},
		{name: "three_reads", opts: []xregiontest.Option{xregiontest.WithStoreStartup(3)}, wantCreate: starting, wantReads: []ml.OnlineStoreState{starting, starting, starting, available}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace(tt.opts...)
			ctx := t.Context()
			got, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os1", Capacity: "CU_2"}})
			checkErr(t, "CreateOnlineStore", err, nil)
			if got.State != tt.wantCreate {
				t.Errorf("CreateOnlineStore() state = %s, want %s", got.State, tt.wantCreate)
			}
			// Listing shows the state but does not move the startup on.
			for range 3 {
				list, err := w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
				checkErr(t, "ListOnlineStoresAll", err, nil)
				if len(list) != 1 || list[0].State != tt.wantCreate {
					t.Errorf("ListOnlineStoresAll() = %+v, want one store in %s", list, tt.wantCreate)
				}
			}
			if diff := cmp.Diff(tt.wantReads, storeStates(t, w, "os1", len(tt.wantReads))); diff != "" {
				t.Errorf("GetOnlineStore() states mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreateOnlineStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		store   ml.OnlineStore
		wantErr error
	}{
		{name: "ok", store: ml.OnlineStore{Name: "fraud-eu-1", Capacity: "CU_8", ReadReplicaCount: 1, UsagePolicyId: "p"}},
		{name: "ok_63_chars", store: ml.OnlineStore{Name: strings.Repeat("a", 63), Capacity: "CU_1"}},
		{name: "output_only_ignored", store: ml.OnlineStore{Name: "os2", Capacity: "CU_1", State: available, Creator: "x", CreationTime: "y"}},
		{name: "exists", store: ml.OnlineStore{Name: "os1", Capacity: "CU_1"}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "empty_name", store: ml.OnlineStore{Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "upper_case", store: ml.OnlineStore{Name: "Store", Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "underscore", store: ml.OnlineStore{Name: "my_store", Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "leading_hyphen", store: ml.OnlineStore{Name: "-store", Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "trailing_hyphen", store: ml.OnlineStore{Name: "store-", Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "64_chars", store: ml.OnlineStore{Name: strings.Repeat("a", 64), Capacity: "CU_1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_capacity", store: ml.OnlineStore{Name: "os2"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "bad_capacity", store: ml.OnlineStore{Name: "os2", Capacity: "CU_3"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "negative_replicas", store: ml.OnlineStore{Name: "os2", Capacity: "CU_1", ReadReplicaCount: -1}, wantErr: apierr.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"))
			w.AddOnlineStore(ml.OnlineStore{Name: "os1"})
			got, err := w.FeatureStore.CreateOnlineStore(t.Context(), ml.CreateOnlineStoreRequest{OnlineStore: tt.store})
			checkErr(t, "CreateOnlineStore", err, tt.wantErr)
			if err != nil {
				if got != nil {
					t.Errorf("CreateOnlineStore() returned %+v with an error", got)
				}
				if writes := w.Writes(); len(writes) != 0 {
					t.Errorf("failed create logged writes %v", writes)
				}
				return
			}
			want := &ml.OnlineStore{
				Name: tt.store.Name, Capacity: tt.store.Capacity, ReadReplicaCount: tt.store.ReadReplicaCount,
				UsagePolicyId: tt.store.UsagePolicyId, State: starting, Creator: "me@example.com",
			}
			if diff := cmp.Diff(want, got, ignoreServerFields); diff != "" {
				t.Errorf("CreateOnlineStore() mismatch (-want +got):\n%s", diff)
			}
			if _, perr := time.Parse(time.RFC3339, got.CreationTime); perr != nil {
				t.Errorf("CreationTime %q is not RFC 3339: %v", got.CreationTime, perr)
			}
			again, err := w.FeatureStore.GetOnlineStore(t.Context(), ml.GetOnlineStoreRequest{Name: tt.store.Name})
			checkErr(t, "GetOnlineStore", err, nil)
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("GetOnlineStore() differs from the create (-create +get):\n%s", diff)
			}
		})
	}
}

func TestAddOnlineStore(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"))
	w.AddOnlineStore(ml.OnlineStore{Name: "os-b"})
	w.AddOnlineStore(ml.OnlineStore{Name: "os-a", Capacity: "CU_4", State: stopped, Creator: "admin", CreationTime: "2024-01-01T00:00:00Z"})
	ctx := t.Context()

	// A seeded store keeps its state, whatever the reads.
	if diff := cmp.Diff([]ml.OnlineStoreState{stopped, stopped, stopped}, storeStates(t, w, "os-a", 3)); diff != "" {
		t.Errorf("seeded STOPPED store states mismatch (-want +got):\n%s", diff)
	}
	list, err := w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
	checkErr(t, "ListOnlineStoresAll", err, nil)
	want := []ml.OnlineStore{
		{Name: "os-a", Capacity: "CU_4", State: stopped, Creator: "admin", CreationTime: "2024-01-01T00:00:00Z"},
		{Name: "os-b", Capacity: "CU_1", State: available, Creator: "me@example.com"},
	}
	if diff := cmp.Diff(want, list, ignoreServerFields); diff != "" {
		t.Errorf("ListOnlineStoresAll() mismatch (-want +got):\n%s", diff)
	}
	list[0].Name = "changed"
	if again, _ := w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{}); again[0].Name != "os-a" {
		t.Errorf("changing a returned list changed the fake: %+v", again)
	}

	_, err = w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "nope"})
	checkErr(t, "GetOnlineStore missing", err, apierr.ErrResourceDoesNotExist)
	_, err = w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{PageToken: "x"})
	checkErr(t, "ListOnlineStoresAll with a page token", err, apierr.ErrInvalidParameterValue)
	_, err = w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{PageSize: -1})
	checkErr(t, "ListOnlineStoresAll with a negative page size", err, apierr.ErrInvalidParameterValue)
}

func TestPublishTableErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, w *xregiontest.Workspace)
		req     func(r *ml.PublishTableRequest)
		wantErr error
	}{
		{name: "ok"},
		{name: "triggered_local_source", req: func(r *ml.PublishTableRequest) { r.PublishSpec.PublishMode = triggered }},
		{name: "no_key_with_full_feature_name", req: func(r *ml.PublishTableRequest) {
			r.SourceTableName, r.PublishSpec.FullFeatureName = "main.ml.nokey", "main.ml.nokey_feature"
		}},
		{name: "no_store", req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineStore = "" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "online_name_two_parts", req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineTableName = "oc.keyed" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_mode", req: func(r *ml.PublishTableRequest) { r.PublishSpec.PublishMode = "" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "unknown_mode", req: func(r *ml.PublishTableRequest) { r.PublishSpec.PublishMode = "HOURLY" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "source_name_two_parts", req: func(r *ml.PublishTableRequest) { r.SourceTableName = "main.keyed" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "source_missing", req: func(r *ml.PublishTableRequest) { r.SourceTableName = "main.ml.nope" }, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "store_missing", req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineStore = "nope" }, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "store_starting", setup: func(t *testing.T, w *xregiontest.Workspace) {
			if _, err := w.FeatureStore.CreateOnlineStore(t.Context(), ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os2", Capacity: "CU_1"}}); err != nil {
				t.Fatal(err)
			}
		}, req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineStore = "os2" }, wantErr: apierr.ErrInvalidState},
		{name: "store_stopped", setup: func(_ *testing.T, w *xregiontest.Workspace) {
			w.AddOnlineStore(ml.OnlineStore{Name: "os2", State: stopped})
		}, req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineStore = "os2" }, wantErr: apierr.ErrBadRequest},
		{name: "online_catalog_missing", req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineTableName = "nope.ml.keyed" }, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "online_catalog_shared", setup: func(_ *testing.T, w *xregiontest.Workspace) {
			w.AddCatalog(catalog.CatalogInfo{Name: "shared", ProviderName: "p", ShareName: "s"})
		}, req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineTableName = "shared.ml.keyed" }, wantErr: apierr.ErrPermissionDenied},
		{name: "no_primary_key", req: func(r *ml.PublishTableRequest) { r.SourceTableName = "main.ml.nokey" }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "name_taken_by_table", setup: func(_ *testing.T, w *xregiontest.Workspace) {
			w.AddTable(catalog.TableInfo{FullName: "oc.ml.keyed"})
		}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "online_table_from_other_source", setup: func(_ *testing.T, w *xregiontest.Workspace) {
			w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.keyed", Spec: &database.SyncedTableSpec{SourceTableFullName: "main.ml.other"}})
		}, wantErr: apierr.ErrResourceAlreadyExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := onlineWorkspace()
			if tt.setup != nil {
				tt.setup(t, w)
			}
			w.ResetWrites()
			req := publishReq("main.ml.keyed", "oc.ml.keyed")
			if tt.req != nil {
				tt.req(&req)
			}
			before, _ := w.Database.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: req.PublishSpec.OnlineTableName})
			got, err := w.FeatureStore.PublishTable(t.Context(), req)
			checkErr(t, "PublishTable", err, tt.wantErr)
			after, _ := w.Database.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: req.PublishSpec.OnlineTableName})
			if err != nil {
				if got != nil {
					t.Errorf("PublishTable() returned %+v with an error", got)
				}
				if writes := w.Writes(); len(writes) != 0 {
					t.Errorf("failed publish logged writes %v", writes)
				}
				if (before == nil) != (after == nil) {
					t.Errorf("failed publish changed whether %s exists", req.PublishSpec.OnlineTableName)
				}
				return
			}
			if got.OnlineTableName != req.PublishSpec.OnlineTableName || got.PipelineId == "" || after == nil {
				t.Errorf("PublishTable() = %+v, online table %+v; want the name, a pipeline id and the table", got, after)
			}
			if diff := cmp.Diff([]xregiontest.Write{{Method: "FeatureStore.PublishTable", Resource: "oc.ml.keyed"}}, w.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishFromSharedCatalog(t *testing.T) {
	t.Parallel()
	src, dst := sharedOnline(t)
	ctx := t.Context()
	srcTable, err := src.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.keyed"})
	checkErr(t, "source Tables.Get", err, nil)

	resp := publish(t, dst, "shared.ml.keyed", "oc.ml.keyed_online")
	if resp.OnlineTableName != "oc.ml.keyed_online" || resp.PipelineId == "" {
		t.Fatalf("PublishTable() = %+v", resp)
	}
	got, err := dst.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed_online"})
	checkErr(t, "GetSyncedDatabaseTable", err, nil)
	want := &database.SyncedDatabaseTable{
		Name: "oc.ml.keyed_online",
		Spec: &database.SyncedTableSpec{
			SourceTableFullName: "shared.ml.keyed", PrimaryKeyColumns: []string{"id"}, TimeseriesKey: "ts",
			SchedulingPolicy: database.SyncedTableSchedulingPolicySnapshot,
		},
		UnityCatalogProvisioningState: ucProvisioning,
		DataSynchronizationStatus:     &database.SyncedTableStatus{DetailedState: stInitial, PipelineId: resp.PipelineId},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetSyncedDatabaseTable() mismatch (-want +got):\n%s", diff)
	}

	// The online table is a Unity Catalog table of the target.
	tbl, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "oc.ml.keyed_online"})
	checkErr(t, "Tables.Get online table", err, nil)
	wantTbl := &catalog.TableInfo{
		FullName: "oc.ml.keyed_online", CatalogName: "oc", SchemaName: "ml", Name: "keyed_online",
		TableType: catalog.TableTypeForeign, DataSourceFormat: catalog.DataSourceFormatPostgresqlFormat, PipelineId: resp.PipelineId,
	}
	if diff := cmp.Diff(wantTbl, tbl, ignoreServerFields, cmpIgnoreTableID); diff != "" {
		t.Errorf("Tables.Get(online table) mismatch (-want +got):\n%s", diff)
	}
	if tbl.TableId == "" || tbl.TableId == srcTable.TableId {
		t.Errorf("online table id %q, want its own id", tbl.TableId)
	}

	// Shared tables publish in SNAPSHOT mode only, and need a primary key.
	for _, tc := range []struct {
		name    string
		source  string
		mode    ml.PublishSpecPublishMode
		wantErr error
	}{
		{name: "triggered", source: "shared.ml.keyed", mode: triggered, wantErr: apierr.ErrInvalidParameterValue},
		{name: "continuous", source: "shared.ml.keyed", mode: ml.PublishSpecPublishModeContinuous, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_primary_key", source: "shared.ml.features", mode: snapshot, wantErr: apierr.ErrInvalidParameterValue},
		{name: "not_in_share", source: "shared.ml.nope", mode: snapshot, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "source_name_in_target", source: "main.ml.keyed", mode: snapshot, wantErr: apierr.ErrResourceDoesNotExist},
	} {
		req := publishReq(tc.source, "oc.ml."+tc.name)
		req.PublishSpec.PublishMode = tc.mode
		_, err := dst.FeatureStore.PublishTable(ctx, req)
		checkErr(t, "PublishTable "+tc.name, err, tc.wantErr)
	}
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Catalogs.Create", Resource: "shared"}, {Method: "FeatureStore.PublishTable", Resource: "oc.ml.keyed_online"}}, dst.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
}

func TestSyncScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// script is set before the publish, or after it and after
		// readsFirst reads when after is set; nil keeps the default.
		script     []xregiontest.SyncStep
		after      bool
		readsFirst int
		want       []syncStatus
	}{
		{name: "default", want: []syncStatus{
			{stInitial, ucProvisioning, ""}, {stOnline, ucActive, ""}, {stOnline, ucActive, ""},
		}},
		{name: "times_and_repetition", script: []xregiontest.SyncStep{
			{State: stProvisioning, Provisioning: ucProvisioning, Times: 2},
			{State: stResources, Provisioning: ucActive, Times: 0},
			{State: stOnline, Provisioning: ucActive, Times: 1},
		}, want: []syncStatus{
			{stProvisioning, ucProvisioning, ""}, {stProvisioning, ucProvisioning, ""}, {stResources, ucActive, ""},
			{stOnline, ucActive, ""}, {stOnline, ucActive, ""}, {stOnline, ucActive, ""},
		}},
		{name: "offline_failed", script: []xregiontest.SyncStep{
			{State: stInitial, Provisioning: ucProvisioning},
			{State: stFailed, Provisioning: ucFailed, Message: "snapshot failed: out of capacity"},
		}, want: []syncStatus{
			{stInitial, ucProvisioning, ""}, {stFailed, ucFailed, "snapshot failed: out of capacity"},
			{stFailed, ucFailed, "snapshot failed: out of capacity"},
		}},
		{name: "online_then_pipeline_failed", script: []xregiontest.SyncStep{
			{State: stOnline, Provisioning: ucActive, Times: 2},
			{State: stStale, Provisioning: ucActive, Message: "update failed"},
		}, want: []syncStatus{
			{stOnline, ucActive, ""}, {stOnline, ucActive, ""}, {stStale, ucActive, "update failed"},
		}},
		{name: "set_after_reads_starts_over", after: true, readsFirst: 3, script: []xregiontest.SyncStep{
			{State: stResources, Provisioning: ucActive, Times: 2},
			{State: stOnline, Provisioning: ucActive},
		}, want: []syncStatus{
			{stResources, ucActive, ""}, {stResources, ucActive, ""}, {stOnline, ucActive, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := onlineWorkspace()
			if tt.script != nil && !tt.after {
				w.ScriptTable("oc.ml.keyed", tt.script...)
			}
			publish(t, w, "main.ml.keyed", "oc.ml.keyed")
			if tt.after {
				readStatuses(t, w, "oc.ml.keyed", tt.readsFirst)
				w.ScriptTable("oc.ml.keyed", tt.script...)
			}
			if diff := cmp.Diff(tt.want, readStatuses(t, w, "oc.ml.keyed", len(tt.want))); diff != "" {
				t.Errorf("statuses mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScriptTableRemoved(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace()
	steps := []xregiontest.SyncStep{{State: stFailed, Provisioning: ucFailed, Message: "boom"}}
	w.ScriptTable("oc.ml.keyed", steps...)
	steps[0].Message = "changed" // the fake keeps its own copy
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	if diff := cmp.Diff([]syncStatus{{stFailed, ucFailed, "boom"}}, readStatuses(t, w, "oc.ml.keyed", 1)); diff != "" {
		t.Errorf("scripted statuses mismatch (-want +got):\n%s", diff)
	}
	w.ScriptTable("oc.ml.keyed") // no steps: back to the default
	want := []syncStatus{{stInitial, ucProvisioning, ""}, {stOnline, ucActive, ""}}
	if diff := cmp.Diff(want, readStatuses(t, w, "oc.ml.keyed", 2)); diff != "" {
		t.Errorf("default statuses mismatch (-want +got):\n%s", diff)
	}
}

func TestSourceTableChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		change        func(t *testing.T, src *xregiontest.Workspace)
		wantFailed    bool
		wantRepublish error
	}{
		{name: "unchanged", change: func(*testing.T, *xregiontest.Workspace) {}},
		{name: "recreated", change: func(_ *testing.T, src *xregiontest.Workspace) { src.RecreateTable("main.ml.keyed") }, wantFailed: true},
		{name: "dropped", change: func(_ *testing.T, src *xregiontest.Workspace) { src.DropTable("main.ml.keyed") },
			wantFailed: true, wantRepublish: apierr.ErrResourceDoesNotExist},
		{name: "grant_revoked", change: func(t *testing.T, src *xregiontest.Workspace) {
			if _, err := src.Shares.UpdatePermissions(t.Context(), sharing.UpdateSharePermissions{
				Name: "s1", Changes: []sharing.PermissionsChange{{Principal: "eu", Remove: []string{"SELECT"}}},
			}); err != nil {
				t.Fatal(err)
			}
		}, wantFailed: true, wantRepublish: apierr.ErrResourceDoesNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedOnline(t)
			ctx := t.Context()
			first := publish(t, dst, "shared.ml.keyed", "oc.ml.keyed_online")
			readStatuses(t, dst, "oc.ml.keyed_online", 2) // online by now
			tt.change(t, src)

			got := readStatuses(t, dst, "oc.ml.keyed_online", 2)
			for _, s := range got {
				if failed := s.State == stFailed; failed != tt.wantFailed {
					t.Errorf("status after change = %+v, want failed: %v", s, tt.wantFailed)
				}
				if tt.wantFailed && !strings.Contains(s.Message, "shared.ml.keyed") {
					t.Errorf("failure message %q does not name the source table", s.Message)
				}
			}

			// Publishing again binds the online table to the current source.
			resp, err := dst.FeatureStore.PublishTable(ctx, publishReq("shared.ml.keyed", "oc.ml.keyed_online"))
			checkErr(t, "PublishTable again", err, tt.wantRepublish)
			if err != nil {
				return
			}
			if resp.PipelineId != first.PipelineId {
				t.Errorf("republish pipeline %s, want the first one %s", resp.PipelineId, first.PipelineId)
			}
			want := []syncStatus{{stInitial, ucProvisioning, ""}, {stOnline, ucActive, ""}}
			if diff := cmp.Diff(want, readStatuses(t, dst, "oc.ml.keyed_online", 2)); diff != "" {
				t.Errorf("statuses after republish mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRepublish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		req     func(r *ml.PublishTableRequest)
		wantErr error
	}{
		{name: "same_source_and_store"},
		{name: "other_mode", req: func(r *ml.PublishTableRequest) { r.PublishSpec.PublishMode = triggered }, wantErr: apierr.ErrInvalidParameterValue},
		{name: "other_store", req: func(r *ml.PublishTableRequest) { r.PublishSpec.OnlineStore = "os2" }, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "other_source", req: func(r *ml.PublishTableRequest) { r.SourceTableName = "main.ml.keyed2" }, wantErr: apierr.ErrResourceAlreadyExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := onlineWorkspace()
			w.AddOnlineStore(ml.OnlineStore{Name: "os2"})
			w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed2", TableConstraints: keyed()})
			first := publish(t, w, "main.ml.keyed", "oc.ml.keyed")
			tbl, err := w.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "oc.ml.keyed"})
			checkErr(t, "Tables.Get", err, nil)
			w.ResetWrites()

			req := publishReq("main.ml.keyed", "oc.ml.keyed")
			if tt.req != nil {
				tt.req(&req)
			}
			got, err := w.FeatureStore.PublishTable(t.Context(), req)
			checkErr(t, "PublishTable again", err, tt.wantErr)
			var wantWrites []xregiontest.Write
			if err == nil {
				wantWrites = []xregiontest.Write{{Method: "FeatureStore.PublishTable", Resource: "oc.ml.keyed"}}
				if diff := cmp.Diff(first, got); diff != "" {
					t.Errorf("republish response mismatch (-first +again):\n%s", diff)
				}
			}
			if diff := cmp.Diff(wantWrites, w.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
			again, err := w.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "oc.ml.keyed"})
			checkErr(t, "Tables.Get again", err, nil)
			if again.TableId != tbl.TableId {
				t.Errorf("online table id %s -> %s, want it kept", tbl.TableId, again.TableId)
			}
		})
	}
}

func TestAddSyncedTable(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(legacyClock)
	w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	seed := database.SyncedDatabaseTable{
		Name:                          "oc.ml.other",
		Spec:                          &database.SyncedTableSpec{SourceTableFullName: "main.ml.keyed", PrimaryKeyColumns: []string{"id"}},
		UnityCatalogProvisioningState: ucActive,
		DataSynchronizationStatus:     &database.SyncedTableStatus{DetailedState: stOnline, PipelineId: "p-1", Message: "fed elsewhere"},
	}
	w.AddSyncedTable(seed)
	seed.Spec.SourceTableFullName = "changed" // the fake keeps its own copy
	ctx := t.Context()

	want := &database.SyncedDatabaseTable{
		Name:                          "oc.ml.other",
		Spec:                          &database.SyncedTableSpec{SourceTableFullName: "main.ml.keyed", PrimaryKeyColumns: []string{"id"}},
		UnityCatalogProvisioningState: ucActive,
		DataSynchronizationStatus:     &database.SyncedTableStatus{DetailedState: stOnline, PipelineId: "p-1", Message: "fed elsewhere"},
	}
	for i := range 3 { // as given, on every read
		got, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.other"})
		checkErr(t, "GetSyncedDatabaseTable", err, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("read %d mismatch (-want +got):\n%s", i+1, diff)
		}
		got.Spec.PrimaryKeyColumns[0] = "changed"
		got.DataSynchronizationStatus.DetailedState = stFailed
	}
	tbl, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "oc.ml.other"})
	checkErr(t, "Tables.Get", err, nil)
	if tbl.TableType != catalog.TableTypeForeign || tbl.PipelineId != "p-1" {
		t.Errorf("Tables.Get() = type %s, pipeline %q; want FOREIGN, p-1", tbl.TableType, tbl.PipelineId)
	}
	if _, err := w.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: "oc"}); err != nil {
		t.Errorf("AddSyncedTable did not create catalog oc: %v", err)
	}

	// A script overrides the seeded status; the source is watched.
	w.ScriptTable("oc.ml.other", xregiontest.SyncStep{State: stResources, Provisioning: ucProvisioning})
	if diff := cmp.Diff([]syncStatus{{stResources, ucProvisioning, ""}}, readStatuses(t, w, "oc.ml.other", 1)); diff != "" {
		t.Errorf("scripted status mismatch (-want +got):\n%s", diff)
	}
	w.ScriptTable("oc.ml.other")
	w.RecreateTable("main.ml.keyed")
	got := readStatuses(t, w, "oc.ml.other", 1)[0]
	if got.State != stFailed || got.Provisioning != ucActive || !strings.Contains(got.Message, "main.ml.keyed") {
		t.Errorf("status after RecreateTable = %+v, want SYNCED_TABLE_OFFLINE_FAILED naming main.ml.keyed", got)
	}

	// An online table whose source is unknown is not watched.
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.bare"})
	if diff := cmp.Diff([]syncStatus{{}}, readStatuses(t, w, "oc.ml.bare", 1)); diff != "" {
		t.Errorf("bare seeded status mismatch (-want +got):\n%s", diff)
	}
}

func TestDeleteOnlineTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		del    func(ctx context.Context, w *xregiontest.Workspace, name string) error
	}{
		{name: "feature_store", method: "FeatureStore.DeleteOnlineTable", del: func(ctx context.Context, w *xregiontest.Workspace, name string) error {
			return w.FeatureStore.DeleteOnlineTable(ctx, ml.DeleteOnlineTableRequest{OnlineTableName: name})
		}},
		{name: "database", method: "Database.DeleteSyncedDatabaseTable", del: func(ctx context.Context, w *xregiontest.Workspace, name string) error {
			return w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: name, PurgeData: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := onlineWorkspace()
			ctx := t.Context()
			first := publish(t, w, "main.ml.keyed", "oc.ml.keyed")
			w.ResetWrites()
			checkErr(t, "delete", tt.del(ctx, w, "oc.ml.keyed"), nil)
			// The deletion takes DefaultDeleteLag reads, DELETING meanwhile,
			// and cannot be started again.
			checkErr(t, "delete while deleting", tt.del(ctx, w, "oc.ml.keyed"), apierr.ErrInvalidState)
			for i := range xregiontest.DefaultDeleteLag {
				got, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
				if err != nil || got.UnityCatalogProvisioningState != database.ProvisioningInfoStateDeleting {
					t.Fatalf("read %d after delete = %+v, %v; want DELETING", i, got, err)
				}
			}
			_, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
			checkErr(t, "GetSyncedDatabaseTable after delete", err, apierr.ErrResourceDoesNotExist)
			_, err = w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "oc.ml.keyed"})
			checkErr(t, "Tables.Get after delete", err, apierr.ErrResourceDoesNotExist)
			checkErr(t, "delete again", tt.del(ctx, w, "oc.ml.keyed"), apierr.ErrResourceDoesNotExist)
			checkErr(t, "delete malformed", tt.del(ctx, w, "oc.keyed"), apierr.ErrInvalidParameterValue)
			if diff := cmp.Diff([]xregiontest.Write{{Method: tt.method, Resource: "oc.ml.keyed"}}, w.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
			// The name is free again: a new publish makes a new pipeline.
			if again := publish(t, w, "main.ml.keyed", "oc.ml.keyed"); again.PipelineId == first.PipelineId {
				t.Errorf("publish after delete reused pipeline %s", again.PipelineId)
			}
		})
	}
}

func TestOnlineFaults(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace()
	ctx := t.Context()

	// A failed status read does not move the script on.
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	w.Inject(xregiontest.Fault{Method: "Database.GetSyncedDatabaseTable", Times: 1, Err: xregiontest.Unavailable("busy")})
	_, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
	checkErr(t, "GetSyncedDatabaseTable", err, apierr.ErrTemporarilyUnavailable)
	if got := readStatuses(t, w, "oc.ml.keyed", 1)[0].State; got != stInitial {
		t.Errorf("first status after a failed read = %s, want %s", got, stInitial)
	}

	// A failed store read does not move the startup on.
	if _, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os2", Capacity: "CU_1"}}); err != nil {
		t.Fatal(err)
	}
	w.Inject(xregiontest.Fault{Method: "FeatureStore.GetOnlineStore", Times: 2, Err: xregiontest.Internal("boom")})
	for range 2 {
		_, err := w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os2"})
		checkErr(t, "GetOnlineStore", err, apierr.ErrInternalError)
	}
	if diff := cmp.Diff([]ml.OnlineStoreState{starting, starting, available}, storeStates(t, w, "os2", 3)); diff != "" {
		t.Errorf("store states after failed reads mismatch (-want +got):\n%s", diff)
	}

	// A publish that lands before the error: the table exists, the write
	// is logged, and publishing again is a republish.
	w.ResetWrites()
	w.Inject(xregiontest.Fault{Method: "FeatureStore.PublishTable", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("retry")})
	_, err = w.FeatureStore.PublishTable(ctx, publishReq("main.ml.keyed", "oc.ml.t2"))
	checkErr(t, "PublishTable after commit", err, apierr.ErrTemporarilyUnavailable)
	publish(t, w, "main.ml.keyed", "oc.ml.t2")

	// A fault before commit changes nothing.
	w.Inject(xregiontest.Fault{Method: "FeatureStore.DeleteOnlineTable", Times: 1, Err: xregiontest.Unavailable("retry")})
	err = w.FeatureStore.DeleteOnlineTable(ctx, ml.DeleteOnlineTableRequest{OnlineTableName: "oc.ml.t2"})
	checkErr(t, "DeleteOnlineTable before commit", err, apierr.ErrTemporarilyUnavailable)
	w.Inject(xregiontest.Fault{Method: "FeatureStore.CreateOnlineStore", Times: 1, Err: xregiontest.Unavailable("retry")})
	_, err = w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os3", Capacity: "CU_1"}})
	checkErr(t, "CreateOnlineStore before commit", err, apierr.ErrTemporarilyUnavailable)
	w.Inject(xregiontest.Fault{Method: "FeatureStore.ListOnlineStoresAll", Times: 1, Err: xregiontest.Unavailable("retry")})
	_, err = w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
	checkErr(t, "ListOnlineStoresAll", err, apierr.ErrTemporarilyUnavailable)
	w.Inject(xregiontest.Fault{Method: "Database.DeleteSyncedDatabaseTable", AfterCommit: true, Err: xregiontest.Unavailable("retry")})
	err = w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.t2"})
	checkErr(t, "DeleteSyncedDatabaseTable after commit", err, apierr.ErrTemporarilyUnavailable)
	err = w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.t2"})
	checkErr(t, "DeleteSyncedDatabaseTable again", err, apierr.ErrInvalidState)

	want := []xregiontest.Write{
		{Method: "FeatureStore.PublishTable", Resource: "oc.ml.t2"},
		{Method: "FeatureStore.PublishTable", Resource: "oc.ml.t2"},
		{Method: "Database.DeleteSyncedDatabaseTable", Resource: "oc.ml.t2"},
	}
	if diff := cmp.Diff(want, w.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
	for method, n := range map[string]int{
		"FeatureStore.PublishTable": 3, "FeatureStore.GetOnlineStore": 5, "FeatureStore.CreateOnlineStore": 2,
		"FeatureStore.ListOnlineStoresAll": 1, "FeatureStore.DeleteOnlineTable": 1,
		"Database.GetSyncedDatabaseTable": 2, "Database.DeleteSyncedDatabaseTable": 2,
	} {
		if got := w.Calls(method); got != n {
			t.Errorf("Calls(%s) = %d, want %d", method, got, n)
		}
	}
}

func TestOnlineContextDone(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"FeatureStore.CreateOnlineStore": func() error {
			_, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os2", Capacity: "CU_1"}})
			return err
		},
		"FeatureStore.GetOnlineStore": func() error {
			_, err := w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"})
			return err
		},
		"FeatureStore.ListOnlineStoresAll": func() error {
			_, err := w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
			return err
		},
		"FeatureStore.PublishTable": func() error {
			_, err := w.FeatureStore.PublishTable(ctx, publishReq("main.ml.keyed", "oc.ml.keyed"))
			return err
		},
		"FeatureStore.DeleteOnlineTable": func() error {
			return w.FeatureStore.DeleteOnlineTable(ctx, ml.DeleteOnlineTableRequest{OnlineTableName: "oc.ml.keyed"})
		},
		"Database.GetSyncedDatabaseTable": func() error {
			_, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
			return err
		},
		"Database.DeleteSyncedDatabaseTable": func() error {
			return w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
		},
	}
	for method, f := range calls {
		if err := f(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error = %v, want context.Canceled", method, err)
		}
		if n := w.Calls(method); n != 0 {
			t.Errorf("%s: cancelled call counted %d times", method, n)
		}
	}
	if writes := w.Writes(); len(writes) != 0 {
		t.Errorf("cancelled calls logged writes %v", writes)
	}
}

func TestOnlineSeedingPanics(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	w.AddOnlineStore(ml.OnlineStore{Name: "os1"})
	w.AddCatalog(catalog.CatalogInfo{Name: "shared", ProviderName: "p", ShareName: "s"})
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.t"})
	mustPanic(t, func() { xregiontest.WithStoreStartup(-1) })
	mustPanic(t, func() { w.AddOnlineStore(ml.OnlineStore{Name: "os1"}) })
	mustPanic(t, func() { w.AddOnlineStore(ml.OnlineStore{Name: "Bad_Name"}) })
	mustPanic(t, func() { w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.t"}) })
	mustPanic(t, func() { w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.t"}) })
	mustPanic(t, func() { w.AddSyncedTable(database.SyncedDatabaseTable{Name: "shared.ml.t"}) })
	mustPanic(t, func() { w.ScriptTable("oc.t", xregiontest.SyncStep{State: stOnline}) })
}
