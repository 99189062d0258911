package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
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
	// ProviderTimeout bounds the wait for the share to reach a target.
	// Default: [deps.DefaultProviderTimeout].
	ProviderTimeout time.Duration
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
func Region(ctx context.Context, src *Workspace, dst Target, spec Spec, opts ...xregion.Option) (*RegionResult, error) {
	spec, err := spec.withDefaults(src != nil)
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
func Regions(ctx context.Context, src *Workspace, targets []Target, spec Spec, concurrency int, opts ...xregion.Option) ([]*RegionResult, error) {
	spec, err := spec.withDefaults(src != nil)
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
	var pre *deps.ShareResult
	if d != nil && len(targets) > 1 && !xregion.NewSettings(opts...).DryRun {
		// Put the objects in the share once, so that the regions do not
		// all race to add them; each region then only grants.
		if pre, err = deps.EnsureShare(ctx, src.sharing(), deps.ShareSpec{Name: spec.Share, Dependencies: d, ObjectsOnly: true}, opts...); err != nil {
			return allFail(d, err)
		}
	}
	results := make([]*RegionResult, len(targets))
	errs := make([]error, len(targets))
	var g errgroup.Group // not WithContext: a failed region must not cancel the others
	g.SetLimit(cmp.Or(concurrency, DefaultConcurrency))
	for i, t := range targets {
		g.Go(func() error {
			results[i], errs[i] = region(ctx, src, t, spec, d, opts)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("region %s: %w", cmp.Or(results[i].Region, fmt.Sprint("#", i+1)), errs[i])
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
	d, err := deps.DiscoverDependencies(ctx, src.source(), deps.DiscoverSpec{Model: spec.Model, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs}, opts...)
	if err != nil {
		return nil, err
	}
	if len(d.Tables) > 0 && spec.OnlineCatalog == "" && spec.Phase != PhaseShare {
		return nil, xregion.Invalid("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog in the targets", len(d.Tables))
	}
	return d, nil
}

// region runs the pipeline in one region; d is nil in PhaseDeploy.
func region(ctx context.Context, src *Workspace, dst Target, spec Spec, d *deps.Dependencies, opts []xregion.Option) (*RegionResult, error) {
	res := &RegionResult{Region: dst.Region, Model: spec.Model, Dependencies: d}
	fail := func(err error) (*RegionResult, error) {
		res.Error = err.Error()
		return res, err
	}
	w := dst.Workspace
	dstMeta := &catalog.GetMetastoreSummaryResponse{}
	if spec.Phase != PhaseShare || spec.Recipient == "" {
		var err error
		if dstMeta, err = w.Metastores.Summary(ctx); err != nil {
			return fail(&xregion.StepError{Step: "ReadTargetMetastore", Err: err})
		}
	} // else: the share phase with a named recipient never touches the target
	res.Region = cmp.Or(res.Region, dstMeta.Region)
	s := xregion.NewSettings(opts...)
	// Regions shares opts among its goroutines: append to a copy, never into
	// the caller's spare capacity.
	opts = append(opts[:len(opts):len(opts)], xregion.WithLogger(s.Logger.With("region", res.Region)))

	var err error
	sourceID, provider := spec.SourceMetastoreID, spec.Provider
	if src != nil {
		srcMeta, err := src.Metastores.Summary(ctx)
		if err != nil {
			return fail(&xregion.StepError{Step: "ReadSourceMetastore", Err: err})
		}
		sourceID = srcMeta.GlobalMetastoreId
		if dstMeta.MetastoreId != "" && srcMeta.MetastoreId == dstMeta.MetastoreId && provider == "" {
			// One metastore: the reference implementation mounts the share
			// from the built-in provider of that name (unverified).
			provider = deps.DefaultSameMetastoreRecipient
		}
	}
	if d != nil {
		res.Version = d.Version
		if res.Share, err = deps.EnsureShare(ctx, src.sharing(), deps.ShareSpec{
			Name: spec.Share, Dependencies: d,
			Recipient: deps.RecipientSpec{Name: spec.Recipient, TargetMetastoreID: dstMeta.GlobalMetastoreId},
		}, opts...); err != nil {
			return fail(err)
		}
		if spec.Phase == PhaseShare {
			return res, nil
		}
	}

	if res.Catalog, err = deps.EnsureSharedCatalog(ctx, w.catalogs(), deps.CatalogSpec{
		Name: spec.SharedCatalog, Share: spec.Share, Provider: provider, SourceMetastoreID: sourceID,
		UseExisting: spec.UseExistingCatalog, ProviderTimeout: spec.ProviderTimeout,
	}, opts...); err != nil {
		return fail(err)
	}
	if s.DryRun && d == nil && res.Catalog.Op == xregion.OpCreated {
		// Nothing to read the model through until the catalog exists.
		return res, nil
	}
	model, _ := xregion.ParseFullName("model", spec.Model)
	sharedModel := model.InCatalog(spec.SharedCatalog).String()
	if d == nil {
		// Target side only: discover through the shared catalog.
		if d, err = deps.DiscoverDependencies(ctx, w.source(), deps.DiscoverSpec{
			Model: sharedModel, Version: spec.Version, FeatureSpecs: spec.FeatureSpecs, ReadThrough: spec.SharedCatalog,
		}, opts...); err != nil {
			return fail(err)
		}
		if len(d.Tables) > 0 && spec.OnlineCatalog == "" {
			return fail(xregion.Invalid("online catalog", "", "the model looks up %d feature table(s), which must be published online: name a writable catalog", len(d.Tables)))
		}
		res.Dependencies, res.Version = d, d.Version
	}
	if err := deps.CheckPreconditions(ctx, w.preconditions(), d); err != nil && !s.DryRun {
		return fail(err)
	} else if err != nil {
		res.Warnings = append(res.Warnings, err.Error()) // the plan goes on
	}

	if len(d.Tables) > 0 {
		tables := make([]online.Table, len(d.Tables))
		for i, t := range d.Tables {
			tables[i] = online.Table{Name: t.Name, PrimaryKeys: t.PrimaryKeys, TableID: t.TableID}
		}
		if res.Online, err = online.PublishOnline(ctx, w.online(), online.PublishSpec{
			Store: spec.OnlineStore, Capacity: spec.OnlineCapacity, SharedCatalog: spec.SharedCatalog,
			Catalog: spec.OnlineCatalog, Schema: spec.OnlineSchema, Tables: tables,
		}, opts...); err != nil {
			return fail(err)
		}
		if !s.DryRun {
			if res.OnlineStatus, err = online.WaitOnline(ctx, w.Database, online.WaitSpec{
				Tables: res.Online.OnlineNames(), Timeout: spec.OnlineTimeout,
			}, opts...); err != nil {
				return fail(err)
			}
		}
	}

	es := spec.Endpoint
	es.Entity.Model, es.Entity.Version = sharedModel, d.Version
	res.Endpoint, err = endpoint.DeployWithRollback(ctx, w.ServingEndpoints, es, opts...)
	if err != nil {
		return fail(err)
	}
	return res, nil
}
