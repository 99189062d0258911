package rollout_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

var noSleep = xregion.WithoutPause()

// world is a source region with the fraud model and target regions, each
// with a writable catalog "serving" for online tables.
type world struct {
	src     *xregiontest.Workspace
	targets []*xregiontest.Workspace
}

func newWorld(t testing.TB, regions ...string) world {
	t.Helper()
	w := world{src: xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))}
	all := []*xregiontest.Workspace{w.src}
	for _, r := range regions {
		ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", r))
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		w.targets = append(w.targets, ws)
		all = append(all, ws)
	}
	xregiontest.Link(all...)
	seedModel(w.src)
	return w
}

// seedModel gives ws the fraud model: versions 1 (alias champion) and 2
// look up a feature table through a FeatureSpec.
func seedModel(ws *xregiontest.Workspace) {
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{
		Dependencies: []catalog.Dependency{{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}}},
	}}, "FUNCTION_FEATURE_SPEC")
	for v := 1; v <= 2; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
	}
	ws.SetAlias("main.ml.fraud", "champion", 1)
}

func (w world) source() rollout.Workspace {
	return rollouttest.Workspace(w.src)
}

func (w world) regionTargets() []rollout.Target {
	var ts []rollout.Target
	for _, ws := range w.targets {
		ts = append(ts, rollout.Target{Workspace: rollouttest.Workspace(ws)})
	}
	return ts
}

func (w world) resetWrites() {
	w.src.ResetWrites()
	for _, ws := range w.targets {
		ws.ResetWrites()
	}
}

func (w world) writes() []xregiontest.Write {
	all := w.src.Writes()
	for _, ws := range w.targets {
		all = append(all, ws.Writes()...)
	}
	return all
}

func baseSpec() rollout.Spec {
	return rollout.Spec{Model: "main.ml.fraud", Version: "@champion", OnlineCatalog: "serving"}
}
