package xregiontest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// Example seeds a source workspace in us-east-1 with a model and its feature
// table, links it to a target workspace in eu-west-1, shares both through
// D2D Delta Sharing and reads the shared table from the target's catalog.
func Example() {
	ctx := context.Background()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	// Share changes and providers reach this workspace at once (see
	// WithShareLag and WithProviderLag).
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithShareLag(0), xregiontest.WithProviderLag(0))
	xregiontest.Link(src, dst)

	src.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1})

	// Source side: recipient, share, objects, grant.
	_, err := src.Recipients.Create(ctx, sharing.CreateRecipient{
		Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks,
		DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID(),
	})
	must(err)
	_, err = src.Shares.Create(ctx, sharing.CreateShare{Name: "fraud_share"})
	must(err)
	_, err = src.Shares.Update(ctx, sharing.UpdateShare{Name: "fraud_share", Updates: []sharing.SharedDataObjectUpdate{
		{Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: "main.ml.fraud", DataObjectType: sharing.SharedDataObjectDataObjectTypeModel}},
		{Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}},
	}})
	must(err)
	_, err = src.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{
		Name: "fraud_share", Changes: []sharing.PermissionsChange{{Principal: "eu", Add: []string{"SELECT"}}},
	})
	must(err)

	// Target side: the provider has appeared; make a catalog from its share.
	providers, err := dst.Providers.ListAll(ctx, sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: src.GlobalMetastoreID()})
	must(err)
	provider := providers[0].Name
	fmt.Println("provider:", provider)
	_, err = dst.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "fraud_shared", ProviderName: provider, ShareName: "fraud_share"})
	must(err)

	table, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "fraud_shared.ml.features"})
	must(err)
	fmt.Println("table:", table.FullName)
	_, err = dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	fmt.Println("source name in target is missing:", errors.Is(err, apierr.ErrNotFound))

	for _, w := range src.Writes() {
		fmt.Println("write:", w.Method, w.Resource)
	}
	// Output:
	// provider: org-us-east-1
	// table: fraud_shared.ml.features
	// source name in target is missing: true
	// write: Recipients.Create eu
	// write: Shares.Create fraud_share
	// write: Shares.Update fraud_share
	// write: Shares.UpdatePermissions fraud_share
}

// ExampleWorkspace_ScriptTable creates an online store, publishes a table
// into it once it is AVAILABLE, and reads the online table's status as its
// script has it fail. Reads, not time, move the store and the table on.
func ExampleWorkspace_ScriptTable() {
	ctx := context.Background()
	w := xregiontest.NewWorkspace(xregiontest.WithStoreStartup(1))
	w.AddTable(catalog.TableInfo{
		FullName:         "main.ml.features",
		TableConstraints: []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}},
	})
	w.AddCatalog(catalog.CatalogInfo{Name: "online"})
	w.ScriptTable("online.ml.features",
		xregiontest.SyncStep{
			State:        database.SyncedTableStateSyncedTableProvisioningPipelineResources,
			Provisioning: database.ProvisioningInfoStateProvisioning,
			Times:        2,
		},
		xregiontest.SyncStep{
			State:        database.SyncedTableStateSyncedTableOfflineFailed,
			Provisioning: database.ProvisioningInfoStateActive,
			Message:      "out of capacity",
		},
	)

	store, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "fraud-online", Capacity: "CU_1"}})
	must(err)
	fmt.Println("created:", store.State)
	req := ml.PublishTableRequest{SourceTableName: "main.ml.features", PublishSpec: ml.PublishSpec{
		OnlineStore: "fraud-online", OnlineTableName: "online.ml.features", PublishMode: ml.PublishSpecPublishModeSnapshot,
	}}
	_, err = w.FeatureStore.PublishTable(ctx, req)
	fmt.Println("publish while starting is a bad request:", errors.Is(err, apierr.ErrBadRequest))
	for range 2 {
		store, err = w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "fraud-online"})
		must(err)
		fmt.Println("store:", store.State)
	}
	_, err = w.FeatureStore.PublishTable(ctx, req)
	must(err)
	// The new store is a Lakebase Autoscaling project: its tables are read
	// through w.Postgres, and the reply leaves out the state ACTIVE.
	for range 3 {
		t, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/online.ml.features"})
		must(err)
		fmt.Printf("table: %q %s %q\n", t.Status.UnityCatalogProvisioningState, t.Status.DetailedState, t.Status.Message)
	}
	// Output:
	// created: STARTING
	// publish while starting is a bad request: true
	// store: STARTING
	// store: AVAILABLE
	// table: "PROVISIONING" SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES ""
	// table: "PROVISIONING" SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES ""
	// table: "" SYNCED_TABLE_OFFLINE_FAILED "out of capacity"
}

// ExampleWorkspace_ScriptDeployment serves version 1 of a model, then
// scripts the deployment of version 2 to fail: the update ends in
// UPDATE_FAILED, version 1 keeps serving, and the pending config says why.
// Get reads, not time, move the updates on.
func ExampleWorkspace_ScriptDeployment() {
	ctx := context.Background()
	w := xregiontest.NewWorkspace()
	for v := 1; v <= 2; v++ {
		w.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	entity := func(v string) serving.ServedEntityInput {
		return serving.ServedEntityInput{Name: "fraud-" + v, EntityName: "main.ml.fraud", EntityVersion: v, WorkloadSize: "Small"}
	}

	wait, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{
		Name:   "fraud",
		Config: &serving.EndpointCoreConfigInput{ServedEntities: []serving.ServedEntityInput{entity("1")}},
	})
	must(err)
	fmt.Println("created:", wait.Response.State.ConfigUpdate, wait.Response.State.Ready)
	e, err := wait.Get() // reads until NOT_UPDATING, without sleeping
	must(err)
	fmt.Println("deployed:", e.State.ConfigUpdate, e.State.Ready, "config version", e.Config.ConfigVersion)

	w.ScriptDeployment("main.ml.fraud", "2", xregiontest.Deployment{Polls: 1, Fail: true, Message: "container build failed"})
	wait, err = w.ServingEndpoints.UpdateConfig(ctx, serving.EndpointCoreConfigInput{
		Name: "fraud", ServedEntities: []serving.ServedEntityInput{entity("2")},
	})
	must(err)
	_, err = w.ServingEndpoints.UpdateConfig(ctx, serving.EndpointCoreConfigInput{
		Name: "fraud", ServedEntities: []serving.ServedEntityInput{entity("1")},
	})
	fmt.Println("second update while in progress is a conflict:", errors.Is(err, apierr.ErrResourceConflict))
	_, err = wait.Get()
	fmt.Println("update failed:", err != nil)

	e, err = w.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "fraud"})
	must(err)
	fmt.Println("state:", e.State.ConfigUpdate, e.State.Ready)
	fmt.Println("serving:", e.Config.ServedEntities[0].Name, "config version", e.Config.ConfigVersion)
	failed := e.PendingConfig.ServedEntities[0]
	fmt.Printf("pending: %s %s %q\n", failed.Name, failed.State.Deployment, failed.State.DeploymentStateMessage)

	r, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "fraud", DataframeRecords: []any{map[string]any{"amount": 12.5}}})
	must(err)
	fmt.Println("query answered by:", r.ServedModelName, r.Predictions)
	for _, ev := range w.EndpointHistory("fraud") {
		fmt.Println("history:", ev.ConfigUpdate, ev.Ready, ev.Served)
	}
	// Output:
	// created: IN_PROGRESS NOT_READY
	// deployed: NOT_UPDATING READY config version 1
	// second update while in progress is a conflict: true
	// update failed: true
	// state: UPDATE_FAILED READY
	// serving: fraud-1 config version 1
	// pending: fraud-2 DEPLOYMENT_FAILED "container build failed"
	// query answered by: fraud-1 [0.5]
	// history: IN_PROGRESS false []
	// history: NOT_UPDATING true [main.ml.fraud@1]
	// history: IN_PROGRESS true [main.ml.fraud@1]
	// history: UPDATE_FAILED true [main.ml.fraud@1]
}

// ExampleWorkspace_Handler serves a fake workspace over HTTP and talks to
// it with the real SDK client: its JSON, its errors and its write log are
// those of the in-memory fake.
func ExampleWorkspace_Handler() {
	ws := xregiontest.NewWorkspace()
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
	srv := httptest.NewServer(ws.Handler(xregiontest.WithToken("dapi-test")))
	defer srv.Close()

	w, err := databricks.NewWorkspaceClient(&databricks.Config{
		Host: srv.URL, Token: "dapi-test", AuthType: "pat",
		// noLoader loads nothing, so that DATABRICKS_* variables of the
		// environment do not leak into the client.
		Loaders: []config.Loader{noLoader{}},
	})
	must(err)
	ctx := context.Background()

	table, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	must(err)
	fmt.Println("table:", table.FullName, table.TableType)
	_, err = w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.missing"})
	fmt.Println("missing:", apierr.IsMissing(err))
	_, err = w.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
	must(err)
	for _, wr := range ws.Writes() {
		fmt.Println("write:", wr.Method, wr.Resource)
	}
	// Output:
	// table: main.ml.features MANAGED
	// missing: true
	// write: Shares.Create s1
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
