package deps

import (
	"context"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// The interfaces below are the parts of the Databricks SDK's service
// interfaces that the steps of this package call, with the SDK's exact
// signatures: the fields of a *databricks.WorkspaceClient (w.ModelVersions,
// w.Shares, ...) satisfy them as they are, and so do the fakes in
// [github.com/org/xregion-action/xregion/xregiontest].

// ModelVersions reads registered model versions (w.ModelVersions).
type ModelVersions interface {
	Get(ctx context.Context, request catalog.GetModelVersionRequest) (*catalog.ModelVersionInfo, error)
	GetByAlias(ctx context.Context, request catalog.GetByAliasRequest) (*catalog.ModelVersionInfo, error)
	ListAll(ctx context.Context, request catalog.ListModelVersionsRequest) ([]catalog.ModelVersionInfo, error)
}

// Tables reads tables (w.Tables).
type Tables interface {
	Get(ctx context.Context, request catalog.GetTableRequest) (*catalog.TableInfo, error)
}

// Functions reads functions, FeatureSpecs included (w.Functions).
type Functions interface {
	Get(ctx context.Context, request catalog.GetFunctionRequest) (*catalog.FunctionInfo, error)
}

// FunctionKinds tells a FeatureSpec from an ordinary function. The
// service reports it as the "securable_kind" of a function, a field the
// typed SDK drops; [NewFunctionKinds] reads it with a raw call.
type FunctionKinds interface {
	// SecurableKind returns the function's securable kind, such as
	// FUNCTION_FEATURE_SPEC, or "" when the service does not say.
	SecurableKind(ctx context.Context, fullName string) (string, error)
}

// FunctionReader is a [FunctionKinds] that can also read a function and
// its kind in one request ([SDKFunctionKinds] does). Discovery then reads
// each function once instead of twice.
type FunctionReader interface {
	GetWithKind(ctx context.Context, fullName string) (*catalog.FunctionInfo, string, error)
}

// Metastores reads the metastore a workspace is attached to (w.Metastores).
type Metastores interface {
	Summary(ctx context.Context) (*catalog.GetMetastoreSummaryResponse, error)
}

// Shares reads and changes Delta Sharing shares (w.Shares).
type Shares interface {
	Get(ctx context.Context, request sharing.GetShareRequest) (*sharing.ShareInfo, error)
	Create(ctx context.Context, request sharing.CreateShare) (*sharing.ShareInfo, error)
	Update(ctx context.Context, request sharing.UpdateShare) (*sharing.ShareInfo, error)
	SharePermissions(ctx context.Context, request sharing.SharePermissionsRequest) (*sharing.GetSharePermissionsResponse, error)
	UpdatePermissions(ctx context.Context, request sharing.UpdateSharePermissions) (*sharing.UpdateSharePermissionsResponse, error)
}

// Recipients reads and creates share recipients (w.Recipients).
type Recipients interface {
	Get(ctx context.Context, request sharing.GetRecipientRequest) (*sharing.RecipientInfo, error)
	ListAll(ctx context.Context, request sharing.ListRecipientsRequest) ([]sharing.RecipientInfo, error)
	Create(ctx context.Context, request sharing.CreateRecipient) (*sharing.RecipientInfo, error)
}

// Providers reads the providers that share data with a workspace
// (w.Providers).
type Providers interface {
	Get(ctx context.Context, request sharing.GetProviderRequest) (*sharing.ProviderInfo, error)
	ListAll(ctx context.Context, request sharing.ListProvidersRequest) ([]sharing.ProviderInfo, error)
	ListSharesAll(ctx context.Context, request sharing.ListSharesRequest) ([]sharing.ProviderShare, error)
}

// Catalogs reads and creates catalogs (w.Catalogs).
type Catalogs interface {
	Get(ctx context.Context, request catalog.GetCatalogRequest) (*catalog.CatalogInfo, error)
	Create(ctx context.Context, request catalog.CreateCatalog) (*catalog.CatalogInfo, error)
}

// ShareDeleter deletes shares (w.Shares). [RemoveShare] calls it.
type ShareDeleter interface {
	Delete(ctx context.Context, request sharing.DeleteShareRequest) error
}

// RecipientRemover reads the shares granted to a recipient and deletes
// recipients (w.Recipients). [RemoveShare] calls it.
type RecipientRemover interface {
	SharePermissions(ctx context.Context, request sharing.SharePermissionsRequest) (*sharing.GetRecipientSharePermissionsResponse, error)
	Delete(ctx context.Context, request sharing.DeleteRecipientRequest) error
}

// CatalogEditor changes and deletes catalogs (w.Catalogs).
// [EnsureSharedCatalog] updates a catalog's comment with it and
// [RemoveSharedCatalog] deletes catalogs.
type CatalogEditor interface {
	Update(ctx context.Context, request catalog.UpdateCatalog) (*catalog.CatalogInfo, error)
	Delete(ctx context.Context, request catalog.DeleteCatalogRequest) error
}

// Compile-time proof that the real SDK services still fit.
var (
	_ ModelVersions = catalog.ModelVersionsInterface(nil)
	_ Tables        = catalog.TablesInterface(nil)
	_ Functions     = catalog.FunctionsInterface(nil)
	_ Metastores    = catalog.MetastoresInterface(nil)
	_ Shares        = sharing.SharesInterface(nil)
	_ Recipients    = sharing.RecipientsInterface(nil)
	_ Providers     = sharing.ProvidersInterface(nil)
	_ Catalogs      = catalog.CatalogsInterface(nil)

	_ ShareDeleter     = sharing.SharesInterface(nil)
	_ RecipientRemover = sharing.RecipientsInterface(nil)
	_ CatalogEditor    = catalog.CatalogsInterface(nil)
)
