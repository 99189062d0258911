package deps

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
	"golang.org/x/sync/errgroup"
)

// StepDiscover is the step name [DiscoverDependencies] reports in errors.
const StepDiscover = "DiscoverDependencies"

// readConcurrency bounds the reads DiscoverDependencies keeps in flight. The
// SDK's own limiter allows 15 requests a second per client.
const readConcurrency = 8

// SourceClients are the source-workspace services [DiscoverDependencies]
// reads. FunctionKinds is optional.
type SourceClients struct {
	ModelVersions ModelVersions
	Tables        Tables
	Functions     Functions
	// FunctionKinds tells FeatureSpecs from other functions. When nil, only
	// the functions named in [DiscoverSpec.FeatureSpecs] count as
	// FeatureSpecs.
	FunctionKinds FunctionKinds
}

// DiscoverSpec says which model version to inspect.
type DiscoverSpec struct {
	// Model is the registered model's three-part name, catalog.schema.model.
	Model string
	// Version selects the version: a number such as "3", an alias such as
	// "@champion", or "latest" for the newest READY version. Empty means
	// "latest".
	Version string
	// FeatureSpecs names functions to treat as FeatureSpecs whatever
	// FunctionKinds says, for workspaces where the kind cannot be read.
	FeatureSpecs []string
	// ReadThrough, if set, names a catalog mounted from the share that
	// holds the model, for discovery from a target workspace: each
	// dependency catalog.schema.name is then read as
	// ReadThrough.schema.name, and still reported under its source name.
	ReadThrough string
}

// Dependencies is everything a model version needs to serve in another
// region. Lists are de-duplicated and sorted by name.
type Dependencies struct {
	// Model is the model's three-part name.
	Model string `json:"model"`
	// Version is the resolved version number.
	Version int `json:"version"`
	// Tables are the feature tables, those of FeatureSpecs included.
	Tables []Table `json:"tables,omitempty"`
	// Functions are the Python UDFs and FeatureSpecs, found by walking
	// routine dependencies recursively.
	Functions []Function `json:"functions,omitempty"`
	// Connections and Credentials cannot be shared: each must exist in
	// the target workspace under the same name (see [Dependencies.Preconditions]).
	Connections []string `json:"connections,omitempty"`
	Credentials []string `json:"credentials,omitempty"`
	// Unrepresented counts dependency entries of kinds the SDK cannot
	// represent (such as secrets and volumes of external functions); they
	// are not shared.
	Unrepresented int `json:"unrepresented"`
	// VersionCreated is when the version was created, as the service says
	// (zero when it does not), read with the version so that later steps
	// need not read it again. It is not part of the JSON.
	VersionCreated time.Time `json:"-"`
	// MetastoreID is the id (uuid) of the metastore holding the version,
	// as its read reports it (empty when the reply leaves it out or it is
	// not a uuid), so that
	// later steps need not read the metastore summary to know it. It is
	// not part of the JSON.
	MetastoreID string `json:"-"`
}

// Table is a table a model version depends on.
type Table struct {
	// Name is the table's three-part name in the source workspace.
	Name string `json:"name"`
	// TableID identifies this incarnation of the table: a table dropped and
	// re-created under the same name gets a new one.
	TableID string `json:"table_id"`
	// Type is the table's type, such as MANAGED or VIEW.
	Type catalog.TableType `json:"type"`
	// PrimaryKeys are the primary-key columns, needed to publish the table
	// online. Empty when the table has no primary-key constraint.
	PrimaryKeys []string `json:"primary_keys,omitempty"`
	// TimeseriesKey is the primary key's timeseries column, if any.
	TimeseriesKey string `json:"timeseries_key"`
}

// Function is a function a model version depends on.
type Function struct {
	// Name is the function's three-part name in the source workspace.
	Name string `json:"name"`
	// FeatureSpec is true for FeatureSpecs, which are shared under their
	// own object type.
	FeatureSpec bool `json:"feature_spec"`
}

// Precondition is something the target workspace must already have because
// it cannot travel through a share.
type Precondition struct {
	// Kind is "connection" or "credential".
	Kind string `json:"kind"`
	// Name is the name it must have in the target workspace.
	Name string `json:"name"`
}

// Preconditions lists the connections and credentials the target workspace
// must provide.
func (d *Dependencies) Preconditions() []Precondition {
	var p []Precondition
	for _, c := range d.Connections {
		p = append(p, Precondition{Kind: "connection", Name: c})
	}
	for _, c := range d.Credentials {
		p = append(p, Precondition{Kind: "credential", Name: c})
	}
	return p
}

// DiscoverDependencies resolves a model version in the source workspace and
// collects what it depends on: feature tables with their primary-key and
// timeseries columns, functions and FeatureSpecs (walking each function's own
// dependencies recursively), and connections and credentials, which it
// returns as preconditions rather than dropping them. It makes no write.
//
// A version that is not READY is an error matching [xregion.ErrNotReady]; bad
// names match [xregion.ErrInvalidInput]; a missing model, version, alias,
// table or function keeps the SDK's not-found error reachable with errors.Is.
// Every error is a [*xregion.StepError].
func DiscoverDependencies(ctx context.Context, c SourceClients, spec DiscoverSpec, opts ...xregion.Option) (*Dependencies, error) {
	d, err := discover(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return nil, &xregion.StepError{Step: StepDiscover, Resource: fmt.Sprintf("model %q", spec.Model), Err: err}
	}
	return d, nil
}

func discover(ctx context.Context, c SourceClients, spec DiscoverSpec, s settings.Settings) (*Dependencies, error) {
	model, err := xregion.ParseFullName("model", spec.Model)
	if err != nil {
		return nil, err
	}
	sel, err := xregion.ParseVersion("version", spec.Version)
	if err != nil {
		return nil, err
	}
	featureSpecs := make(map[string]bool, len(spec.FeatureSpecs))
	for _, f := range spec.FeatureSpecs {
		if _, err := xregion.ParseFullName("feature spec", f); err != nil {
			return nil, err
		}
		featureSpecs[strings.ToLower(f)] = true
	}
	if spec.ReadThrough != "" {
		if err := invalid.CheckName("read-through catalog", spec.ReadThrough); err != nil {
			return nil, err
		}
	}
	// at is where a dependency is read.
	at := func(name string) string {
		if n, err := xregion.ParseFullName("dependency", name); err == nil && spec.ReadThrough != "" {
			return n.InCatalog(spec.ReadThrough).String()
		}
		return name
	}
	log := s.Logger.With("step", StepDiscover, "model", model.String())

	mv, err := resolveVersion(ctx, c.ModelVersions, model.String(), sel)
	if err != nil {
		return nil, err
	}
	if mv.Status != catalog.ModelVersionInfoStatusReady {
		return nil, fmt.Errorf("version %d has status %s, want READY: %w", mv.Version, mv.Status, xregion.ErrNotReady)
	}
	d := &Dependencies{Model: model.String(), Version: mv.Version}
	if bareMetastoreID(mv.MetastoreId) {
		d.MetastoreID = mv.MetastoreId
	}
	if mv.CreatedAt > 0 {
		d.VersionCreated = time.UnixMilli(mv.CreatedAt)
	}
	log = log.With("version", mv.Version)

	var g graph
	g.add(mv.ModelVersionDependencies)
	// A reader of kinds reads each function and its kind in one request.
	reader, _ := c.FunctionKinds.(FunctionReader)
	kinds := map[string]string{}
	// Walk functions breadth first: each level's reads run concurrently.
	for level := g.takeFunctions(); len(level) > 0; level = g.takeFunctions() {
		infos := make([]*catalog.FunctionInfo, len(level))
		levelKinds := make([]string, len(level))
		if err := forEach(ctx, level, func(ctx context.Context, i int, name string) (err error) {
			if reader != nil {
				infos[i], levelKinds[i], err = reader.GetWithKind(ctx, at(name))
			} else {
				infos[i], err = c.Functions.Get(ctx, catalog.GetFunctionRequest{Name: at(name)})
			}
			if err != nil {
				return fmt.Errorf("read function %q: %w", name, err)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for i, fi := range infos {
			g.add(fi.RoutineDependencies)
			if reader != nil {
				kinds[level[i]] = levelKinds[i]
			}
		}
	}
	d.Connections, d.Credentials, d.Unrepresented = g.sortedConnections(), g.sortedCredentials(), g.unrepresented

	fnNames := g.sortedFunctions()
	d.Functions = make([]Function, len(fnNames))
	if err := forEach(ctx, fnNames, func(ctx context.Context, i int, name string) error {
		d.Functions[i] = Function{Name: name, FeatureSpec: featureSpecs[strings.ToLower(name)]}
		if c.FunctionKinds == nil || d.Functions[i].FeatureSpec {
			return nil
		}
		if kind, ok := kinds[name]; ok {
			d.Functions[i].FeatureSpec = kind == string(sharing.SharedSecurableKindFunctionFeatureSpec)
			return nil
		}
		kind, err := c.FunctionKinds.SecurableKind(ctx, at(name))
		if err != nil {
			return fmt.Errorf("read kind of function %q: %w", name, err)
		}
		d.Functions[i].FeatureSpec = kind == string(sharing.SharedSecurableKindFunctionFeatureSpec)
		return nil
	}); err != nil {
		return nil, err
	}

	tableNames := g.sortedTables()
	d.Tables = make([]Table, len(tableNames))
	listed, err := listTables(ctx, c.Tables, tableNames, at)
	if err != nil {
		return nil, err
	}
	if err := forEach(ctx, tableNames, func(ctx context.Context, i int, name string) error {
		if ti, ok := listed[strings.ToLower(at(name))]; ok {
			d.Tables[i] = tableOf(name, ti)
			return nil
		}
		ti, err := c.Tables.Get(ctx, catalog.GetTableRequest{FullName: at(name)})
		if err != nil {
			return fmt.Errorf("read table %q: %w", name, err)
		}
		d.Tables[i] = tableOf(name, ti)
		return nil
	}); err != nil {
		return nil, err
	}

	if d.Unrepresented > 0 {
		log.WarnContext(ctx, "some dependencies are of kinds the SDK cannot represent and will not be shared", "count", d.Unrepresented)
	}
	log.InfoContext(ctx, "discovered dependencies",
		"tables", len(d.Tables), "functions", len(d.Functions),
		"connections", len(d.Connections), "credentials", len(d.Credentials))
	return d, nil
}

// listTables lists, when tables can be listed, the schemas that hold more
// than one of the named tables, and returns the listed tables that carry
// their constraints, by lower-case full name: one list answers what many
// reads would. A table the list leaves out, or lists without constraints
// (a list entry may be leaner than a read), is read by itself; so is every
// table of a schema whose list fails.
func listTables(ctx context.Context, tables Tables, names []string, at func(string) string) (map[string]*catalog.TableInfo, error) {
	lister, ok := tables.(TableLister)
	if !ok {
		return nil, nil
	}
	bySchema := map[string]int{}
	for _, n := range names {
		parts := strings.SplitN(at(n), ".", 3)
		if len(parts) == 3 {
			bySchema[parts[0]+"."+parts[1]]++
		}
	}
	out := map[string]*catalog.TableInfo{}
	for _, schema := range slices.Sorted(maps.Keys(bySchema)) {
		if bySchema[schema] < 2 {
			continue // one read is as cheap as the list
		}
		cat, sch, _ := strings.Cut(schema, ".")
		all, err := lister.ListAll(ctx, catalog.ListTablesRequest{CatalogName: cat, SchemaName: sch})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err != nil {
			continue // each table is read by itself, and its error reported
		}
		for i := range all {
			if len(all[i].TableConstraints) > 0 {
				out[strings.ToLower(all[i].FullName)] = &all[i]
			}
		}
	}
	return out, nil
}

// ResolveVersion returns the number of the version that version ("3",
// "@champion", "latest" or empty for latest) selects of model, read from
// mvs. The deploy phase resolves an alias or latest on the source, where it
// is current, before waiting for that number to reach a target through the
// share, which shows new versions late.
func ResolveVersion(ctx context.Context, mvs ModelVersions, model, version string) (int, error) {
	sel, err := xregion.ParseVersion("version", version)
	if err != nil {
		return 0, err
	}
	if sel.Number > 0 {
		return sel.Number, nil
	}
	mv, err := resolveVersion(ctx, mvs, model, sel)
	if err != nil {
		return 0, &xregion.StepError{Step: StepDiscover, Resource: fmt.Sprintf("model %q", model), Err: err}
	}
	return mv.Version, nil
}

// resolveVersion reads the version sel selects, with its dependencies.
func resolveVersion(ctx context.Context, mvs ModelVersions, model string, sel xregion.VersionSelector) (*catalog.ModelVersionInfo, error) {
	switch {
	case sel.Number > 0:
		mv, err := mvs.Get(ctx, catalog.GetModelVersionRequest{FullName: model, Version: sel.Number, IncludeAliases: true})
		if err != nil {
			return nil, fmt.Errorf("read version %d: %w", sel.Number, err)
		}
		return mv, nil
	case sel.Alias != "":
		mv, err := mvs.GetByAlias(ctx, catalog.GetByAliasRequest{FullName: model, Alias: sel.Alias, IncludeAliases: true})
		if err != nil {
			return nil, fmt.Errorf("read alias @%s: %w", sel.Alias, err)
		}
		return mv, nil
	}
	all, err := mvs.ListAll(ctx, catalog.ListModelVersionsRequest{FullName: model})
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	// The service promises no order, so take the maximum.
	latest := 0
	for _, v := range all {
		if v.Status == catalog.ModelVersionInfoStatusReady && v.Version > latest {
			latest = v.Version
		}
	}
	if latest == 0 {
		return nil, fmt.Errorf("no READY version among %d: %w", len(all), xregion.ErrNotReady)
	}
	// List entries may lack dependencies: read the chosen version itself.
	mv, err := mvs.Get(ctx, catalog.GetModelVersionRequest{FullName: model, Version: latest, IncludeAliases: true})
	if err != nil {
		return nil, fmt.Errorf("read version %d: %w", latest, err)
	}
	return mv, nil
}

func tableOf(name string, ti *catalog.TableInfo) Table {
	t := Table{Name: name, TableID: ti.TableId, Type: ti.TableType}
	for _, tc := range ti.TableConstraints {
		if pk := tc.PrimaryKeyConstraint; pk != nil {
			t.PrimaryKeys = slices.Clone(pk.ChildColumns)
			if len(pk.TimeseriesColumns) > 0 {
				t.TimeseriesKey = pk.TimeseriesColumns[0]
			}
			break
		}
	}
	return t
}

// graph collects dependencies, remembering which functions still need a read.
type graph struct {
	tables, functions, connections, credentials map[string]bool
	pending                                     []string
	unrepresented                               int
}

func (g *graph) add(l *catalog.DependencyList) {
	if l == nil {
		return
	}
	put := func(m *map[string]bool, name string) bool {
		if *m == nil {
			*m = map[string]bool{}
		}
		if (*m)[name] {
			return false
		}
		(*m)[name] = true
		return true
	}
	for _, dep := range l.Dependencies {
		switch {
		case dep.Table != nil && dep.Table.TableFullName != "":
			put(&g.tables, dep.Table.TableFullName)
		case dep.Function != nil && dep.Function.FunctionFullName != "":
			if put(&g.functions, dep.Function.FunctionFullName) {
				g.pending = append(g.pending, dep.Function.FunctionFullName)
			}
		case dep.Connection != nil && dep.Connection.ConnectionName != "":
			put(&g.connections, dep.Connection.ConnectionName)
		case dep.Credential != nil && dep.Credential.CredentialName != "":
			put(&g.credentials, dep.Credential.CredentialName)
		default:
			// Secrets and volumes decode as an empty Dependency.
			g.unrepresented++
		}
	}
}

func (g *graph) takeFunctions() []string {
	p := g.pending
	g.pending = nil
	return p
}

func sortedKeys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }

func (g *graph) sortedTables() []string      { return sortedKeys(g.tables) }
func (g *graph) sortedFunctions() []string   { return sortedKeys(g.functions) }
func (g *graph) sortedConnections() []string { return sortedKeys(g.connections) }
func (g *graph) sortedCredentials() []string { return sortedKeys(g.credentials) }

// forEach calls f for every item with bounded concurrency and returns the
// first error.
func forEach[T any](ctx context.Context, items []T, f func(ctx context.Context, i int, item T) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for i, item := range items {
		g.Go(func() error { return f(ctx, i, item) })
	}
	return g.Wait()
}

// isMissing reports a not-found answer from the service.
func isMissing(err error) bool { return apierr.IsMissing(err) }

// isConflict reports an answer that the resource already exists or changed
// under us: a concurrent writer won a race.
func isConflict(err error) bool { return errors.Is(err, apierr.ErrResourceConflict) }
