package deps_test

import (
	"context"
	"fmt"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// exampleRegions returns a source workspace in us-east-1 holding a fraud
// model that reads a feature table through a FeatureSpec, linked to a
// target workspace in eu-west-1.
func exampleRegions() (src, dst *xregiontest.Workspace) {
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}, TimeseriesColumns: []string{"ts"}}},
	}})
	src.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{
		Dependencies: []catalog.Dependency{{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}}},
	}}, "FUNCTION_FEATURE_SPEC")
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 4,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			{Connection: &catalog.ConnectionDependency{ConnectionName: "kafka_conn"}},
		}}})
	src.SetAlias("main.ml.fraud", "champion", 4)
	return src, dst
}

func discover(ctx context.Context, src *xregiontest.Workspace) *deps.Dependencies {
	d, err := deps.DiscoverDependencies(ctx,
		deps.SourceClients{ModelVersions: src.ModelVersions, Tables: src.Tables, Functions: src.Functions, FunctionKinds: src.Functions},
		deps.DiscoverSpec{Model: "main.ml.fraud", Version: "@champion"})
	if err != nil {
		panic(err)
	}
	return d
}

func ExampleDiscoverDependencies() {
	ctx := context.Background()
	src, _ := exampleRegions()

	d, err := deps.DiscoverDependencies(ctx,
		deps.SourceClients{ModelVersions: src.ModelVersions, Tables: src.Tables, Functions: src.Functions, FunctionKinds: src.Functions},
		deps.DiscoverSpec{Model: "main.ml.fraud", Version: "@champion"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s version %d\n", d.Model, d.Version)
	for _, t := range d.Tables {
		fmt.Printf("table %s, primary key %v, timeseries %s\n", t.Name, t.PrimaryKeys, t.TimeseriesKey)
	}
	for _, f := range d.Functions {
		fmt.Printf("function %s, FeatureSpec %t\n", f.Name, f.FeatureSpec)
	}
	fmt.Println("preconditions:", d.Preconditions())
	// Output:
	// main.ml.fraud version 4
	// table main.ml.customer_features, primary key [customer_id], timeseries ts
	// function main.ml.fraud_features, FeatureSpec true
	// preconditions: [{connection kafka_conn}]
}

func ExampleEnsureShare() {
	ctx := context.Background()
	src, dst := exampleRegions()
	d := discover(ctx, src)

	spec := deps.ShareSpec{
		Name:         "fraud_share",
		Dependencies: d,
		Recipient:    deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()},
	}
	c := deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores}
	for range 2 {
		r, err := deps.EnsureShare(ctx, c, spec)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("share %s %s: %d added; recipient %s; grant %s\n", r.Share, r.Op, len(r.Added), r.RecipientOp, r.GrantOp)
	}
	// Output:
	// share fraud_share created: 3 added; recipient created; grant created
	// share fraud_share unchanged: 0 added; recipient unchanged; grant unchanged
}

func ExampleEnsureSharedCatalog() {
	ctx := context.Background()
	src, dst := exampleRegions()
	sh, err := deps.EnsureShare(ctx,
		deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores},
		deps.ShareSpec{Name: "fraud_share", Dependencies: discover(ctx, src), Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}})
	if err != nil {
		fmt.Println(err)
		return
	}

	r, err := deps.EnsureSharedCatalog(ctx,
		deps.CatalogClients{Providers: dst.Providers, Catalogs: dst.Catalogs},
		deps.CatalogSpec{Name: "fraud_shared", Share: sh.Share, SourceMetastoreID: src.GlobalMetastoreID()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("catalog %s %s from provider %s, share %s\n", r.Catalog, r.Op, r.Provider, r.Share)

	// Share changes reach the target about a minute later: wait for them.
	if err := deps.WaitShareVisible(ctx,
		deps.SharedReaders{ModelVersions: dst.ModelVersions, Tables: dst.Tables, Functions: dst.Functions},
		deps.VisibleSpec{Catalog: r.Catalog, Dependencies: discover(ctx, src), Region: "eu-west-1"},
		xregion.WithoutPause()); err != nil {
		fmt.Println(err)
		return
	}
	// The feature table is now readable in the target region.
	t, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "fraud_shared.ml.customer_features"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("target reads", t.FullName)
	// Output:
	// catalog fraud_shared created from provider org-us-east-1, share fraud_share
	// target reads fraud_shared.ml.customer_features
}

func ExampleRemoveShare() {
	ctx := context.Background()
	src, dst := exampleRegions()
	d := discover(ctx, src)
	sc := deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores}
	recipient := deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}
	if _, err := deps.EnsureShare(ctx, sc, deps.ShareSpec{Name: "fraud_share", Dependencies: d, Recipient: recipient}); err != nil {
		fmt.Println(err)
		return
	}

	spec := deps.RemoveShareSpec{Name: "fraud_share", Model: d.Model, Recipients: []deps.RecipientSpec{recipient}}
	src.ResetWrites()
	plan, err := deps.RemoveShare(ctx, sc, spec, xregion.WithDryRun())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("dry run writes:", len(src.Writes()))
	for _, r := range plan.Removals {
		fmt.Println(r)
	}
	if _, err := deps.RemoveShare(ctx, sc, spec); err != nil {
		fmt.Println(err)
		return
	}
	again, _ := deps.RemoveShare(ctx, sc, spec)
	fmt.Println("re-run:", again.Removals[len(again.Removals)-1])
	// Output:
	// dry run writes: 0
	// removed grant SELECT on fraud_share to xregion-eu-west-1-bb3de75d
	// removed share-object main.ml.customer_features
	// removed share-object main.ml.fraud
	// removed share-object main.ml.fraud_features
	// removed recipient xregion-eu-west-1-bb3de75d
	// removed share fraud_share
	// re-run: absent share fraud_share
}
