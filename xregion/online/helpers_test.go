package online_test

import (
	"testing"

	"github.com/cenkalti/backoff/v4"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// noSleep polls without waiting, so tests never sleep for real.
var noSleep = xregion.WithoutPause()

// giveUpAfter polls n more times without waiting, then gives up.
func giveUpAfter(n uint64) xregion.Option {
	return xregion.WithBackOff(func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, n) })
}

var cmpOpts = cmp.Options{cmpopts.EquateEmpty()}

const (
	features      = "main.ml.features"
	history       = "main.ml.history"
	sharedCatalog = "fraud_shared"
	onlineCatalog = "serving"
	onlineSchema  = "features"
)

var (
	featuresID = "11111111-0000-0000-0000-000000000001"
	historyID  = "11111111-0000-0000-0000-000000000002"
)

// sharedTables returns a target workspace whose catalog fraud_shared is
// mounted from a share of the source holding two feature tables, and which
// has a writable catalog for online tables.
func sharedTables(t *testing.T, targetOpts ...xregiontest.Option) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	// The target sees the provider at once: these tests are about online
	// tables, not about the provider's propagation.
	dst = xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithProviderLag(0)}, targetOpts...)...)
	xregiontest.Link(src, dst)
	pk := func(cols ...string) []catalog.TableConstraint {
		return []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: cols}}}
	}
	src.AddTable(catalog.TableInfo{FullName: features, TableId: featuresID, TableConstraints: pk("customer_id")})
	src.AddTable(catalog.TableInfo{FullName: history, TableId: historyID, TableConstraints: pk("customer_id", "day")})
	src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	src.AddShare(sharing.ShareInfo{Name: "fraud_share", Objects: []sharing.SharedDataObject{
		{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
		{Name: history, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
	}})
	src.Grant("fraud_share", "eu", sharing.PrivilegeSelect)
	providers, err := dst.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{})
	if err != nil || len(providers) != 1 {
		t.Fatalf("target sees providers %v (%v), want one", providers, err)
	}
	dst.AddCatalog(catalog.CatalogInfo{Name: sharedCatalog, CatalogType: catalog.CatalogTypeDeltasharingCatalog, ProviderName: providers[0].Name, ShareName: "fraud_share"})
	dst.AddCatalog(catalog.CatalogInfo{Name: onlineCatalog, CatalogType: catalog.CatalogTypeManagedCatalog})
	return src, dst
}

func clients(ws *xregiontest.Workspace) online.Clients {
	return online.Clients{FeatureStore: ws.FeatureStore, Postgres: ws.Postgres, SyncedTables: ws.Database, Tables: ws.Tables}
}

// status returns the services of ws that report on online tables.
func status(ws *xregiontest.Workspace) online.StatusClients { return clients(ws).Status() }

func publishSpec() online.PublishSpec {
	return online.PublishSpec{
		SharedCatalog: sharedCatalog, Catalog: onlineCatalog, Schema: onlineSchema,
		Tables: []online.Table{
			{Name: features, PrimaryKeys: []string{"customer_id"}, TableID: featuresID},
			{Name: history, PrimaryKeys: []string{"customer_id", "day"}, TableID: historyID},
		},
	}
}
