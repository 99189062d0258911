package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/databricks/databricks-sdk-go/service/catalog"
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
func Teardown(ctx context.Context, src *Workspace, dst Target, spec Spec, td TeardownSpec, opts ...xregion.Option) (*TeardownResult, error) {
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
// from its mark; an endpoint xregion did not create keeps serving, and then
// so does everything it reads (the online tables, the store, the shared
// catalog and the region's grant). The rules of each kind are those of
// [endpoint.Remove], [online.Remove], [deps.RemoveSharedCatalog] and
// [deps.RemoveShare]; the source side revokes the grants only of regions
// whose shared catalog is gone, and removes the model's share objects only
// when no other recipient still holds a grant on the share.
//
// spec.Phase keeps its meaning: PhaseShare is the source side only (the
// grants of every target's recipient), PhaseDeploy the targets only. In a
// dry run ([xregion.WithDryRun]) nothing is written and the results list
// exactly what would be removed; otherwise td.Confirm must name the model.
// Missing objects count as removed already ([xregion.OpAbsent]), so a
// re-run after a crash finishes the job and a teardown run twice makes no
// write the second time.
func TeardownRegions(ctx context.Context, src *Workspace, targets []Target, spec Spec, td TeardownSpec, plan Plan, opts ...xregion.Option) (*FleetTeardown, error) {
	s := xregion.NewSettings(opts...)
	if err := spec.ValidateTeardown(src != nil, td, s.DryRun); err != nil {
		return nil, err
	}
	spec, _ = spec.teardownDefaults(src != nil)
	if len(targets) == 0 && spec.Phase != PhaseShare {
		return nil, xregion.Invalid("regions", "", "no target to tear down")
	}
	ft := &FleetTeardown{Regions: make([]*TeardownResult, len(targets))}
	var err error
	recipients := make([]*deps.RecipientSpec, len(targets))
	finished := make([]bool, len(targets))
	errs := make([]error, len(targets))
	src = withOnceSummary(src)
	var srcMeta struct {
		sync.Once
		id  string
		err error
	}
	sourceID := func(ctx context.Context) (string, error) {
		srcMeta.Do(func() {
			if src == nil {
				return
			}
			var m *catalog.GetMetastoreSummaryResponse
			if m, srcMeta.err = src.Metastores.Summary(client.WithStep(ctx, StepTeardown)); srcMeta.err == nil {
				srcMeta.id = m.MetastoreId
			}
		})
		return srcMeta.id, srcMeta.err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(plan.Concurrency, DefaultConcurrency))
	for i, t := range targets {
		g.Go(func() error {
			res, rcpt, fin, err := teardownTarget(gctx, t, spec, td, sourceID, opts)
			ft.Regions[i], recipients[i], finished[i], errs[i] = res, rcpt, fin, err
			return nil // one region's failure does not stop the others
		})
	}
	_ = g.Wait()

	if spec.Phase != PhaseDeploy && src != nil {
		var clear, done []deps.RecipientSpec
		for i, r := range recipients {
			switch {
			case r == nil || errs[i] != nil:
			case finished[i]:
				done = append(done, *r)
			default:
				clear = append(clear, *r)
			}
		}
		ft.Source, err = teardownSource(ctx, src, spec, td, clear, done, opts)
		errs = append(errs, err)
	}
	return ft, errors.Join(errs...)
}

// teardownTarget tears down one region's side and returns the recipient
// spec of the region when it is done with the model: its grant may go when
// its shared catalog is gone (or, in PhaseShare, always); when the catalog
// stays for other models, the region is finished: the grant stays, but the
// region no longer keeps the model's objects in the share. rcpt is nil when
// the region still reads the model, or shares the source's metastore.
func teardownTarget(ctx context.Context, dst Target, spec Spec, td TeardownSpec, sourceID func(context.Context) (string, error), opts []xregion.Option) (res *TeardownResult, rcpt *deps.RecipientSpec, finished bool, err error) {
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
	meta, err := w.Metastores.Summary(client.WithStep(ctx, StepTeardown))
	if err != nil {
		return res, nil, false, &xregion.StepError{Step: "ReadTargetMetastore", Err: err}
	}
	res.Region = cmp.Or(res.Region, meta.Region)
	s := xregion.NewSettings(opts...)
	opts = append(slices.Clip(opts), xregion.WithLogger(s.Logger.With("region", res.Region)))
	region := &deps.RecipientSpec{Name: spec.Recipient, TargetMetastoreID: meta.GlobalMetastoreId}
	if srcID, err := sourceID(ctx); err != nil {
		return res, nil, false, &xregion.StepError{Step: "ReadSourceMetastore", Err: err}
	} else if srcID != "" && srcID == meta.MetastoreId && spec.Recipient == "" {
		// One metastore: the grant went to the built-in recipient, which
		// other workspaces of the metastore use as well; it stays.
		region = nil
	}
	if spec.Phase == PhaseShare {
		return res, region, false, nil
	}
	state, err := teardownRegion(ctx, w, spec, td, res, opts)
	if state == regionBusy || err != nil {
		region = nil
	}
	return res, region, state == regionFinished, err
}

// regionState is where a region stands after its side of a teardown.
type regionState int

const (
	// regionBusy: the region still reads the model's part of the share.
	regionBusy regionState = iota
	// regionFinished: no endpoint serves the model, its online tables are
	// gone, and the shared catalog stays for other models.
	regionFinished
	// regionClear: the shared catalog is gone too.
	regionClear
)

// teardownRegion removes the target side in order and says where the region
// stands, which decides the fate of its grant.
func teardownRegion(ctx context.Context, w Workspace, spec Spec, td TeardownSpec, res *TeardownResult, opts []xregion.Option) (regionState, error) {
	s := xregion.NewSettings(opts...)
	dry := append(slices.Clip(opts), xregion.WithDryRun())
	m, _ := xregion.ParseFullName("model", spec.Model)
	shared := m.InCatalog(spec.SharedCatalog).String()
	keepRest := func(why string) {
		if spec.OnlineCatalog != "" {
			res.Removals = append(res.Removals,
				xregion.Removal{Kind: xregion.KindOnlineTable, Name: spec.OnlineCatalog + "." + spec.OnlineSchema + ".*", Op: xregion.OpKept, Why: why},
				xregion.Removal{Kind: xregion.KindOnlineStore, Name: cmp.Or(spec.OnlineStore, online.DefaultStoreName(spec.OnlineCatalog)), Op: xregion.OpKept, Why: why})
		}
		res.Removals = append(res.Removals, xregion.Removal{Kind: xregion.KindCatalog, Name: spec.SharedCatalog, Op: xregion.OpKept, Why: why})
	}

	// 1. The endpoint; then whether any endpoint still serves the model
	// from the shared catalog, in which case what it reads stays.
	if w.ServingEndpoints != nil {
		r, err := endpoint.Remove(client.WithStep(ctx, endpoint.StepRemove), w.ServingEndpoints, spec.Endpoint.Name, shared, td.Adopt[xregion.KindEndpoint], opts...)
		if err != nil {
			return regionBusy, err
		}
		res.Removals = append(res.Removals, *r)
		users, listed, err := endpoint.ServedBy(client.WithStep(ctx, endpoint.StepRemove), w.ServingEndpoints, shared)
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
			keepRest(fmt.Sprintf("endpoint %s still serves %s", strings.Join(users, ", "), shared))
			return regionBusy, nil
		}
	}

	// 2. Whether the shared catalog serves this model alone decides the
	// online tables fed from it: read it without writing first.
	cs := deps.RemoveCatalogSpec{Name: spec.SharedCatalog, Share: spec.Share, Model: spec.Model, Adopt: td.Adopt[xregion.KindCatalog]}
	cat, err := deps.RemoveSharedCatalog(client.WithStep(ctx, deps.StepRemoveCatalog), w.catalogs(), cs, dry...)
	if err != nil {
		return regionBusy, err
	}

	// 3. The online tables and the store.
	if spec.OnlineCatalog != "" {
		switch cat.Op {
		case xregion.OpRemoved, xregion.OpAbsent:
			var tables []string
			if cat.Op == xregion.OpRemoved {
				if tables, err = sharedTables(ctx, w, spec.SharedCatalog); err != nil {
					return regionBusy, err
				}
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
		default:
			res.Removals = append(res.Removals,
				xregion.Removal{Kind: xregion.KindOnlineTable, Name: spec.OnlineCatalog + "." + spec.OnlineSchema + ".*", Op: xregion.OpKept, Why: "their shared catalog " + spec.SharedCatalog + " is kept"},
				xregion.Removal{Kind: xregion.KindOnlineStore, Name: cmp.Or(spec.OnlineStore, online.DefaultStoreName(spec.OnlineCatalog)), Op: xregion.OpKept, Why: "the shared catalog " + spec.SharedCatalog + " is kept"})
		}
	}

	// 4. The shared catalog.
	if !s.DryRun && (cat.Op == xregion.OpRemoved || cat.Op == xregion.OpUpdated) {
		if cat, err = deps.RemoveSharedCatalog(client.WithStep(ctx, deps.StepRemoveCatalog), w.catalogs(), cs, opts...); err != nil {
			return regionBusy, err
		}
	}
	res.Removals = append(res.Removals, *cat)
	switch cat.Op {
	case xregion.OpRemoved, xregion.OpAbsent:
		return regionClear, nil
	case xregion.OpUpdated:
		return regionFinished, nil
	}
	return regionBusy, nil
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
	s := xregion.NewSettings(opts...)
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
// [TeardownRegions] would before any call: the spec's names, and, unless
// dryRun, a td.Confirm that names the model. The error matches
// [xregion.ErrInvalidInput].
func (spec Spec) ValidateTeardown(haveSource bool, td TeardownSpec, dryRun bool) error {
	spec, err := spec.teardownDefaults(haveSource)
	if err == nil && !dryRun && !strings.EqualFold(strings.TrimSpace(td.Confirm), spec.Model) {
		err = xregion.Invalid("confirm", td.Confirm, "teardown removes what xregion made for %s: set confirm to that model's name to go ahead (a dry run needs none)", spec.Model)
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
	switch spec.Phase {
	case "":
		spec.Phase = PhaseAll
	case PhaseAll, PhaseShare, PhaseDeploy:
	default:
		return spec, xregion.Invalid("phase", string(spec.Phase), "want all, share or deploy")
	}
	if !haveSource && spec.Phase != PhaseDeploy {
		return spec, xregion.Invalid("phase", string(spec.Phase), "needs the source workspace; only the deploy phase runs without it")
	}
	spec.Share = cmp.Or(spec.Share, DefaultShareName(spec.Model))
	spec.SharedCatalog = cmp.Or(spec.SharedCatalog, spec.Share)
	spec.OnlineSchema = cmp.Or(spec.OnlineSchema, DefaultOnlineSchema)
	spec.Endpoint.Name = cmp.Or(spec.Endpoint.Name, DefaultEndpointName(spec.Model))
	for _, in := range [][2]string{{"share", spec.Share}, {"shared catalog", spec.SharedCatalog}, {"recipient", spec.Recipient}, {"online catalog", spec.OnlineCatalog}, {"online schema", spec.OnlineSchema}} {
		if in[1] == "" {
			continue
		}
		if err := xregion.CheckName(in[0], in[1]); err != nil {
			return spec, err
		}
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
