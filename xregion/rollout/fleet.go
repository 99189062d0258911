package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"golang.org/x/sync/errgroup"
)

// Plan says how [Regions] orders and bounds a fleet rollout. The zero value
// rolls out to every target at once, [DefaultConcurrency] at a time, and
// leaves the regions that shipped as they are when another fails.
type Plan struct {
	// Concurrency bounds how many regions of a wave roll out at once (and
	// how many targets are checked at once before the first wave).
	// Default: [DefaultConcurrency].
	Concurrency int
	// Waves lists the targets' Region labels, wave by wave. The regions of
	// a wave roll out concurrently; a wave starts only when every region
	// of the one before deployed and passed its health checks (and its
	// bake). Every target must have a Region and be in exactly one wave.
	// Default: one wave of every target.
	Waves [][]string
	// WaveBake is how long a wave that shipped is watched before the next
	// starts; at its end the health checks of each region of the wave run
	// again ([endpoint.Check]). A wave that changed no endpoint is not
	// baked, nor is the last one unless AllOrNothing. A region that fails them is restored, and
	// so is every region of a wave whose bake is interrupted (ctx ends):
	// they were not verified. 0: no bake.
	WaveBake time.Duration
	// AllOrNothing restores, when any region fails or the run is
	// cancelled, every region this run shipped to its exact pre-run
	// endpoint config ([endpoint.Result.Restore]). Without it, regions that
	// shipped stay shipped and later waves are not touched.
	AllOrNothing bool
}

// Status says where a region of a fleet rollout stands at the end.
type Status string

const (
	// StatusShipped: the pipeline finished and the endpoint serves the
	// version, healthy (or did so already).
	StatusShipped Status = "shipped"
	// StatusPlanned: a dry run planned the region; nothing was written.
	StatusPlanned Status = "planned"
	// StatusFailed: the region's pipeline, or its re-checks after a
	// wave's bake, failed. Its endpoint says whether it was rolled back.
	StatusFailed Status = "failed"
	// StatusSkipped: the region was not started, because an earlier wave
	// failed, a region failed its checks before the first wave, or the
	// run was cancelled. Nothing was written there.
	StatusSkipped Status = "skipped"
	// StatusRestored: the region shipped, then its endpoint was restored
	// to its pre-run config (see [RegionResult].Restored).
	StatusRestored Status = "restored"
	// StatusRestoreFailed: the region shipped and restoring it failed; the
	// endpoint needs attention.
	StatusRestoreFailed Status = "restore-failed"
)

// Restored reports the restore of a region that shipped.
type Restored struct {
	// Reason says why the region was restored.
	Reason string `json:"reason"`
	// Endpoint is what [endpoint.Restore] did; Outcome
	// [endpoint.OutcomeUnchanged] when this run had not changed the
	// endpoint, so there was nothing to restore.
	Endpoint *endpoint.Result `json:"endpoint,omitempty"`
}

// ErrNotStarted is matched by the error [Regions] returns for a region it
// did not start (see [StatusSkipped]).
var ErrNotStarted = errors.New("region not started")

// Regions rolls the model out to every target, in the waves of plan, and
// returns one result per target in the order of targets. src is the source
// workspace, or the zero [Workspace] in PhaseDeploy, which runs without it.
//
// The work the regions share is done once, before the first wave:
// discovery, the checks of every target ([deps.Preflight]), the share's
// objects and every target's recipient and grant. In a rollout of more than
// one wave, or with plan.AllOrNothing, a target that fails these checks
// stops the rollout before anything is written in any target. Then the
// regions of each wave roll out concurrently (at most plan.Concurrency at
// once); a region's failure does not stop the others of its wave, which
// finish what they started (each verified or rolled back on its own), but
// later waves are not started. With plan.WaveBake, a wave that shipped is
// watched before the next starts, and re-checked at the end.
//
// With plan.AllOrNothing, any failure restores every region that shipped in
// this run to its exact pre-run endpoint config ([endpoint.Restore]: the
// snapshot [endpoint.DeployWithRollback] took, compared with go-cmp). A
// cancelled ctx starts no more regions; those in flight roll back on their
// own ([endpoint.DeployWithRollback]), and with plan.AllOrNothing those that
// shipped are restored, under context.WithoutCancel, until a stop channel
// ([xregion.WithStop]) ends the waits. All-or-nothing is a promise within
// one run: a re-run converges forward.
//
// Each result's Wave and Status say what happened to the region; the error
// joins one error per region that failed or was not started
// ([ErrNotStarted]), each naming the region. Invalid inputs (the spec, a
// target's overrides, the waves, a source without the services the run
// calls) fail before any call with an error matching
// [xregion.ErrInvalidInput] and no results.
//
// Regions is safe to call concurrently for different targets; it keeps no
// state between calls.
func Regions(ctx context.Context, src Workspace, targets []Target, spec Spec, plan Plan, opts ...xregion.Option) ([]*RegionResult, error) {
	return rollRegions(ctx, src.orNil(), targets, spec, plan, opts)
}

// rollRegions is [Regions] with the source as the internals take it: nil
// when there is none.
func rollRegions(ctx context.Context, src *Workspace, targets []Target, spec Spec, plan Plan, opts []xregion.Option) ([]*RegionResult, error) {
	src = withOnceSummary(src) // read by every region's checks and by EnsureShare
	base, err := spec.withDefaults(src != nil)
	if err != nil {
		return nil, err
	}
	if err := checkSource(src, runNeeds(base)); err != nil {
		return nil, err
	}
	specs := make([]Spec, len(targets))
	for i, t := range targets {
		if specs[i], err = t.apply(spec).withDefaults(src != nil); err != nil {
			return nil, fmt.Errorf("region %s: %w", cmp.Or(t.Region, fmt.Sprint("#", i+1)), err)
		}
	}
	waves, err := plan.waves(targets)
	if err != nil {
		return nil, err
	}
	if sel, _ := xregion.ParseVersion("version", base.Version); sel.Number == 0 && src != nil && base.Phase == PhaseDeploy {
		// Resolve an alias or latest once for the whole fleet, once every
		// input is known good: resolved per region, a later wave could
		// ship a version the first wave never checked.
		n, err := deps.ResolveVersion(ctx, src.ModelVersions, base.Model, base.Version)
		if err != nil {
			return nil, err
		}
		base.Version = strconv.Itoa(n)
		for i := range specs {
			specs[i].Version = base.Version
		}
	}
	f := &fleet{
		src: src, targets: targets, spec: base, specs: specs, plan: plan, waves: waves, opts: opts,
		s:       settings.New(opts...),
		limit:   cmp.Or(plan.Concurrency, DefaultConcurrency),
		results: make([]*RegionResult, len(targets)),
		errs:    make([]error, len(targets)),
		prep:    make([]*prepared, len(targets)),
	}
	for i, t := range targets {
		f.results[i] = &RegionResult{Region: t.Region, Model: base.Model}
	}
	for w, wave := range waves {
		for _, i := range wave {
			f.results[i].Wave = w + 1
		}
	}
	meters := make([]*meterWindow, len(targets))
	for i, t := range targets {
		meters[i] = startMeters(src, t.Workspace)
	}
	f.run(ctx)
	for i, r := range f.results {
		if r != nil {
			r.Requests = meters[i].requests()
		}
	}
	return f.results, errors.Join(append(f.errs, f.stopErr)...)
}

// waves resolves the plan's waves to indexes of targets.
func (p Plan) waves(targets []Target) ([][]int, error) {
	if p.Concurrency < 0 {
		return nil, invalid.Input("concurrency", fmt.Sprint(p.Concurrency), "must not be negative")
	}
	if p.WaveBake < 0 {
		return nil, invalid.Input("wave bake", p.WaveBake.String(), "must not be negative")
	}
	index := map[string]int{}
	for i, t := range targets {
		if t.Region == "" {
			continue
		}
		if _, dup := index[t.Region]; dup {
			return nil, invalid.Input("region", t.Region, "named twice; every target needs its own region label")
		}
		index[t.Region] = i
	}
	if len(p.Waves) == 0 {
		all := make([]int, len(targets))
		for i := range targets {
			all[i] = i
		}
		return [][]int{all}, nil
	}
	for i, t := range targets {
		if t.Region == "" {
			return nil, invalid.Input("region", "", "target #%d has no region label, which waves need", i+1)
		}
	}
	wave := map[string]int{}
	out := make([][]int, 0, len(p.Waves))
	for w, names := range p.Waves {
		if len(names) == 0 {
			return nil, invalid.Input("waves", fmt.Sprint("wave ", w+1), "is empty")
		}
		var idx []int
		for _, n := range names {
			i, ok := index[n]
			if !ok {
				return nil, invalid.Input("waves", n, "wave %d names a region that is not a target", w+1)
			}
			if prev, dup := wave[n]; dup {
				return nil, invalid.Input("waves", n, "is in wave %d and wave %d; a region rolls out once", prev+1, w+1)
			}
			wave[n] = w
			idx = append(idx, i)
		}
		out = append(out, idx)
	}
	for _, t := range targets {
		if _, ok := wave[t.Region]; !ok {
			return nil, invalid.Input("waves", t.Region, "is a target in no wave; list every region in one wave")
		}
	}
	return out, nil
}

// fleet is one call of [Regions].
type fleet struct {
	src     *Workspace
	targets []Target
	spec    Spec   // the shared spec, with defaults
	specs   []Spec // each target's, with its overrides
	plan    Plan
	waves   [][]int
	opts    []xregion.Option
	s       settings.Settings
	limit   int

	results []*RegionResult
	errs    []error
	stopErr error // why the fleet stopped, when no region failed on its own
	prep    []*prepared
}

func (f *fleet) label(i int) string {
	return cmp.Or(f.results[i].Region, f.targets[i].Region, fmt.Sprint("#", i+1))
}

// fail records region i's failure.
func (f *fleet) fail(i int, err error) {
	f.results[i].Status = StatusFailed
	if f.results[i].Error == "" {
		f.results[i].Error = err.Error()
	}
	f.errs[i] = fmt.Errorf("region %s: %w", f.label(i), err)
}

// skip records that region i was not started, and why.
func (f *fleet) skip(i int, why string) {
	if f.results[i].Status != "" {
		return
	}
	f.results[i].Status = StatusSkipped
	f.results[i].Error = "not started: " + why
	f.errs[i] = fmt.Errorf("region %s: %w: %s", f.label(i), ErrNotStarted, why)
}

// keep replaces region i's result by res, keeping the fleet's fields.
func (f *fleet) keep(i int, res *RegionResult) {
	if res == nil {
		return
	}
	res.Wave = f.results[i].Wave
	res.Region = cmp.Or(res.Region, f.results[i].Region)
	f.results[i] = res
}

func (f *fleet) run(ctx context.Context) {
	log := f.s.Logger.With("step", "Regions")
	var d *deps.Dependencies
	if f.spec.Phase != PhaseDeploy {
		var err error
		d, err = deps.DiscoverDependencies(ctx, f.src.source(), deps.DiscoverSpec{Model: f.spec.Model, Version: f.spec.Version, FeatureSpecs: f.spec.FeatureSpecs}, f.opts...)
		if err != nil {
			// A failure of the work all regions share fails every region alike.
			for i := range f.targets {
				f.fail(i, err)
			}
			return
		}
		for i := range f.targets {
			f.results[i].Dependencies = d
			if err := needsCatalog(d, f.specs[i]); err != nil {
				f.fail(i, err)
			}
		}
	}
	strict := len(f.waves) > 1 || f.plan.AllOrNothing
	if f.stopBeforeWaves(strict, "the checks of every region before the first wave") {
		return
	}
	var pre *deps.ShareResult
	if !f.s.DryRun {
		f.prepare(ctx, d)
		if f.stopBeforeWaves(strict, "a region failed its checks before the first wave; nothing was written") {
			return
		}
		if d != nil && len(f.targets) > 1 {
			var ok bool
			if pre, ok = f.share(ctx, d); !ok || f.stopBeforeWaves(strict, "the share's grants failed before the first wave") {
				return
			}
		}
	}

	stopped := "" // why later waves do not start
	for w, wave := range f.waves {
		if err := context.Cause(ctx); err != nil && stopped == "" {
			stopped = "the run was cancelled: " + err.Error()
		}
		if stopped != "" {
			for _, i := range wave {
				f.skip(i, stopped)
			}
			continue
		}
		log.InfoContext(ctx, fmt.Sprintf("wave %d of %d", w+1, len(f.waves)), "regions", f.labels(wave))
		if w > 0 {
			// What later waves' checks read (endpoints, catalogs, stores,
			// tables) may have changed during the earlier waves and their
			// bakes: their steps read it all again.
			for _, i := range wave {
				if p := f.prep[i]; p != nil {
					p.h.dropAll()
					p.served = false
				}
			}
		}
		f.wave(ctx, d, wave)
		if err := context.Cause(ctx); err != nil {
			// Regions in flight failed because of it.
			stopped = "the run was cancelled: " + err.Error()
			continue
		}
		if failed := f.failed(wave); len(failed) > 0 && !f.s.DryRun {
			// A dry run plans every wave: it writes nothing to protect.
			stopped = fmt.Sprintf("wave %d failed in %s", w+1, strings.Join(failed, ", "))
			continue
		}
		// The bake watches what the wave changed before the next wave
		// starts: not a wave that changed no endpoint, nor the last one
		// unless all-or-nothing could still undo the fleet.
		last := w == len(f.waves)-1
		if f.plan.WaveBake > 0 && !f.s.DryRun && f.changed(wave) && (!last || f.plan.AllOrNothing) {
			stopped = f.bake(ctx, w, wave)
		}
	}
	if pre != nil && pre.Op.Wrote() {
		// Report the objects this rollout added in every region's result.
		for _, r := range f.results {
			if r.Share != nil {
				r.Share.Op, r.Share.Added = pre.Op, pre.Added
			}
		}
	}
	if stopped != "" && errors.Join(f.errs...) == nil {
		// No region failed on its own, yet the fleet stopped (cancelled
		// during a bake or after the last wave shipped): the run did not
		// do what it was asked, and must not report success.
		f.stopErr = errors.New("the fleet stopped: " + stopped)
		if cause := context.Cause(ctx); cause != nil {
			f.stopErr = fmt.Errorf("the fleet stopped: %s: %w", stopped, cause)
		}
	}
	if stopped != "" && f.plan.AllOrNothing && !f.s.DryRun {
		log.WarnContext(ctx, "all-or-nothing: restoring every region that shipped", "why", stopped)
		var shipped []int
		for i, r := range f.results {
			if r.Status == StatusShipped {
				shipped = append(shipped, i)
			}
		}
		f.restore(ctx, shipped, "all-or-nothing: "+stopped)
	}
}

// changed reports whether the deployment of any region of the wave changed
// its endpoint.
func (f *fleet) changed(wave []int) bool {
	for _, i := range wave {
		if e := f.results[i].Endpoint; e != nil && e.Outcome != endpoint.OutcomeUnchanged {
			return true
		}
	}
	return false
}

// stopBeforeWaves reports whether the fleet stops before its first wave:
// every region failed, or, when strict, one did. The others are skipped.
func (f *fleet) stopBeforeWaves(strict bool, why string) bool {
	failed := f.failed(nil)
	if len(failed) == 0 || !strict && len(failed) < len(f.targets) {
		return false
	}
	for i := range f.targets {
		f.skip(i, why+" ("+strings.Join(failed, ", ")+")")
	}
	return true
}

// failed lists the regions of wave (of every target if nil) that failed.
func (f *fleet) failed(wave []int) []string {
	var out []string
	for i, r := range f.results {
		if (wave == nil || slices.Contains(wave, i)) && (r.Status == StatusFailed || r.Status == StatusRestoreFailed) {
			out = append(out, f.label(i))
		}
	}
	return out
}

func (f *fleet) labels(idx []int) string {
	var out []string
	for _, i := range idx {
		out = append(out, f.label(i))
	}
	return strings.Join(out, ", ")
}

// prepare checks every target that has not failed, before any write.
func (f *fleet) prepare(ctx context.Context, d *deps.Dependencies) {
	var g errgroup.Group
	g.SetLimit(f.limit)
	for i, t := range f.targets {
		if f.errs[i] != nil {
			continue
		}
		g.Go(func() error {
			p, err := prepare(ctx, f.src, t, f.specs[i], d, f.opts)
			f.prep[i] = p
			if err != nil {
				f.keep(i, p.res)
				f.fail(i, err)
			}
			return nil
		})
	}
	_ = g.Wait()
}

// share puts the objects in the share once, then creates every target's
// recipient and grant, so that the regions do not race to add them. It
// reports false when the objects could not be added (every region failed).
func (f *fleet) share(ctx context.Context, d *deps.Dependencies) (*deps.ShareResult, bool) {
	pre, err := reenter(ctx, f.opts, deps.StepShare, func(ctx context.Context) (*deps.ShareResult, error) {
		return deps.EnsureShare(ctx, f.src.sharing(), deps.ShareSpec{Name: f.spec.Share, Dependencies: d, ObjectsOnly: true}, f.opts...)
	})
	if err != nil {
		for i := range f.targets {
			if f.errs[i] == nil {
				f.fail(i, err)
			}
		}
		return nil, false
	}
	var g errgroup.Group
	g.SetLimit(f.limit)
	for i := range f.targets {
		p := f.prep[i]
		if f.errs[i] != nil || p == nil {
			continue
		}
		g.Go(func() error {
			sr, err := reenter(ctx, p.opts, deps.StepShare, func(ctx context.Context) (*deps.ShareResult, error) {
				return deps.EnsureShare(ctx, f.src.sharing(), deps.ShareSpec{
					Name: f.specs[i].Share, Dependencies: d,
					Recipient: deps.RecipientSpec{Name: f.specs[i].Recipient, TargetMetastoreID: p.dstMeta.GlobalMetastoreId, SourceMetastoreID: p.sourceID},
				}, p.opts...)
			})
			if err != nil {
				p.res.Share = sr
				f.keep(i, p.res)
				f.fail(i, err)
				return nil
			}
			p.share = sr
			return nil
		})
	}
	_ = g.Wait()
	return pre, true
}

// wave rolls out to the regions of one wave concurrently.
func (f *fleet) wave(ctx context.Context, d *deps.Dependencies, wave []int) {
	var g errgroup.Group // not WithContext: a failed region must not cancel the others
	g.SetLimit(f.limit)
	for _, i := range wave {
		if f.errs[i] != nil {
			continue
		}
		g.Go(func() error {
			if err := context.Cause(ctx); err != nil {
				f.skip(i, "the run was cancelled: "+err.Error())
				return nil
			}
			p := f.prep[i]
			if p == nil { // a dry run checks each region as it plans it
				var err error
				if p, err = prepare(ctx, f.src, f.targets[i], f.specs[i], d, f.opts); err != nil {
					f.keep(i, p.res)
					f.fail(i, err)
					return nil
				}
				f.prep[i] = p
			}
			res, err := run(ctx, f.src, f.targets[i], f.specs[i], d, p)
			f.keep(i, res)
			switch {
			case err != nil:
				f.fail(i, err)
			case f.s.DryRun:
				f.results[i].Status = StatusPlanned
			default:
				f.results[i].Status = StatusShipped
			}
			return nil
		})
	}
	_ = g.Wait()
}

// bake watches wave w for the plan's bake, then runs its regions' health
// checks again. It returns why later waves must not start, or "".
func (f *fleet) bake(ctx context.Context, w int, wave []int) string {
	log := f.s.Logger.With("step", "Regions")
	log.InfoContext(ctx, fmt.Sprintf("wave %d shipped; baking", w+1), "for", f.plan.WaveBake, "regions", f.labels(wave))
	if err := f.waitBake(ctx, w, log); err != nil {
		// Unverified: the wave is treated as in flight and restored.
		why := fmt.Sprintf("interrupted during wave %d's bake: %v", w+1, err)
		f.restore(ctx, f.shipped(wave), why)
		return why
	}
	var mu sync.Mutex
	var bad []int
	var g errgroup.Group
	g.SetLimit(f.limit)
	for _, i := range f.shipped(wave) {
		p := f.prep[i]
		if p == nil || p.endpoint.Name == "" {
			continue // nothing deployed (the share phase)
		}
		g.Go(func() error {
			r, err := endpoint.Check(ctx, f.targets[i].Workspace.ServingEndpoints, p.endpoint, p.opts...)
			f.results[i].Rechecks = r.Checks
			if err != nil {
				f.fail(i, fmt.Errorf("after wave %d's bake of %s: %w", w+1, f.plan.WaveBake, err))
				mu.Lock()
				bad = append(bad, i)
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	if len(bad) == 0 {
		return ""
	}
	slices.Sort(bad)
	// A region that fails its re-checks is rolled back, as a single
	// deployment's bake would be.
	f.restore(ctx, bad, fmt.Sprintf("failed its health checks after wave %d's bake", w+1))
	for _, i := range bad {
		if f.results[i].Status == StatusRestored {
			f.results[i].Status = StatusFailed
		}
	}
	return fmt.Sprintf("wave %d failed its health checks after the bake in %s", w+1, f.labels(bad))
}

// shipped returns the regions of wave that shipped.
func (f *fleet) shipped(wave []int) []int {
	var out []int
	for _, i := range wave {
		if f.results[i].Status == StatusShipped {
			out = append(out, i)
		}
	}
	return out
}

// restore restores the endpoints of the regions idx, concurrently. It runs
// even when ctx is cancelled ([endpoint.Restore] works under
// context.WithoutCancel).
func (f *fleet) restore(ctx context.Context, idx []int, why string) {
	var g errgroup.Group
	g.SetLimit(f.limit)
	for _, i := range idx {
		r := f.results[i]
		if r.Endpoint == nil {
			continue // nothing deployed (the share phase)
		}
		g.Go(func() error {
			opts := f.opts
			if p := f.prep[i]; p != nil {
				opts = p.opts
			}
			er, err := r.Endpoint.Restore(ctx, f.targets[i].Workspace.ServingEndpoints, opts...)
			if err == nil && er.Outcome == endpoint.OutcomeUnchanged {
				return nil // this run did not change the endpoint: nothing was restored
			}
			r.Restored = &Restored{Reason: why, Endpoint: er}
			if err != nil {
				r.Status = StatusRestoreFailed
				r.Error = cmp.Or(r.Error, err.Error())
				f.errs[i] = errors.Join(f.errs[i], fmt.Errorf("region %s: restore (%s): %w", f.label(i), why, err))
				return nil
			}
			r.Status = StatusRestored
			return nil
		})
	}
	_ = g.Wait()
}

// bakeHeartbeat is how often a wave's bake says that it goes on.
const bakeHeartbeat = time.Minute

// waitBake waits out wave w's bake, logging what is left every
// [bakeHeartbeat], or returns ctx's cause when ctx ends first.
func (f *fleet) waitBake(ctx context.Context, w int, log *slog.Logger) error {
	end := time.Now().Add(f.plan.WaveBake)
	t := time.NewTimer(f.plan.WaveBake)
	defer t.Stop()
	tick := time.NewTicker(bakeHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
			return nil
		case <-tick.C:
			log.InfoContext(ctx, fmt.Sprintf("wave %d baking", w+1), "left", time.Until(end).Round(time.Second))
		}
	}
}
