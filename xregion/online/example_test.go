package online_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// exampleTarget returns a target workspace whose catalog fraud_shared is
// mounted from a source share holding the feature table
// main.ml.customer_features, with a writable catalog "serving".
func exampleTarget() *xregiontest.Workspace {
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	src.AddShare(sharing.ShareInfo{Name: "fraud_share", Objects: []sharing.SharedDataObject{
		{Name: "main.ml.customer_features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
	}})
	src.Grant("fraud_share", "eu", sharing.PrivilegeSelect)
	dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", CatalogType: catalog.CatalogTypeDeltasharingCatalog, ProviderName: "org-us-east-1", ShareName: "fraud_share"})
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	return dst
}

// publishExample publishes the feature table of exampleTarget.
func publishExample(ctx context.Context, dst *xregiontest.Workspace, opts ...xregion.Option) (*online.PublishResult, error) {
	return online.PublishOnline(ctx,
		online.Clients{FeatureStore: dst.FeatureStore, Postgres: dst.Postgres, SyncedTables: dst.Database, Tables: dst.Tables},
		online.PublishSpec{
			SharedCatalog: "fraud_shared", Catalog: "serving", Schema: "features",
			Tables: []online.Table{{Name: "main.ml.customer_features", PrimaryKeys: []string{"customer_id"}}},
		}, opts...)
}

// Publish a feature table online. The example polls the starting store
// without pausing (WithoutPause); leave it out to poll every 1s to 30s.
func ExamplePublishOnline() {
	ctx := context.Background()
	dst := exampleTarget()
	poll := xregion.WithoutPause()

	res, err := online.PublishOnline(ctx,
		online.Clients{FeatureStore: dst.FeatureStore, Postgres: dst.Postgres, SyncedTables: dst.Database, Tables: dst.Tables},
		online.PublishSpec{
			SharedCatalog: "fraud_shared", Catalog: "serving", Schema: "features",
			Tables: []online.Table{{Name: "main.ml.customer_features", PrimaryKeys: []string{"customer_id"}}},
		}, poll)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("store %s %s\n", res.Store, res.StoreOp)
	for _, t := range res.Tables {
		fmt.Printf("%s -> %s %s\n", t.Source, t.Online, t.Op)
	}

	// Output:
	// store serving-online-store created
	// fraud_shared.ml.customer_features -> serving.features.ml_customer_features_online created
}

// Wait until the published tables are online, reporting progress.
func ExampleWaitOnline() {
	ctx := context.Background()
	dst := exampleTarget()
	poll := xregion.WithoutPause()
	res, err := publishExample(ctx, dst, poll)
	if err != nil {
		fmt.Println(err)
		return
	}

	statuses, err := online.WaitOnline(ctx, online.StatusClients{Postgres: dst.Postgres, SyncedTables: dst.Database}, online.WaitSpec{
		Tables:     res.OnlineNames(),
		OnProgress: func(p online.Progress) { fmt.Printf("%d of %d online\n", p.Online, p.Total) },
	}, poll)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(statuses[0].Name, statuses[0].State)
	// Output:
	// 0 of 1 online
	// 1 of 1 online
	// serving.features.ml_customer_features_online SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE
}

// A new model version is served with fresh features: under the default
// refresh policy, an online table last synced before the version was
// created is synced again (published again, keeping the table); one synced
// after it is left alone.
func ExamplePublishOnline_refresh() {
	ctx := context.Background()
	dst := exampleTarget()
	poll := xregion.WithoutPause()
	res, err := publishExample(ctx, dst, poll)
	if err != nil {
		fmt.Println(err)
		return
	}
	statuses, err := online.WaitOnline(ctx, online.StatusClients{Postgres: dst.Postgres, SyncedTables: dst.Database},
		online.WaitSpec{Tables: res.OnlineNames()}, poll)
	if err != nil {
		fmt.Println(err)
		return
	}
	synced := statuses[0].LastSync
	fmt.Println("last synced", synced.Format(time.RFC3339), "through the", statuses[0].API, "API")

	for _, created := range []time.Time{synced.Add(-time.Hour), synced.Add(time.Hour)} {
		res, err := online.PublishOnline(ctx,
			online.Clients{FeatureStore: dst.FeatureStore, Postgres: dst.Postgres, SyncedTables: dst.Database, Tables: dst.Tables},
			online.PublishSpec{
				SharedCatalog: "fraud_shared", Catalog: "serving", Schema: "features",
				Tables:         []online.Table{{Name: "main.ml.customer_features", PrimaryKeys: []string{"customer_id"}}},
				VersionCreated: created,
			}, poll)
		if err != nil {
			fmt.Println(err)
			return
		}
		t := res.Tables[0]
		fmt.Println("version created", created.Format(time.RFC3339)+":", strings.TrimSpace(string(t.Op)+" "+t.Reason))
	}
	// Output:
	// last synced 2026-06-01T00:00:11Z through the autoscaling API
	// version created 2026-05-31T23:00:11Z: unchanged
	// version created 2026-06-01T01:00:11Z: updated stale: last synced 2026-06-01T00:00:11Z, before the model version was created (2026-06-01T01:00:11Z)
}

// Remove a model's online tables in teardown order, first in a dry run.
// The store is an Autoscaling project, whose tables no API lists, so even
// adopted it is kept: it cannot be proven empty.
func ExampleRemove() {
	ctx := context.Background()
	dst := exampleTarget()
	poll := xregion.WithoutPause()
	if _, err := publishExample(ctx, dst, poll); err != nil {
		fmt.Println(err)
		return
	}

	clients := online.Clients{
		FeatureStore: dst.FeatureStore, Postgres: dst.Postgres, SyncedTables: dst.Database, Tables: dst.Tables,
		StoreRemover: dst.FeatureStore, ProvisionedRemover: dst.Database, AutoscalingRemover: dst.Postgres,
	}
	dst.ResetWrites()
	spec := online.RemoveSpec{
		Catalog: "serving", Schema: "features",
		Tables:     []string{"fraud_shared.ml.customer_features"},
		AdoptStore: true,
	}
	for _, opts := range [][]xregion.Option{{poll, xregion.WithDryRun()}, {poll}, {poll}} {
		res, err := online.Remove(ctx, clients, spec, opts...)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range res.Removals {
			fmt.Println(r)
		}
		fmt.Println("writes:", len(dst.Writes()))
		dst.ResetWrites()
	}
	// Output:
	// removed online-table serving.features.ml_customer_features_online
	// kept online-store serving-online-store (cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking)
	// writes: 0
	// removed online-table serving.features.ml_customer_features_online
	// kept online-store serving-online-store (cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking)
	// writes: 1
	// absent online-table serving.features.ml_customer_features_online
	// kept online-store serving-online-store (cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking)
	// writes: 0
}
