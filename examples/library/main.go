// Command library rolls a model version out to one target region with
// xregion's step functions, one by one, as the README's "Using the library"
// shows (that text is this file's, checked by a test). Most tools call
// rollout.Region, which does the same with preflight checks, dry runs and
// results for the step summary; use the steps when you need to put your own
// logic between them.
//
//	go run ./examples/library -demo
//
// runs it against two emulated workspaces on 127.0.0.1. Against real ones:
//
//	XREGION_SOURCE_TOKEN=... XREGION_TARGET_TOKEN=... go run ./examples/library \
//	  -source https://<source-workspace> -target https://<target-workspace> \
//	  -model main.ml.fraud -version @champion -online-catalog serving
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/signal"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "library:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "run against two emulated workspaces on 127.0.0.1")
	source := fs.String("source", "", "the source workspace URL (token in XREGION_SOURCE_TOKEN)")
	target := fs.String("target", "", "the target workspace URL (token in XREGION_TARGET_TOKEN)")
	model := fs.String("model", "main.ml.fraud", "the model's three-part name in the source")
	version := fs.String("version", "latest", "the version: a number, @alias or latest")
	onlineCatalog := fs.String("online-catalog", "serving", "a writable catalog of the target for online tables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var opts []xregion.Option
	srcSet := client.Settings{Host: *source, Token: os.Getenv("XREGION_SOURCE_TOKEN")}
	dstSet := client.Settings{Host: *target, Token: os.Getenv("XREGION_TARGET_TOKEN")}
	if *demo {
		srcSet, dstSet = emulated()
		opts = append(opts, xregion.WithPollInterval(10*time.Millisecond))
	}
	src, err := client.New(ctx, srcSet)
	if err != nil {
		return err
	}
	dst, err := client.New(ctx, dstSet)
	if err != nil {
		return err
	}
	res, err := rollOut(ctx, src, dst, *model, *version, *onlineCatalog, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("endpoint %s: %s, serving %v\n", res.Endpoint, res.Outcome, res.After.Served)
	return nil
}

// README begin
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

// README end

// emulated starts a source and a target workspace on 127.0.0.1, the source
// holding the demo model, and returns how to reach them. They serve until
// the process ends.
func emulated() (src, dst client.Settings) {
	s := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	t := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(s, t)
	s.AddDemoModel(1)
	t.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	const token = "dapi-demo"
	serve := func(ws *xregiontest.Workspace) string {
		return httptest.NewServer(ws.Handler(xregiontest.WithToken(token))).URL
	}
	return client.Settings{Host: serve(s), Token: token}, client.Settings{Host: serve(t), Token: token}
}
