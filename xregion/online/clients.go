package online

import (
	"context"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
)

// FeatureStore manages online stores and publishes tables into them
// (w.FeatureStore).
type FeatureStore interface {
	GetOnlineStore(ctx context.Context, request ml.GetOnlineStoreRequest) (*ml.OnlineStore, error)
	CreateOnlineStore(ctx context.Context, request ml.CreateOnlineStoreRequest) (*ml.OnlineStore, error)
	PublishTable(ctx context.Context, request ml.PublishTableRequest) (*ml.PublishTableResponse, error)
}

// SyncedTables reads the status of published online tables, which the
// service keeps as Lakebase synced tables (w.Database).
type SyncedTables interface {
	GetSyncedDatabaseTable(ctx context.Context, request database.GetSyncedDatabaseTableRequest) (*database.SyncedDatabaseTable, error)
}

// Tables reads tables (w.Tables).
type Tables interface {
	Get(ctx context.Context, request catalog.GetTableRequest) (*catalog.TableInfo, error)
}

// Compile-time proof that the real SDK services still fit.
var (
	_ FeatureStore = ml.FeatureStoreInterface(nil)
	_ SyncedTables = database.DatabaseInterface(nil)
	_ Tables       = catalog.TablesInterface(nil)
)
