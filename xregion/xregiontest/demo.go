package xregiontest

import "github.com/databricks/databricks-sdk-go/service/catalog"

// AddDemoModel seeds the demo model the examples and the acceptance suite
// roll out: versions 1 to n of main.ml.fraud, each looking up the feature
// table main.ml.customer_features (primary key customer_id) through the
// FeatureSpec main.ml.fraud_features, which also calls the Python UDF
// main.ml.amount_bucket. It panics if n < 1.
func (w *Workspace) AddDemoModel(n int) {
	if n < 1 {
		panic("xregiontest: AddDemoModel: n < 1")
	}
	w.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.amount_bucket", RoutineBody: catalog.FunctionInfoRoutineBodyExternal, ExternalLanguage: "Python"}, "FUNCTION_STANDARD")
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
		{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
		{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.amount_bucket"}},
	}}}, "FUNCTION_FEATURE_SPEC")
	for v := 1; v <= n; v++ {
		w.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
	}
}
