package xregiontest_test

import (
	"slices"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestHTTPRolloutFreshness runs the pipeline with real SDK clients against
// stores that are Lakebase Autoscaling projects (the default), whose
// replies leave out spec and the Unity Catalog state: the first run
// publishes, a re-run writes nothing, a new version re-syncs the online
// table, and a table that failed is published again.
func TestHTTPRolloutFreshness(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithStoreStartup(1))
	xregiontest.Link(src, dst)
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving"})
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	version := func(v int) {
		src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
			}}})
	}
	version(1)
	srcSrv, _ := serve(t, src)
	dstSrv, _ := serve(t, dst)
	s, err := rollout.FromClient(newClient(t, srcSrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	d, err := rollout.FromClient(newClient(t, dstSrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	noSleep := xregion.WithoutPause()
	const table = "serving.default.ml_customer_features_online"
	run := func(name, version string) *rollout.RegionResult {
		t.Helper()
		src.ResetWrites()
		dst.ResetWrites()
		res, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: d}, rollout.Spec{Model: "main.ml.fraud", Version: version, OnlineCatalog: "serving"}, noSleep)
		if err != nil {
			t.Fatalf("%s: Region() = %v", name, err)
		}
		return res
	}
	republished := func() bool {
		return slices.Contains(dst.Writes(), xregiontest.Write{Method: "FeatureStore.PublishTable", Resource: table})
	}

	res := run("first run", "1")
	if st := res.OnlineStatus; len(st) != 1 || st[0].API != online.APIAutoscaling || st[0].LastSync.IsZero() {
		t.Errorf("first run: online status %+v, want the table online through the Autoscaling API, with its last sync", st)
	}
	run("re-run", "1")
	if w := append(src.Writes(), dst.Writes()...); len(w) != 0 {
		t.Errorf("re-run wrote %v, want nothing", w)
	}

	version(2)
	res = run("new version", "2")
	if !republished() || res.Online.Tables[0].Op != xregion.OpUpdated {
		t.Errorf("new version: online table %+v, writes %v; want it synced again", res.Online.Tables[0], dst.Writes())
	}

	src.RecreateTable("main.ml.customer_features")
	res = run("failed table", "2")
	if !republished() || res.Online.Tables[0].Op != xregion.OpUpdated {
		t.Errorf("failed table: online table %+v, writes %v; want it published again", res.Online.Tables[0], dst.Writes())
	}
	run("after the heal", "2")
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("run after the heal wrote %v, want nothing", w)
	}
	if n := dst.Calls("Database.GetSyncedDatabaseTable"); n > 1 {
		t.Errorf("the Provisioned API was asked %d times, want at most once (for the table before its first publish)", n)
	}
}
