package xregiontest_test

import (
	"context"

	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/serving"

	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// The fakes fit the interfaces the steps consume.
var (
	_ deps.ModelVersions = (*xregiontest.ModelVersions)(nil)
	_ deps.Tables        = (*xregiontest.Tables)(nil)
	_ deps.Functions     = (*xregiontest.Functions)(nil)
	_ deps.FunctionKinds = (*xregiontest.Functions)(nil)
	_ deps.Metastores    = (*xregiontest.Metastores)(nil)
	_ deps.Shares        = (*xregiontest.Shares)(nil)
	_ deps.Recipients    = (*xregiontest.Recipients)(nil)
	_ deps.Providers     = (*xregiontest.Providers)(nil)
	_ deps.Catalogs      = (*xregiontest.Catalogs)(nil)

	_ online.FeatureStore = (*xregiontest.FeatureStore)(nil)
	_ online.SyncedTables = (*xregiontest.Database)(nil)
	_ online.Tables       = (*xregiontest.Tables)(nil)

	_ endpoint.Endpoints = (*xregiontest.ServingEndpoints)(nil)
)

// featureStore, syncedTables and servingEndpoints are every method the
// fakes of w.FeatureStore, w.Database and w.ServingEndpoints have, with the
// SDK's signatures.
type (
	featureStore interface {
		online.FeatureStore
		ListOnlineStoresAll(ctx context.Context, request ml.ListOnlineStoresRequest) ([]ml.OnlineStore, error)
		DeleteOnlineTable(ctx context.Context, request ml.DeleteOnlineTableRequest) error
	}
	syncedTables interface {
		online.SyncedTables
		DeleteSyncedDatabaseTable(ctx context.Context, request database.DeleteSyncedDatabaseTableRequest) error
	}
	servingEndpoints interface {
		endpoint.Endpoints
		ListAll(ctx context.Context) ([]serving.ServingEndpoint, error)
	}
)

// The real services have those methods, and so do the fakes.
var (
	_ featureStore = ml.FeatureStoreInterface(nil)
	_ featureStore = (*xregiontest.FeatureStore)(nil)
	_ syncedTables = database.DatabaseInterface(nil)
	_ syncedTables = (*xregiontest.Database)(nil)

	_ servingEndpoints = serving.ServingEndpointsInterface(nil)
	_ servingEndpoints = (*xregiontest.ServingEndpoints)(nil)
)
