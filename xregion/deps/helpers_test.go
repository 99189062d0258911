package deps_test

import (
	"github.com/cenkalti/backoff/v4"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// noSleep polls without waiting, so tests never sleep for real.
var noSleep = xregion.WithoutPause()

// giveUpAfter polls n more times without waiting, then gives up.
func giveUpAfter(n uint64) xregion.Option {
	return xregion.WithBackOff(func() backoff.BackOff { return backoff.WithMaxRetries(&backoff.ZeroBackOff{}, n) })
}

// cmpOpts are the options every comparison here shares.
// cmpOpts compare results; VersionCreated, a server time, is checked on
// its own.
var cmpOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(deps.Dependencies{}, "VersionCreated", "MetastoreID")}

const (
	model     = "main.ml.fraud"
	features  = "main.ml.features"
	history   = "main.ml.history"
	featspec  = "main.ml.fraud_spec"
	udf       = "main.ml.amount_bucket"
	innerUDF  = "main.ml.normalize"
	conn      = "kafka_conn"
	cred      = "s3_cred"
	shareName = "fraud_share"
)

func tableDep(n string) catalog.Dependency {
	return catalog.Dependency{Table: &catalog.TableDependency{TableFullName: n}}
}

func fnDep(n string) catalog.Dependency {
	return catalog.Dependency{Function: &catalog.FunctionDependency{FunctionFullName: n}}
}

func depList(d ...catalog.Dependency) *catalog.DependencyList {
	return &catalog.DependencyList{Dependencies: d}
}

// seedModel gives ws the fraud model: version 1 (alias champion) and 3 are
// READY and depend on a feature table and a FeatureSpec that reads another
// table and a UDF; the UDF calls a second UDF that needs a connection and a
// credential. Version 2 is still registering.
func seedModel(ws *xregiontest.Workspace) {
	pk := func(cols []string, ts ...string) []catalog.TableConstraint {
		return []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: cols, TimeseriesColumns: ts}}}
	}
	ws.AddTable(catalog.TableInfo{FullName: features, TableId: "11111111-0000-0000-0000-000000000001", TableConstraints: pk([]string{"customer_id"}, "ts")})
	ws.AddTable(catalog.TableInfo{FullName: history, TableId: "11111111-0000-0000-0000-000000000002", TableConstraints: pk([]string{"customer_id", "day"})})
	ws.AddFunction(catalog.FunctionInfo{FullName: featspec, RoutineDependencies: depList(tableDep(history), fnDep(udf))}, "FUNCTION_FEATURE_SPEC")
	ws.AddFunction(catalog.FunctionInfo{FullName: udf, RoutineDependencies: depList(fnDep(innerUDF), tableDep(features))}, "FUNCTION_STANDARD")
	ws.AddFunction(catalog.FunctionInfo{FullName: innerUDF, RoutineDependencies: depList(
		catalog.Dependency{Connection: &catalog.ConnectionDependency{ConnectionName: conn}},
		catalog.Dependency{Credential: &catalog.CredentialDependency{CredentialName: cred}},
		catalog.Dependency{}, // a secret: the SDK has no field for it
		fnDep(udf),           // a cycle must not loop forever
	)}, "FUNCTION_STANDARD")
	full := depList(tableDep(features), fnDep(featspec), tableDep(features))
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1, ModelVersionDependencies: full})
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 2, Status: catalog.ModelVersionInfoStatusPendingRegistration})
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3, ModelVersionDependencies: depList(tableDep(features))})
	ws.SetAlias(model, "champion", 1)
}

// fullDeps is what DiscoverDependencies finds for version 1 of seedModel.
func fullDeps() *deps.Dependencies {
	return &deps.Dependencies{
		Model:   model,
		Version: 1,
		Tables: []deps.Table{
			{Name: features, TableID: "11111111-0000-0000-0000-000000000001", Type: catalog.TableTypeManaged, PrimaryKeys: []string{"customer_id"}, TimeseriesKey: "ts"},
			{Name: history, TableID: "11111111-0000-0000-0000-000000000002", Type: catalog.TableTypeManaged, PrimaryKeys: []string{"customer_id", "day"}},
		},
		Functions: []deps.Function{
			{Name: udf},
			{Name: featspec, FeatureSpec: true},
			{Name: innerUDF},
		},
		Connections:   []string{conn},
		Credentials:   []string{cred},
		Unrepresented: 1,
	}
}

func sourceClients(ws *xregiontest.Workspace) deps.SourceClients {
	return deps.SourceClients{ModelVersions: ws.ModelVersions, Tables: ws.Tables, Functions: ws.Functions, FunctionKinds: ws.Functions}
}

func shareClients(ws *xregiontest.Workspace) deps.ShareClients {
	return deps.ShareClients{Shares: ws.Shares, Recipients: ws.Recipients, Metastores: ws.Metastores}
}

func catalogClients(ws *xregiontest.Workspace) deps.CatalogClients {
	return deps.CatalogClients{Providers: ws.Providers, Catalogs: ws.Catalogs}
}
