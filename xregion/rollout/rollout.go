package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"golang.org/x/sync/errgroup"
)

// Phase selects the part of the pipeline to run.
type Phase string

const (
	// PhaseAll runs every step (the default).
	PhaseAll Phase = "all"
	// PhaseShare runs the source side only: discover, share, grant.
	PhaseShare Phase = "share"
	// PhaseDeploy runs the target side only: catalog, online tables,
	// endpoint. The share must exist and be granted already.
	PhaseDeploy Phase = "deploy"
)

// DefaultOnlineSchema is the schema of online tables unless told otherwise.
const DefaultOnlineSchema = "default"

// DefaultConcurrency bounds how many regions [Regions] rolls out at once
// unless told otherwise.
const DefaultConcurrency = 8

// Spec is what to roll out, the same for every region.
type Spec struct {
	// Model is the model's three-part name in the source workspace.
	// Required.
	Model string
	// Version is a number, "@alias" or "latest" (the default: the newest
	// READY version).
	Version string
	// Phase is all (default), share or deploy.
	Phase Phase
	// Share is the share's name. Default: [DefaultShareName] of Model.
	Share string
	// Recipient names the recipient explicitly. Default: the recipient
	// registered for the target's metastore, created if needed.
	Recipient string
	// SharedCatalog is the catalog mounted from the share in each target.
	// Default: the share's name.
	SharedCatalog string
	// Provider names the source's provider in the targets. Default: found
	// by the source's global metastore id.
	Provider string
	// SourceMetastoreID is the source's global metastore id, needed only in
	// PhaseDeploy when no source workspace is given and Provider is empty.
	SourceMetastoreID string
	// UseExistingCatalog accepts only an existing shared catalog and never
	// creates one.
	UseExistingCatalog bool
	// FeatureSpecs names functions to treat as FeatureSpecs.
	FeatureSpecs []string
	// OnlineStore, OnlineCapacity, OnlineCatalog and OnlineSchema say where
	// feature tables are published (see [online.PublishSpec]).
	// OnlineCatalog is required when the model has feature tables;
	// OnlineSchema defaults to [DefaultOnlineSchema].
	OnlineStore, OnlineCapacity, OnlineCatalog, OnlineSchema string
	// OnlineTimeout bounds the wait for online tables. Default:
	// [online.DefaultWaitTimeout].
	OnlineTimeout time.Duration
	// OnlineRefresh and OnlineMaxStaleness decide when healthy online
	// tables are synced again (see [online.PublishSpec].Refresh); the
	// model version's creation time is the one deployed. Default:
	// [online.RefreshAuto], no maximum staleness.
	OnlineRefresh      online.Refresh
	OnlineMaxStaleness time.Duration
	// ProviderTimeout bounds the wait for the share to reach a target.
	// Default: [deps.DefaultProviderTimeout].
	ProviderTimeout time.Duration
	// ShareTimeout bounds the wait for the share's objects and the model
	// version to become visible through the shared catalog of a target.
	// Default: [deps.DefaultShareVisibleTimeout].
	ShareTimeout time.Duration
	// Endpoint is the deployment. Its Name defaults to
	// [DefaultEndpointName] of Model; its Entity's Model and Version are
	// set by the pipeline (the model in the shared catalog, the resolved
	// version), its other fields are used as given.
	Endpoint endpoint.Spec
}

// Target is one region to roll out to.
type Target struct {
	// Region labels the region in results and logs. Default: the region
	// of the target's metastore.
	Region string
	// Workspace is the target workspace's services.
	Workspace Workspace
}

// RegionResult is what happened in one region. Fields of steps that did not
// run are nil.
type RegionResult struct {
	Region       string                `json:"region"`
	Model        string                `json:"model"`
	Version      int                   `json:"version,omitempty"`
	Dependencies *deps.Dependencies    `json:"dependencies,omitempty"`
	Share        *deps.ShareResult     `json:"share,omitempty"`
	Catalog      *deps.CatalogResult   `json:"catalog,omitempty"`
	Online       *online.PublishResult `json:"online,omitempty"`
	OnlineStatus []online.TableStatus  `json:"online_status,omitempty"`
	Endpoint     *endpoint.Result      `json:"endpoint,omitempty"`
	// Error is the region's error message, empty on success.
	Error string `json:"error,omitempty"`
	// Warnings are problems a dry run found that the real run would fail
	// on, such as a missing precondition.
	Warnings []string `json:"warnings,omitempty"`
	// Requests are the API requests the run sent, when the workspaces have
	// meters ([Workspace].Requests).
	Requests *Requests `json:"requests,omitempty"`
}

// DefaultShareName returns the share name used for model "c.s.m" unless
// told otherwise: "xregion_c_s_m".
func DefaultShareName(model string) string {
	return "xregion_" + strings.ReplaceAll(model, ".", "_")
}

// DefaultEndpointName returns the endpoint name used for model "c.s.m"
// unless told otherwise: "m" with underscores turned into hyphens, cut to
// 63 characters.
func DefaultEndpointName(model string) string {
	n := strings.ReplaceAll(model[strings.LastIndexByte(model, '.')+1:], "_", "-")
	return n[:min(len(n), 63)]
}

// Validate reports the first bad input of the spec, as [Region] would
// before any call; haveSource says whether a source workspace will be
// given. The error matches [xregion.ErrInvalidInput].
func (spec Spec) Validate(haveSource bool) error {
	_, err := spec.withDefaults(haveSource)
	return err
}

// withDefaults validates the spec and fills its defaults.
func (spec Spec) withDefaults(haveSource bool) (Spec, error) {
	if _, err := xregion.ParseFullName("model", spec.Model); err != nil {
		return spec, err
	}
	if _, err := xregion.ParseVersion("version", spec.Version); err != nil {
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
	if !haveSource && spec.Provider == "" && spec.SourceMetastoreID == "" {
		return spec, xregion.Invalid("provider", "", "without the source workspace, name the provider or give the source metastore id")
	}
	spec.Share = cmp.Or(spec.Share, DefaultShareName(spec.Model))
	spec.SharedCatalog = cmp.Or(spec.SharedCatalog, spec.Share)
	spec.OnlineSchema = cmp.Or(spec.OnlineSchema, DefaultOnlineSchema)
	spec.Endpoint.Name = cmp.Or(spec.Endpoint.Name, DefaultEndpointName(spec.Model))
	for _, in := range [][2]string{{"share", spec.Share}, {"shared catalog", spec.SharedCatalog}, {"recipient", spec.Recipient}, {"provider", spec.Provider}} {
		if in[1] == "" {
			continue
		}
		if err := xregion.CheckName(in[0], in[1]); err != nil {
			return spec, err
		}
	}
	if spec.SourceMetastoreID != "" && strings.Count(spec.SourceMetastoreID, ":") != 2 {
		return spec, xregion.Invalid("source metastore id", spec.SourceMetastoreID, `want a global metastore id "cloud:region:uuid"`)
	}
	if err := (online.PublishSpec{
		Store: spec.OnlineStore, Capacity: spec.OnlineCapacity, SharedCatalog: spec.SharedCatalog,
		Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema,
		Refresh: spec.OnlineRefresh, MaxStaleness: spec.OnlineMaxStaleness,
	}).Validate(); err != nil {
		return spec, err
	}
	// Check the deployment's own inputs now, before any write.
	probe := spec.Endpoint
	probe.Entity.Model, probe.Entity.Version = spec.Model, 1
	if err := probe.Validate(); err != nil {
		return spec, err
	}
	return spec, nil
}

// Region rolls the model out to one target region. src may be nil in
// PhaseDeploy. It stops at the first failing step; the result holds what
// every step that ran did, and the error is that step's
// [*xregion.StepError].
func Region(ctx context.Context, src *Workspace, dst Target, spec Spec, opts ...xregion.Option) (res *RegionResult, err error) {
	src = withOnceSummary(src) // read by the checks and by EnsureShare
	meters := startMeters(src, dst.Workspace)
	defer func() {
		if res != nil {
			res.Requests = meters.requests()
		}
	}()
	spec, err = spec.withDefaults(src != nil)
	if err != nil {
		return &RegionResult{Region: dst.Region, Model: spec.Model, Error: err.Error()}, err
	}
	var d *deps.Dependencies
	if spec.Phase != PhaseDeploy {
		if d, err = discover(ctx, src, spec, opts); err != nil {
			return &RegionResult{Region: dst.Region, Model: spec.Model, Error: err.Error()}, err
		}
	}
	return region(ctx, src, dst, spec, d, opts)
}

// Regions rolls the model out to every target, at most concurrency at once
// (default [DefaultConcurrency]). The source-side discovery runs once. One
// region's failure does not stop the others; results come back in the order
// of targets, and the error joins one error per failed region, each naming
// the region.
func Regions(ctx context.Context, src *Workspace, targets []Target, spec Spec, concurrency int, opts ...xregion.Option) (out []*RegionResult, err error) {
	src = withOnceSummary(src) // read by every region's checks and by EnsureShare
	meters := make([]*meterWindow, len(targets))
	for i, t := range targets {
		meters[i] = startMeters(src, t.Workspace)
	}
	defer func() {
		for i, r := range out {
			if r != nil && i < len(meters) {
				r.Requests = meters[i].requests()
			}
		}
	}()
	spec, err = spec.withDefaults(src != nil)
	if err != nil {
		return nil, err
	}
	// A failure of the work all regions share fails every region alike.
	allFail := func(d *deps.Dependencies, err error) ([]*RegionResult, error) {
		results := make([]*RegionResult, len(targets))
		for i, t := range targets {
			results[i] = &RegionResult{Region: t.Region, Model: spec.Model, Dependencies: d, Error: err.Error()}
		}
		return results, err
	}
	var d *deps.Dependencies
	if spec.Phase != PhaseDeploy {
		if d, err = discover(ctx, src, spec, opts); err != nil {
			return allFail(nil, err)
		}
	}
	results := make([]*RegionResult, len(targets))
	errs := make([]error, len(targets))
	limit := cmp.Or(concurrency, DefaultConcurrency)
	named := func(i int, err error) error {
		return fmt.Errorf("region %s: %w", cmp.Or(results[i].Region, fmt.Sprint("#", i+1)), err)
	}
	var pre *deps.ShareResult
	prep := make([]*prepared, len(targets))
	if d != nil && len(targets) > 1 && !xregion.NewSettings(opts...).DryRun {
		// Check every target before the first write, then put the objects
		// in the share once, so that the regions do not all race to add
		// them; each region then only grants.
		var g errgroup.Group
		g.SetLimit(limit)
		for i, t := range targets {
			g.Go(func() error {
				if prep[i], errs[i] = prepare(ctx, src, t, spec, d, opts); errs[i] != nil {
					results[i] = prep[i].res
					errs[i] = named(i, errs[i])
				}
				return nil
			})
		}
		_ = g.Wait()
		if !slices.ContainsFunc(errs, func(err error) bool { return err == nil }) {
			return results, errors.Join(errs...)
		}
		if pre, err = reenter(ctx, opts, "EnsureShare", func(ctx context.Context) (*deps.ShareResult, error) {
			return deps.EnsureShare(ctx, src.sharing(), deps.ShareSpec{Name: spec.Share, Dependencies: d, ObjectsOnly: true}, opts...)
		}); err != nil {
			for i := range targets {
				if errs[i] == nil {
					results[i] = &RegionResult{Region: prep[i].res.Region, Model: spec.Model, Dependencies: d, Error: err.Error()}
					errs[i] = named(i, err)
				}
			}
			return results, errors.Join(errs...)
		}
	}
	var g errgroup.Group // not WithContext: a failed region must not cancel the others
	g.SetLimit(limit)
	for i, t := range targets {
		if errs[i] != nil {
			continue // failed its checks
		}
		g.Go(func() error {
			if prep[i] != nil {
				results[i], errs[i] = run(ctx, src, t, spec, d, prep[i])
			} else {
				results[i], errs[i] = region(ctx, src, t, spec, d, opts)
			}
			if errs[i] != nil {
				errs[i] = named(i, errs[i])
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through errs
	if pre != nil && pre.Op.Wrote() {
		// Report the objects this rollout added in every region's result.
		for _, r := range results {
			if r.Share != nil {
				r.Share.Op, r.Share.Added = pre.Op, pre.Added
			}
		}
	}
	return results, errors.Join(errs...)
}

func discover(ctx context.Context, src *Workspace, spec Spec, opts []xregion.Option) (*deps.Dependencies, error) {
	d, err := deps.DiscoverDependencies(client.WithStep(ctx, deps.StepDiscover), src.source(), deps.DiscoverSpec{Model: spec.Model, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs}, opts...)
	if err != nil {
		return nil, err
	}
	if len(d.Tables) > 0 && spec.OnlineCatalog == "" && spec.Phase != PhaseShare {
		return nil, xregion.Invalid("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog in the targets", len(d.Tables))
	}
	return d, nil
}

// prepared is what [prepare] found out about one region before any write.
type prepared struct {
	res                *RegionResult
	dstMeta            *catalog.GetMetastoreSummaryResponse
	sourceID, provider string
	opts               []xregion.Option
	// ws is the target, its reads handed from the checks to the steps.
	ws Workspace
	h  *handoff
}

// prepare reads both metastores and checks the target before any write
// ([deps.Preflight]); d is nil in PhaseDeploy. On error, p.res holds the
// region's result.
func prepare(ctx context.Context, src *Workspace, dst Target, spec Spec, d *deps.Dependencies, opts []xregion.Option) (*prepared, error) {
	p := &prepared{res: &RegionResult{Region: dst.Region, Model: spec.Model, Dependencies: d}, dstMeta: &catalog.GetMetastoreSummaryResponse{}}
	fail := func(err error) (*prepared, error) {
		p.res.Error = err.Error()
		return p, err
	}
	p.h = &handoff{}
	p.ws = withHandoff(dst.Workspace, p.h)
	w := p.ws
	haveTarget := spec.Phase != PhaseShare || spec.Recipient == ""
	if haveTarget {
		var err error
		if p.dstMeta, err = w.Metastores.Summary(client.WithStep(ctx, deps.StepPreflight)); err != nil {
			return fail(&xregion.StepError{Step: "ReadTargetMetastore", Err: err})
		}
	} // else: the share phase with a named recipient never touches the target
	p.res.Region = cmp.Or(p.res.Region, p.dstMeta.Region)
	s := xregion.NewSettings(opts...)
	p.opts = append(slices.Clip(opts), xregion.WithLogger(s.Logger.With("region", p.res.Region)))

	p.sourceID, p.provider = spec.SourceMetastoreID, spec.Provider
	if src != nil {
		srcMeta, err := src.Metastores.Summary(client.WithStep(ctx, deps.StepPreflight))
		if err != nil {
			return fail(&xregion.StepError{Step: "ReadSourceMetastore", Err: err})
		}
		p.sourceID = srcMeta.GlobalMetastoreId
		if p.dstMeta.MetastoreId != "" && srcMeta.MetastoreId == p.dstMeta.MetastoreId && p.provider == "" {
			// One metastore: the reference implementation mounts the share
			// from the built-in provider of that name (unverified).
			p.provider = deps.DefaultSameMetastoreRecipient
		}
	}
	if haveTarget {
		// Nothing is written before the target is known to take the run.
		pf := deps.PreflightSpec{
			Region: p.res.Region,
			Catalog: deps.CatalogSpec{
				Name: spec.SharedCatalog, Share: spec.Share, Provider: p.provider, SourceMetastoreID: p.sourceID,
				// The share phase runs before the catalog can be mounted.
				UseExisting: spec.UseExistingCatalog && spec.Phase != PhaseShare,
			},
		}
		// Online tables are checked when there will be some: always in
		// the deploy phase, which learns the model's needs only later.
		if spec.OnlineCatalog != "" && (d == nil || len(d.Tables) > 0) {
			pf.OnlineCatalog, pf.OnlineSchema = spec.OnlineCatalog, spec.OnlineSchema
			if spec.Phase != PhaseShare {
				pf.OnlineStore = cmp.Or(spec.OnlineStore, online.DefaultStoreName(spec.OnlineCatalog))
			}
		}
		p.h.record(true) // the steps take what the checks read
		err := deps.Preflight(client.WithStep(ctx, deps.StepPreflight), w.preflight(), pf)
		p.h.record(false)
		if err != nil {
			return fail(err)
		}
	}
	return p, nil
}

// region runs the pipeline in one region; d is nil in PhaseDeploy.
func region(ctx context.Context, src *Workspace, dst Target, spec Spec, d *deps.Dependencies, opts []xregion.Option) (*RegionResult, error) {
	p, err := prepare(ctx, src, dst, spec, d, opts)
	if err != nil {
		return p.res, err
	}
	return run(ctx, src, dst, spec, d, p)
}

// run runs the pipeline in one prepared region.
func run(ctx context.Context, src *Workspace, dst Target, spec Spec, d *deps.Dependencies, p *prepared) (*RegionResult, error) {
	res, opts := p.res, p.opts
	fail := func(err error) (*RegionResult, error) {
		res.Error = err.Error()
		return res, err
	}
	w := p.ws
	dstMeta, sourceID, provider := p.dstMeta, p.sourceID, p.provider
	s := xregion.NewSettings(opts...)

	var err error
	if d != nil {
		res.Version = d.Version
		if res.Share, err = reenter(ctx, opts, "EnsureShare", func(ctx context.Context) (*deps.ShareResult, error) {
			return deps.EnsureShare(ctx, src.sharing(), deps.ShareSpec{
				Name: spec.Share, Dependencies: d,
				Recipient: deps.RecipientSpec{Name: spec.Recipient, TargetMetastoreID: dstMeta.GlobalMetastoreId},
			}, opts...)
		}); err != nil {
			return fail(err)
		}
		if spec.Phase == PhaseShare {
			return res, nil
		}
	}

	justGranted := res.Share != nil && (res.Share.RecipientOp.Wrote() || res.Share.GrantOp.Wrote())
	if res.Catalog, err = reenter(ctx, opts, "EnsureSharedCatalog", func(ctx context.Context) (*deps.CatalogResult, error) {
		return deps.EnsureSharedCatalog(ctx, w.catalogs(), deps.CatalogSpec{
			Name: spec.SharedCatalog, Share: spec.Share, Provider: provider, SourceMetastoreID: sourceID,
			UseExisting: spec.UseExistingCatalog, ProviderTimeout: spec.ProviderTimeout, JustGranted: justGranted,
		}, opts...)
	}); err != nil {
		return fail(err)
	}
	if d != nil && !s.DryRun {
		// Share changes reach the target about a minute later: read
		// nothing through the shared catalog before it shows them all.
		// The shared tables it reads are handed to PublishOnline.
		p.h.record(true)
		err := deps.WaitShareVisible(client.WithStep(ctx, deps.StepShareVisible), w.shared(), deps.VisibleSpec{
			Catalog: spec.SharedCatalog, Dependencies: d, Region: res.Region, Timeout: spec.ShareTimeout,
		}, opts...)
		p.h.record(false)
		if err != nil {
			return fail(err)
		}
	}
	if s.DryRun && d == nil && res.Catalog.Op == xregion.OpCreated {
		// Nothing to read the model through until the catalog exists.
		return res, nil
	}
	model, _ := xregion.ParseFullName("model", spec.Model)
	sharedModel := model.InCatalog(spec.SharedCatalog).String()
	if d == nil {
		// Target side only: discover through the shared catalog, once the
		// share shows the version and what it needs.
		if d, err = discoverShared(client.WithStep(ctx, deps.StepDiscover), w, spec, sharedModel, res.Region, s, opts); err != nil {
			return fail(err)
		}
		if len(d.Tables) > 0 && spec.OnlineCatalog == "" {
			return fail(xregion.Invalid("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog", len(d.Tables)))
		}
		res.Dependencies, res.Version = d, d.Version
	}
	if err := deps.CheckPreconditions(client.WithStep(ctx, deps.StepPreconditions), w.preconditions(), d); err != nil && !s.DryRun {
		return fail(err)
	} else if err != nil {
		res.Warnings = append(res.Warnings, err.Error()) // the plan goes on
	}

	if len(d.Tables) > 0 {
		tables := make([]online.Table, len(d.Tables))
		for i, t := range d.Tables {
			tables[i] = online.Table{Name: t.Name, PrimaryKeys: t.PrimaryKeys, TableID: t.TableID}
		}
		// The refresh policy compares the tables' last sync with the
		// version's creation time, read where the version was discovered.
		mvs, from := w.ModelVersions, sharedModel
		if src != nil && spec.Phase != PhaseDeploy {
			mvs, from = src.ModelVersions, spec.Model
		}
		created := d.VersionCreated // read by discovery
		if created.IsZero() {
			created, err = versionCreated(client.WithStep(ctx, online.StepPublish), mvs, from, d.Version)
		}
		if err != nil {
			return fail(&xregion.StepError{Step: "ReadModelVersion", Resource: fmt.Sprintf("%s version %d", from, d.Version), Err: err})
		}
		if res.Online, err = reenter(ctx, opts, "PublishOnline", func(ctx context.Context) (*online.PublishResult, error) {
			return online.PublishOnline(ctx, w.online(), online.PublishSpec{
				Store: spec.OnlineStore, Capacity: spec.OnlineCapacity, SharedCatalog: spec.SharedCatalog,
				Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema, Tables: tables,
				Refresh: spec.OnlineRefresh, MaxStaleness: spec.OnlineMaxStaleness, VersionCreated: created,
			}, opts...)
		}); err != nil {
			return fail(err)
		}
		if !s.DryRun {
			if res.OnlineStatus, err = online.WaitOnline(client.WithStep(ctx, online.StepWait), w.online().Status(), online.WaitSpec{
				Tables: res.Online.OnlineNames(), Timeout: spec.OnlineTimeout, Known: res.Online.Read,
			}, opts...); err != nil {
				return fail(err)
			}
		}
	}

	es := spec.Endpoint
	es.Entity.Model, es.Entity.Version = sharedModel, d.Version
	es.Caller = cmp.Or(es.Caller, w.Caller)
	res.Endpoint, err = reenter(ctx, opts, "DeployWithRollback", func(ctx context.Context) (*endpoint.Result, error) {
		return endpoint.DeployWithRollback(ctx, w.ServingEndpoints, es, opts...)
	})
	if err != nil {
		return fail(err)
	}
	return res, nil
}

// discoverShared discovers the model version through the shared catalog of
// a target, waiting up to spec.ShareTimeout while the share does not show
// it or one of its dependencies yet: share changes reach a target about a
// minute after they are made. "latest" resolves to the newest version the
// target sees.
func discoverShared(ctx context.Context, w Workspace, spec Spec, sharedModel, region string, s xregion.Settings, opts []xregion.Option) (*deps.Dependencies, error) {
	ds := deps.DiscoverSpec{Model: sharedModel, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs, ReadThrough: spec.SharedCatalog}
	if s.DryRun {
		return deps.DiscoverDependencies(ctx, w.source(), ds, opts...)
	}
	timeout := cmp.Or(spec.ShareTimeout, deps.DefaultShareVisibleTimeout)
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errShareTimeout)
	defer cancel()
	var d *deps.Dependencies
	var last error
	err := xregion.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		var err error
		d, err = deps.DiscoverDependencies(ctx, w.source(), ds, opts...)
		if apierr.IsMissing(err) {
			last = err
			s.Logger.InfoContext(ctx, "waiting for the share to show the model version and what it needs in "+region,
				"step", deps.StepDiscover, "region", region, "missing", err.Error())
			return false, nil
		}
		return err == nil, err
	})
	if errors.Is(err, errShareTimeout) || errors.Is(err, xregion.ErrWaitStopped) {
		return nil, fmt.Errorf("after %s the share still does not show everything in %s: %w", timeout, region, errors.Join(last, xregion.ErrNotReady, err))
	}
	return d, err
}

var errShareTimeout = errors.New("timed out waiting for the share to reach the target")

// versionCreated returns when version of model was created, or the zero
// time when the service does not say.
func versionCreated(ctx context.Context, mvs deps.ModelVersions, model string, version int) (time.Time, error) {
	mv, err := mvs.Get(ctx, catalog.GetModelVersionRequest{FullName: model, Version: version})
	if err != nil {
		return time.Time{}, fmt.Errorf("read when model version %d was created: %w", version, err)
	}
	if mv.CreatedAt <= 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(mv.CreatedAt), nil
}
