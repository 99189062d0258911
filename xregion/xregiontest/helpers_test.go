package xregiontest_test

import (
	"time"

	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// Typed aliases keep the tables below short.
const (
	typeTable       = sharing.SharedDataObjectDataObjectTypeTable
	typeModel       = sharing.SharedDataObjectDataObjectTypeModel
	typeFunction    = sharing.SharedDataObjectDataObjectTypeFunction
	typeFeatureSpec = sharing.SharedDataObjectDataObjectTypeFeatureSpec
	actionAdd       = sharing.SharedDataObjectUpdateActionAdd
	actionRemove    = sharing.SharedDataObjectUpdateActionRemove
	actionUpdate    = sharing.SharedDataObjectUpdateActionUpdate
)

// ignoreServerFields ignores what the fake fills in by itself: timestamps,
// authors and generated ids.
var ignoreServerFields = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(sharing.ShareInfo{}, "CreatedAt", "CreatedBy", "UpdatedAt", "UpdatedBy", "Owner"),
	cmpopts.IgnoreFields(sharing.SharedDataObject{}, "AddedAt", "AddedBy"),
	cmpopts.IgnoreFields(sharing.RecipientInfo{}, "Id", "CreatedAt", "CreatedBy", "UpdatedAt", "UpdatedBy", "Owner"),
	cmpopts.IgnoreFields(catalog.CatalogInfo{}, "CreatedAt", "CreatedBy", "Owner", "MetastoreId"),
	cmpopts.IgnoreFields(catalog.TableInfo{}, "CreatedAt", "CreatedBy", "Owner", "MetastoreId"),
	cmpopts.IgnoreFields(catalog.FunctionInfo{}, "CreatedAt", "CreatedBy", "Owner", "MetastoreId", "FunctionId"),
	cmpopts.IgnoreFields(catalog.ModelVersionInfo{}, "CreatedAt", "CreatedBy", "MetastoreId", "Id"),
	cmpopts.IgnoreFields(ml.OnlineStore{}, "CreationTime"),
}

// checkErr fails the test unless err matches want (nil means success).
func checkErr(t *testing.T, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", call, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: error = %v, want errors.Is %v", call, err, want)
	}
}

// legacyClock starts a workspace's clock in 2025, before online stores
// were created as Lakebase Autoscaling projects.
var legacyClock = xregiontest.WithStartTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))

// regions returns two linked workspaces in different regions, with a model
// version, a feature table and a FeatureSpec seeded in the source. The
// target sees share changes at once (WithShareLag(0)), as the tests that use
// it are about something else; dstOpts may set a lag.
func regions(t *testing.T, dstOpts ...xregiontest.Option) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst = xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithShareLag(0), xregiontest.WithProviderLag(0)}, dstOpts...)...)
	xregiontest.Link(src, dst)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
	src.AddFunction(catalog.FunctionInfo{FullName: "main.ml.spec"}, "FUNCTION_FEATURE_SPEC")
	src.AddModelVersion(catalog.ModelVersionInfo{
		CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Table: &catalog.TableDependency{TableFullName: "main.ml.features"}},
		}},
	})
	src.SetAlias("main.ml.fraud", "champion", 1)
	return src, dst
}

// shareTo shares objects from src with dst through the API, as EnsureShare
// would: D2D recipient "eu", share "s1", the objects, and the grant.
func shareTo(t *testing.T, src, dst *xregiontest.Workspace, objects ...sharing.SharedDataObject) {
	t.Helper()
	ctx := t.Context()
	if _, err := src.Recipients.Create(ctx, sharing.CreateRecipient{
		Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID(),
	}); err != nil {
		t.Fatalf("Recipients.Create: %v", err)
	}
	if _, err := src.Shares.Create(ctx, sharing.CreateShare{Name: "s1"}); err != nil {
		t.Fatalf("Shares.Create: %v", err)
	}
	var updates []sharing.SharedDataObjectUpdate
	for _, o := range objects {
		updates = append(updates, sharing.SharedDataObjectUpdate{Action: actionAdd, DataObject: &o})
	}
	if _, err := src.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: updates}); err != nil {
		t.Fatalf("Shares.Update: %v", err)
	}
	grant(t, src, "s1", "eu")
}

func grant(t *testing.T, w *xregiontest.Workspace, share, principal string) {
	t.Helper()
	if _, err := w.Shares.UpdatePermissions(t.Context(), sharing.UpdateSharePermissions{
		Name: share, Changes: []sharing.PermissionsChange{{Principal: principal, Add: []string{"SELECT"}}},
	}); err != nil {
		t.Fatalf("Shares.UpdatePermissions: %v", err)
	}
}

// allObjects is what regions seeds, as share objects.
func allObjects() []sharing.SharedDataObject {
	return []sharing.SharedDataObject{
		{Name: "main.ml.fraud", DataObjectType: typeModel},
		{Name: "main.ml.features", DataObjectType: typeTable},
		{Name: "main.ml.spec", DataObjectType: typeFeatureSpec},
	}
}

// mustPanic fails the test unless f panics.
func mustPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("did not panic")
		}
	}()
	f()
}
