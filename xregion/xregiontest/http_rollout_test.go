package xregiontest_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestHTTPRollout runs the whole pipeline for one region with real SDK
// clients, each workspace behind its own server, and then again to check
// that a converged rollout writes nothing.
func TestHTTPRollout(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithStoreStartup(1))
	xregiontest.Link(src, dst)
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving"})
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	src.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{
		Dependencies: []catalog.Dependency{{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}}},
	}}, "FUNCTION_FEATURE_SPEC")
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
		}}})
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
	spec := rollout.Spec{Model: "main.ml.fraud", Version: "1", OnlineCatalog: "serving"}
	noSleep := xregion.WithoutPause()

	res, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: d}, spec, noSleep)
	if err != nil {
		t.Fatalf("Region() = %+v, %v", res, err)
	}
	if res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("Region() endpoint = %+v, want deployed", res.Endpoint)
	}
	if fs := res.Dependencies.Functions; len(fs) != 1 || !fs[0].FeatureSpec {
		t.Errorf("functions = %+v, want the FeatureSpec, known by its securable_kind", fs)
	}
	// The share lag is on over HTTP too, and only the wait for the share
	// met it.
	lagged := dst.LaggedReads()
	if len(lagged) == 0 {
		t.Error("the share lag hid nothing over HTTP")
	}
	for _, r := range lagged {
		if r.Method != "Tables.Get" && r.Method != "Tables.ListAll" && r.Method != "Functions.Get" && r.Method != "Functions.ListAll" && r.Method != "ModelVersions.Get" {
			t.Errorf("%s read %s before the share showed it", r.Method, r.Object)
		}
	}

	src.ResetWrites()
	dst.ResetWrites()
	res, err = rollout.Region(t.Context(), s, rollout.Target{Workspace: d}, spec, noSleep)
	if err != nil {
		t.Fatalf("second Region() = %+v, %v", res, err)
	}
	if w := append(src.Writes(), dst.Writes()...); len(w) != 0 {
		t.Errorf("second Region() wrote %v, want no write", w)
	}
}
