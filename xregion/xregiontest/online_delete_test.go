package xregiontest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// The fakes fit the interfaces online.Remove consumes.
var (
	_ online.StoreRemover       = (*xregiontest.FeatureStore)(nil)
	_ online.ProvisionedRemover = (*xregiontest.Database)(nil)
	_ online.AutoscalingRemover = (*xregiontest.Postgres)(nil)
)

const deleting = ml.OnlineStoreStateDeleting

func TestDeleteOnlineStore(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace()
	ctx := t.Context()
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.seeded", DatabaseInstanceName: "os1"})
	w.AddOnlineStore(ml.OnlineStore{Name: "os2"})
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.other", DatabaseInstanceName: "os2"})
	w.ResetWrites()

	checkErr(t, "DeleteOnlineStore", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), nil)
	checkErr(t, "DeleteOnlineStore while deleting", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), apierr.ErrInvalidState)
	_, err := w.FeatureStore.PublishTable(ctx, publishReq("main.ml.keyed", "oc.ml.new"))
	checkErr(t, "PublishTable into a store being deleted", err, apierr.ErrInvalidState)
	// A list shows the store DELETING, and does not move it on.
	list, err := w.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
	if err != nil || len(list) != 2 || list[0].State != deleting {
		t.Errorf("ListOnlineStoresAll() = %+v, %v; want os1 DELETING and os2", list, err)
	}
	if diff := cmp.Diff([]ml.OnlineStoreState{deleting, deleting}, storeStates(t, w, "os1", xregiontest.DefaultDeleteLag)); diff != "" {
		t.Errorf("store states while deleting mismatch (-want +got):\n%s", diff)
	}
	_, err = w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"})
	checkErr(t, "GetOnlineStore after the lag", err, apierr.ErrResourceDoesNotExist)
	checkErr(t, "DeleteOnlineStore when gone", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), apierr.ErrResourceDoesNotExist)

	// The tables it held went with it, DELETING first; another store's
	// table stays.
	if diff := cmp.Diff([]syncStatus{{Provisioning: database.ProvisioningInfoStateDeleting}}, readStatuses(t, w, "oc.ml.seeded", 1)); diff != "" {
		t.Errorf("held table status mismatch (-want +got):\n%s", diff)
	}
	for name, left := range map[string]int{"oc.ml.keyed": xregiontest.DefaultDeleteLag, "oc.ml.seeded": xregiontest.DefaultDeleteLag - 1} {
		readStatuses(t, w, name, left)
		_, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: name})
		checkErr(t, "GetSyncedDatabaseTable("+name+") after the store's delete", err, apierr.ErrResourceDoesNotExist)
		_, err = w.Tables.Get(ctx, catalog.GetTableRequest{FullName: name})
		checkErr(t, "Tables.Get("+name+") after the store's delete", err, apierr.ErrResourceDoesNotExist)
	}
	if _, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.other"}); err != nil {
		t.Errorf("another store's table: %v", err)
	}
	if diff := cmp.Diff([]xregiontest.Write{{Method: "FeatureStore.DeleteOnlineStore", Resource: "os1"}}, w.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
}

func TestDeleteLagZero(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace(xregiontest.WithDeleteLag(0))
	ctx := t.Context()
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	checkErr(t, "DeleteSyncedDatabaseTable", w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.keyed", PurgeData: true}), nil)
	_, err := w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
	checkErr(t, "GetSyncedDatabaseTable", err, apierr.ErrResourceDoesNotExist)
	checkErr(t, "DeleteOnlineStore", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), nil)
	_, err = w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"})
	checkErr(t, "GetOnlineStore", err, apierr.ErrResourceDoesNotExist)
	mustPanic(t, func() { xregiontest.WithDeleteLag(-1) })
}

func TestListSyncedDatabaseTables(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	list := func(w *xregiontest.Workspace, req database.ListSyncedDatabaseTablesRequest) ([]string, error) {
		got, err := w.Database.ListSyncedDatabaseTablesAll(ctx, req)
		var out []string
		for _, t := range got {
			out = append(out, t.Name+" "+string(t.UnityCatalogProvisioningState))
		}
		return out, err
	}

	// By default the list is not implemented, as the SDK documents.
	_, err := list(onlineWorkspace(), database.ListSyncedDatabaseTablesRequest{InstanceName: "os1"})
	checkErr(t, "ListSyncedDatabaseTablesAll by default", err, apierr.ErrNotImplemented)

	w := onlineWorkspace(xregiontest.WithSyncedTableList())
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.seeded", DatabaseInstanceName: "os1", UnityCatalogProvisioningState: ucActive})
	w.AddOnlineStore(ml.OnlineStore{Name: "os2"})
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.other", DatabaseInstanceName: "os2"})
	// An Autoscaling project of 2026 is no Provisioned instance.
	w.AddOnlineStore(ml.OnlineStore{Name: "project", CreationTime: "2026-05-01T00:00:00Z"})
	checkErr(t, "DeleteSyncedDatabaseTable", w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.seeded"}), nil)

	got, err := list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"oc.ml.keyed ", "oc.ml.seeded DELETING"}, got); diff != "" {
		t.Errorf("tables of os1 mismatch (-want +got):\n%s", diff)
	}
	if got, _ := list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1"}); len(got) != 2 {
		t.Errorf("a list moved the deletion on: %v", got)
	}
	_, err = list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "project"})
	checkErr(t, "list an Autoscaling project", err, apierr.ErrResourceDoesNotExist)
	_, err = list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "nope"})
	checkErr(t, "list a missing instance", err, apierr.ErrResourceDoesNotExist)
	_, err = list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1", PageSize: -1})
	checkErr(t, "list with a negative page size", err, apierr.ErrInvalidParameterValue)
	_, err = list(w, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1", PageToken: "x"})
	checkErr(t, "list with a page token", err, apierr.ErrInvalidParameterValue)
}

func TestPostgresDeleteSyncedTable(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	ctx := t.Context()
	w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	w.AddCatalog(catalog.CatalogInfo{Name: "oc"})
	w.AddOnlineStore(ml.OnlineStore{Name: "os1"}) // an Autoscaling project
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	w.AddOnlineStore(ml.OnlineStore{Name: "old", CreationTime: "2025-01-01T00:00:00Z"})
	w.AddSyncedTable(database.SyncedDatabaseTable{Name: "oc.ml.old", DatabaseInstanceName: "old"})
	w.ResetWrites()
	del := func(name string) (postgres.DeleteSyncedTableOperationInterface, error) {
		return w.Postgres.DeleteSyncedTable(ctx, postgres.DeleteSyncedTableRequest{Name: name})
	}

	op, err := del("synced_tables/oc.ml.keyed")
	if err != nil || op.Name() == "" {
		t.Fatalf("DeleteSyncedTable() = %v, %v; want an operation", op, err)
	}
	if done, err := op.Done(); done || err == nil {
		t.Errorf("Done() = %v, %v; want an error: the fake serves no operations", done, err)
	}
	if err := op.Wait(ctx); err == nil {
		t.Error("Wait() = nil, want an error: the fake serves no operations")
	}
	_, err = del("synced_tables/oc.ml.keyed")
	checkErr(t, "DeleteSyncedTable while deleting", err, apierr.ErrInvalidState)
	// The Database API refuses the table, whatever its state.
	err = w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
	checkErr(t, "DeleteSyncedDatabaseTable(Autoscaling table)", err, apierr.ErrInvalidParameterValue)
	for range xregiontest.DefaultDeleteLag {
		got, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
		if err != nil || got.Status.UnityCatalogProvisioningState != postgres.ProvisioningInfoStateDeleting {
			t.Fatalf("GetSyncedTable while deleting = %+v, %v; want DELETING", got, err)
		}
	}
	_, err = w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
	checkErr(t, "GetSyncedTable after the lag", err, apierr.ErrResourceDoesNotExist)
	_, err = del("synced_tables/oc.ml.keyed")
	checkErr(t, "DeleteSyncedTable when gone", err, apierr.ErrResourceDoesNotExist)
	_, err = del("synced_tables/oc.ml.old")
	checkErr(t, "DeleteSyncedTable(Provisioned table)", err, apierr.ErrResourceDoesNotExist)
	_, err = del("oc.ml.keyed")
	checkErr(t, "DeleteSyncedTable without prefix", err, apierr.ErrInvalidParameterValue)
	_, err = del("synced_tables/oc.keyed")
	checkErr(t, "DeleteSyncedTable of a two-part name", err, apierr.ErrInvalidParameterValue)
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Postgres.DeleteSyncedTable", Resource: "oc.ml.keyed"}}, w.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
}

// TestDeleteFaults injects faults into the deletes: one before commit
// changes nothing, one after commit deletes and still fails, so that a
// crash in the middle of a teardown can be tested.
func TestDeleteFaults(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace(xregiontest.WithSyncedTableList())
	ctx := t.Context()
	w.Inject(xregiontest.Fault{Method: "FeatureStore.DeleteOnlineStore", Times: 1, Err: xregiontest.Unavailable("retry")})
	checkErr(t, "DeleteOnlineStore before commit", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), apierr.ErrTemporarilyUnavailable)
	if diff := cmp.Diff([]ml.OnlineStoreState{available}, storeStates(t, w, "os1", 1)); diff != "" {
		t.Errorf("store after a failed delete mismatch (-want +got):\n%s", diff)
	}
	w.Inject(xregiontest.Fault{Method: "Database.ListSyncedDatabaseTablesAll", Times: 1, Err: xregiontest.Internal("boom")})
	_, err := w.Database.ListSyncedDatabaseTablesAll(ctx, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1"})
	checkErr(t, "ListSyncedDatabaseTablesAll", err, apierr.ErrInternalError)
	w.Inject(xregiontest.Fault{Method: "FeatureStore.DeleteOnlineStore", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("lost reply")})
	checkErr(t, "DeleteOnlineStore after commit", w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"}), apierr.ErrTemporarilyUnavailable)
	if diff := cmp.Diff([]ml.OnlineStoreState{deleting}, storeStates(t, w, "os1", 1)); diff != "" {
		t.Errorf("store after a delete that landed mismatch (-want +got):\n%s", diff)
	}

	p := xregiontest.NewWorkspace()
	p.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	p.AddCatalog(catalog.CatalogInfo{Name: "oc"})
	p.AddOnlineStore(ml.OnlineStore{Name: "os1"})
	publish(t, p, "main.ml.keyed", "oc.ml.keyed")
	p.Inject(xregiontest.Fault{Method: "Postgres.DeleteSyncedTable", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("lost reply")})
	_, err = p.Postgres.DeleteSyncedTable(ctx, postgres.DeleteSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
	checkErr(t, "Postgres.DeleteSyncedTable after commit", err, apierr.ErrTemporarilyUnavailable)
	got, err := p.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
	if err != nil || got.Status.UnityCatalogProvisioningState != postgres.ProvisioningInfoStateDeleting {
		t.Errorf("table after a delete that landed = %+v, %v; want DELETING", got, err)
	}

	for ws, want := range map[*xregiontest.Workspace][]xregiontest.Write{
		w: {{Method: "FeatureStore.DeleteOnlineStore", Resource: "os1"}},
		p: {{Method: "FeatureStore.PublishTable", Resource: "oc.ml.keyed"}, {Method: "Postgres.DeleteSyncedTable", Resource: "oc.ml.keyed"}},
	} {
		if diff := cmp.Diff(want, ws.Writes()); diff != "" {
			t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
		}
	}
	for method, n := range map[string]int{"FeatureStore.DeleteOnlineStore": 2, "Database.ListSyncedDatabaseTablesAll": 1} {
		if got := w.Calls(method); got != n {
			t.Errorf("Calls(%s) = %d, want %d", method, got, n)
		}
	}
}

func TestDeleteContextDone(t *testing.T) {
	t.Parallel()
	w := onlineWorkspace(xregiontest.WithSyncedTableList())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"FeatureStore.DeleteOnlineStore": func() error {
			return w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: "os1"})
		},
		"Database.ListSyncedDatabaseTablesAll": func() error {
			_, err := w.Database.ListSyncedDatabaseTablesAll(ctx, database.ListSyncedDatabaseTablesRequest{InstanceName: "os1"})
			return err
		},
		"Postgres.DeleteSyncedTable": func() error {
			_, err := w.Postgres.DeleteSyncedTable(ctx, postgres.DeleteSyncedTableRequest{Name: "synced_tables/oc.ml.t"})
			return err
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
}
