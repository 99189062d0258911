package xregiontest_test

import (
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestLakebaseKinds: which API serves the tables of a store depends on when
// the store was created.
func TestLakebaseKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []xregiontest.Option
		wantPG     error // of Postgres.GetSyncedTable once published
		wantDB     error // of Database.GetSyncedDatabaseTable
		wantPGSpec bool
	}{
		{name: "default_clock_autoscaling", wantDB: apierr.ErrInvalidParameterValue},
		{name: "autoscaling_with_spec", opts: []xregiontest.Option{xregiontest.WithPostgresSpec()}, wantDB: apierr.ErrInvalidParameterValue, wantPGSpec: true},
		{name: "clock_before_2026_03_23_provisioned", opts: []xregiontest.Option{legacyClock}, wantPG: apierr.ErrNotFound},
		{name: "clock_on_2026_03_23_autoscaling", opts: []xregiontest.Option{xregiontest.WithStartTime(xregiontest.AutoscalingSince().Add(-time.Second))},
			wantDB: apierr.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			w := xregiontest.NewWorkspace(append(tt.opts, xregiontest.WithStoreStartup(0))...)
			w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
			w.AddCatalog(catalog.CatalogInfo{Name: "oc"})
			if _, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os2", Capacity: "CU_1"}}); err != nil {
				t.Fatal(err)
			}
			_, err := w.FeatureStore.PublishTable(ctx, ml.PublishTableRequest{SourceTableName: "main.ml.keyed", PublishSpec: ml.PublishSpec{
				OnlineStore: "os2", OnlineTableName: "oc.ml.keyed", PublishMode: snapshot,
			}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "oc.ml.keyed"})
			checkErr(t, "GetSyncedDatabaseTable", err, tt.wantDB)
			pg, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
			checkErr(t, "GetSyncedTable", err, tt.wantPG)
			if err == nil {
				if (pg.Spec != nil) != tt.wantPGSpec || pg.Name != "synced_tables/oc.ml.keyed" || pg.Uid == "" {
					t.Errorf("GetSyncedTable() = %+v, want its name, uid, and a spec: %t", pg, tt.wantPGSpec)
				}
				if tt.wantPGSpec && pg.Spec.SourceTableFullName != "main.ml.keyed" {
					t.Errorf("GetSyncedTable() spec = %+v, want the source", pg.Spec)
				}
			}
		})
	}
}

// TestPostgresStatus follows a table of an Autoscaling store to online:
// the reply leaves out the UC state ACTIVE and carries the last sync,
// which a republish moves on.
func TestPostgresStatus(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := xregiontest.NewWorkspace()
	w.AddTable(catalog.TableInfo{FullName: "main.ml.keyed", TableConstraints: keyed()})
	w.AddCatalog(catalog.CatalogInfo{Name: "oc"})
	w.AddOnlineStore(ml.OnlineStore{Name: "os1"})
	publish(t, w, "main.ml.keyed", "oc.ml.keyed")
	read := func() *postgres.SyncedTableSyncedTableStatus {
		t.Helper()
		got, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.keyed"})
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	first := read()
	if first.UnityCatalogProvisioningState != postgres.ProvisioningInfoStateProvisioning || first.LastSyncTime != nil {
		t.Errorf("first read = %+v, want PROVISIONING and no last sync", first)
	}
	second := read()
	if second.UnityCatalogProvisioningState != "" || second.DetailedState != postgres.SyncedTableStateSyncedTableOnlineNoPendingUpdate ||
		second.LastSyncTime == nil || second.LastSync == nil || !second.LastSync.SyncEndTime.AsTime().Equal(second.LastSyncTime.AsTime()) {
		t.Fatalf("second read = %+v, want online without a UC state, with the last sync", second)
	}
	synced := second.LastSyncTime.AsTime()
	publish(t, w, "main.ml.keyed", "oc.ml.keyed") // republish: a new sync
	read()
	if again := read(); !again.LastSyncTime.AsTime().After(synced) {
		t.Errorf("last sync after a republish = %v, want after %v", again.LastSyncTime.AsTime(), synced)
	}

	for _, name := range []string{"oc.ml.keyed", "synced_tables/oc.ml"} {
		_, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: name})
		checkErr(t, "GetSyncedTable("+name+")", err, apierr.ErrInvalidParameterValue)
	}
	_, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/oc.ml.nowhere"})
	checkErr(t, "GetSyncedTable(missing)", err, apierr.ErrNotFound)
}

// TestLinkedClock: linked workspaces share one clock, so that a version
// created in one after a table was synced in the other is later.
func TestLinkedClock(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(legacyClock)
	dst := xregiontest.NewWorkspace()
	xregiontest.Link(src, dst)
	dst.AddOnlineStore(ml.OnlineStore{Name: "os1"})
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "m", Version: 1})
	store, err := dst.FeatureStore.GetOnlineStore(t.Context(), ml.GetOnlineStoreRequest{Name: "os1"})
	if err != nil {
		t.Fatal(err)
	}
	mv, err := src.ModelVersions.Get(t.Context(), catalog.GetModelVersionRequest{FullName: "main.ml.m", Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	created, _ := time.Parse(time.RFC3339, store.CreationTime)
	if got := time.UnixMilli(mv.CreatedAt); !got.After(created) || created.Before(xregiontest.AutoscalingSince()) {
		t.Errorf("store created %v, version created after it %v; want both on the later (2026) clock, in order", created, got)
	}
	if diff := cmp.Diff(time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), xregiontest.AutoscalingSince()); diff != "" {
		t.Errorf("AutoscalingSince() mismatch (-want +got):\n%s", diff)
	}
}
