package deps_test

import (
	"fmt"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// wideModel seeds a model version with n feature tables and n functions,
// each function reading one table, and returns the source and target.
func wideModel(b *testing.B, n int) (src, dst *xregiontest.Workspace) {
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	var list []catalog.Dependency
	for i := range n {
		tbl, fn := fmt.Sprintf("main.ml.t%04d", i), fmt.Sprintf("main.ml.f%04d", i)
		src.AddTable(catalog.TableInfo{FullName: tbl, TableConstraints: []catalog.TableConstraint{
			{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}},
		}})
		src.AddFunction(catalog.FunctionInfo{FullName: fn, RoutineDependencies: depList(tableDep(tbl))}, "FUNCTION_STANDARD")
		list = append(list, fnDep(fn))
	}
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1, ModelVersionDependencies: depList(list...)})
	return src, dst
}

// BenchmarkDiscoverDependencies measures discovery of a model with 100
// functions and 100 tables against the in-memory fake: the cost of the walk
// itself, not of the network.
func BenchmarkDiscoverDependencies(b *testing.B) {
	src, _ := wideModel(b, 100)
	c := sourceClients(src)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := deps.DiscoverDependencies(b.Context(), c, deps.DiscoverSpec{Model: model, Version: "1"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnsureShareConverged measures a re-run of EnsureShare on a share
// that already holds all of a 201-object model: three reads, no write.
func BenchmarkEnsureShareConverged(b *testing.B) {
	src, dst := wideModel(b, 100)
	d, err := deps.DiscoverDependencies(b.Context(), sourceClients(src), deps.DiscoverSpec{Model: model, Version: "1"})
	if err != nil {
		b.Fatal(err)
	}
	spec := deps.ShareSpec{Name: shareName, Dependencies: d, Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}}
	if _, err := deps.EnsureShare(b.Context(), shareClients(src), spec); err != nil {
		b.Fatal(err)
	}
	src.ResetWrites()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := deps.EnsureShare(b.Context(), shareClients(src), spec); err != nil {
			b.Fatal(err)
		}
	}
	if w := src.Writes(); len(w) != 0 {
		b.Fatalf("converged EnsureShare wrote %v", w)
	}
}
