package xregiontest_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestTablesGet(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	w.AddTable(catalog.TableInfo{
		FullName:         "main.ml.features",
		TableConstraints: []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}},
	})
	ctx := t.Context()
	got, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	checkErr(t, "Get", err, nil)
	want := &catalog.TableInfo{
		FullName: "main.ml.features", CatalogName: "main", SchemaName: "ml", Name: "features",
		TableType:        catalog.TableTypeManaged,
		TableConstraints: []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}},
	}
	if diff := cmp.Diff(want, got, ignoreServerFields, cmpIgnoreTableID); diff != "" {
		t.Errorf("Get() mismatch (-want +got):\n%s", diff)
	}
	if got.TableId == "" || got.MetastoreId != w.MetastoreID() {
		t.Errorf("Get() TableId %q, MetastoreId %q; want an id and %q", got.TableId, got.MetastoreId, w.MetastoreID())
	}

	got.TableConstraints[0].PrimaryKeyConstraint.ChildColumns[0] = "changed"
	again, _ := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	if c := again.TableConstraints[0].PrimaryKeyConstraint.ChildColumns[0]; c != "id" {
		t.Errorf("changing a returned table changed the fake: primary key %q", c)
	}

	w.RecreateTable("main.ml.features")
	recreated, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	checkErr(t, "Get after RecreateTable", err, nil)
	if recreated.TableId == got.TableId {
		t.Errorf("RecreateTable kept TableId %q, want a new one", got.TableId)
	}

	w.DropTable("main.ml.features")
	_, err = w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	checkErr(t, "Get after DropTable", err, apierr.ErrResourceDoesNotExist)
	_, err = w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml"})
	checkErr(t, "Get malformed", err, apierr.ErrInvalidParameterValue)
}

var cmpIgnoreTableID = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".TableId" }, cmp.Ignore())

func TestFunctions(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.spec", RoutineBody: catalog.FunctionInfoRoutineBodyExternal}, "FUNCTION_FEATURE_SPEC")
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.udf"}, "")
	ctx := t.Context()
	tests := []struct {
		name     string
		fullName string
		wantKind string
		wantErr  error
	}{
		{name: "feature_spec", fullName: "main.ml.spec", wantKind: "FUNCTION_FEATURE_SPEC"},
		{name: "unknown_kind", fullName: "main.ml.udf", wantKind: ""},
		{name: "missing", fullName: "main.ml.nope", wantErr: apierr.ErrResourceDoesNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := w.Functions.Get(ctx, catalog.GetFunctionRequest{Name: tt.fullName})
			checkErr(t, "Get", err, tt.wantErr)
			if err == nil && (got.FullName != tt.fullName || got.FunctionId == "") {
				t.Errorf("Get() = %+v, want FullName %q and an id", got, tt.fullName)
			}
			kind, err := w.Functions.SecurableKind(ctx, tt.fullName)
			checkErr(t, "SecurableKind", err, tt.wantErr)
			if kind != tt.wantKind {
				t.Errorf("SecurableKind() = %q, want %q", kind, tt.wantKind)
			}
		})
	}
}

func TestConnectionsAndCredentials(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	w.AddConnection("pg")
	w.AddCredential("svc")
	ctx := t.Context()
	if c, err := w.Connections.Get(ctx, catalog.GetConnectionRequest{Name: "pg"}); err != nil || c.Name != "pg" {
		t.Errorf("Connections.Get(pg) = %+v, %v", c, err)
	}
	_, err := w.Connections.Get(ctx, catalog.GetConnectionRequest{Name: "nope"})
	checkErr(t, "Connections.Get missing", err, apierr.ErrResourceDoesNotExist)
	if c, err := w.Credentials.GetCredential(ctx, catalog.GetCredentialRequest{NameArg: "svc"}); err != nil || c.Name != "svc" {
		t.Errorf("Credentials.GetCredential(svc) = %+v, %v", c, err)
	}
	_, err = w.Credentials.GetCredential(ctx, catalog.GetCredentialRequest{NameArg: "nope"})
	checkErr(t, "Credentials.GetCredential missing", err, apierr.ErrResourceDoesNotExist)
}

func TestMetastoresSummary(t *testing.T) {
	t.Parallel()
	const id = "0b7d2a5e-0000-4000-8000-000000000001"
	w := xregiontest.NewWorkspace(xregiontest.WithRegion("azure", "westeurope"), xregiontest.WithMetastoreID(id),
		xregiontest.WithOrganization("acme-eu"), xregiontest.WithUser("me@example.com"))
	got, err := w.Metastores.Summary(t.Context())
	checkErr(t, "Summary", err, nil)
	want := &catalog.GetMetastoreSummaryResponse{
		MetastoreId: id, GlobalMetastoreId: "azure:westeurope:" + id, Cloud: "azure", Region: "westeurope",
		Name: "metastore-azure-westeurope", Owner: "me@example.com", PrivilegeModelVersion: "1.0",
		DeltaSharingScope: catalog.DeltaSharingScopeEnumInternalAndExternal, DeltaSharingOrganizationName: "acme-eu",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summary() mismatch (-want +got):\n%s", diff)
	}
	if w.GlobalMetastoreID() != want.GlobalMetastoreId || w.MetastoreID() != id {
		t.Errorf("GlobalMetastoreID(), MetastoreID() = %q, %q", w.GlobalMetastoreID(), w.MetastoreID())
	}
}

func TestDefaultMetastoreIDs(t *testing.T) {
	t.Parallel()
	east1, east2 := xregiontest.NewWorkspace(), xregiontest.NewWorkspace()
	west := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-west-2"))
	if east1.GlobalMetastoreID() != east2.GlobalMetastoreID() {
		t.Errorf("same region, different metastores: %s, %s", east1.GlobalMetastoreID(), east2.GlobalMetastoreID())
	}
	if east1.MetastoreID() == west.MetastoreID() {
		t.Errorf("different regions, same metastore %s", west.MetastoreID())
	}
	summary, err := east1.Metastores.Summary(t.Context())
	checkErr(t, "Summary", err, nil)
	if summary.DeltaSharingOrganizationName != "org-us-east-1" || summary.GlobalMetastoreId != "aws:us-east-1:"+east1.MetastoreID() {
		t.Errorf("Summary() = %+v, want organization org-us-east-1 in aws:us-east-1", summary)
	}
}

func TestCatalogsCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		req     catalog.CreateCatalog
		want    *catalog.CatalogInfo
		wantErr error
	}{
		{
			name: "managed",
			req:  catalog.CreateCatalog{Name: "online", Comment: "c", Properties: map[string]string{"k": "v"}},
			want: &catalog.CatalogInfo{
				Name: "online", FullName: "online", Comment: "c", Properties: map[string]string{"k": "v"},
				CatalogType: catalog.CatalogTypeManagedCatalog, SecurableType: catalog.SecurableTypeCatalog,
			},
		},
		{name: "invalid_name", req: catalog.CreateCatalog{Name: "a.b"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_name", req: catalog.CreateCatalog{}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "seeded_exists", req: catalog.CreateCatalog{Name: "seeded"}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "implied_by_table_exists", req: catalog.CreateCatalog{Name: "main"}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "provider_without_share", req: catalog.CreateCatalog{Name: "x", ProviderName: "p"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "missing_provider", req: catalog.CreateCatalog{Name: "x", ProviderName: "p", ShareName: "s"}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "foreign_not_modelled", req: catalog.CreateCatalog{Name: "x", ConnectionName: "pg"}, wantErr: apierr.ErrNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddCatalog(catalog.CatalogInfo{Name: "seeded"})
			w.AddTable(catalog.TableInfo{FullName: "main.ml.t"})
			got, err := w.Catalogs.Create(t.Context(), tt.req)
			checkErr(t, "Create", err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got, ignoreServerFields); diff != "" {
				t.Errorf("Create() mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			stored, err := w.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: tt.req.Name})
			checkErr(t, "Get", err, nil)
			if diff := cmp.Diff(got, stored); diff != "" {
				t.Errorf("Get() after Create() mismatch (-created +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogsGetMissing(t *testing.T) {
	t.Parallel()
	_, err := xregiontest.NewWorkspace().Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "nope"})
	checkErr(t, "Get", err, apierr.ErrResourceDoesNotExist)
}

func TestCatalogSeedingPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func(w *xregiontest.Workspace)
	}{
		{name: "table_two_parts", f: func(w *xregiontest.Workspace) { w.AddTable(catalog.TableInfo{FullName: "main.t"}) }},
		{name: "table_duplicate", f: func(w *xregiontest.Workspace) { w.AddTable(catalog.TableInfo{FullName: "main.ml.t"}) }},
		{name: "table_in_shared_catalog", f: func(w *xregiontest.Workspace) { w.AddTable(catalog.TableInfo{FullName: "shared.ml.t"}) }},
		{name: "function_no_name", f: func(w *xregiontest.Workspace) { w.AddFunction(catalog.FunctionInfo{}, "") }},
		{name: "function_duplicate", f: func(w *xregiontest.Workspace) { w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.f"}, "") }},
		{name: "catalog_duplicate", f: func(w *xregiontest.Workspace) { w.AddCatalog(catalog.CatalogInfo{Name: "main"}) }},
		{name: "catalog_bad_name", f: func(w *xregiontest.Workspace) { w.AddCatalog(catalog.CatalogInfo{Name: "a b"}) }},
		{name: "connection_duplicate", f: func(w *xregiontest.Workspace) { w.AddConnection("pg") }},
		{name: "credential_duplicate", f: func(w *xregiontest.Workspace) { w.AddCredential("svc") }},
		{name: "drop_missing", f: func(w *xregiontest.Workspace) { w.DropTable("main.ml.nope") }},
		{name: "recreate_missing", f: func(w *xregiontest.Workspace) { w.RecreateTable("main.ml.nope") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddTable(catalog.TableInfo{FullName: "main.ml.t"})
			w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.f"}, "")
			w.AddCatalog(catalog.CatalogInfo{Name: "shared", ProviderName: "p", ShareName: "s"})
			w.AddConnection("pg")
			w.AddCredential("svc")
			mustPanic(t, func() { tt.f(w) })
		})
	}
}

func TestOptionPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func()
	}{
		{name: "bad_cloud", f: func() { xregiontest.WithRegion("ibm", "x") }},
		{name: "empty_region", f: func() { xregiontest.WithRegion("aws", "") }},
		{name: "bad_metastore_id", f: func() { xregiontest.WithMetastoreID("not-a-uuid") }},
		{name: "bad_organization", f: func() { xregiontest.WithOrganization("a b") }},
		{name: "zero_page_size", f: func() { xregiontest.WithPageSize(0) }},
		{name: "empty_user", f: func() { xregiontest.WithUser("") }},
		{name: "negative_lag", f: func() { xregiontest.WithProviderLag(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mustPanic(t, tt.f)
		})
	}
}
