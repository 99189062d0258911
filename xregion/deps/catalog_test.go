package deps_test

import (
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// sharedRegions returns linked workspaces whose source has shared the model
// with the target.
func sharedRegions(t *testing.T, targetOpts ...xregiontest.Option) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst = xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", "eu-west-1")}, targetOpts...)...)
	xregiontest.Link(src, dst)
	seedModel(src)
	if _, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName)); err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	return src, dst
}

func TestEnsureSharedCatalog(t *testing.T) {
	t.Parallel()
	src, dst := sharedRegions(t)
	spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID()}
	provider := "" // whatever name the target gives the source's provider

	got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("EnsureSharedCatalog() error = %v", err)
	}
	provider = got.Provider
	want := &deps.CatalogResult{Catalog: "fraud_shared", Op: xregion.OpCreated, Provider: provider, Share: shareName}
	if diff := cmp.Diff(want, got); diff != "" || provider == "" {
		t.Errorf("EnsureSharedCatalog() mismatch (-want +got):\n%s", diff)
	}
	cat, err := dst.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "fraud_shared"})
	if err != nil {
		t.Fatalf("read catalog: %v", err)
	}
	if cat.CatalogType != catalog.CatalogTypeDeltasharingCatalog || cat.ProviderName != provider || cat.ShareName != shareName {
		t.Errorf("catalog = %s from %q/%q, want a Delta Sharing catalog from %q/%q", cat.CatalogType, cat.ProviderName, cat.ShareName, provider, shareName)
	}
	// The shared feature table is readable in the target under the new
	// catalog, once the share has reached it.
	d, err := deps.DiscoverDependencies(t.Context(), sourceClients(src), deps.DiscoverSpec{Model: model, Version: "@champion"})
	if err != nil {
		t.Fatal(err)
	}
	if err := deps.WaitShareVisible(t.Context(), deps.SharedReaders{ModelVersions: dst.ModelVersions, Tables: dst.Tables, Functions: dst.Functions},
		deps.VisibleSpec{Catalog: "fraud_shared", Dependencies: d}, noSleep); err != nil {
		t.Fatalf("WaitShareVisible() error = %v", err)
	}
	tbl, err := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "fraud_shared.ml.features"})
	if err != nil {
		t.Fatalf("read shared table: %v", err)
	}
	if tbl.TableId != fullDeps().Tables[0].TableID {
		t.Errorf("shared table id = %q, want the source's %q", tbl.TableId, fullDeps().Tables[0].TableID)
	}

	// Re-runs find it converged: by metastore id or by provider name.
	for _, again := range []deps.CatalogSpec{spec, {Name: "fraud_shared", Share: shareName, Provider: provider}} {
		dst.ResetWrites()
		got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), again, noSleep)
		if err != nil {
			t.Fatalf("second EnsureSharedCatalog(%+v) error = %v", again, err)
		}
		want.Op = xregion.OpUnchanged
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("second EnsureSharedCatalog() mismatch (-want +got):\n%s", diff)
		}
		if w := dst.Writes(); len(w) != 0 {
			t.Errorf("second EnsureSharedCatalog() wrote %v, want no write", w)
		}
	}
}

func TestEnsureSharedCatalogWaitsForProvider(t *testing.T) {
	t.Parallel()
	src, dst := sharedRegions(t, xregiontest.WithProviderLag(3))
	spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID(), JustGranted: true}
	got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("EnsureSharedCatalog() error = %v", err)
	}
	if got.Op != xregion.OpCreated {
		t.Errorf("Op = %s, want created", got.Op)
	}
	if n := dst.Calls("Providers.ListAll"); n < 2 {
		t.Errorf("Providers.ListAll called %d times, want it polled until the provider showed up", n)
	}
}

// TestEnsureSharedCatalogCreatesOnceProviderShows: the catalog is created
// as soon as its provider is visible, without listing the provider's
// shares first; a create that does not find the share yet (a new share of a
// provider the target already sees) waits for the share in the provider's
// list and creates again.
func TestEnsureSharedCatalogCreatesOnceProviderShows(t *testing.T) {
	t.Parallel()
	src, dst := sharedRegions(t)
	first := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID(), JustGranted: true}
	if got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), first, noSleep); err != nil || got.Op != xregion.OpCreated {
		t.Fatalf("EnsureSharedCatalog(first) = %+v, %v; want created", got, err)
	}
	calls := func() map[string]int {
		return map[string]int{"Catalogs.Create": dst.Calls("Catalogs.Create"), "Providers.ListSharesAll": dst.Calls("Providers.ListSharesAll")}
	}
	if diff := cmp.Diff(map[string]int{"Catalogs.Create": 1, "Providers.ListSharesAll": 0}, calls()); diff != "" {
		t.Errorf("first catalog: calls mismatch (-want +got):\n%s", diff)
	}

	// A second share of the same provider: the provider shows at once, the
	// share a read later (xregiontest.DefaultProviderLag).
	const second = "fraud_share_2"
	if _, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, second)); err != nil {
		t.Fatal(err)
	}
	spec := deps.CatalogSpec{Name: "fraud_shared_2", Share: second, SourceMetastoreID: src.GlobalMetastoreID(), JustGranted: true}
	got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("EnsureSharedCatalog(second) error = %v", err)
	}
	if got.Op != xregion.OpCreated || got.Share != second {
		t.Errorf("EnsureSharedCatalog(second) = %+v, want share %s created", got, second)
	}
	if diff := cmp.Diff(map[string]int{"Catalogs.Create": 3, "Providers.ListSharesAll": 1}, calls()); diff != "" {
		t.Errorf("after the second catalog: calls mismatch (-want +got):\n%s", diff)
	}
	cat, err := dst.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "fraud_shared_2"})
	if err != nil || cat.ShareName != second {
		t.Errorf("second catalog = %+v, %v; want it mounted from %s", cat, err, second)
	}
}

// TestEnsureSharedCatalogFirstCreateRefused: which answer a create gives
// for a share that has not arrived is not documented, so a first create
// refused as a bad parameter or for permission waits for the provider's
// list, then creates again; a refusal that stays is reported.
func TestEnsureSharedCatalogFirstCreateRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                   string
		err                    error
		times                  int // 0: every create
		wantErr                error
		wantCreates, wantLists int
	}{
		{"bad_request", xregiontest.InvalidParameter("Share does not exist."), 1, nil, 2, 1},
		{"permission_once", xregiontest.PermissionDenied("Share is not accessible."), 1, nil, 2, 1},
		{"permission_stays", xregiontest.PermissionDenied("User does not have USE_PROVIDER."), 0, apierr.ErrPermissionDenied, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedRegions(t)
			dst.Inject(xregiontest.Fault{Method: "Catalogs.Create", Times: tc.times, Err: tc.err})
			spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID(), JustGranted: true}
			got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep)
			if tc.wantErr == nil && (err != nil || got.Op != xregion.OpCreated) {
				t.Errorf("EnsureSharedCatalog() = %+v, %v; want created", got, err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("EnsureSharedCatalog() error = %v, want %v", err, tc.wantErr)
			}
			if c, l := dst.Calls("Catalogs.Create"), dst.Calls("Providers.ListSharesAll"); c != tc.wantCreates || l != tc.wantLists {
				t.Errorf("%d creates and %d share lists, want %d and %d", c, l, tc.wantCreates, tc.wantLists)
			}
		})
	}
}

func TestEnsureSharedCatalogErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seed    func(src, dst *xregiontest.Workspace)
		spec    func(src *xregiontest.Workspace) deps.CatalogSpec
		opts    []xregion.Option
		wantErr error
	}{
		{
			name:    "name_with_slash",
			spec:    func(src *xregiontest.Workspace) deps.CatalogSpec { return catSpec(src, "fraud/shared") },
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "no_provider_and_no_metastore",
			spec: func(*xregiontest.Workspace) deps.CatalogSpec {
				return deps.CatalogSpec{Name: "fraud_shared", Share: shareName}
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "existing_managed_catalog",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", CatalogType: catalog.CatalogTypeManagedCatalog})
			},
			spec:    func(src *xregiontest.Workspace) deps.CatalogSpec { return catSpec(src, "fraud_shared") },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "existing_catalog_of_another_share",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", CatalogType: catalog.CatalogTypeDeltasharingCatalog, ProviderName: "org-us-east-1", ShareName: "other_share"})
			},
			spec:    func(src *xregiontest.Workspace) deps.CatalogSpec { return catSpec(src, "fraud_shared") },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "existing_catalog_of_another_provider",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", CatalogType: catalog.CatalogTypeDeltasharingCatalog, ProviderName: "someone_else", ShareName: shareName})
			},
			spec: func(src *xregiontest.Workspace) deps.CatalogSpec {
				s := catSpec(src, "fraud_shared")
				s.Provider = "org-us-east-1"
				return s
			},
			wantErr: xregion.ErrConflict,
		},
		{
			name: "use_existing_but_missing",
			spec: func(src *xregiontest.Workspace) deps.CatalogSpec {
				s := catSpec(src, "fraud_shared")
				s.UseExisting = true
				return s
			},
			wantErr: xregion.ErrPrecondition,
		},
		{
			name: "share_never_granted",
			spec: func(src *xregiontest.Workspace) deps.CatalogSpec {
				s := catSpec(src, "fraud_shared")
				s.Share = "never_granted"
				return s
			},
			opts:    []xregion.Option{giveUpAfter(3)},
			wantErr: xregion.ErrPrecondition,
		},
		{
			name: "permission_denied_reading_catalog",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.Inject(xregiontest.Fault{Method: "Catalogs.Get", Err: xregiontest.PermissionDenied("User does not have USE CATALOG on Catalog 'fraud_shared'.")})
			},
			spec:    func(src *xregiontest.Workspace) deps.CatalogSpec { return catSpec(src, "fraud_shared") },
			wantErr: apierr.ErrPermissionDenied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedRegions(t)
			if tt.seed != nil {
				tt.seed(src, dst)
			}
			dst.ResetWrites()
			_, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), tt.spec(src), append([]xregion.Option{noSleep}, tt.opts...)...)
			var se *xregion.StepError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &se) || se.Step != deps.StepCatalog {
				t.Fatalf("EnsureSharedCatalog() error = %v, want an EnsureSharedCatalog StepError matching %v", err, tt.wantErr)
			}
			if w := dst.Writes(); len(w) != 0 {
				t.Errorf("EnsureSharedCatalog() wrote %v, want no write", w)
			}
		})
	}
}

func catSpec(src *xregiontest.Workspace, name string) deps.CatalogSpec {
	return deps.CatalogSpec{Name: name, Share: shareName, SourceMetastoreID: src.GlobalMetastoreID()}
}

// TestEnsureSharedCatalogByMetastoreUUID: with the source's metastore id
// alone (as a model version's read names it), the provider is found in the
// list of every provider by the uuid its global id ends in, and an
// existing catalog is accepted or refused by that uuid too.
func TestEnsureSharedCatalogByMetastoreUUID(t *testing.T) {
	t.Parallel()
	src, dst := sharedRegions(t)
	spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.MetastoreID(), JustGranted: true}
	got, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep)
	if err != nil || got.Op != xregion.OpCreated || got.Provider == "" {
		t.Fatalf("EnsureSharedCatalog() = %+v, %v; want created from the source's provider", got, err)
	}
	spec.JustGranted = false
	if got, err = deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep); err != nil || got.Op != xregion.OpUnchanged {
		t.Errorf("second EnsureSharedCatalog() = %+v, %v; want unchanged", got, err)
	}
	// A metastore id that is not the source's: the catalog is refused.
	other := spec
	other.SourceMetastoreID = "00000000-0000-0000-0000-000000000000"
	if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), other, noSleep); !errors.Is(err, xregion.ErrConflict) {
		t.Errorf("EnsureSharedCatalog(another metastore) error = %v, want ErrConflict", err)
	}
	// Neither a global id nor a metastore id: refused before any call.
	for _, id := range []string{"aws:us-east-1", "prod", "6f61603a-3268-5ea9-abf4-0db8d3d08e8", "6f61603a_3268-5ea9-abf4-0db8d3d08e89"} {
		bad := spec
		bad.SourceMetastoreID = id
		if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), bad, noSleep); !errors.Is(err, xregion.ErrInvalidInput) {
			t.Errorf("EnsureSharedCatalog(%q) error = %v, want ErrInvalidInput", id, err)
		}
	}
}

// TestEnsureSharedCatalogUseProviderOnlyRefusal: a caller with USE_PROVIDER
// alone may not list the provider's shares, so only creates tell whether
// the share has arrived: "not found" is waited on, but a refused parameter
// that stays is reported after one more create, not after the timeout.
func TestEnsureSharedCatalogUseProviderOnlyRefusal(t *testing.T) {
	t.Parallel()
	src, dst := sharedRegions(t, xregiontest.WithProviderOwner("metastore-admins"), xregiontest.WithMetastorePrivileges("USE_PROVIDER"))
	dst.Inject(xregiontest.Fault{Method: "Catalogs.Create", Err: xregiontest.InvalidParameter("Invalid share name.")})
	spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID(), JustGranted: true}
	_, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, giveUpAfter(50))
	if !errors.Is(err, apierr.ErrBadRequest) {
		t.Errorf("EnsureSharedCatalog() error = %v, want the service's refusal", err)
	}
	if c, l := dst.Calls("Catalogs.Create"), dst.Calls("Providers.ListSharesAll"); c != 2 || l != 1 {
		t.Errorf("%d creates and %d share lists, want 2 and 1 (the list refused, then one more create)", c, l)
	}
}
