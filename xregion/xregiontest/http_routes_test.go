package xregiontest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestHTTPDependencies reads through HTTP what DiscoverDependencies reads,
// and compares it with what the in-memory fields return.
func TestHTTPDependencies(t *testing.T) {
	t.Parallel()
	src, _ := regions(t)
	src.AddConnection("conn")
	src.AddCredential("cred")
	srv, rec := serve(t, src)
	w := newClient(t, srv.URL)
	ctx := t.Context()

	sum, err := w.Metastores.Summary(ctx)
	if err != nil || sum.GlobalMetastoreId != src.GlobalMetastoreID() {
		t.Fatalf("Metastores.Summary() = %+v, %v; want global id %s", sum, err, src.GlobalMetastoreID())
	}

	got, err := w.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 1, IncludeAliases: true})
	if err != nil {
		t.Fatalf("ModelVersions.Get: %v", err)
	}
	want, _ := src.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "main.ml.fraud", Version: 1, IncludeAliases: true})
	if diff := cmp.Diff(want, got, ignoreForceSend); diff != "" {
		t.Errorf("ModelVersions.Get mismatch (-memory +http):\n%s", diff)
	}
	byAlias, err := w.ModelVersions.GetByAlias(ctx, catalog.GetByAliasRequest{FullName: "main.ml.fraud", Alias: "champion"})
	if err != nil || byAlias.Version != 1 || len(byAlias.Aliases) != 1 {
		t.Errorf("ModelVersions.GetByAlias() = %+v, %v; want version 1 with its alias", byAlias, err)
	}

	tbl, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	if err != nil {
		t.Fatalf("Tables.Get: %v", err)
	}
	wantTbl, _ := src.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	if diff := cmp.Diff(wantTbl, tbl, ignoreForceSend); diff != "" {
		t.Errorf("Tables.Get mismatch (-memory +http):\n%s", diff)
	}
	// The full name went out unescaped, dots and all (the SDK's generated
	// impl.go builds paths with fmt.Sprintf, without escaping).
	if diff := cmp.Diff([]int{200}, rec.statuses("GET", "/api/2.1/unity-catalog/tables/main.ml.features")); diff != "" {
		t.Errorf("table requests mismatch (-want +got):\n%s", diff)
	}

	fn, err := w.Functions.Get(ctx, catalog.GetFunctionRequest{Name: "main.ml.spec"})
	if err != nil || fn.FullName != "main.ml.spec" {
		t.Errorf("Functions.Get() = %+v, %v; want main.ml.spec", fn, err)
	}
	// The typed SDK drops securable_kind (catalog.FunctionInfo has no such
	// field); a raw GET reads it.
	var raw struct {
		SecurableKind string `json:"securable_kind"`
	}
	if err := rawClient(t, w).Do(ctx, http.MethodGet, "/api/2.1/unity-catalog/functions/main.ml.spec", nil, nil, nil, &raw); err != nil {
		t.Fatalf("raw GET of the function: %v", err)
	}
	if raw.SecurableKind != "FUNCTION_FEATURE_SPEC" {
		t.Errorf("securable_kind = %q, want FUNCTION_FEATURE_SPEC", raw.SecurableKind)
	}
	kinds, err := deps.NewFunctionKinds(w.Config)
	if err != nil {
		t.Fatal(err)
	}
	if kind, err := kinds.SecurableKind(ctx, "main.ml.spec"); err != nil || kind != "FUNCTION_FEATURE_SPEC" {
		t.Errorf("deps.SDKFunctionKinds.SecurableKind() = %q, %v; want FUNCTION_FEATURE_SPEC", kind, err)
	}
	// Each GET of a function is a call of both methods.
	if a, b := src.Calls("Functions.Get"), src.Calls("Functions.SecurableKind"); a != 3 || b != 3 {
		t.Errorf("Calls(Functions.Get), Calls(Functions.SecurableKind) = %d, %d; want 3, 3", a, b)
	}

	if c, err := w.Connections.Get(ctx, catalog.GetConnectionRequest{Name: "conn"}); err != nil || c.Name != "conn" {
		t.Errorf("Connections.Get() = %+v, %v; want conn", c, err)
	}
	if c, err := w.Credentials.GetCredential(ctx, catalog.GetCredentialRequest{NameArg: "cred"}); err != nil || c.Name != "cred" {
		t.Errorf("Credentials.GetCredential() = %+v, %v; want cred", c, err)
	}
	_, err = w.Credentials.GetCredential(ctx, catalog.GetCredentialRequest{NameArg: "nope"})
	if !apierr.IsMissing(err) {
		t.Errorf("GetCredential(nope) error = %v, want a missing resource", err)
	}
}

// TestHTTPSharing shares a model and its table from one region to another,
// each workspace behind its own server, through the SDK.
func TestHTTPSharing(t *testing.T) {
	t.Parallel()
	src, dst := regions(t)
	srcSrv, _ := serve(t, src)
	dstSrv, _ := serve(t, dst)
	s, d := newClient(t, srcSrv.URL), newClient(t, dstSrv.URL)
	ctx := t.Context()

	if _, err := s.Recipients.Create(ctx, sharing.CreateRecipient{
		Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID(),
	}); err != nil {
		t.Fatalf("Recipients.Create: %v", err)
	}
	if r, err := s.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: "eu"}); err != nil || r.Region != "eu-west-1" {
		t.Errorf("Recipients.Get() = %+v, %v; want region eu-west-1", r, err)
	}
	rs, err := s.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	if err != nil || len(rs) != 1 || rs[0].Name != "eu" {
		t.Errorf("Recipients.ListAll(filter) = %+v, %v; want eu", rs, err)
	}
	if _, err := s.Shares.Create(ctx, sharing.CreateShare{Name: "s1"}); err != nil {
		t.Fatalf("Shares.Create: %v", err)
	}
	_, err = s.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
	checkErr(t, "Shares.Create again", err, apierr.ErrResourceConflict)

	var updates []sharing.SharedDataObjectUpdate
	for _, o := range allObjects() {
		updates = append(updates, sharing.SharedDataObjectUpdate{Action: actionAdd, DataObject: &o})
	}
	if _, err := s.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: updates}); err != nil {
		t.Fatalf("Shares.Update: %v", err)
	}
	perms, err := s.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{
		Name: "s1", Changes: []sharing.PermissionsChange{{Principal: "eu", Add: []string{"SELECT"}}},
	})
	if err != nil {
		t.Fatalf("Shares.UpdatePermissions: %v", err)
	}
	wantGrants := []sharing.PrivilegeAssignment{{Principal: "eu", Privileges: []sharing.Privilege{sharing.PrivilegeSelect}}}
	if diff := cmp.Diff(wantGrants, perms.PrivilegeAssignments, ignoreForceSend); diff != "" {
		t.Errorf("UpdatePermissions grants mismatch (-want +got):\n%s", diff)
	}
	got, err := allSharePermissions(t, s, "s1")
	if err != nil {
		t.Fatalf("Shares.SharePermissions: %v", err)
	}
	if diff := cmp.Diff(wantGrants, got, ignoreForceSend); diff != "" {
		t.Errorf("SharePermissions mismatch (-want +got):\n%s", diff)
	}
	sh, err := s.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
	if err != nil {
		t.Fatalf("Shares.Get: %v", err)
	}
	wantShare, _ := src.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
	if diff := cmp.Diff(wantShare, sh, ignoreForceSend); diff != "" {
		t.Errorf("Shares.Get mismatch (-memory +http):\n%s", diff)
	}

	// The target sees the provider, and makes a catalog from the share.
	ps, err := d.Providers.ListAll(ctx, sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: src.GlobalMetastoreID()})
	if err != nil || len(ps) != 1 {
		t.Fatalf("Providers.ListAll(filter) = %+v, %v; want one provider", ps, err)
	}
	provider := ps[0].Name
	if p, err := d.Providers.Get(ctx, sharing.GetProviderRequest{Name: provider}); err != nil || p.DataProviderGlobalMetastoreId != src.GlobalMetastoreID() {
		t.Errorf("Providers.Get() = %+v, %v; want the source metastore", p, err)
	}
	pss, err := d.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: provider})
	if err != nil || len(pss) != 1 || pss[0].Name != "s1" {
		t.Errorf("Providers.ListSharesAll() = %+v, %v; want s1", pss, err)
	}
	if _, err := d.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "xr", ProviderName: provider, ShareName: "s1"}); err != nil {
		t.Fatalf("Catalogs.Create: %v", err)
	}
	c, err := d.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: "xr"})
	if err != nil || c.CatalogType != catalog.CatalogTypeDeltasharingCatalog || c.ShareName != "s1" {
		t.Errorf("Catalogs.Get() = %+v, %v; want a DELTASHARING_CATALOG of s1", c, err)
	}
	shared, err := d.Tables.Get(ctx, catalog.GetTableRequest{FullName: "xr.ml.features"})
	srcTbl, _ := src.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.features"})
	if err != nil || shared.TableId != srcTbl.TableId {
		t.Errorf("Tables.Get(xr.ml.features) = %+v, %v; want table id %s", shared, err, srcTbl.TableId)
	}

	wantSrc := []xregiontest.Write{
		{Method: "Recipients.Create", Resource: "eu"}, {Method: "Shares.Create", Resource: "s1"},
		{Method: "Shares.Update", Resource: "s1"}, {Method: "Shares.UpdatePermissions", Resource: "s1"},
	}
	if diff := cmp.Diff(wantSrc, src.Writes()); diff != "" {
		t.Errorf("source Writes() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Catalogs.Create", Resource: "xr"}}, dst.Writes()); diff != "" {
		t.Errorf("target Writes() mismatch (-want +got):\n%s", diff)
	}
}

// allSharePermissions reads every page of the grants on a share, as
// callers must: the SDK makes one call (SDK service/sharing/impl.go).
func allSharePermissions(t *testing.T, w *databricks.WorkspaceClient, share string) ([]sharing.PrivilegeAssignment, error) {
	t.Helper()
	var out []sharing.PrivilegeAssignment
	req := sharing.SharePermissionsRequest{Name: share}
	for {
		resp, err := w.Shares.SharePermissions(t.Context(), req)
		if err != nil {
			return nil, err
		}
		out = append(out, resp.PrivilegeAssignments...)
		if resp.NextPageToken == "" {
			return out, nil
		}
		req.PageToken = resp.NextPageToken
	}
}

// TestHTTPPagination lists through the SDK's iterators, with a server page
// length of 2, and compares the result with the in-memory ListAll.
func TestHTTPPagination(t *testing.T) {
	t.Parallel()
	const pageSize = 2
	tests := []struct {
		name string
		// seed seeds dst, linked to its sources, and returns how many items
		// the list has.
		seed func(t *testing.T, dst *xregiontest.Workspace) int
		path string
		// list lists through w, and through the fake, by name.
		list func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) (http, memory []string)
	}{
		{
			name: "model_versions",
			path: "/api/2.1/unity-catalog/models/main.ml.m/versions",
			seed: func(t *testing.T, dst *xregiontest.Workspace) int {
				for v := 1; v <= 11; v++ {
					dst.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "m", Version: v})
				}
				return 11
			},
			list: func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) ([]string, []string) {
				req := catalog.ListModelVersionsRequest{FullName: "main.ml.m"}
				got, err := w.ModelVersions.ListAll(t.Context(), req)
				if err != nil {
					t.Fatalf("ModelVersions.ListAll: %v", err)
				}
				want, _ := dst.ModelVersions.ListAll(t.Context(), req)
				key := func(v catalog.ModelVersionInfo) string { return strconv.Itoa(v.Version) }
				return names(got, key), names(want, key)
			},
		},
		{
			name: "recipients",
			path: "/api/2.1/unity-catalog/recipients",
			seed: func(t *testing.T, dst *xregiontest.Workspace) int {
				for i := range 5 {
					dst.AddRecipient(sharing.RecipientInfo{Name: fmt.Sprintf("r%d", i)})
				}
				return 5
			},
			list: func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) ([]string, []string) {
				got, err := w.Recipients.ListAll(t.Context(), sharing.ListRecipientsRequest{})
				if err != nil {
					t.Fatalf("Recipients.ListAll: %v", err)
				}
				want, _ := dst.Recipients.ListAll(t.Context(), sharing.ListRecipientsRequest{})
				key := func(r sharing.RecipientInfo) string { return r.Name }
				return names(got, key), names(want, key)
			},
		},
		{
			name: "providers",
			path: "/api/2.1/unity-catalog/providers",
			seed: func(t *testing.T, dst *xregiontest.Workspace) int {
				for _, region := range []string{"us-east-1", "us-west-2", "ap-south-1"} {
					src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", region))
					xregiontest.Link(src, dst)
					src.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
					src.AddShare(sharing.ShareInfo{Name: "s1"})
					src.Grant("s1", "eu")
				}
				return 3
			},
			list: func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) ([]string, []string) {
				got, err := w.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{})
				if err != nil {
					t.Fatalf("Providers.ListAll: %v", err)
				}
				want, _ := dst.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{})
				key := func(p sharing.ProviderInfo) string { return p.Name }
				return names(got, key), names(want, key)
			},
		},
		{
			name: "provider_shares",
			path: "/api/2.1/unity-catalog/providers/org-us-east-1/shares",
			seed: func(t *testing.T, dst *xregiontest.Workspace) int {
				src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
				xregiontest.Link(src, dst)
				src.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
				for i := range 4 {
					src.AddShare(sharing.ShareInfo{Name: fmt.Sprintf("s%d", i)})
					src.Grant(fmt.Sprintf("s%d", i), "eu")
				}
				return 4
			},
			list: func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) ([]string, []string) {
				req := sharing.ListSharesRequest{Name: "org-us-east-1"}
				got, err := w.Providers.ListSharesAll(t.Context(), req)
				if err != nil {
					t.Fatalf("Providers.ListSharesAll: %v", err)
				}
				want, _ := dst.Providers.ListSharesAll(t.Context(), req)
				key := func(s sharing.ProviderShare) string { return s.Name }
				return names(got, key), names(want, key)
			},
		},
		{
			name: "online_stores",
			path: "/api/2.0/feature-store/online-stores",
			seed: func(t *testing.T, dst *xregiontest.Workspace) int {
				for i := range 3 {
					dst.AddOnlineStore(ml.OnlineStore{Name: fmt.Sprintf("os%d", i)})
				}
				return 3
			},
			list: func(t *testing.T, w *databricks.WorkspaceClient, dst *xregiontest.Workspace) ([]string, []string) {
				got, err := w.FeatureStore.ListOnlineStoresAll(t.Context(), ml.ListOnlineStoresRequest{})
				if err != nil {
					t.Fatalf("FeatureStore.ListOnlineStoresAll: %v", err)
				}
				want, _ := dst.FeatureStore.ListOnlineStoresAll(t.Context(), ml.ListOnlineStoresRequest{})
				key := func(s ml.OnlineStore) string { return s.Name }
				return names(got, key), names(want, key)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithPageSize(pageSize), xregiontest.WithProviderLag(0))
			n := tt.seed(t, dst)
			srv, rec := serve(t, dst)
			w := newClient(t, srv.URL)
			got, want := tt.list(t, w, dst)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("list mismatch (-memory +http):\n%s", diff)
			}
			if len(got) != n {
				t.Errorf("listed %d items, want %d", len(got), n)
			}
			pages := (n + pageSize - 1) / pageSize
			if got := len(rec.statuses("GET", tt.path)); got != pages {
				t.Errorf("%d requests, want %d pages", got, pages)
			}
		})
	}
}

// names returns the keys of items, in order.
func names[T any](items []T, key func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, key(it))
	}
	return out
}

// TestHTTPOnline creates an online store, publishes a table into it and
// follows it online, through the SDK.
func TestHTTPOnline(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace(xregiontest.WithStoreStartup(1))
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.features", TableConstraints: []catalog.TableConstraint{{
		PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}},
	}}})
	ws.AddCatalog(catalog.CatalogInfo{Name: "online"})
	// A table of a Lakebase Provisioned store of 2025, which w.Database serves.
	ws.AddOnlineStore(ml.OnlineStore{Name: "old-store", CreationTime: "2025-01-01T00:00:00Z"})
	ws.AddSyncedTable(database.SyncedDatabaseTable{Name: "online.ml.old", DatabaseInstanceName: "old-store"})
	srv, rec := serve(t, ws)
	w := newClient(t, srv.URL)
	ctx := t.Context()

	st, err := w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os1", Capacity: "CU_1"}})
	if err != nil || st.State != ml.OnlineStoreStateStarting {
		t.Fatalf("CreateOnlineStore() = %+v, %v; want STARTING", st, err)
	}
	_, err = w.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os1", Capacity: "CU_1"}})
	checkErr(t, "CreateOnlineStore again", err, apierr.ErrResourceAlreadyExists)
	var states []ml.OnlineStoreState
	for range 2 {
		st, err := w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"})
		if err != nil {
			t.Fatalf("GetOnlineStore: %v", err)
		}
		states = append(states, st.State)
	}
	if diff := cmp.Diff([]ml.OnlineStoreState{ml.OnlineStoreStateStarting, ml.OnlineStoreStateAvailable}, states); diff != "" {
		t.Errorf("store states mismatch (-want +got):\n%s", diff)
	}

	pub, err := w.FeatureStore.PublishTable(ctx, ml.PublishTableRequest{
		SourceTableName: "main.ml.features",
		PublishSpec:     ml.PublishSpec{OnlineStore: "os1", OnlineTableName: "online.ml.features", PublishMode: ml.PublishSpecPublishModeSnapshot},
	})
	if err != nil || pub.OnlineTableName != "online.ml.features" || pub.PipelineId == "" {
		t.Fatalf("PublishTable() = %+v, %v; want the online table and a pipeline", pub, err)
	}
	// os1 is a Lakebase Autoscaling project: its tables are read through
	// w.Postgres, and w.Database refuses them.
	_, err = w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "online.ml.features"})
	checkErr(t, "GetSyncedDatabaseTable(Autoscaling table)", err, apierr.ErrInvalidParameterValue)
	var synced []postgres.SyncedTableState
	for range 2 {
		tbl, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/online.ml.features"})
		if err != nil {
			t.Fatalf("GetSyncedTable: %v", err)
		}
		synced = append(synced, tbl.Status.DetailedState)
	}
	wantSynced := []postgres.SyncedTableState{
		postgres.SyncedTableStateSyncedTableProvisioningInitialSnapshot, postgres.SyncedTableStateSyncedTableOnlineNoPendingUpdate,
	}
	if diff := cmp.Diff(wantSynced, synced); diff != "" {
		t.Errorf("synced states mismatch (-want +got):\n%s", diff)
	}
	if tbl, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "online.ml.features"}); err != nil || tbl.TableType != catalog.TableTypeForeign {
		t.Errorf("Tables.Get(online table) = %+v, %v; want a FOREIGN table", tbl, err)
	}

	if err := w.FeatureStore.DeleteOnlineTable(ctx, ml.DeleteOnlineTableRequest{OnlineTableName: "online.ml.features"}); err != nil {
		t.Fatalf("DeleteOnlineTable: %v", err)
	}
	// The deletion lags: DELETING on the next reads, then gone.
	for range xregiontest.DefaultDeleteLag {
		tbl, err := w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/online.ml.features"})
		if err != nil || tbl.Status.UnityCatalogProvisioningState != postgres.ProvisioningInfoStateDeleting {
			t.Fatalf("GetSyncedTable while deleting = %+v, %v; want DELETING", tbl, err)
		}
	}
	_, err = w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/online.ml.features"})
	if !apierr.IsMissing(err) {
		t.Errorf("GetSyncedTable after delete: error %v, want a missing resource", err)
	}
	if err := w.Database.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: "online.ml.old", PurgeData: true}); err != nil {
		t.Fatalf("DeleteSyncedDatabaseTable: %v", err)
	}
	if diff := cmp.Diff([]int{200}, rec.statuses("DELETE", "/api/2.0/database/synced_tables/online.ml.old")); diff != "" {
		t.Errorf("synced table delete statuses mismatch (-want +got):\n%s", diff)
	}
	wantWrites := []xregiontest.Write{
		{Method: "FeatureStore.CreateOnlineStore", Resource: "os1"},
		{Method: "FeatureStore.PublishTable", Resource: "online.ml.features"},
		{Method: "FeatureStore.DeleteOnlineTable", Resource: "online.ml.features"},
		{Method: "Database.DeleteSyncedDatabaseTable", Resource: "online.ml.old"},
	}
	if diff := cmp.Diff(wantWrites, ws.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
}

// TestHTTPServing creates, updates, queries and deletes an endpoint
// through the SDK, waiters included: deployments are scripted to end at
// the first read, so that the waiters never sleep.
func TestHTTPServing(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	for v := 1; v <= 3; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	ws.ScriptDeployment("main.ml.fraud", "1", xregiontest.Deployment{Polls: 0})
	ws.ScriptDeployment("main.ml.fraud", "2", xregiontest.Deployment{Polls: 0})
	ws.ScriptDeployment("main.ml.fraud", "3", xregiontest.Deployment{Polls: 5})
	srv, rec := serve(t, ws)
	w := newClient(t, srv.URL)
	ctx := t.Context()

	wait, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "e1", Config: servingConfig("1")})
	if err != nil {
		t.Fatalf("ServingEndpoints.Create: %v", err)
	}
	if wait.Name != "e1" || wait.Response.State == nil || wait.Response.State.ConfigUpdate != serving.EndpointStateConfigUpdateInProgress {
		t.Errorf("Create reply = %+v, want e1 IN_PROGRESS", wait.Response)
	}
	e, err := wait.Get()
	if err != nil || e.State.Ready != serving.EndpointStateReadyReady || e.Config.ConfigVersion != 1 {
		t.Fatalf("Create waiter = %+v, %v; want READY at config version 1", e, err)
	}
	// why: the server defaults burst_scaling_enabled to true (SDK doc of the
	// field) and leaves it out of the reply (seen in recorded real replies).
	if se := ws.EndpointConfig("e1").ServedEntities[0]; !se.BurstScalingEnabled || se.ScaleToZeroEnabled {
		t.Errorf("served entity = %+v, want burst scaling on and scale to zero off", se)
	}
	if se := e.Config.ServedEntities[0]; slices.Contains(se.ForceSendFields, "BurstScalingEnabled") {
		t.Errorf("reply has burst_scaling_enabled (decoded fields %v), want it left out at its default", se.ForceSendFields)
	}

	// A false sent on purpose reaches the fake through the JSON.
	cfg := servingConfig("2")
	cfg.Name = "e1"
	cfg.ServedEntities[0].ForceSendFields = []string{"BurstScalingEnabled"}
	wait, err = w.ServingEndpoints.UpdateConfig(ctx, *cfg)
	if err != nil || wait.Response.Name != "e1" {
		t.Fatalf("UpdateConfig() = %+v, %v; want the e1 endpoint", wait, err)
	}
	e, err = wait.Get()
	if err != nil || e.Config.ConfigVersion != 2 {
		t.Fatalf("UpdateConfig waiter = %+v, %v; want config version 2", e, err)
	}
	if se := e.Config.ServedEntities[0]; se.BurstScalingEnabled || se.EntityVersion != "2" {
		t.Errorf("served entity = %+v, want version 2 with burst scaling off", se)
	}

	resp, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "e1", DataframeRecords: []any{map[string]any{"x": 1}}})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if diff := cmp.Diff(&serving.QueryEndpointResponse{Predictions: []any{0.5}, ServedModelName: "fraud-2"}, resp, ignoreForceSend); diff != "" {
		t.Errorf("Query mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{200}, rec.statuses("POST", "/serving-endpoints/e1/invocations")); diff != "" {
		t.Errorf("invocations statuses mismatch (-want +got):\n%s", diff)
	}

	// An update while one is in progress is a 409.
	cfg = servingConfig("3")
	cfg.Name = "e1"
	if _, err := w.ServingEndpoints.UpdateConfig(ctx, *cfg); err != nil {
		t.Fatalf("UpdateConfig(3): %v", err)
	}
	_, err = w.ServingEndpoints.UpdateConfig(ctx, *cfg)
	checkErr(t, "UpdateConfig during an update", err, apierr.ErrResourceConflict)

	list, err := w.ServingEndpoints.ListAll(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "e1" || list[0].State == nil {
		t.Errorf("ServingEndpoints.ListAll() = %+v, %v; want e1 with its state", list, err)
	}
	if err := w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: "e1"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for range 3 { // a deleted endpoint lingers for two reads
		_, err = w.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"})
	}
	if !apierr.IsMissing(err) {
		t.Errorf("Get after delete: error %v, want a missing resource", err)
	}
	var methods []string
	for _, wr := range ws.Writes() {
		methods = append(methods, wr.Method)
	}
	wantMethods := []string{"ServingEndpoints.Create", "ServingEndpoints.UpdateConfig", "ServingEndpoints.UpdateConfig", "ServingEndpoints.Delete"}
	if !slices.Equal(wantMethods, methods) {
		t.Errorf("written methods = %q, want %q", methods, wantMethods)
	}
}

// servingConfig is a one-entity config serving main.ml.fraud at version.
func servingConfig(version string) *serving.EndpointCoreConfigInput {
	return &serving.EndpointCoreConfigInput{ServedEntities: []serving.ServedEntityInput{{
		Name: "fraud-" + version, EntityName: "main.ml.fraud", EntityVersion: version, WorkloadSize: "Small",
	}}}
}

// TestListTables lists a schema's tables in memory and through the SDK
// over HTTP, page by page: the same tables, sorted, of that schema only;
// a missing catalog is 404 and a list without a schema 400.
func TestListTables(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace(xregiontest.WithPageSize(2))
	for _, n := range []string{"main.ml.c", "main.ml.a", "main.ml.b", "main.other.x"} {
		ws.AddTable(catalog.TableInfo{FullName: n})
	}
	srv, _ := serve(t, ws)
	w := newClient(t, srv.URL)
	names := func(ts []catalog.TableInfo) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.FullName)
		}
		return out
	}
	want := []string{"main.ml.a", "main.ml.b", "main.ml.c"}
	mem, err := ws.Tables.ListAll(t.Context(), catalog.ListTablesRequest{CatalogName: "main", SchemaName: "ml"})
	if err != nil {
		t.Fatal(err)
	}
	wire, err := w.Tables.ListAll(t.Context(), catalog.ListTablesRequest{CatalogName: "main", SchemaName: "ml"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, names(mem)); diff != "" {
		t.Errorf("ListAll() in memory mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, names(wire)); diff != "" {
		t.Errorf("ListAll() over HTTP mismatch (-want +got):\n%s", diff)
	}
	if _, err := w.Tables.ListAll(t.Context(), catalog.ListTablesRequest{CatalogName: "nope", SchemaName: "ml"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Errorf("ListAll(missing catalog) error = %v, want ErrNotFound", err)
	}
	if _, err := ws.Tables.ListAll(t.Context(), catalog.ListTablesRequest{CatalogName: "main"}); !errors.Is(err, apierr.ErrInvalidParameterValue) {
		t.Errorf("ListAll(no schema) error = %v, want ErrInvalidParameterValue", err)
	}
}

// TestListSchemas lists a catalog's schemas in memory and over HTTP, page by
// page: information_schema and default, and every schema a table lives in.
func TestListSchemas(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace(xregiontest.WithPageSize(2))
	for _, n := range []string{"main.ml.a", "main.other.x", "main.ml.b"} {
		ws.AddTable(catalog.TableInfo{FullName: n})
	}
	srv, _ := serve(t, ws)
	w := newClient(t, srv.URL)
	want := []string{"main.default", "main.information_schema", "main.ml", "main.other"}
	for face, list := range map[string]func(context.Context, catalog.ListSchemasRequest) ([]catalog.SchemaInfo, error){
		"memory": ws.Schemas.ListAll, "HTTP": w.Schemas.ListAll,
	} {
		got, err := list(t.Context(), catalog.ListSchemasRequest{CatalogName: "main"})
		if err != nil {
			t.Fatalf("%s: %v", face, err)
		}
		var names []string
		for _, s := range got {
			names = append(names, s.FullName)
		}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("%s: ListAll() mismatch (-want +got):\n%s", face, diff)
		}
		if _, err := list(t.Context(), catalog.ListSchemasRequest{CatalogName: "nope"}); !errors.Is(err, apierr.ErrNotFound) {
			t.Errorf("%s: ListAll(missing catalog) error = %v, want ErrNotFound", face, err)
		}
	}
}

// TestListCatalogs lists the catalogs in memory and over HTTP, page by page.
func TestListCatalogs(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace(xregiontest.WithPageSize(1))
	for _, n := range []string{"b", "a", "c"} {
		ws.AddCatalog(catalog.CatalogInfo{Name: n, CatalogType: catalog.CatalogTypeManagedCatalog})
	}
	srv, _ := serve(t, ws)
	w := newClient(t, srv.URL)
	for face, list := range map[string]func(context.Context, catalog.ListCatalogsRequest) ([]catalog.CatalogInfo, error){
		"memory": ws.Catalogs.ListAll, "HTTP": w.Catalogs.ListAll,
	} {
		got, err := list(t.Context(), catalog.ListCatalogsRequest{})
		if err != nil {
			t.Fatalf("%s: %v", face, err)
		}
		var names []string
		for _, c := range got {
			names = append(names, c.Name)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, names); diff != "" {
			t.Errorf("%s: ListAll() mismatch (-want +got):\n%s", face, diff)
		}
	}
}

// TestListCatalogsFiltersByOwner: a catalog someone else owns is left out
// of the list, unless the caller is a metastore admin.
func TestListCatalogsFiltersByOwner(t *testing.T) {
	t.Parallel()
	for _, admin := range []bool{false, true} {
		var opts []xregiontest.Option
		if admin {
			opts = append(opts, xregiontest.WithMetastoreAdmin())
		}
		ws := xregiontest.NewWorkspace(opts...)
		ws.AddCatalog(catalog.CatalogInfo{Name: "mine"})
		ws.AddCatalog(catalog.CatalogInfo{Name: "theirs", Owner: "someone-else@example.com"})
		got, err := ws.Catalogs.ListAll(t.Context(), catalog.ListCatalogsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if admin {
			want = 2
		}
		if len(got) != want {
			t.Errorf("admin %v: listed %d catalogs, want %d", admin, len(got), want)
		}
	}
}
