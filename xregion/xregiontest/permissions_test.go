package xregiontest_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestShareLag: objects added to a share, and versions added to a shared
// model, reach the recipient only after the lag; seeded ones at once.
func TestShareLag(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	if got := xregiontest.DefaultShareLag; got < 1 {
		t.Fatalf("DefaultShareLag = %d, want the lag on by default", got)
	}
	src, dst := regions(t, xregiontest.WithShareLag(2))
	shareTo(t, src, dst, allObjects()...)
	if _, err := dst.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
		checkErr(t, "Tables.Get during the lag", err, apierr.ErrResourceDoesNotExist)
	}
	_, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "Tables.Get after the lag", err, nil)

	// A new version of the shared model lags too; the old one does not.
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 2})
	for range 2 { // the model object's own lag
		_, _ = dst.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "shared.ml.fraud", Version: 1})
	}
	list, err := dst.ModelVersions.ListAll(ctx, catalog.ListModelVersionsRequest{FullName: "shared.ml.fraud"})
	checkErr(t, "ModelVersions.ListAll", err, nil)
	if len(list) != 1 || list[0].Version != 1 {
		t.Errorf("ListAll during the lag = %d versions, want only version 1", len(list))
	}
	_, err = dst.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "shared.ml.fraud", Version: 2})
	checkErr(t, "ModelVersions.Get(2) during the lag", err, apierr.ErrResourceDoesNotExist)
	_, err = dst.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "shared.ml.fraud", Version: 2})
	checkErr(t, "ModelVersions.Get(2) after the lag", err, nil)

	want := []xregiontest.LaggedRead{
		{Method: "Tables.Get", Object: "shared.ml.features"},
		{Method: "Tables.Get", Object: "shared.ml.features"},
	}
	got := dst.LaggedReads()
	if diff := cmp.Diff(want, got[:2]); diff != "" {
		t.Errorf("LaggedReads() mismatch (-want +got):\n%s", diff)
	}
	if !slices.Contains(got, xregiontest.LaggedRead{Method: "ModelVersions.ListAll", Object: "shared.ml.fraud@2"}) {
		t.Errorf("LaggedReads() = %v, want the ListAll that left version 2 out", got)
	}

	// A seeded share shows at once.
	src2, dst2 := regions(t, xregiontest.WithShareLag(5))
	src2.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: dst2.GlobalMetastoreID()})
	src2.AddShare(sharing.ShareInfo{Name: "s1", Objects: allObjects()})
	src2.Grant("s1", "eu")
	dst2.AddCatalog(catalog.CatalogInfo{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"})
	_, err = dst2.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
	checkErr(t, "Tables.Get of a seeded share", err, nil)
}

// TestRecipientsFilteredByPermission: lists show only the caller's
// recipients unless it is a metastore admin; reads need ownership,
// USE_RECIPIENT or admin; the duplicate refusal names no recipient.
func TestRecipientsFilteredByPermission(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tt := range []struct {
		name     string
		opts     []xregiontest.Option
		wantList bool
		wantGet  bool
	}{
		{name: "caller"},
		{name: "use_recipient", opts: []xregiontest.Option{xregiontest.WithMetastorePrivileges("USE_RECIPIENT")}, wantGet: true},
		{name: "admin", opts: []xregiontest.Option{xregiontest.WithMetastoreAdmin()}, wantList: true, wantGet: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := xregiontest.NewWorkspace(tt.opts...)
			dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
			src.AddRecipient(sharing.RecipientInfo{Name: "theirs", Owner: "platform-team", DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
			src.AddRecipient(sharing.RecipientInfo{Name: "mine"})
			list, err := src.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{})
			checkErr(t, "Recipients.ListAll", err, nil)
			var names []string
			for _, r := range list {
				names = append(names, r.Name)
			}
			if got := slices.Contains(names, "theirs"); got != tt.wantList || !slices.Contains(names, "mine") {
				t.Errorf("ListAll() = %v, want mine and theirs listed: %v", names, tt.wantList)
			}
			_, err = src.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: "theirs"})
			want := error(apierr.ErrPermissionDenied)
			if tt.wantGet {
				want = nil
			}
			checkErr(t, "Recipients.Get(theirs)", err, want)

			_, err = src.Recipients.Create(ctx, sharing.CreateRecipient{Name: "again", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
			checkErr(t, "Recipients.Create(duplicate)", err, apierr.ErrResourceAlreadyExists)
			if !strings.Contains(err.Error(), "already exists with same sharing identifier") || strings.Contains(err.Error(), "theirs") {
				t.Errorf("duplicate refusal = %q, want the service's message, naming no recipient", err)
			}
		})
	}
}

// TestProvidersFilteredByPermission: a provider the caller does not own is
// listed only with USE_PROVIDER or admin, and read only by admin.
func TestProvidersFilteredByPermission(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, tt := range []struct {
		name              string
		opts              []xregiontest.Option
		wantList, wantGet bool
	}{
		{name: "not_owner"},
		{name: "use_provider", opts: []xregiontest.Option{xregiontest.WithMetastorePrivileges("USE_PROVIDER")}, wantList: true},
		{name: "admin", opts: []xregiontest.Option{xregiontest.WithMetastoreAdmin()}, wantList: true, wantGet: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := regions(t, append([]xregiontest.Option{xregiontest.WithProviderOwner("metastore-admins")}, tt.opts...)...)
			shareTo(t, src, dst, allObjects()...)
			if got := len(providerNames(t, dst, "")) > 0; got != tt.wantList {
				t.Errorf("ListAll() shows the provider: %v, want %v", got, tt.wantList)
			}
			want := error(apierr.ErrPermissionDenied)
			if tt.wantGet {
				want = nil
			}
			_, err := dst.Providers.Get(ctx, sharing.GetProviderRequest{Name: "org-us-east-1"})
			checkErr(t, "Providers.Get", err, want)
			_, err = dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "org-us-east-1"})
			checkErr(t, "Providers.ListSharesAll", err, want)
			want = apierr.ErrPermissionDenied
			if tt.wantList {
				want = nil
			}
			_, err = dst.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"})
			checkErr(t, "Catalogs.Create from the provider", err, want)
		})
	}
}

func TestSchemasGet(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	src, dst := regions(t)
	shareTo(t, src, dst, allObjects()...)
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving"})
	dst.AddSchema("serving.features")
	if _, err := dst.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]error{
		"serving.default":            nil, // made with every catalog
		"serving.information_schema": nil,
		"serving.features":           nil,
		"serving.servng":             apierr.ErrResourceDoesNotExist,
		"servng.default":             apierr.ErrResourceDoesNotExist,
		"shared.ml":                  nil, // exposed by the share
		"shared.default":             apierr.ErrResourceDoesNotExist,
		"serving":                    apierr.ErrInvalidParameterValue,
	} {
		_, err := dst.Schemas.Get(ctx, catalog.GetSchemaRequest{FullName: name})
		checkErr(t, "Schemas.Get("+name+")", err, want)
	}
	got, err := src.Schemas.Get(ctx, catalog.GetSchemaRequest{FullName: "main.ml"}) // holds seeded objects
	checkErr(t, "Schemas.Get(main.ml)", err, nil)
	if got.FullName != "main.ml" || got.CatalogName != "main" || got.Name != "ml" {
		t.Errorf("Schemas.Get(main.ml) = %+v", got)
	}
}

func TestWithoutOnlineStores(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "sa-east-1"), xregiontest.WithoutOnlineStores())
	_, err := w.FeatureStore.GetOnlineStore(t.Context(), ml.GetOnlineStoreRequest{Name: "store"})
	var ae *apierr.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest || apierr.IsMissing(err) {
		t.Errorf("GetOnlineStore() error = %v, want a 400 that is not a not-found", err)
	}
}
