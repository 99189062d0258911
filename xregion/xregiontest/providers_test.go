package xregiontest_test

import (
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func providerNames(t *testing.T, w *xregiontest.Workspace, filter string) []string {
	t.Helper()
	got, err := w.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: filter})
	checkErr(t, "Providers.ListAll", err, nil)
	names := []string{}
	for _, p := range got {
		names = append(names, p.Name)
	}
	return names
}

func TestProviderVisibility(t *testing.T) {
	t.Parallel()
	d2d := func(src, dst *xregiontest.Workspace) {
		src.AddRecipient(sharing.RecipientInfo{Name: "r", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	}
	tests := []struct {
		name string
		seed func(src, dst *xregiontest.Workspace)
		want []string
	}{
		{name: "nothing", seed: func(src, dst *xregiontest.Workspace) {}, want: []string{}},
		{name: "recipient_without_grant", seed: func(src, dst *xregiontest.Workspace) {
			d2d(src, dst)
			src.AddShare(sharing.ShareInfo{Name: "s1"})
		}, want: []string{}},
		{name: "granted", seed: func(src, dst *xregiontest.Workspace) {
			d2d(src, dst)
			src.AddShare(sharing.ShareInfo{Name: "s1"})
			src.Grant("s1", "r")
		}, want: []string{"org-us-east-1"}},
		{name: "granted_to_token_recipient", seed: func(src, dst *xregiontest.Workspace) {
			src.AddRecipient(sharing.RecipientInfo{Name: "r"})
			src.AddShare(sharing.ShareInfo{Name: "s1"})
			src.Grant("s1", "r")
		}, want: []string{}},
		{name: "granted_to_another_metastore", seed: func(src, dst *xregiontest.Workspace) {
			src.AddRecipient(sharing.RecipientInfo{Name: "r", DataRecipientGlobalMetastoreId: "aws:ap-south-1:00000000-0000-4000-8000-000000000000"})
			src.AddShare(sharing.ShareInfo{Name: "s1"})
			src.Grant("s1", "r")
		}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := regions(t)
			tt.seed(src, dst)
			if diff := cmp.Diff(tt.want, providerNames(t, dst, "")); diff != "" {
				t.Errorf("Providers.ListAll() mismatch (-want +got):\n%s", diff)
			}
			if got := providerNames(t, src, ""); len(got) != 0 {
				t.Errorf("the provider sees itself as provider: %v", got)
			}
		})
	}
}

func TestProviderDetails(t *testing.T) {
	t.Parallel()
	src, dst := regions(t)
	shareTo(t, src, dst, allObjects()...)
	src.AddShare(sharing.ShareInfo{Name: "a_other"})
	src.AddShare(sharing.ShareInfo{Name: "z_ungranted"})
	src.Grant("a_other", "eu")
	ctx := t.Context()

	want := &sharing.ProviderInfo{
		Name: "org-us-east-1", AuthenticationType: sharing.AuthenticationTypeDatabricks,
		DataProviderGlobalMetastoreId: src.GlobalMetastoreID(), MetastoreId: src.MetastoreID(),
		Cloud: "aws", Region: "us-east-1", Owner: "xregion-test@example.com",
	}
	got, err := dst.Providers.Get(ctx, sharing.GetProviderRequest{Name: "org-us-east-1"})
	checkErr(t, "Providers.Get", err, nil)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Providers.Get() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"org-us-east-1"}, providerNames(t, dst, src.GlobalMetastoreID())); diff != "" {
		t.Errorf("Providers.ListAll(by id) mismatch (-want +got):\n%s", diff)
	}
	if got := providerNames(t, dst, dst.GlobalMetastoreID()); len(got) != 0 {
		t.Errorf("Providers.ListAll(other id) = %v, want none", got)
	}
	shares, err := dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "org-us-east-1"})
	checkErr(t, "Providers.ListSharesAll", err, nil)
	if diff := cmp.Diff([]sharing.ProviderShare{{Name: "a_other"}, {Name: "s1"}}, shares); diff != "" {
		t.Errorf("Providers.ListSharesAll() mismatch (-want +got):\n%s", diff)
	}
	_, err = dst.Providers.Get(ctx, sharing.GetProviderRequest{Name: "nope"})
	checkErr(t, "Providers.Get missing", err, apierr.ErrResourceDoesNotExist)
	_, err = dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "nope"})
	checkErr(t, "Providers.ListSharesAll missing", err, apierr.ErrResourceDoesNotExist)

	// Revoking every grant removes the provider.
	for _, s := range []string{"s1", "a_other"} {
		if _, err := src.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{
			Name: s, Changes: []sharing.PermissionsChange{{Principal: "eu", Remove: []string{"SELECT"}}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = dst.Providers.Get(ctx, sharing.GetProviderRequest{Name: "org-us-east-1"})
	checkErr(t, "Providers.Get after revoke", err, apierr.ErrResourceDoesNotExist)
}

func TestProvidersNeedLink(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace()
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithProviderLag(0))
	src.AddRecipient(sharing.RecipientInfo{Name: "r", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	src.AddShare(sharing.ShareInfo{Name: "s1"})
	src.Grant("s1", "r")
	if got := providerNames(t, dst, ""); len(got) != 0 {
		t.Errorf("unlinked workspace sees providers %v", got)
	}
	third := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-south-1"))
	xregiontest.Link(src, third)
	xregiontest.Link(third, dst) // merges with src's group
	if diff := cmp.Diff([]string{"org-us-east-1"}, providerNames(t, dst, "")); diff != "" {
		t.Errorf("after Link mismatch (-want +got):\n%s", diff)
	}
}

func TestLinkPanicsOnOrganizationClash(t *testing.T) {
	t.Parallel()
	a := xregiontest.NewWorkspace(xregiontest.WithOrganization("acme"))
	b := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithOrganization("acme"))
	mustPanic(t, func() { xregiontest.Link(a, b) })
	mustPanic(t, func() { xregiontest.Link(a, nil) })
}

func TestProviderLag(t *testing.T) {
	t.Parallel()
	src, dst := regions(t, xregiontest.WithProviderLag(2))
	shareTo(t, src, dst, allObjects()...)
	ctx := t.Context()
	create := catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}

	_, err := dst.Catalogs.Create(ctx, create)
	checkErr(t, "Catalogs.Create before propagation", err, apierr.ErrResourceDoesNotExist)
	for i := range 2 {
		if got := providerNames(t, dst, ""); len(got) != 0 {
			t.Fatalf("Providers.ListAll() call %d = %v, want none yet", i+1, got)
		}
	}
	if diff := cmp.Diff([]string{"org-us-east-1"}, providerNames(t, dst, "")); diff != "" {
		t.Fatalf("Providers.ListAll() call 3 mismatch (-want +got):\n%s", diff)
	}
	// The share has been seen three times too, so it is visible at once.
	if _, err := dst.Catalogs.Create(ctx, create); err != nil {
		t.Fatalf("Catalogs.Create after propagation: %v", err)
	}

	// A share granted later lags on its own.
	src.AddShare(sharing.ShareInfo{Name: "s2"})
	src.Grant("s2", "eu")
	for i, want := range [][]sharing.ProviderShare{{{Name: "s1"}}, {{Name: "s1"}}, {{Name: "s1"}, {Name: "s2"}}} {
		got, err := dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "org-us-east-1"})
		checkErr(t, "ListSharesAll", err, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListSharesAll() call %d mismatch (-want +got):\n%s", i+1, diff)
		}
	}
}

func TestSharedCatalogCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		req     catalog.CreateCatalog
		wantErr error
	}{
		{name: "ok", req: catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}},
		{name: "share_not_granted", req: catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s2"}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "share_missing", req: catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "nope"}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "provider_missing", req: catalog.CreateCatalog{Name: "shared", ProviderName: "nope", ShareName: "s1"}, wantErr: apierr.ErrResourceDoesNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := regions(t)
			shareTo(t, src, dst, allObjects()...)
			src.AddShare(sharing.ShareInfo{Name: "s2"})
			got, err := dst.Catalogs.Create(t.Context(), tt.req)
			checkErr(t, "Catalogs.Create", err, tt.wantErr)
			if err != nil {
				return
			}
			want := &catalog.CatalogInfo{
				Name: "shared", FullName: "shared", CatalogType: catalog.CatalogTypeDeltasharingCatalog,
				ProviderName: "org-us-east-1", ShareName: "s1", SecurableType: catalog.SecurableTypeCatalog,
			}
			if diff := cmp.Diff(want, got, ignoreServerFields); diff != "" {
				t.Errorf("Catalogs.Create() mismatch (-want +got):\n%s", diff)
			}
			_, err = dst.Catalogs.Create(t.Context(), tt.req)
			checkErr(t, "Catalogs.Create again", err, apierr.ErrResourceAlreadyExists)
		})
	}
}

// sharedCatalog shares allObjects (and main.ml.t2 as ml.renamed) from src
// with dst and creates catalog "shared" from the share.
func sharedCatalog(t *testing.T) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src, dst = regions(t)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.t2"})
	src.AddTable(catalog.TableInfo{FullName: "main.ml.unshared"})
	shareTo(t, src, dst, append(allObjects(), sharing.SharedDataObject{Name: "main.ml.t2", DataObjectType: typeTable, SharedAs: "ml.renamed"})...)
	if _, err := dst.Catalogs.Create(t.Context(), catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatalf("Catalogs.Create: %v", err)
	}
	return src, dst
}

func TestSharedCatalogReadThrough(t *testing.T) {
	t.Parallel()
	src, dst := sharedCatalog(t)
	ctx := t.Context()
	srcTable, err := src.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	checkErr(t, "source Tables.Get", err, nil)

	got, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "Tables.Get", err, nil)
	want := *srcTable
	want.FullName, want.CatalogName = "shared.ml.features", "shared"
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("shared Tables.Get() mismatch (-want +got):\n%s", diff)
	}

	renamed, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.renamed"})
	checkErr(t, "Tables.Get shared-as", err, nil)
	if renamed.FullName != "shared.ml.renamed" || renamed.Name != "renamed" {
		t.Errorf("Tables.Get(shared-as) = %s (%s)", renamed.FullName, renamed.Name)
	}

	fn, err := dst.Functions.Get(ctx, catalog.GetFunctionRequest{Name: "shared.ml.spec"})
	checkErr(t, "Functions.Get", err, nil)
	if fn.FullName != "shared.ml.spec" || fn.CatalogName != "shared" {
		t.Errorf("Functions.Get() = %s in %s", fn.FullName, fn.CatalogName)
	}
	kind, err := dst.Functions.SecurableKind(ctx, "shared.ml.spec")
	checkErr(t, "SecurableKind", err, nil)
	if kind != "FUNCTION_FEATURE_SPEC" {
		t.Errorf("SecurableKind() = %q", kind)
	}

	mv, err := dst.ModelVersions.GetByAlias(ctx, catalog.GetByAliasRequest{FullName: "shared.ml.fraud", Alias: "champion"})
	checkErr(t, "GetByAlias", err, nil)
	if mv.CatalogName != "shared" || mv.Version != 1 || mv.Aliases[0].CatalogName != "shared" || mv.ModelVersionDependencies == nil {
		t.Errorf("GetByAlias() = %+v", mv)
	}
	list, err := dst.ModelVersions.ListAll(ctx, catalog.ListModelVersionsRequest{FullName: "shared.ml.fraud"})
	checkErr(t, "ListAll", err, nil)
	if len(list) != 1 || list[0].CatalogName != "shared" {
		t.Errorf("ListAll() = %+v", list)
	}

	for _, tc := range []struct {
		name string
		err  error
	}{
		{"table_not_in_share", getTable(t, dst, "shared.ml.unshared")},
		{"original_name_of_shared_as", getTable(t, dst, "shared.ml.t2")},
		{"model_as_table", getTable(t, dst, "shared.ml.fraud")},
		{"table_as_function", getFunction(t, dst, "shared.ml.features")},
		{"missing_model", getModel(t, dst, "shared.ml.nope")},
	} {
		if !errors.Is(tc.err, apierr.ErrResourceDoesNotExist) {
			t.Errorf("%s: error = %v, want 404", tc.name, tc.err)
		}
	}
}

func getTable(t *testing.T, w *xregiontest.Workspace, name string) error {
	_, err := w.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: name})
	return err
}

func getFunction(t *testing.T, w *xregiontest.Workspace, name string) error {
	_, err := w.Functions.Get(t.Context(), catalog.GetFunctionRequest{Name: name})
	return err
}

func getModel(t *testing.T, w *xregiontest.Workspace, name string) error {
	_, err := w.ModelVersions.Get(t.Context(), catalog.GetModelVersionRequest{FullName: name, Version: 1})
	return err
}

func TestSharedCatalogFollowsSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(t *testing.T, src *xregiontest.Workspace)
		wantErr error
		newID   bool
	}{
		{name: "unchanged", change: func(*testing.T, *xregiontest.Workspace) {}},
		{name: "recreated_table_has_new_id", change: func(_ *testing.T, src *xregiontest.Workspace) { src.RecreateTable("main.ml.features") }, newID: true},
		{name: "dropped_table", change: func(_ *testing.T, src *xregiontest.Workspace) { src.DropTable("main.ml.features") }, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "removed_from_share", change: func(t *testing.T, src *xregiontest.Workspace) {
			if _, err := src.Shares.Update(t.Context(), sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{
				{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.features"}},
			}}); err != nil {
				t.Fatal(err)
			}
		}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "grant_revoked", change: func(t *testing.T, src *xregiontest.Workspace) {
			if _, err := src.Shares.UpdatePermissions(t.Context(), sharing.UpdateSharePermissions{
				Name: "s1", Changes: []sharing.PermissionsChange{{Principal: "eu", Remove: []string{"SELECT"}}},
			}); err != nil {
				t.Fatal(err)
			}
		}, wantErr: apierr.ErrResourceDoesNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedCatalog(t)
			before, err := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "shared.ml.features"})
			checkErr(t, "Tables.Get before", err, nil)
			tt.change(t, src)
			after, err := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "shared.ml.features"})
			checkErr(t, "Tables.Get after", err, tt.wantErr)
			if err == nil && (after.TableId != before.TableId) != tt.newID {
				t.Errorf("TableId %s -> %s, want new id: %v", before.TableId, after.TableId, tt.newID)
			}
		})
	}
}
