package deps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/xregion"
)

// StepPreflight is the step name [Preflight] reports in errors.
const StepPreflight = "Preflight"

// Schemas reads schemas (w.Schemas).
type Schemas interface {
	Get(ctx context.Context, request catalog.GetSchemaRequest) (*catalog.SchemaInfo, error)
}

// OnlineStores reads online stores (w.FeatureStore).
type OnlineStores interface {
	GetOnlineStore(ctx context.Context, request ml.GetOnlineStoreRequest) (*ml.OnlineStore, error)
}

var (
	_ Schemas      = catalog.SchemasInterface(nil)
	_ OnlineStores = ml.FeatureStoreInterface(nil)
)

// OnlineTableFinder tells whether an online table exists, reading it
// through the Lakebase API that owns it (rollout reads it with
// [github.com/org/xregion-action/xregion/online.ObserveTables]).
type OnlineTableFinder interface {
	OnlineTableExists(ctx context.Context, name string) (bool, error)
}

// PreflightClients are the target-workspace services [Preflight] reads.
// OnlineStores may be nil when no online store is checked, OnlineTables
// when [PreflightSpec].OnlineTable is empty.
type PreflightClients struct {
	Catalogs     Catalogs
	Schemas      Schemas
	Providers    Providers
	OnlineStores OnlineStores
	OnlineTables OnlineTableFinder
}

// PreflightSpec is what a run is about to write in the target workspace.
type PreflightSpec struct {
	// Region labels the target in errors.
	Region string
	// Catalog is the shared catalog the run will mount or reuse, as given
	// to [EnsureSharedCatalog]. An empty Name skips its check.
	Catalog CatalogSpec
	// OnlineCatalog and OnlineSchema are where online tables will be
	// created. An empty OnlineCatalog skips their check.
	OnlineCatalog, OnlineSchema string
	// OnlineStore is the online store tables will be published to, created
	// if missing. Empty skips its check.
	OnlineStore string
	// OnlineTable is one online table of OnlineCatalog.OnlineSchema the
	// run publishes or finds published, read through
	// [PreflightClients].OnlineTables when the shared catalog already
	// exists, as it does on a re-run. If it exists it settles the online
	// checks: a synced table is created only in a schema of a catalog that
	// can hold tables. Otherwise, or when empty, the schema is read. The
	// caller may hand its read on to the step that reads it next.
	OnlineTable string
}

// Preflight checks, reading only, that the target workspace can take what a
// run is about to write there, so that a run that would fail halfway fails
// before its first write instead:
//
//   - the shared catalog, if it exists, is a Delta Sharing catalog of the
//     share (and of the provider and source metastore, when known); with
//     [CatalogSpec.UseExisting] it must exist;
//   - the online catalog exists and can hold tables: it is not a catalog
//     created from a share, a foreign catalog or the system catalog;
//   - the online schema exists in it (settled without a read of its own
//     when [PreflightSpec].OnlineTable is found);
//   - the online store, if it exists, is not being deleted; and the online
//     store API answers in the target's region. Online stores are offered
//     in some regions only, and the API does not say which: a region
//     without them is recognised only by a refusal other than "not found".
//
// It returns the first problem it finds: an error matching
// [xregion.ErrInvalidInput] that names the input to change (such as
// "online catalog"), or [xregion.ErrConflict] or [xregion.ErrPrecondition]
// for a shared catalog that cannot be used. It makes no write, in a dry run
// as in a real one. The error is a [*xregion.StepError].
func Preflight(ctx context.Context, c PreflightClients, spec PreflightSpec) error {
	if err := preflight(ctx, c, spec); err != nil {
		return &xregion.StepError{Step: StepPreflight, Resource: "region " + cmp.Or(spec.Region, "target"), Err: err}
	}
	return nil
}

func preflight(ctx context.Context, c PreflightClients, spec PreflightSpec) error {
	region := cmp.Or(spec.Region, "the target workspace")
	catalogExists := false
	if cs := spec.Catalog; cs.Name != "" {
		if err := cs.validate(); err != nil {
			return err
		}
		existing, err := c.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: cs.Name})
		switch {
		case err == nil:
			if _, err := acceptCatalog(ctx, c.Providers, cs, existing); err != nil {
				return fmt.Errorf("shared catalog %q %w", cs.Name, err)
			}
			catalogExists = true
		case !isMissing(err):
			return fmt.Errorf("read shared catalog %q: %w", cs.Name, err)
		case cs.UseExisting:
			return invalid.Input("shared catalog", cs.Name, "does not exist in %s, and use-existing-catalog is set: "+
				"mount the share there first (the share phase creates and grants it), or let xregion create the catalog", region)
		}
	}
	if spec.OnlineCatalog != "" && !(catalogExists && onlineTableFound(ctx, c, spec)) {
		if err := checkOnlineCatalog(ctx, c, spec.OnlineCatalog, spec.OnlineSchema, region); err != nil {
			return err
		}
	}
	if spec.OnlineStore != "" && c.OnlineStores != nil {
		st, err := c.OnlineStores.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: spec.OnlineStore})
		switch {
		case err == nil:
			// why: a store being deleted never comes back (nothing leaves
			// DELETING but removal), and a stopped one does not start by itself
			// (STOPPED is a store state in the terraform online_store docs): publishing
			// would fail after the share's writes.
			switch st.State {
			case ml.OnlineStoreStateDeleting:
				return invalid.Input("online store", spec.OnlineStore, "is being deleted in %s: name another store", region)
			case ml.OnlineStoreStateStopped:
				return invalid.Input("online store", spec.OnlineStore, "is STOPPED in %s and cannot become AVAILABLE: start it, or name another store", region)
			}
		case errors.Is(err, apierr.ErrResourceDoesNotExist):
			// Missing: the run creates it.
		case regionRefusal(err):
			return fmt.Errorf("online store %q: the online store API refused in %s (%w): online stores are offered in some regions only; "+
				"check that %s offers them: %w", spec.OnlineStore, region, err, region, xregion.ErrPrecondition)
		default:
			return fmt.Errorf("read online store %q: %w", spec.OnlineStore, err)
		}
	}
	return nil
}

// onlineTableFound reports whether spec.OnlineTable, in the online catalog
// and schema, exists. Any trouble reading it leaves the decision to the
// schema's read.
func onlineTableFound(ctx context.Context, c PreflightClients, spec PreflightSpec) bool {
	if c.OnlineTables == nil || spec.OnlineTable == "" || spec.OnlineSchema == "" ||
		!strings.HasPrefix(strings.ToLower(spec.OnlineTable), strings.ToLower(spec.OnlineCatalog+"."+spec.OnlineSchema+".")) {
		return false
	}
	found, err := c.OnlineTables.OnlineTableExists(ctx, spec.OnlineTable)
	return err == nil && found
}

// regionRefusal reports whether err is the kind of refusal a region without
// online stores answers with: a 400 or a 501, not a permission problem, a
// server error or a cancellation (the exact answer is not documented).
func regionRefusal(err error) bool {
	var ae *apierr.APIError
	if !errors.As(err, &ae) || errors.Is(err, apierr.ErrPermissionDenied) || errors.Is(err, apierr.ErrUnauthenticated) {
		return false
	}
	return ae.StatusCode == 400 || ae.StatusCode == 501
}

// checkOnlineCatalog checks that the catalog exists and can hold tables, and
// that the schema exists in it. The schema is read first: when it exists
// and names its catalog's type, a type that can hold tables settles the
// catalog too, with no read of its own.
func checkOnlineCatalog(ctx context.Context, c PreflightClients, name, schema, region string) error {
	var serr error // the schema's read
	if schema != "" {
		if err := invalid.CheckName("online schema", schema); err != nil {
			return err
		}
		var sc *catalog.SchemaInfo
		sc, serr = c.Schemas.Get(ctx, catalog.GetSchemaRequest{FullName: name + "." + schema})
		switch {
		case serr == nil && sc.CatalogType != "" && writableCatalog(sc.CatalogType):
			return nil
		case serr != nil && !isMissing(serr):
			return fmt.Errorf("read online schema %s.%s: %w", name, schema, serr)
		}
		// Missing, or in a catalog that cannot hold tables, or the reply
		// does not say: the catalog's read tells which, as below.
	}
	cat, err := c.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: name})
	if isMissing(err) {
		return invalid.Input("online catalog", name, "does not exist in %s: name a catalog of the target workspace that you can create tables in", region)
	}
	if err != nil {
		return fmt.Errorf("read online catalog %q: %w", name, err)
	}
	switch cat.CatalogType {
	case catalog.CatalogTypeDeltasharingCatalog:
		return invalid.Input("online catalog", name, "is a catalog created from a share (of provider %q), which is read-only: name a writable catalog of the target workspace", cat.ProviderName)
	case catalog.CatalogTypeForeignCatalog, catalog.CatalogTypeSystemCatalog:
		return invalid.Input("online catalog", name, "is a %s, which cannot hold online tables: name a writable catalog of the target workspace", cat.CatalogType)
	}
	if schema != "" && isMissing(serr) {
		return invalid.Input("online schema", schema, "does not exist in catalog %q of %s: create it, or name an existing schema", name, region)
	}
	return nil
}

// writableCatalog reports whether a catalog of type t can hold online
// tables: not one created from a share, a foreign catalog or the system
// catalog.
func writableCatalog(t catalog.CatalogType) bool {
	switch t {
	case catalog.CatalogTypeDeltasharingCatalog, catalog.CatalogTypeForeignCatalog, catalog.CatalogTypeSystemCatalog:
		return false
	}
	return true
}
