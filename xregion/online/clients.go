package online

import (
	"context"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
)

// FeatureStore manages online stores and publishes tables into them
// (w.FeatureStore).
type FeatureStore interface {
	GetOnlineStore(ctx context.Context, request ml.GetOnlineStoreRequest) (*ml.OnlineStore, error)
	CreateOnlineStore(ctx context.Context, request ml.CreateOnlineStoreRequest) (*ml.OnlineStore, error)
	PublishTable(ctx context.Context, request ml.PublishTableRequest) (*ml.PublishTableResponse, error)
}

// SyncedTables reads the status of published online tables of online
// stores that are Lakebase Provisioned instances, which the service keeps
// as synced database tables (w.Database).
type SyncedTables interface {
	GetSyncedDatabaseTable(ctx context.Context, request database.GetSyncedDatabaseTableRequest) (*database.SyncedDatabaseTable, error)
}

// PostgresSyncedTables reads the status of published online tables of
// online stores that are Lakebase Autoscaling projects, the kind created
// from 2026-03-23 on (w.Postgres).
type PostgresSyncedTables interface {
	GetSyncedTable(ctx context.Context, request postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error)
}

// Tables reads tables (w.Tables).
type Tables interface {
	Get(ctx context.Context, request catalog.GetTableRequest) (*catalog.TableInfo, error)
}

// StatusClients are the services that report on online tables: the
// Lakebase Autoscaling API, asked first, and the Lakebase Provisioned API,
// for older stores. Either may be nil, and that API is then not asked; at
// least one must be set.
type StatusClients struct {
	// Postgres is the Lakebase Autoscaling API (w.Postgres).
	Postgres PostgresSyncedTables
	// SyncedTables is the Lakebase Provisioned API (w.Database).
	SyncedTables SyncedTables
}

// StoreRemover reads and deletes online stores (w.FeatureStore).
type StoreRemover interface {
	GetOnlineStore(ctx context.Context, request ml.GetOnlineStoreRequest) (*ml.OnlineStore, error)
	DeleteOnlineStore(ctx context.Context, request ml.DeleteOnlineStoreRequest) error
}

// ProvisionedRemover deletes the online tables of online stores that are
// Lakebase Provisioned instances, and lists an instance's tables
// (w.Database).
type ProvisionedRemover interface {
	DeleteSyncedDatabaseTable(ctx context.Context, request database.DeleteSyncedDatabaseTableRequest) error
	ListSyncedDatabaseTablesAll(ctx context.Context, request database.ListSyncedDatabaseTablesRequest) ([]database.SyncedDatabaseTable, error)
}

// AutoscalingRemover deletes the online tables of online stores that are
// Lakebase Autoscaling projects (w.Postgres). The SDK's reply is a
// long-running operation; [Remove] does not wait on it, but polls the
// table until it is gone.
type AutoscalingRemover interface {
	DeleteSyncedTable(ctx context.Context, request postgres.DeleteSyncedTableRequest) (postgres.DeleteSyncedTableOperationInterface, error)
}

// Clients are the target-workspace services [PublishOnline] and [Remove]
// call. The Removers are needed by [Remove] only; [PublishOnline] and the
// waits leave them unset.
type Clients struct {
	FeatureStore FeatureStore
	// SyncedTables and Postgres report on online tables (see
	// [StatusClients]).
	SyncedTables SyncedTables
	Postgres     PostgresSyncedTables
	Tables       Tables

	// StoreRemover deletes online stores (w.FeatureStore).
	StoreRemover StoreRemover
	// ProvisionedRemover deletes the online tables of Lakebase Provisioned
	// stores and lists a store's tables (w.Database).
	ProvisionedRemover ProvisionedRemover
	// AutoscalingRemover deletes the online tables of Lakebase Autoscaling
	// stores (w.Postgres).
	AutoscalingRemover AutoscalingRemover
}

// Status returns the clients that report on online tables, for
// [WaitOnline].
func (c Clients) Status() StatusClients {
	return StatusClients{Postgres: c.Postgres, SyncedTables: c.SyncedTables}
}

// Compile-time proof that the real SDK services still fit.
var (
	_ FeatureStore         = ml.FeatureStoreInterface(nil)
	_ SyncedTables         = database.DatabaseInterface(nil)
	_ PostgresSyncedTables = postgres.PostgresInterface(nil)
	_ Tables               = catalog.TablesInterface(nil)
	_ StoreRemover         = ml.FeatureStoreInterface(nil)
	_ ProvisionedRemover   = database.DatabaseInterface(nil)
	_ AutoscalingRemover   = postgres.PostgresInterface(nil)
)
