package xregiontest_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func modelVersion(v int) catalog.ModelVersionInfo {
	return catalog.ModelVersionInfo{
		CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Table: &catalog.TableDependency{TableFullName: "main.ml.features"}},
		}},
	}
}

func seededModel() *xregiontest.Workspace {
	w := xregiontest.NewWorkspace()
	for _, v := range []int{1, 2, 10} {
		w.AddModelVersion(modelVersion(v))
	}
	w.SetAlias("main.ml.fraud", "champion", 2)
	w.SetAlias("main.ml.fraud", "challenger", 2)
	return w
}

func TestModelVersionsGet(t *testing.T) {
	t.Parallel()
	champion := []catalog.RegisteredModelAlias{
		{AliasName: "challenger", VersionNum: 2, CatalogName: "main", SchemaName: "ml", ModelName: "fraud"},
		{AliasName: "champion", VersionNum: 2, CatalogName: "main", SchemaName: "ml", ModelName: "fraud"},
	}
	withStatus := func(v catalog.ModelVersionInfo, aliases []catalog.RegisteredModelAlias) *catalog.ModelVersionInfo {
		v.Status = catalog.ModelVersionInfoStatusReady
		v.Aliases = aliases
		return &v
	}
	tests := []struct {
		name    string
		req     catalog.GetModelVersionRequest
		want    *catalog.ModelVersionInfo
		wantErr error
	}{
		{name: "no_aliases_by_default", req: catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 2}, want: withStatus(modelVersion(2), nil)},
		{name: "aliases_when_asked", req: catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 2, IncludeAliases: true}, want: withStatus(modelVersion(2), champion)},
		{name: "missing_version", req: catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 3}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "missing_model", req: catalog.GetModelVersionRequest{FullName: "main.ml.other", Version: 1}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "malformed_name", req: catalog.GetModelVersionRequest{FullName: "fraud", Version: 1}, wantErr: apierr.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := seededModel().ModelVersions.Get(t.Context(), tt.req)
			checkErr(t, "Get", err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got, ignoreServerFields); diff != "" {
				t.Errorf("Get() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestModelVersionsGetByAlias(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		req         catalog.GetByAliasRequest
		wantVersion int
		wantErr     error
	}{
		{name: "alias", req: catalog.GetByAliasRequest{FullName: "main.ml.fraud", Alias: "champion"}, wantVersion: 2},
		{name: "missing_alias", req: catalog.GetByAliasRequest{FullName: "main.ml.fraud", Alias: "nope"}, wantErr: apierr.ErrNotFound},
		{name: "missing_model", req: catalog.GetByAliasRequest{FullName: "main.ml.nope", Alias: "champion"}, wantErr: apierr.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := seededModel().ModelVersions.GetByAlias(t.Context(), tt.req)
			checkErr(t, "GetByAlias", err, tt.wantErr)
			if err != nil {
				return
			}
			if got.Version != tt.wantVersion || len(got.Aliases) != 2 || got.ModelVersionDependencies == nil {
				t.Errorf("GetByAlias() = version %d, %d aliases, deps %v; want version %d with 2 aliases and deps", got.Version, len(got.Aliases), got.ModelVersionDependencies, tt.wantVersion)
			}
		})
	}
}

func TestModelVersionsListAll(t *testing.T) {
	t.Parallel()
	w := seededModel()
	got, err := w.ModelVersions.ListAll(t.Context(), catalog.ListModelVersionsRequest{FullName: "main.ml.fraud"})
	checkErr(t, "ListAll", err, nil)
	var versions []int
	for _, v := range got {
		versions = append(versions, v.Version)
		if v.Aliases != nil || v.ModelVersionDependencies != nil {
			t.Errorf("ListAll() version %d has aliases %v and dependencies %v, want neither", v.Version, v.Aliases, v.ModelVersionDependencies)
		}
	}
	// String order, not numeric: callers must not rely on any order.
	if diff := cmp.Diff([]int{1, 10, 2}, versions); diff != "" {
		t.Errorf("ListAll() versions mismatch (-want +got):\n%s", diff)
	}
	_, err = w.ModelVersions.ListAll(t.Context(), catalog.ListModelVersionsRequest{FullName: "main.ml.nope"})
	checkErr(t, "ListAll missing", err, apierr.ErrResourceDoesNotExist)
}

func TestModelVersionsReturnCopies(t *testing.T) {
	t.Parallel()
	w := seededModel()
	ctx := t.Context()
	req := catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 1, IncludeAliases: true}
	got, err := w.ModelVersions.Get(ctx, req)
	checkErr(t, "Get", err, nil)
	got.ModelVersionDependencies.Dependencies[0].Table.TableFullName = "changed"
	got.Status = catalog.ModelVersionInfoStatusFailedRegistration
	again, err := w.ModelVersions.Get(ctx, req)
	checkErr(t, "Get", err, nil)
	if again.Status != catalog.ModelVersionInfoStatusReady || again.ModelVersionDependencies.Dependencies[0].Table.TableFullName != "main.ml.features" {
		t.Errorf("changing a returned version changed the fake: %+v", again)
	}
}

func TestSetAliasMoves(t *testing.T) {
	t.Parallel()
	w := seededModel()
	w.SetAlias("main.ml.fraud", "champion", 10)
	got, err := w.ModelVersions.GetByAlias(t.Context(), catalog.GetByAliasRequest{FullName: "main.ml.fraud", Alias: "champion"})
	checkErr(t, "GetByAlias", err, nil)
	if got.Version != 10 {
		t.Errorf("GetByAlias(champion).Version = %d, want 10", got.Version)
	}
}

func TestModelSeedingPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func(w *xregiontest.Workspace)
	}{
		{name: "duplicate_version", f: func(w *xregiontest.Workspace) { w.AddModelVersion(modelVersion(1)) }},
		{name: "zero_version", f: func(w *xregiontest.Workspace) { w.AddModelVersion(modelVersion(0)) }},
		{name: "missing_schema", f: func(w *xregiontest.Workspace) {
			w.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", ModelName: "m", Version: 1})
		}},
		{name: "alias_missing_model", f: func(w *xregiontest.Workspace) { w.SetAlias("main.ml.nope", "a", 1) }},
		{name: "alias_missing_version", f: func(w *xregiontest.Workspace) { w.SetAlias("main.ml.fraud", "a", 7) }},
		{name: "alias_bad_name", f: func(w *xregiontest.Workspace) { w.SetAlias("main.ml.fraud", "a b", 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := seededModel()
			mustPanic(t, func() { tt.f(w) })
		})
	}
}
