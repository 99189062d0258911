package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/marks"
	"github.com/org/xregion-action/internal/settings"
	"maps"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"golang.org/x/sync/errgroup"
)

// StepTeardown is the step name teardown reports in its own errors.
const StepTeardown = "Teardown"

// SourceRegion labels the source side of a teardown in results and logs.
const SourceRegion = "source"

// TeardownSpec says what a teardown may remove beyond what carries the
// model's mark.
type TeardownSpec struct {
	// Confirm must be the model's name (the spec's Model) for anything to
	// be removed: a destructive command never runs by accident. A dry run
	// needs none.
	Confirm string
	// Adopt names the kinds of unmarked objects, made before marks existed,
	// to treat as the model's ([xregion.ParseAdopt]).
	Adopt xregion.Adopt
}

// TeardownResult is what a teardown did, or in a dry run would do, in one
// region or on the source.
type TeardownResult struct {
	// Region is the region's label, or [SourceRegion].
	Region string `json:"region"`
	Model  string `json:"model"`
	// Removals are the objects looked at, in the order they were handled.
	Removals []xregion.Removal `json:"removals"`
	// Error is the region's error message, empty on success.
	Error string `json:"error,omitempty"`
	// Requests are the API requests the teardown sent, when the
	// workspaces have meters.
	Requests *Requests `json:"requests,omitempty"`
}

// Count returns how many of the removals have op.
func (r *TeardownResult) Count(op xregion.Op) int {
	n := 0
	for _, rm := range r.Removals {
		if rm.Op == op {
			n++
		}
	}
	return n
}

// FleetTeardown is what [TeardownRegions] did.
type FleetTeardown struct {
	// Regions are the targets' results, in the order of the targets.
	Regions []*TeardownResult `json:"regions"`
	// Source is the share's side, once for all regions; nil in PhaseDeploy.
	Source *TeardownResult `json:"source,omitempty"`
}

// Teardown removes, in one region and then on the source, what xregion made
// for the model, in the order the service needs: the endpoint, the online
// tables, the online store, the shared catalog, then the region's grant,
// its recipient and the model's share objects and share. It is
// [TeardownRegions] with one target, its source side folded into the one
// result.
func Teardown(ctx context.Context, src Workspace, dst Target, spec Spec, td TeardownSpec, opts ...xregion.Option) (*TeardownResult, error) {
	ft, err := TeardownRegions(ctx, src, []Target{dst}, spec, td, Plan{}, opts...)
	if ft == nil || len(ft.Regions) == 0 {
		return &TeardownResult{Region: dst.Region, Model: spec.Model, Error: errString(err)}, err
	}
	res := ft.Regions[0]
	if ft.Source != nil {
		res.Removals = append(res.Removals, ft.Source.Removals...)
		res.Error = strings.Join(slices.DeleteFunc([]string{res.Error, ft.Source.Error}, func(s string) bool { return s == "" }), "; ")
		res.Requests = sumRequests(res.Requests, ft.Source.Requests)
	}
	return res, err
}

// TeardownRegions removes what xregion made for the model from every
// target, plan.Concurrency regions at a time (waves play no part), and then,
// once, from the source. Only what carries the model's mark is removed, or
// what td adopts; what other models still use only loses this model's name
// from its mark. An endpoint xregion did not create keeps serving, and
// while any endpoint serves the model, or something the shared catalog
// holds that no other model of the share accounts for, so does everything
// it reads: the online tables, the store, the shared catalog and the
// region's grant. The rules of each kind are those of [endpoint.Remove],
// [online.Remove], [deps.RemoveSharedCatalog] and [deps.RemoveShare].
//
// The share is read first (PhaseAll): a share that also serves other models
// or holds objects that are not the model's keeps each region's shared
// catalog, which then loses only the model's name, and the model's own
// feature tables (those marked for it alone) lose their online copies. An
// online table whose source table another shared catalog of the region
// also shows is kept: another model may read it. The source side revokes
// the grants only of regions whose shared catalog is gone, and removes the
// model's share objects only when no region outside the teardown still
// holds a grant.
//
// spec.Phase keeps its meaning: PhaseDeploy is the targets only, and src
// may be the zero [Workspace] there, as it must not in the other phases;
// PhaseShare is the source side only, and counts a region as done only when
// its workspace is given and shows no shared catalog of the share any more,
// or one whose mark no longer names the model (tear the targets down
// first). In a dry run ([xregion.WithDryRun])
// nothing is written and the results list exactly what would be removed;
// otherwise td.Confirm must name the model. Every input, the targets'
// overrides and the source's services included, is checked before the
// first call. Missing objects
// count as removed already ([xregion.OpAbsent]), so a re-run after a crash
// finishes the job and a teardown run twice makes no write the second
// time.
func TeardownRegions(ctx context.Context, src Workspace, targets []Target, spec Spec, td TeardownSpec, plan Plan, opts ...xregion.Option) (*FleetTeardown, error) {
	return teardownRegions(ctx, src.orNil(), targets, spec, td, plan, opts)
}

// teardownRegions is [TeardownRegions] with the source as the internals
// take it: nil when there is none.
func teardownRegions(ctx context.Context, src *Workspace, targets []Target, spec Spec, td TeardownSpec, plan Plan, opts []xregion.Option) (*FleetTeardown, error) {
	if err := spec.ValidateTeardown(sourceOf(src), td, opts...); err != nil {
		return nil, err
	}
	for _, t := range targets {
		if err := t.apply(spec).ValidateTeardown(sourceOf(src), td, opts...); err != nil {
			return nil, fmt.Errorf("region %s: %w", cmp.Or(t.Region, "target"), err)
		}
	}
	spec, _ = spec.teardownDefaults(src != nil)
	if err := checkSource(src, teardownNeeds(spec)); err != nil {
		return nil, err
	}
	if len(targets) == 0 && spec.Phase != PhaseShare {
		return nil, invalid.Input("regions", "", "no target to tear down")
	}
	src = withOnceSummary(src) // read by every region's recipient lookup
	var view *shareView
	if spec.Phase != PhaseDeploy && src != nil {
		var err error
		if view, err = readShareView(ctx, src, spec, td); err != nil {
			return nil, err
		}
		for _, t := range targets {
			if t.apply(spec).OnlineCatalog == "" && view.tables > 0 && spec.Phase != PhaseShare {
				return nil, invalid.Input("online catalog", "", "the share holds %d feature table(s) of the model whose online copies teardown removes before the shared catalog: name the online catalog the rollout used", view.tables)
			}
		}
	}

	if spec.Phase == PhaseDeploy {
		// Without the share, each region's catalog tells whether the model
		// had feature tables, whose online copies go first: every region
		// is asked before any writes.
		for _, t := range targets {
			ts := t.apply(spec)
			if ts.OnlineCatalog != "" || t.Workspace.Schemas == nil {
				continue
			}
			tables, err := sharedTables(ctx, t.Workspace, ts.SharedCatalog)
			if err != nil && !apierr.IsMissing(err) {
				return nil, err
			}
			if len(tables) > 0 {
				return nil, invalid.Input("online catalog", "", "the shared catalog %s of region %s shows %d feature table(s) whose online copies teardown removes before the catalog: name the online catalog the rollout used", ts.SharedCatalog, cmp.Or(t.Region, "target"), len(tables))
			}
		}
	}
	ft := &FleetTeardown{Regions: make([]*TeardownResult, len(targets))}
	recipients := make([]*deps.RecipientSpec, len(targets))
	states := make([]regionState, len(targets))
	errs := make([]error, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(plan.Concurrency, DefaultConcurrency))
	for i, t := range targets {
		g.Go(func() error {
			ft.Regions[i], recipients[i], states[i], errs[i] = teardownTarget(gctx, t, spec, td, view, opts)
			return nil // one region's failure does not stop the others
		})
	}
	_ = g.Wait()

	if spec.Phase != PhaseDeploy && src != nil {
		var clear, done []deps.RecipientSpec
		for i, r := range recipients {
			switch {
			case r == nil || errs[i] != nil || states[i] == regionBusy:
			case states[i] == regionFinished:
				done = append(done, *r)
			default:
				clear = append(clear, *r)
			}
		}
		var err error
		ft.Source, err = teardownSource(ctx, src, spec, td, clear, done, opts)
		errs = append(errs, err)
	}
	return ft, errors.Join(errs...)
}

// shareView is what the share says, read once before the regions: whether
// it serves more than the model, and which feature tables are the model's
// alone.
type shareView struct {
	// read is set when the share was read (not in PhaseDeploy).
	read bool
	// keep says why each region's shared catalog must stay (other models,
	// objects that are not the model's); empty when nothing else needs it.
	keep string
	// others are the exposed names ("schema.name") of the models other
	// than this one that the share's marks name.
	others map[string]bool
	// mine are the exposed names of the tables marked for this model alone
	// (or adopted with the share).
	mine []string
	// tables counts the tables marked for this model, alone or not.
	tables int
}

// readShareView reads the share with its objects.
func readShareView(ctx context.Context, src *Workspace, spec Spec, td TeardownSpec) (*shareView, error) {
	v := &shareView{read: true, others: map[string]bool{}}
	sh, err := src.Shares.Get(client.WithStep(ctx, deps.StepRemoveShare), sharing.GetShareRequest{Name: spec.Share, IncludeSharedData: true})
	if apierr.IsMissing(err) {
		return v, nil
	}
	if err != nil {
		return nil, &xregion.StepError{Step: deps.StepRemoveShare, Resource: fmt.Sprintf("share %q", spec.Share), Err: fmt.Errorf("read: %w", err)}
	}
	others := marks.Parse(sh.Comment).Others(spec.Model)
	for _, o := range sh.Objects {
		others = append(others, marks.Parse(o.Comment).Others(spec.Model)...)
	}
	slices.Sort(others)
	others = slices.Compact(others)
	adopt := td.Adopt[xregion.KindShare] && len(others) == 0
	var foreign []string
	for _, o := range sh.Objects {
		m := marks.Parse(o.Comment)
		exposed := exposedName(o)
		switch {
		case m.Found && len(m.Others(spec.Model)) > 0:
			if o.DataObjectType != sharing.SharedDataObjectDataObjectTypeTable && !m.Has(spec.Model) {
				// Another model's own model or FeatureSpec: an endpoint
				// serving it is that model's business.
				v.others[strings.ToLower(exposed)] = true
			}
			if o.DataObjectType == sharing.SharedDataObjectDataObjectTypeTable && m.Has(spec.Model) {
				v.tables++
			}
		case m.Found || adopt:
			if o.DataObjectType == sharing.SharedDataObjectDataObjectTypeTable {
				v.mine = append(v.mine, exposed)
				v.tables++
			}
		default:
			foreign = append(foreign, o.Name)
		}
	}
	for _, o := range others {
		if n, err := xregion.ParseFullName("model", o); err == nil {
			v.others[strings.ToLower(n.Schema+"."+n.Name)] = true
		}
	}
	switch {
	case len(others) > 0:
		v.keep = "the share also serves " + strings.Join(others, ", ")
	case len(foreign) > 0:
		v.keep = "the share also holds objects that are not this model's: " + strings.Join(foreign, ", ")
	}
	return v, nil
}

// exposedName is the "schema.name" a share object shows under in a catalog
// made from the share.
func exposedName(o sharing.SharedDataObject) string {
	if o.SharedAs != "" {
		return o.SharedAs
	}
	if o.StringSharedAs != "" {
		return o.StringSharedAs
	}
	if _, rest, ok := strings.Cut(o.Name, "."); ok {
		return rest
	}
	return o.Name
}

// teardownTarget tears down one region's side and says where the region
// stands, with its recipient spec for the source side.
func teardownTarget(ctx context.Context, dst Target, spec Spec, td TeardownSpec, view *shareView, opts []xregion.Option) (res *TeardownResult, rcpt *deps.RecipientSpec, state regionState, err error) {
	spec = dst.apply(spec)
	res = &TeardownResult{Region: dst.Region, Model: spec.Model}
	meters := startMeters(nil, dst.Workspace)
	defer func() {
		res.Requests = meters.requests()
		if err != nil {
			err = fmt.Errorf("%s: %w", cmp.Or(res.Region, "target"), err)
			res.Error = err.Error()
		}
	}()
	w := dst.Workspace
	if w.Metastores == nil || w.Catalogs == nil {
		// The share phase may run without the target's credentials: then
		// nothing says the region no longer reads the share.
		res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindGrant, Name: cmp.Or(spec.Recipient, "the region's recipient"), Op: xregion.OpKept,
			Why: "no credentials for the region: teardown cannot check that it no longer reads the share; tear it down with them first"})
		return res, nil, regionBusy, nil
	}
	meta, err := w.Metastores.Summary(client.WithStep(ctx, StepTeardown))
	if err != nil {
		return res, nil, regionBusy, &xregion.StepError{Step: "ReadTargetMetastore", Err: err}
	}
	res.Region = cmp.Or(res.Region, meta.Region)
	s := settings.New(opts...)
	opts = append(slices.Clip(opts), xregion.WithLogger(s.Logger.With("region", res.Region)))
	// The same-metastore recipient is resolved, and never deleted, by
	// RemoveShare.
	rcpt = &deps.RecipientSpec{Name: spec.Recipient, TargetMetastoreID: meta.GlobalMetastoreId}
	if spec.Phase == PhaseShare {
		cat, err := w.Catalogs.Get(client.WithStep(ctx, StepTeardown), catalog.GetCatalogRequest{Name: spec.SharedCatalog})
		switch {
		case apierr.IsMissing(err):
			return res, rcpt, regionClear, nil
		case err != nil:
			return res, nil, regionBusy, &xregion.StepError{Step: StepTeardown, Resource: fmt.Sprintf("catalog %q", spec.SharedCatalog), Err: fmt.Errorf("read: %w", err)}
		case !strings.EqualFold(cat.ShareName, spec.Share):
			return res, rcpt, regionClear, nil
		case marks.Parse(cat.Comment).Found && !marks.Parse(cat.Comment).Has(spec.Model):
			// A deploy-phase teardown took the model off the catalog,
			// which stays for other models: the region is done with it.
			return res, rcpt, regionFinished, nil
		}
		res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindCatalog, Name: spec.SharedCatalog, Op: xregion.OpKept,
			Why: "the region still reads the share through it: tear the region down first (phase deploy or all)"})
		return res, nil, regionBusy, nil
	}
	state, err = teardownRegion(ctx, w, spec, td, view, res, opts)
	if err != nil {
		return res, nil, regionBusy, err
	}
	return res, rcpt, state, nil
}

// regionState is where a region stands after its side of a teardown.
type regionState int

const (
	// regionBusy: the region still reads the model's part of the share.
	regionBusy regionState = iota
	// regionFinished: no endpoint serves the model, its own online tables
	// are gone, and the shared catalog stays for other models.
	regionFinished
	// regionClear: the shared catalog is gone too.
	regionClear
)

// teardownRegion removes the target side in order and says where the region
// stands, which decides the fate of its grant. view is nil in PhaseDeploy.
func teardownRegion(ctx context.Context, w Workspace, spec Spec, td TeardownSpec, view *shareView, res *TeardownResult, opts []xregion.Option) (regionState, error) {
	s := settings.New(opts...)
	m, _ := xregion.ParseFullName("model", spec.Model)
	shared := m.InCatalog(spec.SharedCatalog).String()
	store := cmp.Or(spec.OnlineStore, online.DefaultStoreName(spec.OnlineCatalog))
	keepOnline := func(why string) {
		if spec.OnlineCatalog != "" {
			res.Removals = append(res.Removals,
				xregion.Removal{Kind: xregion.KindOnlineTable, Name: spec.OnlineCatalog + "." + spec.OnlineSchema + ".*", Op: xregion.OpKept, Why: why},
				xregion.Removal{Kind: xregion.KindOnlineStore, Name: store, Op: xregion.OpKept, Why: why})
		}
	}
	if view == nil {
		view = &shareView{}
	}
	// The models other than this one the region may serve from the shared
	// catalog: those the share's marks name, and those the catalog's mark
	// names (a copy: regions run at once).
	others := maps.Clone(view.others)
	if others == nil {
		others = map[string]bool{}
	}
	// The shared catalog, read once before any write: its mark names the
	// other models it serves, and it decides which online tables go.
	var catMark marks.Mark
	catInfo, err := w.Catalogs.Get(client.WithStep(ctx, deps.StepRemoveCatalog), catalog.GetCatalogRequest{Name: spec.SharedCatalog})
	switch {
	case apierr.IsMissing(err):
		catInfo = nil
	case err != nil:
		return regionBusy, &xregion.StepError{Step: deps.StepRemoveCatalog, Resource: fmt.Sprintf("catalog %q", spec.SharedCatalog), Err: fmt.Errorf("read: %w", err)}
	default:
		catMark = marks.Parse(catInfo.Comment)
	}
	for _, o := range catMark.Others(spec.Model) {
		if n, err := xregion.ParseFullName("model", o); err == nil {
			others[strings.ToLower(n.Schema+"."+n.Name)] = true
		}
	}

	// 1. The endpoint; then whether any endpoint still serves the model,
	// or anything else from the shared catalog that no other model of the
	// share accounts for (a user's feature serving endpoint, say): then
	// what it reads stays.
	if w.ServingEndpoints != nil {
		r, err := endpoint.Remove(client.WithStep(ctx, endpoint.StepRemove), w.ServingEndpoints, spec.Endpoint.Name, shared, td.Adopt[xregion.KindEndpoint], opts...)
		if err != nil {
			return regionBusy, err
		}
		res.Removals = append(res.Removals, *r)
		users, listed, err := endpoint.Serving(client.WithStep(ctx, endpoint.StepRemove), w.ServingEndpoints, func(entity string) bool {
			cat, exposed, _ := strings.Cut(strings.ToLower(entity), ".")
			return cat == strings.ToLower(spec.SharedCatalog) && !others[exposed]
		})
		if err != nil {
			return regionBusy, err
		}
		if s.DryRun && r.Op == xregion.OpRemoved {
			users = slices.DeleteFunc(users, func(n string) bool { return n == spec.Endpoint.Name })
		}
		if !listed && r.Op == xregion.OpKept {
			users = []string{spec.Endpoint.Name}
		}
		if len(users) > 0 {
			why := fmt.Sprintf("endpoint %s still serves from the shared catalog %s", strings.Join(users, ", "), spec.SharedCatalog)
			keepOnline(why)
			res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindCatalog, Name: spec.SharedCatalog, Op: xregion.OpKept, Why: why})
			return regionBusy, nil
		}
	}

	// 2. What becomes of the shared catalog, from the read above.
	cs := deps.RemoveCatalogSpec{Name: spec.SharedCatalog, Share: spec.Share, Model: spec.Model, Adopt: td.Adopt[xregion.KindCatalog], Keep: view.keep}
	plan := deps.PlanCatalogRemoval(catInfo, cs)
	cat := &plan
	state := regionBusy
	var tables []string
	switch {
	case cat.Op == xregion.OpRemoved:
		state = regionClear
		if tables, err = sharedTables(ctx, w, spec.SharedCatalog); err != nil {
			return regionBusy, err
		}
	case cat.Op == xregion.OpAbsent:
		state = regionClear
	case cat.Op == xregion.OpUpdated, catMark.Found && !catMark.Has(spec.Model):
		// The mark is the region side's last write: once it no longer
		// names the model, the region is done with it (a re-run after a
		// failed source side finds it so).
		// It stays for other models; the model's own tables go.
		state = regionFinished
		for _, t := range view.mine {
			tables = append(tables, spec.SharedCatalog+"."+t)
		}
		if !view.read && spec.OnlineCatalog != "" {
			res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindOnlineTable, Name: spec.OnlineCatalog + "." + spec.OnlineSchema + ".*", Op: xregion.OpKept,
				Why: "the shared catalog stays for other models, and without the source (phase deploy) teardown cannot tell which feature tables are this model's alone: run it with the source (phase all or share) to remove those"})
		}
	}

	// 3. The online tables and the store.
	if spec.OnlineCatalog != "" {
		if state == regionBusy {
			keepOnline("the shared catalog " + spec.SharedCatalog + " is kept")
		} else {
			kept, err := alsoShared(ctx, w, spec.SharedCatalog, tables)
			if err != nil {
				return regionBusy, err
			}
			tables = slices.DeleteFunc(tables, func(t string) bool { return kept[t] != "" })
			for _, t := range slices.Sorted(maps.Keys(kept)) {
				res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindOnlineTable, Name: online.DefaultOnlineName(spec.OnlineCatalog, spec.OnlineSchema, t), Op: xregion.OpKept, Why: kept[t]})
			}
			or, err := online.Remove(client.WithStep(ctx, online.StepRemove), w.onlineRemovers(), online.RemoveSpec{
				Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema, Store: spec.OnlineStore,
				Tables: tables, AdoptStore: td.Adopt[xregion.KindOnlineStore],
			}, opts...)
			if or != nil {
				res.Removals = append(res.Removals, or.Removals...)
			}
			if err != nil {
				return regionBusy, err
			}
		}
	}

	// 4. The shared catalog.
	if !s.DryRun && cat.Op.Wrote() {
		if cat, err = deps.RemoveSharedCatalog(client.WithStep(ctx, deps.StepRemoveCatalog), w.catalogs(), cs, opts...); err != nil {
			return regionBusy, err
		}
	}
	res.Removals = append(res.Removals, *cat)
	return state, nil
}

// alsoShared returns, of tables (full names in the catalog cat), those whose
// "schema.name" another Delta Sharing catalog of the workspace shows too,
// each with the reason to keep its online copy: the copies have the same
// name, and may feed a model served from that catalog. Each other catalog
// is asked once per schema; one that cannot be read keeps the tables of
// that schema. A workspace whose Catalogs or Tables cannot list is asked
// nothing. Catalogs the caller may not see are not listed by the service,
// and not checked.
func alsoShared(ctx context.Context, w Workspace, cat string, tables []string) (map[string]string, error) {
	out := map[string]string{}
	lister, ok := w.Catalogs.(interface {
		ListAll(context.Context, catalog.ListCatalogsRequest) ([]catalog.CatalogInfo, error)
	})
	tableList, ok2 := w.Tables.(interface {
		ListAll(context.Context, catalog.ListTablesRequest) ([]catalog.TableInfo, error)
	})
	if !ok || !ok2 || len(tables) == 0 {
		return out, nil
	}
	ctx = client.WithStep(ctx, online.StepRemove)
	all, err := lister.ListAll(ctx, catalog.ListCatalogsRequest{})
	if err != nil {
		return nil, &xregion.StepError{Step: online.StepRemove, Resource: "catalogs", Err: fmt.Errorf("list: %w", err)}
	}
	bySchema := map[string][]string{} // schema -> tables of cat in it
	for _, t := range tables {
		parts := strings.SplitN(t, ".", 3)
		if len(parts) == 3 {
			bySchema[strings.ToLower(parts[1])] = append(bySchema[strings.ToLower(parts[1])], t)
		}
	}
	for _, c := range all {
		if c.CatalogType != catalog.CatalogTypeDeltasharingCatalog || strings.EqualFold(c.Name, cat) {
			continue
		}
		for _, schema := range slices.Sorted(maps.Keys(bySchema)) {
			listed, err := tableList.ListAll(ctx, catalog.ListTablesRequest{CatalogName: c.Name, SchemaName: schema})
			switch {
			case apierr.IsMissing(err):
				continue
			case errors.Is(err, apierr.ErrPermissionDenied):
				for _, t := range bySchema[schema] {
					if out[t] == "" {
						out[t] = fmt.Sprintf("the shared catalog %s cannot be read to check whether it shows the source table too (%v)", c.Name, err)
					}
				}
				continue
			case err != nil:
				return nil, &xregion.StepError{Step: online.StepRemove, Resource: fmt.Sprintf("schema %q", c.Name+"."+schema), Err: fmt.Errorf("list tables: %w", err)}
			}
			for _, t := range bySchema[schema] {
				name := t[strings.LastIndexByte(t, '.')+1:]
				if out[t] == "" && slices.ContainsFunc(listed, func(l catalog.TableInfo) bool { return strings.EqualFold(l.Name, name) }) {
					out[t] = fmt.Sprintf("the shared catalog %s shows its source table too: a model served from it may read it", c.Name)
				}
			}
		}
	}
	return out, nil
}

// sharedTables lists the tables a shared catalog shows, schema by schema
// (information_schema aside). Workspace.Schemas and Tables must list, as the
// SDK's and the fakes' do.
func sharedTables(ctx context.Context, w Workspace, cat string) ([]string, error) {
	ctx = client.WithStep(ctx, online.StepRemove)
	fail := func(what string, err error) ([]string, error) {
		return nil, &xregion.StepError{Step: online.StepRemove, Resource: what, Err: err}
	}
	schemaList, ok1 := w.Schemas.(interface {
		ListAll(context.Context, catalog.ListSchemasRequest) ([]catalog.SchemaInfo, error)
	})
	tableList, ok2 := w.Tables.(interface {
		ListAll(context.Context, catalog.ListTablesRequest) ([]catalog.TableInfo, error)
	})
	if !ok1 || !ok2 {
		return fail(fmt.Sprintf("catalog %q", cat), errors.New("the workspace's Schemas and Tables services must list (ListAll) to find the online tables fed from the catalog"))
	}
	schemas, err := schemaList.ListAll(ctx, catalog.ListSchemasRequest{CatalogName: cat})
	if err != nil {
		return fail(fmt.Sprintf("catalog %q", cat), fmt.Errorf("list schemas: %w", err))
	}
	var out []string
	for _, sc := range schemas {
		if sc.Name == "information_schema" {
			continue
		}
		ts, err := tableList.ListAll(ctx, catalog.ListTablesRequest{CatalogName: cat, SchemaName: sc.Name})
		if err != nil {
			return fail(fmt.Sprintf("schema %q", cat+"."+sc.Name), fmt.Errorf("list tables: %w", err))
		}
		for _, t := range ts {
			out = append(out, t.FullName)
		}
	}
	slices.Sort(out)
	return out, nil
}

// teardownSource removes the source side: the grants of the regions in
// recipients, their recipients, the model's share objects and the share.
func teardownSource(ctx context.Context, src *Workspace, spec Spec, td TeardownSpec, recipients, finished []deps.RecipientSpec, opts []xregion.Option) (*TeardownResult, error) {
	res := &TeardownResult{Region: SourceRegion, Model: spec.Model}
	meters := startMeters(src, Workspace{})
	defer func() { res.Requests = meters.requests() }()
	s := settings.New(opts...)
	opts = append(slices.Clip(opts), xregion.WithLogger(s.Logger.With("region", SourceRegion)))
	r, err := deps.RemoveShare(client.WithStep(ctx, deps.StepRemoveShare), src.sharing(), deps.RemoveShareSpec{
		Name: spec.Share, Model: spec.Model, Recipients: recipients, Finished: finished, Adopt: td.Adopt,
	}, opts...)
	if r != nil {
		res.Removals = r.Removals
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", SourceRegion, err)
		res.Error = err.Error()
	}
	return res, err
}

// ValidateTeardown reports the first bad input of a teardown, as
// [TeardownRegions] would before any call, given the same options: the
// spec's names, and, unless [xregion.WithDryRun] is among opts, a
// td.Confirm that names the model. The error matches
// [xregion.ErrInvalidInput].
func (spec Spec) ValidateTeardown(src Source, td TeardownSpec, opts ...xregion.Option) error {
	spec, err := spec.teardownDefaults(bool(src))
	if err == nil && !settings.New(opts...).DryRun && !strings.EqualFold(strings.TrimSpace(td.Confirm), spec.Model) {
		err = invalid.Input("confirm", td.Confirm, "teardown removes what xregion made for %s: set confirm to that model's name to go ahead (a dry run needs none)", spec.Model)
	}
	return err
}

// teardownDefaults validates what a teardown reads of the spec and fills
// its defaults, as withDefaults does for a rollout; the version, the
// provider and the deployment's settings play no part.
func (spec Spec) teardownDefaults(haveSource bool) (Spec, error) {
	if _, err := xregion.ParseFullName("model", spec.Model); err != nil {
		return spec, err
	}
	if err := spec.checkPhase(haveSource); err != nil {
		return spec, err
	}
	spec.Share = cmp.Or(spec.Share, DefaultShareName(spec.Model))
	spec.SharedCatalog = cmp.Or(spec.SharedCatalog, spec.Share)
	spec.OnlineSchema = cmp.Or(spec.OnlineSchema, DefaultOnlineSchema)
	spec.Endpoint.Name = cmp.Or(spec.Endpoint.Name, DefaultEndpointName(spec.Model))
	for _, in := range [][2]string{{"share", spec.Share}, {"shared catalog", spec.SharedCatalog}, {"recipient", spec.Recipient}} {
		if in[1] == "" {
			continue
		}
		if err := invalid.CheckName(in[0], in[1]); err != nil {
			return spec, err
		}
	}
	if err := (online.PublishSpec{Store: spec.OnlineStore, SharedCatalog: spec.SharedCatalog, Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema}).Validate(); err != nil {
		return spec, err
	}
	if err := invalid.CheckName("endpoint", spec.Endpoint.Name); err != nil {
		return spec, err
	}
	return spec, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sumRequests puts a region's target requests and the source's together.
func sumRequests(region, source *Requests) *Requests {
	switch {
	case region == nil:
		return source
	case source == nil:
		return region
	}
	return &Requests{Source: source.Source, Target: region.Target}
}
