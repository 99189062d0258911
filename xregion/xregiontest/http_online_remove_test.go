package xregiontest_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestHTTPOnlineRemove publishes tables into a Lakebase Provisioned store
// and a Lakebase Autoscaling one, then removes them with online.Remove
// through the SDK: the deletes, the list of a store's tables (one table per
// page) and the waits go over the emulator's routes.
func TestHTTPOnlineRemove(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace(xregiontest.WithStoreStartup(0), xregiontest.WithSyncedTableList(), xregiontest.WithPageSize(1))
	pk := []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}}
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.a", TableConstraints: pk})
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.b", TableConstraints: pk})
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.c", TableConstraints: pk})
	ws.AddCatalog(catalog.CatalogInfo{Name: "old"})
	ws.AddCatalog(catalog.CatalogInfo{Name: "new"})
	// The store of catalog old is a Provisioned instance of 2025; that of
	// catalog new an Autoscaling project PublishOnline creates.
	ws.AddOnlineStore(ml.OnlineStore{Name: online.DefaultStoreName("old"), CreationTime: "2025-01-01T00:00:00Z"})
	srv, _ := serve(t, ws)
	w := newClient(t, srv.URL)
	c := clientsOf(w)
	noSleep := xregion.WithoutPause()
	for _, cat := range []string{"old", "new"} {
		spec := online.PublishSpec{SharedCatalog: "main", Catalog: cat, Schema: "f", Tables: []online.Table{
			{Name: "main.ml.a", PrimaryKeys: []string{"id"}}, {Name: "main.ml.b", PrimaryKeys: []string{"id"}},
		}}
		if cat == "old" {
			// Another model's table, last on the list's third page.
			spec.Tables = append(spec.Tables, online.Table{Name: "main.ml.c", PrimaryKeys: []string{"id"}})
		}
		res, err := online.PublishOnline(t.Context(), c, spec, noSleep)
		if err != nil {
			t.Fatalf("PublishOnline(%s) error = %v", cat, err)
		}
		if _, err := online.WaitOnline(t.Context(), c.Status(), online.WaitSpec{Tables: res.OnlineNames()}, noSleep); err != nil {
			t.Fatalf("WaitOnline(%s) error = %v", cat, err)
		}
	}

	tests := []struct {
		catalog string
		tables  []string
		want    []xregion.Removal
		writes  []xregiontest.Write
	}{
		{
			catalog: "old",
			tables:  []string{"main.ml.a", "main.ml.b"},
			want: []xregion.Removal{
				{Kind: xregion.KindOnlineTable, Name: "old.f.ml_a_online", Op: xregion.OpRemoved},
				{Kind: xregion.KindOnlineTable, Name: "old.f.ml_b_online", Op: xregion.OpRemoved},
				{Kind: xregion.KindOnlineStore, Name: "old-online-store", Op: xregion.OpKept, Why: "still holds tables: old.f.ml_c_online"},
			},
			writes: []xregiontest.Write{
				{Method: "Database.DeleteSyncedDatabaseTable", Resource: "old.f.ml_a_online"},
				{Method: "Database.DeleteSyncedDatabaseTable", Resource: "old.f.ml_b_online"},
			},
		},
		{
			catalog: "old",
			tables:  []string{"main.ml.c"},
			want: []xregion.Removal{
				{Kind: xregion.KindOnlineTable, Name: "old.f.ml_c_online", Op: xregion.OpRemoved},
				{Kind: xregion.KindOnlineStore, Name: "old-online-store", Op: xregion.OpRemoved},
			},
			writes: []xregiontest.Write{
				{Method: "Database.DeleteSyncedDatabaseTable", Resource: "old.f.ml_c_online"},
				{Method: "FeatureStore.DeleteOnlineStore", Resource: "old-online-store"},
			},
		},
		{
			catalog: "new",
			tables:  []string{"main.ml.a", "main.ml.b"},
			want: []xregion.Removal{
				{Kind: xregion.KindOnlineTable, Name: "new.f.ml_a_online", Op: xregion.OpRemoved},
				{Kind: xregion.KindOnlineTable, Name: "new.f.ml_b_online", Op: xregion.OpRemoved},
				{Kind: xregion.KindOnlineStore, Name: "new-online-store", Op: xregion.OpKept,
					Why: "cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking"},
			},
			writes: []xregiontest.Write{
				{Method: "Postgres.DeleteSyncedTable", Resource: "new.f.ml_a_online"},
				{Method: "Postgres.DeleteSyncedTable", Resource: "new.f.ml_b_online"},
			},
		},
	}
	for _, tt := range tests {
		spec := online.RemoveSpec{Catalog: tt.catalog, Schema: "f", Tables: tt.tables, AdoptStore: true}
		ws.ResetWrites()
		got, err := online.Remove(t.Context(), c, spec, noSleep)
		if err != nil {
			t.Fatalf("Remove(%s) error = %v", tt.catalog, err)
		}
		if diff := cmp.Diff(tt.want, got.Removals); diff != "" {
			t.Errorf("Remove(%s) mismatch (-want +got):\n%s", tt.catalog, diff)
		}
		if diff := cmp.Diff(tt.writes, ws.Writes()); diff != "" {
			t.Errorf("Remove(%s) writes mismatch (-want +got):\n%s", tt.catalog, diff)
		}
		ws.ResetWrites()
		if _, err := online.Remove(t.Context(), c, spec, noSleep); err != nil {
			t.Fatalf("Remove(%s) again error = %v", tt.catalog, err)
		}
		if w := ws.Writes(); len(w) != 0 {
			t.Errorf("Remove(%s) again wrote %v", tt.catalog, w)
		}
	}
}

// clientsOf returns the online clients of a real SDK client.
func clientsOf(w *databricks.WorkspaceClient) online.Clients {
	return online.Clients{
		FeatureStore: w.FeatureStore, SyncedTables: w.Database, Postgres: w.Postgres, Tables: w.Tables,
		StoreRemover: w.FeatureStore, ProvisionedRemover: w.Database, AutoscalingRemover: w.Postgres,
	}
}
