package deps

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/marks"
	"github.com/org/xregion-action/internal/settings"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
)

// StepRemoveCatalog is the step name [RemoveSharedCatalog] reports in
// errors.
const StepRemoveCatalog = "RemoveSharedCatalog"

// RemoveCatalogSpec says which shared catalog to tear down for a model.
type RemoveCatalogSpec struct {
	// Name is the catalog's name in the target workspace.
	Name string
	// Share is the share the catalog must be made from; a catalog made
	// from another share is never touched.
	Share string
	// Model is the source model's three-part name, the owner named on the
	// catalog's ownership mark ([xregion.MarkKey]).
	Model string
	// Adopt treats an unmarked catalog made from Share as made by xregion
	// for Model: a catalog made before marks existed.
	Adopt bool
	// Keep, when set, says why the catalog must stay whatever its mark
	// says, such as "the share also serves main.ml.churn": the model is
	// only taken off the mark (OpUpdated), or the catalog is kept with
	// Keep as the reason (OpKept).
	Keep string
}

// RemoveSharedCatalog tears down the model's use of a shared catalog in the
// target workspace, with one read of the catalog:
//
//   - a missing catalog is reported absent (OpAbsent);
//   - a catalog that is not a Delta Sharing catalog of spec.Share is kept;
//   - a catalog marked for spec.Model alone, or for no model, or unmarked
//     and adopted, is deleted with force (its contents are the share's
//     read-only objects, which cannot be deleted one by one: Databricks
//     REST reference, delete-catalog "force"), and reported OpRemoved;
//   - a catalog marked for other models too has spec.Model taken off its
//     mark and is kept (OpUpdated);
//   - a catalog marked for other models only, or unmarked and not
//     adopted, is kept (OpKept);
//   - with spec.Keep, a catalog is never deleted: one whose mark names the
//     model only loses the name (OpUpdated), and the Why is spec.Keep.
//
// With [xregion.WithDryRun] it reads and decides the same and writes
// nothing: the Op says whether the catalog serves only this model. A delete
// or update that finds the catalog gone reports it absent, so re-runs are
// safe. Every error is a [*xregion.StepError].
func RemoveSharedCatalog(ctx context.Context, c CatalogClients, spec RemoveCatalogSpec, opts ...xregion.Option) (*xregion.Removal, error) {
	r, err := removeSharedCatalog(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return nil, &xregion.StepError{Step: StepRemoveCatalog, Resource: fmt.Sprintf("catalog %q", spec.Name), Err: err}
	}
	return r, nil
}

// PlanCatalogRemoval decides, as [RemoveSharedCatalog] does, what a
// teardown of spec.Model does to the catalog cat as read (nil when it does
// not exist), writing nothing: a caller that has read the catalog already
// plans with it instead of reading it again.
func PlanCatalogRemoval(cat *catalog.CatalogInfo, spec RemoveCatalogSpec) xregion.Removal {
	r := xregion.Removal{Kind: xregion.KindCatalog, Name: spec.Name}
	switch {
	case cat == nil:
		r.Op = xregion.OpAbsent
		return r
	case cat.CatalogType != catalog.CatalogTypeDeltasharingCatalog:
		r.Op, r.Why = xregion.OpKept, fmt.Sprintf("not a Delta Sharing catalog but a %s", cat.CatalogType)
		return r
	case !strings.EqualFold(cat.ShareName, spec.Share):
		r.Op, r.Why = xregion.OpKept, fmt.Sprintf("made from share %q, not %q", cat.ShareName, spec.Share)
		return r
	}
	mark := marks.Parse(cat.Comment)
	others := mark.Others(spec.Model)
	switch {
	case spec.Keep != "" && mark.Found && mark.Has(spec.Model):
		r.Op, r.Why = xregion.OpUpdated, spec.Keep
	case spec.Keep != "" && (mark.Found && len(others) == 0 || !mark.Found && spec.Adopt):
		r.Op, r.Why = xregion.OpKept, spec.Keep
	case mark.Found && len(others) == 0, !mark.Found && spec.Adopt:
		r.Op = xregion.OpRemoved
	case mark.Found && mark.Has(spec.Model):
		r.Op, r.Why = xregion.OpUpdated, "still used by "+strings.Join(others, ", ")
	case mark.Found:
		r.Op, r.Why = xregion.OpKept, "used by "+strings.Join(others, ", ")+", not by this model"
	default:
		r.Op, r.Why = xregion.OpKept, "unmarked: xregion did not create it, or created it before marks (adopt catalog to treat it as xregion's)"
	}
	return r
}

func removeSharedCatalog(ctx context.Context, c CatalogClients, spec RemoveCatalogSpec, s settings.Settings) (*xregion.Removal, error) {
	if err := invalid.CheckName("shared catalog", spec.Name); err != nil {
		return nil, err
	}
	if err := invalid.CheckName("share", spec.Share); err != nil {
		return nil, err
	}
	if strings.TrimSpace(spec.Model) == "" {
		return nil, invalid.Input("model", spec.Model, "name the model whose shared catalog to remove")
	}
	ed := c.editor()
	if ed == nil && !s.DryRun {
		return nil, errors.New("CatalogClients has no Editor, and its Catalogs cannot delete catalogs")
	}
	log := s.Logger.With("step", StepRemoveCatalog, "catalog", spec.Name, "model", spec.Model)

	cat, err := c.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: spec.Name})
	if isMissing(err) {
		cat, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	plan := PlanCatalogRemoval(cat, spec)
	r := &plan
	var comment string
	if r.Op == xregion.OpUpdated {
		comment, _ = marks.RemoveOwner(cat.Comment, spec.Model)
	}
	if s.DryRun || !r.Op.Wrote() {
		return r, nil
	}
	if r.Op == xregion.OpRemoved {
		// why: a shared catalog's schemas count as contents, and its
		// objects cannot be deleted one by one: delete it in one call
		// with force (docs.databricks.com/api/uc-catalogs/v1/delete-catalog, "force"; terraform-provider-databricks issue #3388).
		err = ed.Delete(ctx, catalog.DeleteCatalogRequest{Name: spec.Name, Force: true})
	} else {
		_, err = ed.Update(ctx, catalog.UpdateCatalog{Name: spec.Name, Comment: comment})
	}
	switch {
	case isMissing(err):
		r.Op, r.Why = xregion.OpAbsent, ""
	case err != nil && r.Op == xregion.OpRemoved:
		return nil, fmt.Errorf("delete: %w", err)
	case err != nil:
		return nil, fmt.Errorf("take model %s off the ownership mark: %w", spec.Model, err)
	default:
		log.InfoContext(ctx, "done", "op", r.Op)
	}
	return r, nil
}
