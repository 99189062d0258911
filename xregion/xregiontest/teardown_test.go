package xregiontest_test

import (
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// sharedWorld shares main.ml.features from src with dst as share s1 to
// recipient "eu", and mounts it in dst as catalog "shared".
func sharedWorld(t *testing.T, dstOpts ...xregiontest.Option) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src, dst = regions(t, dstOpts...)
	shareTo(t, src, dst, sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: typeTable})
	if _, err := dst.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Catalogs.Create(t.Context(), catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatalf("Catalogs.Create: %v", err)
	}
	return src, dst
}

func TestSharesDelete(t *testing.T) {
	t.Parallel()
	src, dst := sharedWorld(t)
	ctx := t.Context()
	src.AddShare(sharing.ShareInfo{Name: "theirs", Owner: "someone@example.com"})

	checkErr(t, "Delete missing", src.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "nope"}), apierr.ErrResourceDoesNotExist)
	checkErr(t, "Delete not owned", src.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "theirs"}), apierr.ErrPermissionDenied)
	if _, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"}); err != nil {
		t.Fatalf("read through the catalog before the delete: %v", err)
	}
	src.ResetWrites()
	// Objects and grants do not block the delete.
	checkErr(t, "Delete", src.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"}), nil)
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Shares.Delete", Resource: "s1"}}, src.Writes()); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
	_, err := src.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
	checkErr(t, "Get deleted", err, apierr.ErrResourceDoesNotExist)
	// The recipient's catalog stays, and reads nothing.
	if _, err := dst.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: "shared"}); err != nil {
		t.Errorf("the shared catalog went with the share: %v", err)
	}
	_, err = dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "read through the catalog of a deleted share", err, apierr.ErrResourceDoesNotExist)
	// A share of the same name made again shows none of the old objects.
	if _, err := src.Shares.Create(ctx, sharing.CreateShare{Name: "s1"}); err != nil {
		t.Fatal(err)
	}
	grant(t, src, "s1", "eu")
	_, err = dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "read through a new share of the same name", err, apierr.ErrResourceDoesNotExist)
}

func TestRecipientsDelete(t *testing.T) {
	t.Parallel()
	src, dst := sharedWorld(t)
	ctx := t.Context()
	src.AddRecipient(sharing.RecipientInfo{Name: "theirs", AuthenticationType: sharing.AuthenticationTypeToken, Owner: "someone@example.com"})
	checkErr(t, "Delete missing", src.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "nope"}), apierr.ErrResourceDoesNotExist)
	checkErr(t, "Delete not owned", src.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "theirs"}), apierr.ErrPermissionDenied)

	// A recipient still granted a share may go; the grant goes with it
	// and is listed with no principal.
	checkErr(t, "Delete", src.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "eu"}), nil)
	perms, err := src.Shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "s1"})
	checkErr(t, "SharePermissions", err, nil)
	want := []sharing.PrivilegeAssignment{{Principal: "", Privileges: []sharing.Privilege{sharing.PrivilegeSelect}}}
	if diff := cmp.Diff(want, perms.PrivilegeAssignments); diff != "" {
		t.Errorf("grants after the recipient's delete mismatch (-want +got):\n%s", diff)
	}
	// The provider is gone from the target, and the catalog reads nothing.
	providers, err := dst.Providers.ListAll(ctx, sharing.ListProvidersRequest{})
	checkErr(t, "Providers.ListAll", err, nil)
	if len(providers) != 0 {
		t.Errorf("providers after the recipient's delete = %v, want none", providers)
	}
	_, err = dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "read through the catalog", err, apierr.ErrResourceDoesNotExist)
	// A recipient made again under the name does not inherit the grant.
	if _, err := src.Recipients.Create(ctx, sharing.CreateRecipient{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()}); err != nil {
		t.Fatal(err)
	}
	got, err := src.Recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "eu"})
	checkErr(t, "Recipients.SharePermissions", err, nil)
	if len(got.PermissionsOut) != 0 {
		t.Errorf("a new recipient of the same name holds %v", got.PermissionsOut)
	}
}

func TestRecipientsSharePermissions(t *testing.T) {
	t.Parallel()
	src, _ := sharedWorld(t)
	ctx := t.Context()
	for _, n := range []string{"s2", "s3"} {
		src.AddShare(sharing.ShareInfo{Name: n})
		src.Grant(n, "eu")
	}
	src.AddShare(sharing.ShareInfo{Name: "not_granted"})
	var got []string
	pages := 0
	for token := ""; ; {
		resp, err := src.Recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "eu", MaxResults: 2, PageToken: token})
		checkErr(t, "SharePermissions", err, nil)
		pages++
		for _, p := range resp.PermissionsOut {
			want := []sharing.PrivilegeAssignment{{Principal: "eu", Privileges: []sharing.Privilege{sharing.PrivilegeSelect}}}
			if !cmp.Equal(p.PrivilegeAssignments, want) {
				t.Errorf("share %s privileges = %v, want %v", p.ShareName, p.PrivilegeAssignments, want)
			}
			got = append(got, p.ShareName)
		}
		if token = resp.NextPageToken; token == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"s1", "s2", "s3"}, got); diff != "" || pages != 2 {
		t.Errorf("shares of eu in %d pages mismatch (-want +got):\n%s", pages, diff)
	}
	_, err := src.Recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "nope"})
	checkErr(t, "missing recipient", err, apierr.ErrResourceDoesNotExist)
	src.AddRecipient(sharing.RecipientInfo{Name: "theirs", AuthenticationType: sharing.AuthenticationTypeToken, Owner: "someone@example.com"})
	_, err = src.Recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "theirs"})
	checkErr(t, "recipient not owned", err, apierr.ErrPermissionDenied)
}

func TestSharePermissionsRevoke(t *testing.T) {
	t.Parallel()
	src, dst := sharedWorld(t)
	ctx := t.Context()
	revoke := func(p string) error {
		_, err := src.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{Name: "s1", Changes: []sharing.PermissionsChange{{Principal: p, Remove: []string{"SELECT"}}}})
		return err
	}
	checkErr(t, "revoke", revoke("eu"), nil)
	checkErr(t, "revoke again", revoke("eu"), apierr.ErrInvalidParameterValue)
	checkErr(t, "revoke from a missing recipient", revoke("nope"), apierr.ErrResourceDoesNotExist)
	_, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "read through the catalog after the revoke", err, apierr.ErrResourceDoesNotExist)
}

// TestShareRemovalLag: a recipient sees an object removed from a share
// only after the share lag, as it sees an added one.
func TestShareRemovalLag(t *testing.T) {
	t.Parallel()
	for _, lag := range []int{0, 2} {
		src, dst := sharedWorld(t, xregiontest.WithShareLag(lag))
		ctx := t.Context()
		// The target sees the table once the lag of its addition passed.
		for range lag {
			if _, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"}); !apierr.IsMissing(err) {
				t.Fatalf("lag %d: read before the addition's lag passed: %v, want 404", lag, err)
			}
		}
		if _, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"}); err != nil {
			t.Fatalf("lag %d: read after the addition's lag: %v", lag, err)
		}
		added := len(dst.LaggedReads())
		_, err := src.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{
			{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.features"}},
		}})
		checkErr(t, "REMOVE", err, nil)
		for i := range lag {
			if _, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"}); err != nil {
				t.Errorf("lag %d: read %d after the removal: %v, want the table still shown", lag, i+1, err)
			}
		}
		_, err = dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
		checkErr(t, "read after the lag", err, apierr.ErrResourceDoesNotExist)
		tables, err := dst.Tables.ListAll(ctx, catalog.ListTablesRequest{CatalogName: "shared", SchemaName: "ml"})
		if err != nil && !apierr.IsMissing(err) {
			t.Fatal(err)
		}
		if len(tables) != 0 {
			t.Errorf("lag %d: list after the lag = %v, want nothing", lag, tables)
		}
		if n := len(dst.LaggedReads()) - added; n != lag {
			t.Errorf("lag %d: %d lagged reads logged, want %d", lag, n, lag)
		}
	}
}

func TestCatalogsDelete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seed    func(src, dst *xregiontest.Workspace)
		req     catalog.DeleteCatalogRequest
		wantErr error
		wantMsg string // in the error
	}{
		{name: "missing", req: catalog.DeleteCatalogRequest{Name: "nope"}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "shared_without_force", req: catalog.DeleteCatalogRequest{Name: "shared"}, wantErr: apierr.ErrInvalidParameterValue, wantMsg: "is not empty"},
		{name: "shared_with_force", req: catalog.DeleteCatalogRequest{Name: "shared", Force: true}},
		{
			name: "shared_of_a_deleted_share_is_empty",
			seed: func(src, _ *xregiontest.Workspace) {
				if err := src.Shares.Delete(t.Context(), sharing.DeleteShareRequest{Name: "s1"}); err != nil {
					t.Fatal(err)
				}
			},
			req: catalog.DeleteCatalogRequest{Name: "shared"},
		},
		{
			name:    "managed_with_tables_without_force",
			seed:    func(_, dst *xregiontest.Workspace) { dst.AddTable(catalog.TableInfo{FullName: "local.s.t"}) },
			req:     catalog.DeleteCatalogRequest{Name: "local"},
			wantErr: apierr.ErrInvalidParameterValue, wantMsg: "is not empty",
		},
		{
			name: "managed_with_tables_with_force",
			seed: func(_, dst *xregiontest.Workspace) { dst.AddTable(catalog.TableInfo{FullName: "local.s.t"}) },
			req:  catalog.DeleteCatalogRequest{Name: "local", Force: true},
		},
		{
			name: "empty_managed",
			seed: func(_, dst *xregiontest.Workspace) { dst.AddCatalog(catalog.CatalogInfo{Name: "local"}) },
			req:  catalog.DeleteCatalogRequest{Name: "local"},
		},
		{
			name: "online_tables_block_even_with_force",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddSyncedTable(database.SyncedDatabaseTable{Name: "local.s.online", Spec: &database.SyncedTableSpec{SourceTableFullName: "shared.ml.features"}})
			},
			req:     catalog.DeleteCatalogRequest{Name: "local", Force: true},
			wantErr: apierr.ErrInvalidParameterValue, wantMsg: "online tables",
		},
		{
			name: "not_owned",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddCatalog(catalog.CatalogInfo{Name: "local", Owner: "someone@example.com"})
			},
			req:     catalog.DeleteCatalogRequest{Name: "local", Force: true},
			wantErr: apierr.ErrPermissionDenied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedWorld(t)
			if tt.seed != nil {
				tt.seed(src, dst)
			}
			dst.ResetWrites()
			err := dst.Catalogs.Delete(t.Context(), tt.req)
			checkErr(t, "Delete", err, tt.wantErr)
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Delete error %q does not say %q", err, tt.wantMsg)
			}
			_, gerr := dst.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: tt.req.Name})
			if tt.wantErr != nil {
				if len(dst.Writes()) != 0 {
					t.Errorf("a refused delete was logged: %v", dst.Writes())
				}
				if tt.name != "missing" && gerr != nil {
					t.Errorf("a refused delete removed the catalog: %v", gerr)
				}
				return
			}
			checkErr(t, "Get after the delete", gerr, apierr.ErrResourceDoesNotExist)
			if diff := cmp.Diff([]xregiontest.Write{{Method: "Catalogs.Delete", Resource: tt.req.Name}}, dst.Writes()); diff != "" {
				t.Errorf("writes mismatch (-want +got):\n%s", diff)
			}
			// Force deleted the contents too.
			_, terr := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: tt.req.Name + ".s.t"})
			checkErr(t, "Get a table of the deleted catalog", terr, apierr.ErrResourceDoesNotExist)
			// The share is not touched.
			if _, err := src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s1"}); err != nil && tt.name != "shared_of_a_deleted_share_is_empty" {
				t.Errorf("the share went with the catalog: %v", err)
			}
		})
	}
}

func TestCatalogsUpdate(t *testing.T) {
	t.Parallel()
	_, dst := sharedWorld(t)
	ctx := t.Context()
	dst.AddCatalog(catalog.CatalogInfo{Name: "theirs", Owner: "someone@example.com"})

	got, err := dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared", Comment: "xregion-owner: main.ml.fraud"})
	checkErr(t, "Update comment", err, nil)
	if got.Comment != "xregion-owner: main.ml.fraud" {
		t.Errorf("Update() comment = %q", got.Comment)
	}
	// An empty comment is sent, and clears, only when forced.
	got, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared"})
	checkErr(t, "Update nothing", err, nil)
	if got.Comment == "" {
		t.Errorf("an update without a comment cleared it")
	}
	got, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared", ForceSendFields: []string{"Comment"}})
	checkErr(t, "Update clear", err, nil)
	if got.Comment != "" {
		t.Errorf("a forced empty comment left %q", got.Comment)
	}
	_, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared", Properties: map[string]string{"k": "v"}})
	checkErr(t, "properties on a shared catalog", err, apierr.ErrInvalidParameterValue)
	_, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "theirs", Comment: "c"})
	checkErr(t, "comment of a catalog not owned", err, apierr.ErrPermissionDenied)
	_, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared", NewName: "renamed"})
	checkErr(t, "rename", err, apierr.ErrNotImplemented)
	_, err = dst.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "nope", Comment: "c"})
	checkErr(t, "missing", err, apierr.ErrResourceDoesNotExist)
}

// TestTeardownOverHTTP drives the deletes through the real SDK client and
// the fake's HTTP face.
func TestTeardownOverHTTP(t *testing.T) {
	t.Parallel()
	src, dst := sharedWorld(t)
	srcSrv, _ := serve(t, src)
	dstSrv, _ := serve(t, dst)
	s, d := newClient(t, srcSrv.URL), newClient(t, dstSrv.URL)
	ctx := t.Context()

	// Without force the shared catalog is refused; with it, it goes.
	err := d.Catalogs.Delete(ctx, catalog.DeleteCatalogRequest{Name: "shared"})
	checkErr(t, "Catalogs.Delete without force", err, apierr.ErrInvalidParameterValue)
	if _, err := d.Catalogs.Update(ctx, catalog.UpdateCatalog{Name: "shared", Comment: "marked"}); err != nil {
		t.Fatalf("Catalogs.Update: %v", err)
	}
	checkErr(t, "Catalogs.Delete", d.Catalogs.Delete(ctx, catalog.DeleteCatalogRequest{Name: "shared", Force: true}), nil)

	perms, err := s.Recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "eu"})
	checkErr(t, "Recipients.SharePermissions", err, nil)
	if len(perms.PermissionsOut) != 1 || perms.PermissionsOut[0].ShareName != "s1" {
		t.Errorf("Recipients.SharePermissions() = %+v, want s1", perms.PermissionsOut)
	}
	_, err = s.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{Name: "s1", Changes: []sharing.PermissionsChange{{Principal: "eu", Remove: []string{"SELECT"}}}})
	checkErr(t, "revoke", err, nil)
	_, err = s.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{
		{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: typeTable}},
	}})
	checkErr(t, "REMOVE", err, nil)
	checkErr(t, "Recipients.Delete", s.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "eu"}), nil)
	checkErr(t, "Shares.Delete", s.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"}), nil)
	checkErr(t, "Shares.Delete again", s.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"}), apierr.ErrResourceDoesNotExist)

	wantSrc := []xregiontest.Write{
		{Method: "Shares.UpdatePermissions", Resource: "s1"}, {Method: "Shares.Update", Resource: "s1"},
		{Method: "Recipients.Delete", Resource: "eu"}, {Method: "Shares.Delete", Resource: "s1"},
	}
	wantDst := []xregiontest.Write{{Method: "Catalogs.Update", Resource: "shared"}, {Method: "Catalogs.Delete", Resource: "shared"}}
	gotSrc, gotDst := src.Writes(), dst.Writes()
	if diff := cmp.Diff(wantSrc, gotSrc[len(gotSrc)-len(wantSrc):]); diff != "" {
		t.Errorf("source writes mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantDst, gotDst[len(gotDst)-len(wantDst):]); diff != "" {
		t.Errorf("target writes mismatch (-want +got):\n%s", diff)
	}
}

func TestFaultsOnDeletes(t *testing.T) {
	t.Parallel()
	src, _ := sharedWorld(t)
	ctx := t.Context()
	src.Inject(xregiontest.Fault{Method: "Shares.Delete", Times: 1, Err: xregiontest.Unavailable("crash")})
	src.Inject(xregiontest.Fault{Method: "Recipients.Delete", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("crash")})
	checkErr(t, "Shares.Delete with a fault", src.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"}), apierr.ErrTemporarilyUnavailable)
	if _, err := src.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"}); err != nil {
		t.Errorf("a failed delete removed the share: %v", err)
	}
	checkErr(t, "Recipients.Delete after commit", src.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "eu"}), apierr.ErrTemporarilyUnavailable)
	_, err := src.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: "eu"})
	checkErr(t, "Get after an after-commit fault", err, apierr.ErrResourceDoesNotExist)
	if n := src.Calls("Shares.Delete") + src.Calls("Recipients.Delete"); n != 2 {
		t.Errorf("calls counted = %d, want 2", n)
	}
}

// TestShareRemovedBeforeSeen: an object removed before the target ever saw
// it never shows there.
func TestShareRemovedBeforeSeen(t *testing.T) {
	t.Parallel()
	src, dst := sharedWorld(t, xregiontest.WithShareLag(2))
	ctx := t.Context()
	_, err := src.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{
		{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.features"}},
	}})
	checkErr(t, "REMOVE", err, nil)
	for i := range 4 {
		_, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
		checkErr(t, "read "+string(rune('1'+i)), err, apierr.ErrResourceDoesNotExist)
	}
}
