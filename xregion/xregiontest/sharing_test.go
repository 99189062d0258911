package xregiontest_test

import (
	"fmt"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestSharesCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		share   string
		wantErr error
	}{
		{name: "ok", share: "s2"},
		{name: "exists", share: "s1", wantErr: apierr.ErrResourceAlreadyExists},
		{name: "empty", share: "", wantErr: apierr.ErrInvalidParameterValue},
		{name: "dot", share: "a.b", wantErr: apierr.ErrInvalidParameterValue},
		{name: "space", share: "a b", wantErr: apierr.ErrInvalidParameterValue},
		{name: "slash", share: "a/b", wantErr: apierr.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"))
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			got, err := w.Shares.Create(t.Context(), sharing.CreateShare{Name: tt.share, Comment: "c"})
			checkErr(t, "Create", err, tt.wantErr)
			if err != nil {
				return
			}
			if got.Name != tt.share || got.Comment != "c" || got.Owner != "me@example.com" || got.CreatedBy != "me@example.com" || got.CreatedAt == 0 {
				t.Errorf("Create() = %+v, want name, comment, owner, creator and time set", got)
			}
		})
	}
}

func TestSharesGetObjectsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"))
	w.AddTable(catalog.TableInfo{FullName: "main.ml.t"})
	ctx := t.Context()
	if _, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "s1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{
		{Action: actionAdd, DataObject: &sharing.SharedDataObject{Name: "main.ml.t", DataObjectType: typeTable}},
	}}); err != nil {
		t.Fatal(err)
	}
	plain, err := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
	checkErr(t, "Get", err, nil)
	if plain.Objects != nil {
		t.Errorf("Get() without IncludeSharedData returned objects %+v", plain.Objects)
	}
	full, err := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
	checkErr(t, "Get", err, nil)
	if len(full.Objects) != 1 {
		t.Fatalf("Get(IncludeSharedData) objects = %+v, want one", full.Objects)
	}
	o := full.Objects[0]
	if o.Status != sharing.SharedDataObjectStatusActive || o.AddedAt == 0 || o.AddedBy != "me@example.com" {
		t.Errorf("object = %+v, want status ACTIVE, added_at and added_by set", o)
	}
	full.Objects[0].Name = "changed"
	again, _ := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
	if again.Objects[0].Name != "main.ml.t" {
		t.Errorf("changing a returned share changed the fake: %+v", again.Objects)
	}
	_, err = w.Shares.Get(ctx, sharing.GetShareRequest{Name: "nope"})
	checkErr(t, "Get missing", err, apierr.ErrResourceDoesNotExist)
}

// shareSource seeds a workspace with one object of each kind and share "s1"
// holding main.ml.t.
func shareSource() *xregiontest.Workspace {
	w := xregiontest.NewWorkspace()
	w.AddTable(catalog.TableInfo{FullName: "main.ml.t"})
	w.AddTable(catalog.TableInfo{FullName: "main.ml.t2"})
	w.AddTable(catalog.TableInfo{FullName: "other.ml.t"})
	w.AddTable(catalog.TableInfo{FullName: "main.ml.v", TableType: catalog.TableTypeView})
	w.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "m", Version: 1})
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.spec"}, "FUNCTION_FEATURE_SPEC")
	w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.udf"}, "FUNCTION_STANDARD")
	w.AddShare(sharing.ShareInfo{Name: "s1", Objects: []sharing.SharedDataObject{{Name: "main.ml.t", DataObjectType: typeTable}}})
	return w
}

func add(name string, typ sharing.SharedDataObjectDataObjectType) sharing.SharedDataObjectUpdate {
	return sharing.SharedDataObjectUpdate{Action: actionAdd, DataObject: &sharing.SharedDataObject{Name: name, DataObjectType: typ}}
}

func TestSharesUpdate(t *testing.T) {
	t.Parallel()
	existing := sharing.SharedDataObject{Name: "main.ml.t", DataObjectType: typeTable, Status: sharing.SharedDataObjectStatusActive}
	active := func(name string, typ sharing.SharedDataObjectDataObjectType) sharing.SharedDataObject {
		return sharing.SharedDataObject{Name: name, DataObjectType: typ, Status: sharing.SharedDataObjectStatusActive}
	}
	tests := []struct {
		name        string
		share       string
		updates     []sharing.SharedDataObjectUpdate
		wantObjects []sharing.SharedDataObject // nil: unchanged
		wantErr     error
	}{
		{
			name:        "add_each_kind",
			updates:     []sharing.SharedDataObjectUpdate{add("main.ml.m", typeModel), add("main.ml.spec", typeFeatureSpec), add("main.ml.udf", typeFunction), add("main.ml.v", sharing.SharedDataObjectDataObjectTypeView)},
			wantObjects: []sharing.SharedDataObject{existing, active("main.ml.m", typeModel), active("main.ml.spec", typeFeatureSpec), active("main.ml.udf", typeFunction), active("main.ml.v", sharing.SharedDataObjectDataObjectTypeView)},
		},
		{
			name:        "remove",
			updates:     []sharing.SharedDataObjectUpdate{{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.t"}}},
			wantObjects: []sharing.SharedDataObject{},
		},
		{
			name:    "two_updates_of_one_object",
			updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", typeTable), {Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.t2"}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{
			name: "update_with_shared_as",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionUpdate, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t", DataObjectType: typeTable, SharedAs: "ml.t", Comment: "c",
			}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{
			name: "update_replaces_mutable_fields",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionUpdate, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t", Comment: "new", HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled,
			}}},
			wantObjects: []sharing.SharedDataObject{{Name: "main.ml.t", DataObjectType: typeTable, Status: sharing.SharedDataObjectStatusActive, Comment: "new", HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled}},
		},
		{
			name: "shared_as_avoids_collision",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "other.ml.t", DataObjectType: typeTable, SharedAs: "ml.other_t",
			}}},
			wantObjects: []sharing.SharedDataObject{existing, {Name: "other.ml.t", DataObjectType: typeTable, SharedAs: "ml.other_t", Status: sharing.SharedDataObjectStatusActive}},
		},
		{
			name: "string_shared_as_on_model",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.m", DataObjectType: typeModel, StringSharedAs: "ml.model",
			}}},
			wantObjects: []sharing.SharedDataObject{existing, {Name: "main.ml.m", DataObjectType: typeModel, StringSharedAs: "ml.model", Status: sharing.SharedDataObjectStatusActive}},
		},
		{
			name: "string_shared_as_on_table",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t2", DataObjectType: typeTable, StringSharedAs: "ml.t3",
			}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{
			name: "shared_as_not_two_parts",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t2", DataObjectType: typeTable, SharedAs: "t3",
			}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{name: "missing_share", share: "nope", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", typeTable)}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "missing_table", updates: []sharing.SharedDataObjectUpdate{add("main.ml.nope", typeTable)}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "missing_model", updates: []sharing.SharedDataObjectUpdate{add("main.ml.nope", typeModel)}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "missing_function", updates: []sharing.SharedDataObjectUpdate{add("main.ml.nope", typeFunction)}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "table_as_model", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", typeModel)}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "standard_function_as_feature_spec", updates: []sharing.SharedDataObjectUpdate{add("main.ml.udf", typeFeatureSpec)}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "table_as_view", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", sharing.SharedDataObjectDataObjectTypeView)}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_type", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", "")}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "unknown_type", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", "TABLET")}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "volume_not_modelled", updates: []sharing.SharedDataObjectUpdate{add("main.ml.vol", sharing.SharedDataObjectDataObjectTypeVolume)}, wantErr: apierr.ErrNotImplemented},
		{name: "two_part_name", updates: []sharing.SharedDataObjectUpdate{add("ml.t", typeTable)}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "already_in_share", updates: []sharing.SharedDataObjectUpdate{add("main.ml.t", typeTable)}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "exposed_name_collision", updates: []sharing.SharedDataObjectUpdate{add("other.ml.t", typeTable)}, wantErr: apierr.ErrResourceAlreadyExists},
		{
			name: "shared_as_collision",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t2", DataObjectType: typeTable, SharedAs: "ml.t",
			}}},
			wantErr: apierr.ErrResourceAlreadyExists,
		},
		{
			name: "shared_as_on_model",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.m", DataObjectType: typeModel, SharedAs: "ml.m2",
			}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{
			name: "echoed_output_only_fields",
			updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd, DataObject: &sharing.SharedDataObject{
				Name: "main.ml.t2", DataObjectType: typeTable, Status: sharing.SharedDataObjectStatusActive, AddedAt: 1,
			}}},
			wantErr: apierr.ErrInvalidParameterValue,
		},
		{name: "remove_missing", updates: []sharing.SharedDataObjectUpdate{{Action: actionRemove, DataObject: &sharing.SharedDataObject{Name: "main.ml.t2"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "update_missing", updates: []sharing.SharedDataObjectUpdate{{Action: actionUpdate, DataObject: &sharing.SharedDataObject{Name: "main.ml.t2"}}}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "no_action", updates: []sharing.SharedDataObjectUpdate{{DataObject: &sharing.SharedDataObject{Name: "main.ml.t2"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_data_object", updates: []sharing.SharedDataObjectUpdate{{Action: actionAdd}}, wantErr: apierr.ErrInvalidParameterValue},
		{
			name:    "atomic_valid_then_invalid",
			updates: []sharing.SharedDataObjectUpdate{add("main.ml.t2", typeTable), add("main.ml.m", typeModel), add("main.ml.nope", typeTable)},
			wantErr: apierr.ErrResourceDoesNotExist,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := shareSource()
			name := tt.share
			if name == "" {
				name = "s1"
			}
			got, err := w.Shares.Update(t.Context(), sharing.UpdateShare{Name: name, Updates: tt.updates})
			checkErr(t, "Update", err, tt.wantErr)
			want := tt.wantObjects
			if want == nil {
				want = []sharing.SharedDataObject{existing}
			}
			if err == nil {
				if diff := cmp.Diff(want, got.Objects, ignoreServerFields); diff != "" {
					t.Errorf("Update() objects mismatch (-want +got):\n%s", diff)
				}
			}
			stored, err := w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
			checkErr(t, "Get", err, nil)
			if diff := cmp.Diff(want, stored.Objects, ignoreServerFields); diff != "" {
				t.Errorf("stored objects mismatch (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil && len(w.Writes()) != 0 {
				t.Errorf("failed Update() logged writes %v", w.Writes())
			}
		})
	}
}

func TestSharesUpdateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       int
		wantErr error
	}{
		{name: "100_is_fine", n: 100},
		{name: "101_is_too_many", n: 101, wantErr: apierr.ErrInvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			var updates []sharing.SharedDataObjectUpdate
			for i := range tt.n {
				name := fmt.Sprintf("main.ml.t%03d", i)
				w.AddTable(catalog.TableInfo{FullName: name})
				updates = append(updates, add(name, typeTable))
			}
			_, err := w.Shares.Update(t.Context(), sharing.UpdateShare{Name: "s1", Updates: updates})
			checkErr(t, "Update", err, tt.wantErr)
			got, _ := w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
			if want := map[bool]int{true: tt.n, false: 0}[tt.wantErr == nil]; len(got.Objects) != want {
				t.Errorf("share has %d objects, want %d", len(got.Objects), want)
			}
		})
	}
}

func TestSharesUpdateFields(t *testing.T) {
	t.Parallel()
	w := shareSource()
	ctx := t.Context()
	got, err := w.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Comment: "c", NewName: "s2"})
	checkErr(t, "Update", err, nil)
	if got.Name != "s2" || got.Comment != "c" || len(got.Objects) != 1 {
		t.Errorf("Update() = %+v, want s2 with comment and its object", got)
	}
	_, err = w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
	checkErr(t, "Get old name", err, apierr.ErrResourceDoesNotExist)
	w.AddShare(sharing.ShareInfo{Name: "s3"})
	_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "s2", NewName: "s3"})
	checkErr(t, "rename onto s3", err, apierr.ErrResourceAlreadyExists)
	got, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "s2", Owner: "team"})
	checkErr(t, "give the share away", err, nil)
	if got.Owner != "team" {
		t.Errorf("Update(owner) = %+v, want owner team", got)
	}
	// Only the owner changes a share.
	_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "s2", Comment: "again"})
	checkErr(t, "Update by a former owner", err, apierr.ErrPermissionDenied)
}

func TestSharesUpdateByAdmin(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(xregiontest.WithMetastoreAdmin())
	w.AddShare(sharing.ShareInfo{Name: "s1", Owner: "team"})
	ctx := t.Context()
	_, err := w.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Comment: "c"})
	checkErr(t, "admin changes the comment", err, apierr.ErrPermissionDenied)
	_, err = w.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Owner: "other"})
	checkErr(t, "admin changes the owner", err, nil)
}

func TestSharePermissionsPagination(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		pageSize   int
		maxResults int
		wantPages  []int
	}{
		{name: "server_page_size", pageSize: 3, wantPages: []int{3, 3, 1}},
		{name: "max_results_smaller", pageSize: 3, maxResults: 2, wantPages: []int{2, 2, 2, 1}},
		{name: "max_results_capped", pageSize: 3, maxResults: 100, wantPages: []int{3, 3, 1}},
		{name: "one_page", pageSize: 50, wantPages: []int{7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace(xregiontest.WithPageSize(tt.pageSize))
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			var want []string
			for i := 7; i > 0; i-- { // seeded out of order
				name := fmt.Sprintf("r%d", i)
				w.AddRecipient(sharing.RecipientInfo{Name: name})
				w.Grant("s1", name)
				want = append([]string{name}, want...)
			}
			var got []string
			var pages []int
			req := sharing.SharePermissionsRequest{Name: "s1", MaxResults: tt.maxResults}
			for {
				if len(pages) > 10 {
					t.Fatalf("pagination does not end: pages %v", pages)
				}
				resp, err := w.Shares.SharePermissions(t.Context(), req)
				checkErr(t, "SharePermissions", err, nil)
				pages = append(pages, len(resp.PrivilegeAssignments))
				for _, a := range resp.PrivilegeAssignments {
					got = append(got, a.Principal)
					if diff := cmp.Diff([]sharing.Privilege{sharing.PrivilegeSelect}, a.Privileges); diff != "" {
						t.Errorf("privileges of %s mismatch (-want +got):\n%s", a.Principal, diff)
					}
				}
				if resp.NextPageToken == "" {
					break
				}
				req.PageToken = resp.NextPageToken
			}
			if diff := cmp.Diff(tt.wantPages, pages); diff != "" {
				t.Errorf("page sizes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("principals mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSharePermissionsErrors(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	w.AddShare(sharing.ShareInfo{Name: "s1"})
	tests := []struct {
		name    string
		req     sharing.SharePermissionsRequest
		wantErr error
	}{
		{name: "missing_share", req: sharing.SharePermissionsRequest{Name: "nope"}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "negative_max_results", req: sharing.SharePermissionsRequest{Name: "s1", MaxResults: -1}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "bad_token", req: sharing.SharePermissionsRequest{Name: "s1", PageToken: "???"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_share", req: sharing.SharePermissionsRequest{Name: "s1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := w.Shares.SharePermissions(t.Context(), tt.req)
			checkErr(t, "SharePermissions", err, tt.wantErr)
			if err == nil && (len(resp.PrivilegeAssignments) != 0 || resp.NextPageToken != "") {
				t.Errorf("SharePermissions() = %+v, want an empty last page", resp)
			}
		})
	}
}

func TestUpdatePermissions(t *testing.T) {
	t.Parallel()
	selectOn := func(principals ...string) []sharing.PrivilegeAssignment {
		var out []sharing.PrivilegeAssignment
		for _, p := range principals {
			out = append(out, sharing.PrivilegeAssignment{Principal: p, Privileges: []sharing.Privilege{sharing.PrivilegeSelect}})
		}
		return out
	}
	tests := []struct {
		name    string
		share   string
		changes []sharing.PermissionsChange
		omit    bool
		want    []sharing.PrivilegeAssignment // state after the call
		wantErr error
	}{
		{name: "add", changes: []sharing.PermissionsChange{{Principal: "b", Add: []string{"SELECT"}}}, want: selectOn("a", "b")},
		{name: "add_is_idempotent", changes: []sharing.PermissionsChange{{Principal: "a", Add: []string{"SELECT"}}}, want: selectOn("a")},
		{name: "remove", changes: []sharing.PermissionsChange{{Principal: "a", Remove: []string{"SELECT"}}}, want: selectOn()},
		{name: "remove_not_held", changes: []sharing.PermissionsChange{{Principal: "b", Remove: []string{"SELECT"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "add_and_remove_for_one_principal", changes: []sharing.PermissionsChange{{Principal: "a", Add: []string{"SELECT"}, Remove: []string{"SELECT"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "omit_list", omit: true, changes: []sharing.PermissionsChange{{Principal: "b", Add: []string{"SELECT"}}}, want: selectOn("a", "b")},
		{name: "missing_share", share: "nope", changes: []sharing.PermissionsChange{{Principal: "b", Add: []string{"SELECT"}}}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "unknown_principal", changes: []sharing.PermissionsChange{{Principal: "users", Add: []string{"SELECT"}}}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "not_select", changes: []sharing.PermissionsChange{{Principal: "b", Add: []string{"MODIFY"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_principal", changes: []sharing.PermissionsChange{{Add: []string{"SELECT"}}}, wantErr: apierr.ErrInvalidParameterValue},
		{
			name:    "atomic",
			changes: []sharing.PermissionsChange{{Principal: "b", Add: []string{"SELECT"}}, {Principal: "nope", Add: []string{"SELECT"}}},
			wantErr: apierr.ErrResourceDoesNotExist,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			w.AddRecipient(sharing.RecipientInfo{Name: "a"})
			w.AddRecipient(sharing.RecipientInfo{Name: "b"})
			w.Grant("s1", "a")
			name := tt.share
			if name == "" {
				name = "s1"
			}
			resp, err := w.Shares.UpdatePermissions(t.Context(), sharing.UpdateSharePermissions{Name: name, Changes: tt.changes, OmitPermissionsList: tt.omit})
			checkErr(t, "UpdatePermissions", err, tt.wantErr)
			want := tt.want
			if tt.wantErr != nil {
				want = selectOn("a")
			}
			if err == nil {
				var wantResp []sharing.PrivilegeAssignment
				if !tt.omit {
					wantResp = want
				}
				if diff := cmp.Diff(wantResp, resp.PrivilegeAssignments, ignoreServerFields); diff != "" {
					t.Errorf("UpdatePermissions() mismatch (-want +got):\n%s", diff)
				}
			}
			got, err := w.Shares.SharePermissions(t.Context(), sharing.SharePermissionsRequest{Name: "s1"})
			checkErr(t, "SharePermissions", err, nil)
			if diff := cmp.Diff(want, got.PrivilegeAssignments, ignoreServerFields); diff != "" {
				t.Errorf("stored grants mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecipientsCreate(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	other := xregiontest.NewWorkspace(xregiontest.WithRegion("gcp", "europe-west3"))
	d2d := func(name, id string) sharing.CreateRecipient {
		return sharing.CreateRecipient{Name: name, AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: id}
	}
	tests := []struct {
		name    string
		req     sharing.CreateRecipient
		want    *sharing.RecipientInfo
		wantErr error
	}{
		{
			name: "d2d",
			req:  d2d("gcp", other.GlobalMetastoreID()),
			want: &sharing.RecipientInfo{
				Name: "gcp", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: other.GlobalMetastoreID(),
				Cloud: "gcp", Region: "europe-west3", MetastoreId: other.MetastoreID(),
			},
		},
		{name: "own_metastore", req: d2d("self2", src.GlobalMetastoreID()), wantErr: apierr.ErrInvalidParameterValue},
		{name: "second_for_metastore", req: d2d("eu2", dst.GlobalMetastoreID()), wantErr: apierr.ErrResourceAlreadyExists},
		{name: "name_taken", req: d2d("eu", other.GlobalMetastoreID()), wantErr: apierr.ErrResourceAlreadyExists},
		{name: "no_metastore_id", req: d2d("x", ""), wantErr: apierr.ErrInvalidParameterValue},
		{name: "malformed_metastore_id", req: d2d("x", "aws:us-east-1"), wantErr: apierr.ErrInvalidParameterValue},
		{name: "bad_uuid", req: d2d("x", "aws:us-east-1:nope"), wantErr: apierr.ErrInvalidParameterValue},
		{name: "bad_name", req: d2d("a.b", other.GlobalMetastoreID()), wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_auth_type", req: sharing.CreateRecipient{Name: "x"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "unknown_auth_type", req: sharing.CreateRecipient{Name: "x", AuthenticationType: "KERBEROS"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "token_with_metastore_id", req: sharing.CreateRecipient{Name: "x", AuthenticationType: sharing.AuthenticationTypeToken, DataRecipientGlobalMetastoreId: other.GlobalMetastoreID()}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "oauth_not_modelled", req: sharing.CreateRecipient{Name: "x", AuthenticationType: sharing.AuthenticationTypeOauthClientCredentials}, wantErr: apierr.ErrNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
			w.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
			got, err := w.Recipients.Create(t.Context(), tt.req)
			checkErr(t, "Create", err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got, ignoreServerFields); diff != "" {
				t.Errorf("Create() mismatch (-want +got):\n%s", diff)
			}
			if err == nil {
				stored, err := w.Recipients.Get(t.Context(), sharing.GetRecipientRequest{Name: tt.req.Name})
				checkErr(t, "Get", err, nil)
				if diff := cmp.Diff(got, stored); diff != "" {
					t.Errorf("Get() after Create() mismatch (-created +got):\n%s", diff)
				}
			}
		})
	}
}

func TestRecipientsToken(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	got, err := w.Recipients.Create(t.Context(), sharing.CreateRecipient{Name: "partner", AuthenticationType: sharing.AuthenticationTypeToken})
	checkErr(t, "Create", err, nil)
	if len(got.Tokens) != 1 || got.Tokens[0].ActivationUrl == "" || got.ActivationUrl != got.Tokens[0].ActivationUrl || got.MetastoreId != "" {
		t.Errorf("Create(TOKEN) = %+v, want one token with an activation URL and no metastore", got)
	}
}

func TestRecipientsGetAndList(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	w.AddRecipient(sharing.RecipientInfo{Name: "z-token"})
	w.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: eu.GlobalMetastoreID()})
	ctx := t.Context()
	_, err := w.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: "nope"})
	checkErr(t, "Get", err, apierr.ErrResourceDoesNotExist)
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{name: "all_sorted", want: []string{"eu", "z-token"}},
		{name: "by_metastore", filter: eu.GlobalMetastoreID(), want: []string{"eu"}},
		{name: "no_match", filter: "aws:ap-south-1:00000000-0000-4000-8000-000000000000", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := w.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{DataRecipientGlobalMetastoreId: tt.filter})
			checkErr(t, "ListAll", err, nil)
			names := []string{}
			for _, r := range got {
				names = append(names, r.Name)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" {
				t.Errorf("ListAll() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSharingSeedingPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func(w *xregiontest.Workspace)
	}{
		{name: "share_duplicate", f: func(w *xregiontest.Workspace) { w.AddShare(sharing.ShareInfo{Name: "s1"}) }},
		{name: "share_bad_name", f: func(w *xregiontest.Workspace) { w.AddShare(sharing.ShareInfo{Name: ""}) }},
		{name: "recipient_duplicate", f: func(w *xregiontest.Workspace) { w.AddRecipient(sharing.RecipientInfo{Name: "r"}) }},
		{name: "grant_missing_share", f: func(w *xregiontest.Workspace) { w.Grant("nope", "r") }},
		{name: "grant_missing_recipient", f: func(w *xregiontest.Workspace) { w.Grant("s1", "nope") }},
		{name: "grant_not_select", f: func(w *xregiontest.Workspace) { w.Grant("s1", "r", sharing.PrivilegeModify) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			w.AddRecipient(sharing.RecipientInfo{Name: "r"})
			mustPanic(t, func() { tt.f(w) })
		})
	}
}

func TestListSharesAll(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"))
	w.AddShare(sharing.ShareInfo{Name: "mine", Owner: "me@example.com", Objects: []sharing.SharedDataObject{{Name: "main.ml.t", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}})
	w.AddShare(sharing.ShareInfo{Name: "theirs", Owner: "someone@example.com"})
	got, err := w.Shares.ListSharesAll(t.Context(), sharing.SharesListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "mine" || got[0].Objects != nil {
		t.Errorf("ListSharesAll() = %+v, want only the caller's share, without objects", got)
	}
	admin := xregiontest.NewWorkspace(xregiontest.WithUser("me@example.com"), xregiontest.WithMetastoreAdmin())
	admin.AddShare(sharing.ShareInfo{Name: "theirs", Owner: "someone@example.com"})
	if got, err := admin.Shares.ListSharesAll(t.Context(), sharing.SharesListRequest{}); err != nil || len(got) != 1 {
		t.Errorf("ListSharesAll() as a metastore admin = %+v, %v; want every share", got, err)
	}
}
