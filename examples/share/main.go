// Command share runs xregion's sharing steps against in-memory fake
// workspaces: it seeds a model in a source region, discovers what the model
// needs, shares it with a target region and mounts the share there, then runs
// the same steps again to show that converged state makes no write.
//
// Usage:
//
//	go run ./examples/share
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	seed(src)

	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	for pass := 1; pass <= 2; pass++ {
		fmt.Printf("== pass %d\n", pass)
		src.ResetWrites()
		dst.ResetWrites()
		if err := rollout(ctx, src, dst, xregion.WithLogger(log)); err != nil {
			return err
		}
		fmt.Printf("writes: source %d, target %d\n", len(src.Writes()), len(dst.Writes()))
	}
	return nil
}

func rollout(ctx context.Context, src, dst *xregiontest.Workspace, opts ...xregion.Option) error {
	d, err := deps.DiscoverDependencies(ctx, deps.SourceClients{
		ModelVersions: src.ModelVersions, Tables: src.Tables, Functions: src.Functions, FunctionKinds: src.Functions,
	}, deps.DiscoverSpec{Model: "main.ml.fraud", Version: "@champion"}, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("model %s v%d: %d table(s), %d function(s), preconditions %v\n",
		d.Model, d.Version, len(d.Tables), len(d.Functions), d.Preconditions())

	sh, err := deps.EnsureShare(ctx, deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores},
		deps.ShareSpec{Name: "fraud_share", Dependencies: d, Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}}, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("share %s: %s, %d object(s) added, recipient %s (%s), grant %s\n",
		sh.Share, sh.Op, len(sh.Added), sh.Recipient, sh.RecipientOp, sh.GrantOp)

	cat, err := deps.EnsureSharedCatalog(ctx, deps.CatalogClients{Providers: dst.Providers, Catalogs: dst.Catalogs},
		deps.CatalogSpec{Name: "fraud_shared", Share: sh.Share, Model: d.Model, SourceMetastoreID: src.GlobalMetastoreID()}, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("catalog %s: %s, from provider %s\n", cat.Catalog, cat.Op, cat.Provider)
	return nil
}

// seed registers a fraud model whose champion version looks up a feature
// table through a FeatureSpec that also computes an on-demand feature with a
// Python UDF.
func seed(ws *xregiontest.Workspace) {
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}, TimeseriesColumns: []string{"ts"}}},
	}})
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.amount_bucket"}, "FUNCTION_STANDARD")
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
		{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
		{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.amount_bucket"}},
	}}}, "FUNCTION_FEATURE_SPEC")
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 4,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
		}}})
	ws.SetAlias("main.ml.fraud", "champion", 4)
}
