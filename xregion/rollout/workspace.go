package rollout

import (
	"context"
	"fmt"

	"github.com/databricks/databricks-sdk-go"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
)

// Workspace holds the services of one workspace that the pipeline calls.
// Its field names are those of *databricks.WorkspaceClient, whose fields fit
// as they are ([FromClient]); so do those of an
// [github.com/org/xregion-action/xregion/xregiontest.Workspace].
//
// The runs take the source workspace as a Workspace value; the zero
// Workspace ([Workspace.IsZero]) means a run without the source workspace:
// the deploy phase, or a teardown or status of the targets alone. A source
// must have the services the run calls on it: its Metastores always; for
// the share (PhaseAll and PhaseShare) also ModelVersions, Tables, Functions,
// Shares and Recipients; in the deploy phase ModelVersions when the version
// is latest or an alias. A teardown's share side (all but PhaseDeploy)
// calls its Shares, Recipients and Metastores. A source that lacks one of
// them fails before any call with an error matching
// [xregion.ErrInvalidInput]. [FromClient] sets them all.
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

// IsZero reports whether w has no service: every service field, from
// Metastores to FunctionKinds, is nil. Caller and Requests describe
// services and are none themselves, so a Workspace with only those set is
// zero too. As the source of a run, the zero Workspace means that the run
// has no source workspace ([WithoutSource]).
func (w Workspace) IsZero() bool {
	for _, s := range w.services() {
		if s.set {
			return false
		}
	}
	return true
}

// service is one service field of a [Workspace]: its name, and whether it
// is set.
type service struct {
	name string
	set  bool
}

// services lists the service fields of w in the order of the struct.
func (w Workspace) services() []service {
	return []service{
		{"Metastores", w.Metastores != nil}, {"ModelVersions", w.ModelVersions != nil}, {"Tables", w.Tables != nil},
		{"Functions", w.Functions != nil}, {"Connections", w.Connections != nil}, {"Credentials", w.Credentials != nil},
		{"Shares", w.Shares != nil}, {"Recipients", w.Recipients != nil}, {"Providers", w.Providers != nil},
		{"Catalogs", w.Catalogs != nil}, {"Schemas", w.Schemas != nil}, {"FeatureStore", w.FeatureStore != nil},
		{"Database", w.Database != nil}, {"Postgres", w.Postgres != nil}, {"ServingEndpoints", w.ServingEndpoints != nil},
		{"FunctionKinds", w.FunctionKinds != nil},
	}
}

// orNil returns the source workspace as the internals take it: nil when w
// is zero (no source workspace), else a pointer to a copy.
func (w Workspace) orNil() *Workspace {
	if w.IsZero() {
		return nil
	}
	return &w
}

// need is a service that a run calls on the source workspace, and why.
type need struct{ service, why string }

// runNeeds are the services a run of spec (validated, defaults filled)
// calls on its source workspace.
func runNeeds(spec Spec) []need {
	needs := []need{{"Metastores", "it is read for the source metastore"}}
	if spec.Phase != PhaseDeploy {
		const discover, share = "discovery reads the model through it", "sharing the model calls it"
		return append(needs, need{"ModelVersions", discover}, need{"Tables", discover}, need{"Functions", discover},
			need{"Shares", share}, need{"Recipients", share})
	}
	if sel, _ := xregion.ParseVersion("version", spec.Version); sel.Number == 0 {
		needs = append(needs, need{"ModelVersions", fmt.Sprintf("version %q is resolved through it", spec.Version)})
	}
	return needs
}

// teardownNeeds are the services a teardown of spec (validated, defaults
// filled) calls on its source workspace.
func teardownNeeds(spec Spec) []need {
	if spec.Phase == PhaseDeploy {
		return nil
	}
	const why = "the share's teardown calls it"
	return []need{{"Shares", why}, {"Recipients", why}, {"Metastores", why}}
}

// checkSource returns an input error naming the first of needs that the
// source workspace src lacks; nil when it has them all, or when src is nil
// (no source workspace), which the spec's validation has judged already.
func checkSource(src *Workspace, needs []need) error {
	if src == nil {
		return nil
	}
	set := map[string]bool{}
	for _, s := range src.services() {
		set[s.name] = s.set
	}
	for _, n := range needs {
		if !set[n.service] {
			return invalid.Input("source workspace", "", "no %s service (%s)", n.service, n.why)
		}
	}
	return nil
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
	// A table being deleted may outlive its schema: it settles nothing.
	return len(st) == 1 && st[0].Phase != online.PhaseMissing && st[0].Phase != online.PhaseDeleting, nil
}

func (w Workspace) shared() deps.SharedReaders {
	return deps.SharedReaders{ModelVersions: w.ModelVersions, Tables: w.Tables, Functions: w.Functions}
}
