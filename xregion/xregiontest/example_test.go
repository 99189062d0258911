package xregiontest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// Example seeds a source workspace in us-east-1 with a model and its feature
// table, links it to a target workspace in eu-west-1, shares both through
// D2D Delta Sharing and reads the shared table from the target's catalog.
func Example() {
	ctx := context.Background()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
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

func must(err error) {
	if err != nil {
		panic(err)
	}
}
