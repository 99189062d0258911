package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
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
	// Endpoint, OnlineCatalog and WorkloadSize override, in this region
	// only, the spec's Endpoint.Name, OnlineCatalog and
	// Endpoint.Entity.WorkloadSize: the inputs that naturally differ by
	// region. Empty keeps the spec's.
	Endpoint, OnlineCatalog, WorkloadSize string
}

// apply returns spec with the target's overrides.
func (t Target) apply(spec Spec) Spec {
	spec.Endpoint.Name = cmp.Or(t.Endpoint, spec.Endpoint.Name)
	spec.OnlineCatalog = cmp.Or(t.OnlineCatalog, spec.OnlineCatalog)
	spec.Endpoint.Entity.WorkloadSize = cmp.Or(t.WorkloadSize, spec.Endpoint.Entity.WorkloadSize)
	return spec
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
	// Wave is the region's wave in [Regions], from 1; 0 from [Region].
	Wave int `json:"wave,omitempty"`
	// Status says where the region stands at the end of [Regions]; empty
	// from [Region].
	Status Status `json:"status,omitempty"`
	// Rechecks are the health checks run again at the end of the region's
	// wave bake ([Plan].WaveBake).
	Rechecks []endpoint.CheckResult `json:"rechecks,omitempty"`
	// Restored reports the restore of a region that shipped and was then
	// restored: by [Plan].AllOrNothing, or after failing its re-checks.
	Restored *Restored `json:"restored,omitempty"`
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

// Source says whether a run has the source workspace, for checks made
// before any workspace is connected ([Spec.Validate]); the runs themselves
// take the source as a [Workspace], the zero Workspace when there is none
// ([Workspace.IsZero]).
type Source bool

const (
	// WithSource: the run has the source workspace.
	WithSource Source = true
	// WithoutSource: the run has only targets (the deploy phase).
	WithoutSource Source = false
)

// sourceOf says whether src is a source workspace.
func sourceOf(src *Workspace) Source { return src != nil }

// Validate reports the first bad input of the spec, as [Region] would
// before any call, for a run with or without the source workspace:
//
//	err := spec.Validate(rollout.WithSource)
//
// The error matches [xregion.ErrInvalidInput].
func (spec Spec) Validate(src Source) error {
	_, err := spec.withDefaults(bool(src))
	return err
}

// checkPhase validates the spec's phase, empty meaning PhaseAll, for a run
// with or without the source workspace.
func (spec *Spec) checkPhase(haveSource bool) error {
	switch spec.Phase {
	case "":
		spec.Phase = PhaseAll
	case PhaseAll, PhaseShare, PhaseDeploy:
	default:
		return invalid.Input("phase", string(spec.Phase), "want all, share or deploy")
	}
	if !haveSource && spec.Phase != PhaseDeploy {
		return invalid.Input("phase", string(spec.Phase), "needs the source workspace; only the deploy phase runs without it")
	}
	return nil
}

// withDefaults validates the spec and fills its defaults.
func (spec Spec) withDefaults(haveSource bool) (Spec, error) {
	if _, err := xregion.ParseFullName("model", spec.Model); err != nil {
		return spec, err
	}
	if _, err := xregion.ParseVersion("version", spec.Version); err != nil {
		return spec, err
	}
	if err := spec.checkPhase(haveSource); err != nil {
		return spec, err
	}
	if sel, _ := xregion.ParseVersion("version", spec.Version); !haveSource && spec.Phase == PhaseDeploy && sel.Number == 0 {
		// why: share changes reach a target about a minute late (Databricks
		// docs on reading shares: cached for about a minute):
		// resolved through the shared catalog, latest or an alias may still
		// name the previous version.
		return spec, invalid.Input("version", cmp.Or(spec.Version, "latest"), "the deploy phase without the source workspace needs a version number: "+
			"latest and aliases resolve through the shared catalog, which shows new versions about a minute late (pass the share phase's model-version output)")
	}
	if !haveSource && spec.Provider == "" && spec.SourceMetastoreID == "" {
		return spec, invalid.Input("provider", "", "without the source workspace, name the provider or give the source metastore id")
	}
	spec.Share = cmp.Or(spec.Share, DefaultShareName(spec.Model))
	spec.SharedCatalog = cmp.Or(spec.SharedCatalog, spec.Share)
	spec.OnlineSchema = cmp.Or(spec.OnlineSchema, DefaultOnlineSchema)
	spec.Endpoint.Name = cmp.Or(spec.Endpoint.Name, DefaultEndpointName(spec.Model))
	for _, in := range [][2]string{{"share", spec.Share}, {"shared catalog", spec.SharedCatalog}, {"recipient", spec.Recipient}, {"provider", spec.Provider}} {
		if in[1] == "" {
			continue
		}
		if err := invalid.CheckName(in[0], in[1]); err != nil {
			return spec, err
		}
	}
	if spec.SourceMetastoreID != "" && strings.Count(spec.SourceMetastoreID, ":") != 2 {
		return spec, invalid.Input("source metastore id", spec.SourceMetastoreID, `want a global metastore id "cloud:region:uuid"`)
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

// Region rolls the model out to one target region. src is the source
// workspace, or the zero [Workspace] in PhaseDeploy, which runs without it.
// It stops at the first failing step; the result holds what every step
// that ran did, and the error is that step's [*xregion.StepError]. Invalid
// inputs (the spec, the target's overrides, a source without the services
// the run calls) fail before any call with an error matching
// [xregion.ErrInvalidInput].
func Region(ctx context.Context, src Workspace, dst Target, spec Spec, opts ...xregion.Option) (*RegionResult, error) {
	return rollRegion(ctx, src.orNil(), dst, spec, opts)
}

// rollRegion is [Region] with the source as the internals take it: nil
// when there is none.
func rollRegion(ctx context.Context, src *Workspace, dst Target, spec Spec, opts []xregion.Option) (res *RegionResult, err error) {
	src = withOnceSummary(src) // read by the checks and by EnsureShare
	meters := startMeters(src, dst.Workspace)
	defer func() {
		if res != nil {
			res.Requests = meters.requests()
		}
	}()
	// A target's own overrides (endpoint, online catalog, workload size)
	// apply here as in Regions.
	spec, err = dst.apply(spec).withDefaults(src != nil)
	if err == nil {
		err = checkSource(src, runNeeds(spec))
	}
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

func discover(ctx context.Context, src *Workspace, spec Spec, opts []xregion.Option) (*deps.Dependencies, error) {
	d, err := deps.DiscoverDependencies(client.WithStep(ctx, deps.StepDiscover), src.source(), deps.DiscoverSpec{Model: spec.Model, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs}, opts...)
	if err != nil {
		return nil, err
	}
	if err := needsCatalog(d, spec); err != nil {
		return nil, err
	}
	return d, nil
}

// needsCatalog fails when the model has feature tables and spec names no
// catalog to publish them to.
func needsCatalog(d *deps.Dependencies, spec Spec) error {
	if len(d.Tables) > 0 && spec.OnlineCatalog == "" && spec.Phase != PhaseShare {
		return invalid.Input("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog in the targets", len(d.Tables))
	}
	return nil
}

// prepared is what [prepare] found out about one region before any write.
type prepared struct {
	res                *RegionResult
	share              *deps.ShareResult // the region's grant, made before the first wave
	endpoint           endpoint.Spec     // the deployment's spec, once run has built it
	dstMeta            *catalog.GetMetastoreSummaryResponse
	sourceID, provider string
	opts               []xregion.Option
	// ws is the target, its reads handed from the checks to the steps.
	ws Workspace
	h  *handoff
	// served: the endpoint already serves the model version as wanted.
	served bool
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
	s := settings.New(opts...)
	p.opts = append(slices.Clip(opts), xregion.WithLogger(s.Logger.With("region", p.res.Region)))

	p.sourceID, p.provider = spec.SourceMetastoreID, spec.Provider
	if src != nil {
		// The model version's read names its metastore: the source's
		// summary is read only when it does not.
		srcMeta := &catalog.GetMetastoreSummaryResponse{}
		if d != nil && d.MetastoreID != "" {
			srcMeta.MetastoreId, p.sourceID = d.MetastoreID, d.MetastoreID
		} else {
			var err error
			if srcMeta, err = src.Metastores.Summary(client.WithStep(ctx, deps.StepPreflight)); err != nil {
				return fail(&xregion.StepError{Step: "ReadSourceMetastore", Err: err})
			}
			p.sourceID = srcMeta.GlobalMetastoreId
		}
		if p.dstMeta.MetastoreId != "" && strings.EqualFold(srcMeta.MetastoreId, p.dstMeta.MetastoreId) && p.provider == "" {
			// One metastore: the reference implementation
			// (debu-sinha/cross-region-model-serving-dab) mounts the share
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
				if d != nil {
					// On a re-run, the first table's read settles the
					// online schema and goes on to PublishOnline.
					pf.OnlineTable = online.DefaultOnlineName(spec.OnlineCatalog, spec.OnlineSchema, d.Tables[0].Name)
				}
			}
		}
		p.h.record(true) // the steps take what the checks read
		err := deps.Preflight(client.WithStep(ctx, deps.StepPreflight), w.preflight(), pf)
		p.h.record(false)
		if err != nil {
			return fail(err)
		}
	}
	if haveTarget && spec.Phase != PhaseShare && w.ServingEndpoints != nil {
		// An endpoint the deployment will refuse (another model, a split
		// xregion did not set up) is found now, before any write: the
		// deployment's own dry run reads it and decides as it would.
		es := spec.Endpoint
		m, _ := xregion.ParseFullName("model", spec.Model)
		es.Entity.Model, es.Entity.Version = m.InCatalog(spec.SharedCatalog).String(), 1
		if d != nil {
			es.Entity.Version = d.Version
		}
		// Its read goes to the deployment when the endpoint is missing or
		// already as wanted, which the deployment then leaves alone; an
		// endpoint it will change is read again, fresh, for its snapshot,
		// and so is any in the deploy phase, whose version is known only
		// later.
		p.h.record(true)
		r, err := endpoint.DeployWithRollback(client.WithStep(ctx, deps.StepPreflight), w.ServingEndpoints, es, append(slices.Clip(p.opts), xregion.WithDryRun())...)
		p.h.record(false)
		if err != nil && r.Outcome == endpoint.OutcomeRefused {
			return fail(err)
		}
		if err != nil || d == nil || !(r.Outcome == endpoint.OutcomeUnchanged || r.Outcome == endpoint.OutcomePlanned && r.Created) {
			p.h.drop(endpointKey(es.Name))
		}
		p.served = err == nil && r.Outcome == endpoint.OutcomeUnchanged && d != nil
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
	s := settings.New(opts...)

	var err error
	if d != nil && p.share != nil {
		res.Version, res.Share = d.Version, p.share
		if spec.Phase == PhaseShare {
			return res, nil
		}
	} else if d != nil {
		res.Version = d.Version
		if res.Share, err = reenter(ctx, opts, "EnsureShare", func(ctx context.Context) (*deps.ShareResult, error) {
			return deps.EnsureShare(ctx, src.sharing(), deps.ShareSpec{
				Name: spec.Share, Dependencies: d,
				Recipient: deps.RecipientSpec{Name: spec.Recipient, TargetMetastoreID: dstMeta.GlobalMetastoreId, SourceMetastoreID: sourceID},
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
			Model: spec.Model,
			// A deploy phase may follow a share job at once.
			MaybeJustGranted: spec.Phase == PhaseDeploy,
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
			Served: p.served && !res.Catalog.Op.Wrote(),
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
		// share shows the version and what it needs. An alias or latest is
		// resolved on the source first, where it is current: the shared
		// catalog shows a new version late.
		if sel, _ := xregion.ParseVersion("version", spec.Version); sel.Number == 0 && src != nil {
			n, err := deps.ResolveVersion(client.WithStep(ctx, deps.StepDiscover), src.ModelVersions, spec.Model, spec.Version)
			if err != nil {
				return fail(err)
			}
			spec.Version = strconv.Itoa(n)
		}
		if d, err = discoverShared(client.WithStep(ctx, deps.StepDiscover), w, spec, sharedModel, res.Region, s, opts); err != nil {
			return fail(err)
		}
		if len(d.Tables) > 0 && spec.OnlineCatalog == "" {
			return fail(invalid.Input("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog", len(d.Tables)))
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
		res.Online, err = reenter(ctx, opts, "PublishOnline", func(ctx context.Context) (*online.PublishResult, error) {
			return online.PublishOnline(ctx, w.online(), online.PublishSpec{
				Store: spec.OnlineStore, Capacity: spec.OnlineCapacity, SharedCatalog: spec.SharedCatalog,
				Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema, Tables: tables,
				Refresh: spec.OnlineRefresh, MaxStaleness: spec.OnlineMaxStaleness, VersionCreated: created,
				// Tables fed from a catalog made just now are new: one
				// list of their schema shows that none is there yet.
				ListFirst: res.Catalog != nil && res.Catalog.Op == xregion.OpCreated,
			}, opts...)
		})
		// The preflight's reads of online tables were for PublishOnline
		// alone: one it did not take is out of date once it has published.
		p.h.dropPrefix(syncedPrefix)
		if err != nil {
			return fail(err)
		}
		if !s.DryRun {
			if res.OnlineStatus, err = online.WaitOnline(client.WithStep(ctx, online.StepWait), w.online().Status(), online.WaitSpec{
				Tables: res.Online.OnlineNames(), Timeout: spec.OnlineTimeout, SyncedAfter: res.Online.Resynced(), Known: res.Online.Read,
			}, opts...); err != nil {
				return fail(err)
			}
		}
	}

	es := spec.Endpoint
	es.Entity.Model, es.Entity.Version = sharedModel, d.Version
	es.Caller = cmp.Or(es.Caller, w.Caller)
	p.endpoint = es
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
func discoverShared(ctx context.Context, w Workspace, spec Spec, sharedModel, region string, s settings.Settings, opts []xregion.Option) (*deps.Dependencies, error) {
	ds := deps.DiscoverSpec{Model: sharedModel, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs, ReadThrough: spec.SharedCatalog}
	if s.DryRun {
		return deps.DiscoverDependencies(ctx, w.source(), ds, opts...)
	}
	timeout := cmp.Or(spec.ShareTimeout, deps.DefaultShareVisibleTimeout)
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errShareTimeout)
	defer cancel()
	var d *deps.Dependencies
	var last error
	err := settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
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
