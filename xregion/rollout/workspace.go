package rollout

import (
	"context"
	"fmt"

	"github.com/databricks/databricks-sdk-go"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
)

// Workspace holds the services of one workspace that the pipeline calls.
// Its field names are those of *databricks.WorkspaceClient, whose fields fit
// as they are ([FromClient]); so do those of an
// [github.com/org/xregion-action/xregion/xregiontest.Workspace].
type Workspace struct {
	Metastores       deps.Metastores
	ModelVersions    deps.ModelVersions
	Tables           online.Tables // also a deps.Tables
	Functions        deps.Functions
	Connections      deps.Connections
	Credentials      deps.Credentials
	Shares           deps.Shares
	Recipients       deps.Recipients
	Providers        deps.Providers
	Catalogs         deps.Catalogs
	Schemas          deps.Schemas
	FeatureStore     online.FeatureStore
	Database         online.SyncedTables         // Lakebase Provisioned
	Postgres         online.PostgresSyncedTables // Lakebase Autoscaling
	ServingEndpoints endpoint.Endpoints
	// FunctionKinds tells FeatureSpecs from other functions; optional.
	FunctionKinds deps.FunctionKinds
	// Caller is the user or service principal the services act as, when
	// the code that built them knows it (FromClient makes no call to find
	// out). On a target it becomes the deployment's [endpoint.Spec].Caller
	// unless that is set, so that a failed update names the endpoint's
	// creator only when the creator is someone else.
	Caller string
	// Requests, if set, is the meter of the client behind these services
	// ([client.Settings].Observe): a run then reports the requests it sent
	// ([RegionResult].Requests). With several regions at once, a source's
	// requests are those of the whole window of each region's run.
	Requests *client.Meter
}

// FromClient returns the services of a real workspace client, including a
// [deps.SDKFunctionKinds] built from its config, serving endpoints with
// per-entity queries ([endpoint.WithEntityQueries]), and both Lakebase
// APIs, through which online tables are read by the API that owns each.
func FromClient(w *databricks.WorkspaceClient) (Workspace, error) {
	kinds, err := deps.NewFunctionKinds(w.Config)
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace %s: %w", w.Config.Host, err)
	}
	endpoints, err := endpoint.WithEntityQueries(w.ServingEndpoints, w.Config)
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace %s: %w", w.Config.Host, err)
	}
	return Workspace{
		Metastores: w.Metastores, ModelVersions: w.ModelVersions, Tables: w.Tables, Functions: w.Functions,
		Connections: w.Connections, Credentials: w.Credentials, Shares: w.Shares, Recipients: w.Recipients,
		Providers: w.Providers, Catalogs: w.Catalogs, Schemas: w.Schemas, FeatureStore: w.FeatureStore,
		// Online tables may live on Lakebase Autoscaling or Provisioned.
		Database: w.Database, Postgres: w.Postgres,
		ServingEndpoints: endpoints, FunctionKinds: kinds,
	}, nil
}

func (w Workspace) source() deps.SourceClients {
	return deps.SourceClients{ModelVersions: w.ModelVersions, Tables: w.Tables, Functions: w.Functions, FunctionKinds: w.FunctionKinds}
}

func (w Workspace) sharing() deps.ShareClients {
	return deps.ShareClients{Shares: w.Shares, Recipients: w.Recipients, Metastores: w.Metastores}
}

func (w Workspace) catalogs() deps.CatalogClients {
	c := deps.CatalogClients{Providers: w.Providers, Catalogs: w.Catalogs}
	// The handoff wraps Get; the catalog's Update and Delete are those of
	// the service underneath.
	under := w.Catalogs
	if h, ok := under.(handoffCatalogs); ok {
		under = h.Catalogs
	}
	c.Editor, _ = under.(deps.CatalogEditor)
	return c
}

func (w Workspace) preconditions() deps.TargetClients {
	return deps.TargetClients{Connections: w.Connections, Credentials: w.Credentials}
}

func (w Workspace) online() online.Clients {
	return online.Clients{FeatureStore: w.FeatureStore, SyncedTables: w.Database, Postgres: w.Postgres, Tables: w.Tables}
}

// onlineRemovers are the online clients with the deletes of [online.Remove],
// taken from the services that have them (the SDK's and the fakes' do).
func (w Workspace) onlineRemovers() online.Clients {
	c := w.online()
	c.StoreRemover, _ = w.FeatureStore.(online.StoreRemover)
	c.ProvisionedRemover, _ = w.Database.(online.ProvisionedRemover)
	c.AutoscalingRemover, _ = w.Postgres.(online.AutoscalingRemover)
	return c
}

func (w Workspace) preflight() deps.PreflightClients {
	c := deps.PreflightClients{Catalogs: w.Catalogs, Schemas: w.Schemas, Providers: w.Providers}
	if w.FeatureStore != nil {
		c.OnlineStores = w.FeatureStore
	}
	if w.Postgres != nil || w.Database != nil {
		c.OnlineTables = onlineFinder{w.online().Status()}
	}
	return c
}

// onlineFinder finds online tables through the Lakebase API that owns each.
type onlineFinder struct{ c online.StatusClients }

func (f onlineFinder) OnlineTableExists(ctx context.Context, name string) (bool, error) {
	st, err := online.ObserveTables(ctx, f.c, []string{name})
	if err != nil {
		return false, err
	}
	return len(st) == 1 && st[0].Phase != online.PhaseMissing, nil
}

func (w Workspace) shared() deps.SharedReaders {
	return deps.SharedReaders{ModelVersions: w.ModelVersions, Tables: w.Tables, Functions: w.Functions}
}
