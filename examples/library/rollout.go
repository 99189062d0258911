package main

import (
	"context"

	"github.com/databricks/databricks-sdk-go"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
)

// rollOut shares the model version from src and serves it from dst.
func rollOut(ctx context.Context, src, dst *databricks.WorkspaceClient, model, version, onlineCatalog string, opts ...xregion.Option) (*endpoint.Result, error) {
	srcMeta, err := src.Metastores.Summary(ctx)
	if err != nil {
		return nil, err
	}
	dstMeta, err := dst.Metastores.Summary(ctx)
	if err != nil {
		return nil, err
	}

	// Source: what the version needs, shared with the target's metastore.
	d, err := deps.DiscoverDependencies(ctx,
		deps.SourceClients{ModelVersions: src.ModelVersions, Tables: src.Tables, Functions: src.Functions},
		deps.DiscoverSpec{Model: model, Version: version}, opts...)
	if err != nil {
		return nil, err
	}
	sh, err := deps.EnsureShare(ctx,
		deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores},
		deps.ShareSpec{Name: "fraud_share", Dependencies: d,
			Recipient: deps.RecipientSpec{TargetMetastoreID: dstMeta.GlobalMetastoreId}}, opts...)
	if err != nil {
		return nil, err
	}

	// Target: mount the share, and wait until it shows everything (share
	// changes arrive about a minute late).
	cat, err := deps.EnsureSharedCatalog(ctx,
		deps.CatalogClients{Providers: dst.Providers, Catalogs: dst.Catalogs},
		deps.CatalogSpec{Name: "fraud_shared", Share: sh.Share, Model: d.Model, SourceMetastoreID: srcMeta.GlobalMetastoreId, JustGranted: sh.GrantOp.Wrote()}, opts...)
	if err != nil {
		return nil, err
	}
	err = deps.WaitShareVisible(ctx,
		deps.SharedReaders{ModelVersions: dst.ModelVersions, Tables: dst.Tables, Functions: dst.Functions},
		deps.VisibleSpec{Catalog: cat.Catalog, Dependencies: d}, opts...)
	if err != nil {
		return nil, err
	}

	// Target: publish the feature tables online and wait for them.
	tables := make([]online.Table, len(d.Tables))
	for i, t := range d.Tables {
		tables[i] = online.Table{Name: t.Name, PrimaryKeys: t.PrimaryKeys, TableID: t.TableID}
	}
	pub, err := online.PublishOnline(ctx,
		online.Clients{FeatureStore: dst.FeatureStore, SyncedTables: dst.Database, Postgres: dst.Postgres, Tables: dst.Tables},
		online.PublishSpec{SharedCatalog: cat.Catalog, Catalog: onlineCatalog, Schema: "default", Tables: tables}, opts...)
	if err != nil {
		return nil, err
	}
	_, err = online.WaitOnline(ctx, online.StatusClients{Postgres: dst.Postgres, SyncedTables: dst.Database},
		online.WaitSpec{Tables: pub.OnlineNames(), SyncedAfter: pub.Resynced()}, opts...)
	if err != nil {
		return nil, err
	}

	// Target: serve the version through a canary, probing the new entity
	// directly; a failure restores the previous config.
	endpoints, err := endpoint.WithEntityQueries(dst.ServingEndpoints, dst.Config)
	if err != nil {
		return nil, err
	}
	probe := endpoint.Probe{Name: "answers", Request: []byte(`{"dataframe_records": [{"customer_id": 42}]}`),
		Expect: endpoint.Expect{Path: "predictions"}}
	shared, _ := xregion.ParseFullName("model", model)
	return endpoint.DeployWithRollback(ctx, endpoints, endpoint.Spec{
		Name:   "fraud-eu",
		Entity: endpoint.Entity{Model: shared.InCatalog(cat.Catalog).String(), Version: d.Version},
		Canary: []int{10, 50, 100},
		Probes: []endpoint.Probe{probe},
	}, opts...)
}
