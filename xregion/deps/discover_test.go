package deps_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestDiscoverDependencies(t *testing.T) {
	t.Parallel()
	v3 := &deps.Dependencies{Model: model, Version: 3, Tables: fullDeps().Tables[:1]}
	tests := []struct {
		name    string
		spec    deps.DiscoverSpec
		noKinds bool
		faults  []xregiontest.Fault
		want    *deps.Dependencies
		wantErr error
	}{
		{name: "by_number", spec: deps.DiscoverSpec{Model: model, Version: "1"}, want: fullDeps()},
		{name: "by_alias", spec: deps.DiscoverSpec{Model: model, Version: "@champion"}, want: fullDeps()},
		{name: "latest_skips_versions_not_ready", spec: deps.DiscoverSpec{Model: model, Version: "latest"}, want: v3},
		{name: "empty_version_is_latest", spec: deps.DiscoverSpec{Model: model}, want: v3},
		{
			name:    "feature_spec_named_by_caller",
			spec:    deps.DiscoverSpec{Model: model, Version: "1", FeatureSpecs: []string{featspec}},
			noKinds: true,
			want:    fullDeps(),
		},
		{
			name:    "without_kinds_functions_are_plain",
			spec:    deps.DiscoverSpec{Model: model, Version: "1"},
			noKinds: true,
			want: func() *deps.Dependencies {
				d := fullDeps()
				d.Functions[1].FeatureSpec = false
				return d
			}(),
		},
		{name: "version_not_ready", spec: deps.DiscoverSpec{Model: model, Version: "2"}, wantErr: xregion.ErrNotReady},
		{name: "missing_version", spec: deps.DiscoverSpec{Model: model, Version: "9"}, wantErr: apierr.ErrNotFound},
		{name: "unknown_alias", spec: deps.DiscoverSpec{Model: model, Version: "@nope"}, wantErr: apierr.ErrNotFound},
		{name: "missing_model", spec: deps.DiscoverSpec{Model: "main.ml.nope"}, wantErr: apierr.ErrNotFound},
		{name: "two_part_model", spec: deps.DiscoverSpec{Model: "ml.fraud"}, wantErr: xregion.ErrInvalidInput},
		{name: "bad_version", spec: deps.DiscoverSpec{Model: model, Version: "v1"}, wantErr: xregion.ErrInvalidInput},
		{name: "bad_feature_spec_name", spec: deps.DiscoverSpec{Model: model, FeatureSpecs: []string{"spec"}}, wantErr: xregion.ErrInvalidInput},
		{
			name:    "permission_denied_on_function",
			spec:    deps.DiscoverSpec{Model: model, Version: "1"},
			faults:  []xregiontest.Fault{{Method: "Functions.Get", Skip: 1, Err: xregiontest.PermissionDenied("User does not have EXECUTE on Function")}},
			wantErr: apierr.ErrPermissionDenied,
		},
		{
			name: "missing_table",
			spec: deps.DiscoverSpec{Model: model, Version: "1"},
			// The list of the schema fails, so each table is read.
			faults: []xregiontest.Fault{{Method: "Tables.ListAll", Err: xregiontest.Unavailable("try again")},
				{Method: "Tables.Get", Err: xregiontest.NotFound("Table 'main.ml.history' does not exist.")}},
			wantErr: apierr.ErrResourceDoesNotExist,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			seedModel(ws)
			for _, f := range tt.faults {
				ws.Inject(f)
			}
			c := sourceClients(ws)
			if tt.noKinds {
				c.FunctionKinds = nil
			}
			got, err := deps.DiscoverDependencies(t.Context(), c, tt.spec)
			if tt.wantErr != nil {
				var se *xregion.StepError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &se) || se.Step != deps.StepDiscover {
					t.Fatalf("DiscoverDependencies() error = %v, want a DiscoverDependencies StepError matching %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DiscoverDependencies() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("DiscoverDependencies() mismatch (-want +got):\n%s", diff)
			}
			if got.VersionCreated.IsZero() {
				t.Error("VersionCreated is zero; the fake says when every version was created")
			}
			if got.MetastoreID != ws.MetastoreID() {
				t.Errorf("MetastoreID = %q, want the metastore the version's read names, %q", got.MetastoreID, ws.MetastoreID())
			}
			if w := ws.Writes(); len(w) != 0 {
				t.Errorf("DiscoverDependencies() wrote %v, want no write", w)
			}
		})
	}
}

func TestDiscoverDependenciesLatestIsNumericMax(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	for v := 1; v <= 12; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	got, err := deps.DiscoverDependencies(t.Context(), sourceClients(ws), deps.DiscoverSpec{Model: model})
	if err != nil {
		t.Fatalf("DiscoverDependencies() error = %v", err)
	}
	if got.Version != 12 {
		t.Errorf("latest version = %d, want 12", got.Version)
	}
}

func TestDiscoverDependenciesBadInputMakesNoCall(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	_, err := deps.DiscoverDependencies(t.Context(), sourceClients(ws), deps.DiscoverSpec{Model: "main.ml.fraud model"})
	if !errors.Is(err, xregion.ErrInvalidInput) {
		t.Fatalf("error = %v, want ErrInvalidInput", err)
	}
	for _, m := range []string{"ModelVersions.Get", "ModelVersions.GetByAlias", "ModelVersions.ListAll"} {
		if n := ws.Calls(m); n != 0 {
			t.Errorf("%s called %d times before input was checked", m, n)
		}
	}
}

func TestPreconditions(t *testing.T) {
	t.Parallel()
	want := []deps.Precondition{{Kind: "connection", Name: conn}, {Kind: "credential", Name: cred}}
	if diff := cmp.Diff(want, fullDeps().Preconditions()); diff != "" {
		t.Errorf("Preconditions() mismatch (-want +got):\n%s", diff)
	}
}

// TestDiscoverDependenciesReadThrough discovers from the target side, through
// the catalog mounted from the share, and finds what the source has.
func TestDiscoverDependenciesReadThrough(t *testing.T) {
	t.Parallel()
	// Not about propagation: the share shows every change at once.
	src, dst := sharedRegions(t, xregiontest.WithShareLag(0))
	if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), catSpec(src, "fraud_shared"), noSleep); err != nil {
		t.Fatalf("EnsureSharedCatalog() error = %v", err)
	}
	got, err := deps.DiscoverDependencies(t.Context(), sourceClients(dst), deps.DiscoverSpec{Model: "fraud_shared.ml.fraud", Version: "@champion", ReadThrough: "fraud_shared"})
	if err != nil {
		t.Fatalf("DiscoverDependencies() error = %v", err)
	}
	want := fullDeps()
	want.Model = "fraud_shared.ml.fraud"
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("DiscoverDependencies() mismatch (-want +got):\n%s", diff)
	}
}

// TestDiscoverListsTables: the tables of a schema that holds several of
// the model's tables are listed once; a table listed without constraints
// is read by itself, as a list entry may be leaner than a read.
func TestDiscoverListsTables(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	var modelDeps []catalog.Dependency
	for i, pk := range []bool{true, true, false} {
		name := fmt.Sprintf("main.wide.t%d", i)
		ti := catalog.TableInfo{FullName: name}
		if pk {
			ti.TableConstraints = []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}}
		}
		ws.AddTable(ti)
		modelDeps = append(modelDeps, catalog.Dependency{Table: &catalog.TableDependency{TableFullName: name}})
	}
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "wide", ModelName: "m", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: modelDeps}})
	got, err := deps.DiscoverDependencies(t.Context(), sourceClients(ws), deps.DiscoverSpec{Model: "main.wide.m", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tables) != 3 || len(got.Tables[0].PrimaryKeys) != 1 || len(got.Tables[2].PrimaryKeys) != 0 {
		t.Errorf("tables = %+v, want three, the first two with their key", got.Tables)
	}
	if l, g := ws.Calls("Tables.ListAll"), ws.Calls("Tables.Get"); l != 1 || g != 1 {
		t.Errorf("%d lists and %d reads, want 1 list and 1 read (of the table listed without constraints)", l, g)
	}
}
