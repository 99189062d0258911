package endpoint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

// StepDeploy is the step name [DeployWithRollback] reports in errors.
const StepDeploy = "DeployWithRollback"

// Outcome says how a deployment ended.
type Outcome string

const (
	// OutcomeUnchanged: the endpoint already served the version as asked;
	// nothing was written.
	OutcomeUnchanged Outcome = "unchanged"
	// OutcomeDeployed: the version serves and passed its health checks.
	OutcomeDeployed Outcome = "deployed"
	// OutcomeRolledBack: the deployment failed and the previous config was
	// restored (or, for a new endpoint, the endpoint was deleted or kept as
	// asked).
	OutcomeRolledBack Outcome = "rolled-back"
	// OutcomeFrozen: the deployment failed and, as asked, the endpoint was
	// left as the failure left it.
	OutcomeFrozen Outcome = "frozen"
	// OutcomeRollbackFailed: the deployment failed and so did the rollback,
	// or nothing healthy is serving. The endpoint needs attention.
	OutcomeRollbackFailed Outcome = "rollback-failed"
	// OutcomePlanned: a dry run found that the endpoint would be created
	// (Result.Created) or updated; nothing was written.
	OutcomePlanned Outcome = "planned"
	// OutcomeAborted: someone else changed the endpoint during the
	// deployment. It stopped and did not roll back, which would undo their
	// change; the endpoint serves what they made it serve.
	OutcomeAborted Outcome = "aborted"
	// OutcomeRefused: nothing was written because the input or the
	// endpoint's state forbids the deployment, such as an endpoint that
	// serves another model or a traffic split xregion did not set up.
	OutcomeRefused Outcome = "refused"
	// OutcomeFailed: the deployment could not finish, and there was
	// nothing to roll back or the rollback was not attempted: an API call
	// failed, or a second interrupt stopped the wait. Where it wrote, the
	// service's update is atomic: the previous config keeps serving until
	// a new one is ready, and a re-run converges.
	OutcomeFailed Outcome = "failed"
	// OutcomeUnhealthy: the endpoint already served the version as asked
	// (nothing was written) but failed its health checks. There is nothing
	// to roll back to.
	OutcomeUnhealthy Outcome = "unhealthy"
)

// Marks xregion puts on the endpoints it deploys to.
const (
	// OwnerTag is set, with the model's name as its value, on an endpoint
	// DeployWithRollback creates: xregion made it.
	OwnerTag = "xregion-owner"
	// CanaryTag is set, with the new served entity's name as its value,
	// while a canary DeployWithRollback started is under way, and cleared
	// at promotion or rollback. A run that finds it tells its own
	// half-finished canary, which it may continue or undo, from a traffic
	// split someone set up on purpose, which it leaves alone.
	CanaryTag = "xregion-canary"
)

// ConfigSummary describes an endpoint config in results.
type ConfigSummary struct {
	// Version is the config version; 0 when there was no config.
	Version int64 `json:"version"`
	// Served lists the served entities as "name=model@version", sorted.
	Served []string `json:"served,omitempty"`
	// Routes maps served entity names to traffic percentages.
	Routes map[string]int `json:"routes,omitempty"`
}

func summary(ep *serving.ServingEndpointDetailed) ConfigSummary {
	if ep == nil || ep.Config == nil {
		return ConfigSummary{}
	}
	s := snapshotOf(ep)
	if s == nil {
		return ConfigSummary{Version: ep.Config.ConfigVersion}
	}
	return ConfigSummary{Version: s.ConfigVersion, Served: served(s.ServedEntities, s.ServedModels), Routes: routes(s.TrafficConfig)}
}

// Result reports what [DeployWithRollback] did.
type Result struct {
	// Endpoint is the endpoint's name.
	Endpoint string `json:"endpoint"`
	// Outcome says how it ended.
	Outcome Outcome `json:"outcome"`
	// Created is true when this call created the endpoint.
	Created bool `json:"created"`
	// Before is the config before the first write; After the live config
	// at the end.
	Before ConfigSummary `json:"before"`
	After  ConfigSummary `json:"after"`
	// Stage is where a failure happened, such as "update", "canary 10%" or
	// "promote"; empty on success.
	Stage string `json:"stage"`
	// Reason says why the deployment failed: the check that failed or the
	// service's deployment message.
	Reason string `json:"reason"`
	// Checks are the health checks run, in order.
	Checks []CheckResult `json:"checks,omitempty"`
	// Snapshot is the live config this run took before its first write
	// (when it continued a canary an earlier run left, the config before
	// that canary), which [Result.Restore] (or [Restore]) puts back later;
	// nil in a dry run, when the run wrote nothing, or when it created the
	// endpoint (Created). It is left out of JSON: served entities may
	// carry environment variables.
	Snapshot *Snapshot `json:"-"`
}

// DeployWithRollback makes the endpoint serve the model version, verifies it
// and restores the previous config if anything goes wrong.
//
// It first reads the endpoint and decides from its state what to do (see
// the package doc for the table): create a missing endpoint; wait out an
// update in flight; leave an endpoint that already serves the version as
// asked, after running its health checks; continue, or undo, a canary that
// an earlier run started and did not finish; refuse an endpoint that serves
// another model or a traffic split xregion did not set up; or deploy.
//
// A deployment snapshots the live config, then updates it directly or, with
// spec.Canary, adds the new version beside the current one and shifts
// traffic step by step before removing the old version. The new entity
// inherits the settings of the live entity it replaces ([Entity]). After
// each update it waits, under spec.Timeout, for the update this run started
// to end NOT_UPDATING, READY and every served entity DEPLOYMENT_READY,
// checks that the config version advanced and the entities and routes are
// the ones asked for, and runs the health checks: readiness, and
// spec.Probes. At a canary step each probe runs twice: against the new
// entity directly and through the endpoint as a whole. A check that errors
// does not pass.
//
// On any failure, unless spec.OnFailure is [Freeze], it rolls back under
// context.WithoutCancel with its own deadline, so a cancelled caller still
// rolls back: it restores the snapshot exactly (the entities with the
// fields the service reported, routes, auto-capture), or deletes an
// endpoint it created unless spec.KeepNewOnFailure. The error is then
// errors.Join(deployErr, rollbackErr) inside a [*xregion.StepError], and
// the result says what happened. A stop channel ([xregion.WithStop]) ends
// even the rollback's waits. If someone else changes the endpoint during
// the deployment, it stops with [ErrChangedMeanwhile] and does not roll
// back, which would undo their change ([OutcomeAborted]).
//
// Result.Outcome is set on every path, errors included.
func DeployWithRollback(ctx context.Context, c Endpoints, spec Spec, opts ...xregion.Option) (*Result, error) {
	s := settings.New(opts...)
	res := &Result{Endpoint: spec.Name}
	spec, err := spec.validate()
	if err == nil {
		log := s.Logger.With("step", StepDeploy, "endpoint", spec.Name)
		d := &deployer{c: c, spec: spec, log: log, res: res, w: waiter{c: c, name: spec.Name, s: s, log: log, last: new(serving.EndpointStateConfigUpdate)}, dryRun: s.DryRun, stop: s.Stop}
		d.direct, _ = c.(EntityQuerier)
		err = d.run(ctx)
	}
	if res.Outcome == "" {
		// Every path that ends without an outcome of its own wrote
		// nothing: an invalid input, or a read that failed.
		res.Outcome = OutcomeRefused
		if err != nil && !errors.Is(err, xregion.ErrInvalidInput) && !errors.Is(err, xregion.ErrConflict) {
			res.Outcome = OutcomeFailed
		}
	}
	if err != nil {
		if res.Reason == "" {
			res.Reason = err.Error()
		}
		return res, &xregion.StepError{Step: StepDeploy, Resource: fmt.Sprintf("endpoint %q", spec.Name), Err: err}
	}
	return res, nil
}

type deployer struct {
	c      Endpoints
	direct EntityQuerier // nil when c cannot query one entity
	spec   Spec
	log    *slog.Logger
	res    *Result
	w      waiter
	snap   *Snapshot // nil for an endpoint this run created
	stop   <-chan struct{}

	creator  string // the endpoint's creator, who it runs as
	wrote    bool   // this run has written to the endpoint
	noDirect bool   // the per-entity query path answered 404
	ownNew   bool   // an endpoint an earlier run created that never served: a failure deletes it
	dryRun   bool
}

func (d *deployer) run(ctx context.Context) error {
	// The entity logs its environment variables' names only: their values
	// may be secrets.
	d.log.InfoContext(ctx, "deploying", "entity", d.spec.Entity, "canary", d.spec.Canary)
	ep, err := d.c.Get(ctx, serving.GetServingEndpointRequest{Name: d.spec.Name})
	switch {
	case apierr.IsMissing(err) && d.dryRun:
		d.res.Outcome, d.res.Created = OutcomePlanned, true
		return nil
	case apierr.IsMissing(err):
		return d.create(ctx)
	case err != nil:
		return fmt.Errorf("read: %w", err)
	}
	return d.update(ctx, ep)
}

func (d *deployer) create(ctx context.Context) error {
	e := d.spec.Entity
	in := serving.EndpointCoreConfigInput{
		Name:           d.spec.Name,
		ServedEntities: []serving.ServedEntityInput{e.input(nil)},
		TrafficConfig:  &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: e.Name, TrafficPercentage: 100}}},
	}
	tags := map[string]string{OwnerTag: e.Model}
	maps.Copy(tags, d.spec.Tags)
	var list []serving.EndpointTag
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		list = append(list, serving.EndpointTag{Key: k, Value: tags[k]})
	}
	wait, err := d.c.Create(ctx, serving.CreateServingEndpoint{Name: d.spec.Name, Config: &in, Tags: list})
	if errors.Is(err, apierr.ErrResourceConflict) {
		// Created concurrently: deploy onto it like any existing endpoint.
		ep, gerr := d.c.Get(ctx, serving.GetServingEndpointRequest{Name: d.spec.Name})
		if gerr != nil {
			return fmt.Errorf("create: %w", errors.Join(err, gerr))
		}
		return d.update(ctx, ep)
	}
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	d.res.Created, d.wrote = true, true
	d.log.InfoContext(ctx, "created endpoint", "entity", e.Name)
	d.res.Stage = "create"
	ep, err := d.w.updated(ctx, d.spec.Timeout, 0, pendingOf(wait))
	if err == nil {
		err = d.verify(ctx, ep, 0, in)
	}
	return d.finish(ctx, err)
}

// state is what a run finds on an existing endpoint, and so what it does.
type state int

const (
	stateClean         state = iota // one entity of the model, no canary of ours: deploy
	stateConverged                  // serves the version as asked: check it
	stateOurCanary                  // our canary of the asked entity: continue it
	stateOtherCanary                // our canary of another entity: undo it, then decide again
	stateForeignSplit               // several entities, not our canary: refuse
	stateForeignModel               // serves another model: refuse
	stateNoConfig                   // nothing live
	stateLegacy                     // configured through served_models
	stateStaleMark                  // our canary mark without its entity: clear it, then decide again
	stateOurCanaryDone              // our canary mark on an endpoint that serves only the asked entity
)

// assess tells the state of ep for the spec.
func (d *deployer) assess(ep *serving.ServingEndpointDetailed) state {
	snap := snapshotOf(ep)
	if snap == nil {
		return stateNoConfig
	}
	for _, se := range snap.ServedEntities {
		if !sameModel(se.EntityName, d.spec.Entity.Model) {
			return stateForeignModel
		}
	}
	for _, sm := range snap.ServedModels {
		if !sameModel(sm.ModelName, d.spec.Entity.Model) {
			return stateForeignModel
		}
	}
	if len(snap.ServedEntities) == 0 {
		if len(snap.ServedModels) > 1 {
			return stateForeignSplit
		}
		return stateLegacy
	}
	if mark := tag(ep, CanaryTag); mark != "" {
		ours := snap.entity(mark)
		switch {
		case ours == nil:
			return stateStaleMark // the canary never landed
		case len(snap.ServedEntities) == 1 && d.isAsked(*ours):
			return stateOurCanaryDone // promoted; only the mark is left
		case len(snap.ServedEntities) == 1:
			return stateStaleMark // promoted, and another version is asked for: a plain update
		case !d.isAsked(*ours):
			return stateOtherCanary
		default:
			return stateOurCanary
		}
	}
	if len(snap.ServedEntities) > 1 {
		return stateForeignSplit
	}
	if live := snap.ServedEntities[0]; d.isAsked(live) && matches(d.desired(snap), snap.Input(d.spec.Name)) {
		return stateConverged
	}
	return stateClean
}

// isAsked reports whether a live entity is the one the spec asks for.
func (d *deployer) isAsked(se serving.ServedEntityOutput) bool {
	e := d.spec.Entity
	return se.Name == e.Name && sameModel(se.EntityName, e.Model) && se.EntityVersion == strconv.Itoa(e.Version)
}

// desired is the single-entity config the spec asks for on an endpoint
// whose live config is snap: the new entity inherits the live one's
// settings.
func (d *deployer) desired(snap *Snapshot) serving.EndpointCoreConfigInput {
	if len(snap.ServedEntities) == 0 {
		// Configured through the deprecated served_models: the new entity
		// inherits the served model's settings, and the update moves the
		// endpoint to served_entities.
		e := d.spec.Entity
		base := modelAsEntity(snap.ServedModels[0])
		return serving.EndpointCoreConfigInput{
			Name:              d.spec.Name,
			ServedEntities:    []serving.ServedEntityInput{e.input(&base)},
			TrafficConfig:     &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: e.Name, TrafficPercentage: 100}}},
			AutoCaptureConfig: snap.Input("").AutoCaptureConfig,
		}
	}
	base := snap.ServedEntities[0]
	if len(snap.ServedEntities) > 1 {
		// The entity being replaced is the one with the most traffic
		// that is not the spec's own.
		best := -1
		for i, se := range snap.ServedEntities {
			if se.Name != d.spec.Entity.Name && (best < 0 || routes(snap.TrafficConfig)[se.Name] > routes(snap.TrafficConfig)[snap.ServedEntities[best].Name]) {
				best = i
			}
		}
		if best >= 0 {
			base = snap.ServedEntities[best]
		}
	}
	if own := snap.entity(d.spec.Entity.Name); own != nil && d.isAsked(*own) {
		base = *own // continuing a canary: the entity is already built
	}
	e := d.spec.Entity
	return serving.EndpointCoreConfigInput{
		Name:              d.spec.Name,
		ServedEntities:    []serving.ServedEntityInput{e.input(&base)},
		TrafficConfig:     &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: e.Name, TrafficPercentage: 100}}},
		AutoCaptureConfig: snap.Input("").AutoCaptureConfig, // keep what is there
	}
}

func tag(ep *serving.ServingEndpointDetailed, key string) string {
	for _, t := range ep.Tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

func (d *deployer) update(ctx context.Context, ep *serving.ServingEndpointDetailed) error {
	d.creator = ep.Creator
	d.w.saw(ep)
	d.res.Before, d.res.After = summary(ep), summary(ep)
	for range 3 { // at most: clear a stale mark or undo another canary, then act
		var err error
		if ep.State == nil || ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress {
			if d.dryRun {
				d.res.Outcome = OutcomePlanned
				d.res.Reason = "an update is in progress; the plan would be made once it ends"
				return nil
			}
			d.log.InfoContext(ctx, "an update is in progress; waiting for it before taking the snapshot")
			if ep, err = d.w.idle(ctx, d.spec.Timeout); err != nil {
				return err
			}
			d.res.Before, d.res.After = summary(ep), summary(ep)
		}
		if ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateUpdateFailed || ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateUpdateCanceled {
			d.log.InfoContext(ctx, "the endpoint's last update did not finish; its live config is still serving", "state", describe(ep))
		}
		st := d.assess(ep)
		switch st {
		case stateForeignModel:
			d.res.Outcome = OutcomeRefused
			return fmt.Errorf("serves %v, not only versions of %s; xregion replaces only versions of its own model: %w",
				summary(ep).Served, d.spec.Entity.Model, xregion.ErrConflict)
		case stateForeignSplit:
			d.res.Outcome = OutcomeRefused
			return fmt.Errorf("splits traffic %v over %v, which xregion did not set up (no %s tag); it will not remove served entities it did not add. "+
				"Route all traffic to one entity and remove the others, or deploy to another endpoint: %w",
				summary(ep).Routes, summary(ep).Served, CanaryTag, xregion.ErrConflict)
		case stateNoConfig:
			if tag(ep, OwnerTag) == "" || !sameModel(tag(ep, OwnerTag), d.spec.Entity.Model) {
				d.res.Outcome = OutcomeRefused
				return fmt.Errorf("endpoint has no live config (%s) and xregion did not create it; delete it or fix it by hand: %w", describe(ep), ErrNotServing)
			}
			// Ours, and its first deployment never finished: deploy again,
			// and treat it as new if that fails.
			return d.redeployNew(ctx, ep)
		case stateStaleMark:
			if d.dryRun {
				d.res.Outcome = OutcomePlanned
				d.res.Reason = fmt.Sprintf("an earlier run's canary mark (%s=%s) would be cleared, then the endpoint planned again", CanaryTag, tag(ep, CanaryTag))
				return nil
			}
			if err := d.unmark(ctx); err != nil {
				return err
			}
			if ep, err = d.read(ctx); err != nil {
				return err
			}
			continue
		case stateOtherCanary:
			mark := tag(ep, CanaryTag)
			if d.dryRun {
				d.res.Outcome = OutcomePlanned
				d.res.Reason = fmt.Sprintf("an earlier run's canary of %s would be undone first", mark)
				return nil
			}
			d.log.WarnContext(ctx, "an earlier run left a canary of another entity; undoing it first", "canary", mark)
			if err := d.undoCanary(ctx, ep, mark); err != nil {
				return err
			}
			if ep, err = d.read(ctx); err != nil {
				return err
			}
			continue
		case stateOurCanaryDone:
			if d.dryRun {
				d.res.Outcome = OutcomePlanned
				d.res.Reason = fmt.Sprintf("an earlier run promoted its canary; its mark (%s) would be cleared", CanaryTag)
				return nil
			}
			if err := d.unmark(ctx); err != nil {
				return err
			}
			// Decide again without the mark: converged, or the same
			// version with other settings.
			if ep, err = d.read(ctx); err != nil {
				return err
			}
			continue
		case stateConverged:
			return d.converged(ctx, ep)
		}
		return d.deploy(ctx, ep, st)
	}
	return errors.New("the endpoint's state kept changing under the deployment; run again")
}

// read reads the endpoint.
func (d *deployer) read(ctx context.Context) (*serving.ServingEndpointDetailed, error) {
	ep, err := d.c.Get(ctx, serving.GetServingEndpointRequest{Name: d.spec.Name})
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	d.w.saw(ep)
	return ep, nil
}

// converged checks an endpoint that already serves the version as asked.
func (d *deployer) converged(ctx context.Context, ep *serving.ServingEndpointDetailed) error {
	if ep.State.Ready != serving.EndpointStateReadyReady || !allReady(ep.Config) {
		d.res.Outcome = OutcomeUnhealthy
		d.res.Checks = []CheckResult{{Name: "readiness", Status: CheckFail, Detail: describe(ep)}}
		return fmt.Errorf("already configured as asked but not ready (%s); there is nothing to roll back to: %w", describe(ep), ErrNotServing)
	}
	d.res.Checks = []CheckResult{{Name: "readiness", Status: CheckPass, Detail: "already serving as asked"}}
	d.res.After = summary(ep)
	// A run that only finished an earlier run's work (undid its canary,
	// cleared its mark) still changed the endpoint.
	done := OutcomeUnchanged
	if d.wrote {
		done = OutcomeDeployed
	}
	if d.dryRun || d.spec.SkipChecksIfUnchanged {
		d.res.Outcome = done
		d.log.InfoContext(ctx, "endpoint already serves the version; nothing to do")
		return nil
	}
	d.log.InfoContext(ctx, "endpoint already serves the version; checking its health")
	if err := d.probe(ctx, ""); err != nil {
		d.res.Outcome = OutcomeUnhealthy
		return fmt.Errorf("the endpoint serves the version as asked but fails its health checks; there is nothing to roll back to: %w", err)
	}
	d.res.Outcome = done
	return nil
}

// deploy moves a clean endpoint, or one with our canary of the asked
// entity, to the asked version.
func (d *deployer) deploy(ctx context.Context, ep *serving.ServingEndpointDetailed, st state) error {
	live := snapshotOf(ep)
	d.snap = live
	weight := 0
	if st == stateOurCanary {
		// The snapshot to restore is the config before our canary.
		d.snap = live.without(d.spec.Entity.Name)
		weight = routes(live.TrafficConfig)[d.spec.Entity.Name]
		d.log.InfoContext(ctx, "continuing an earlier run's canary", "entity", d.spec.Entity.Name, "weight", weight)
	}
	if !d.dryRun {
		d.res.Snapshot = d.snap
	}
	want := d.desired(live)
	canary := len(d.spec.Canary) > 0 || st == stateOurCanary
	if canary && st == stateLegacy {
		d.res.Outcome = OutcomeRefused
		return fmt.Errorf("the endpoint is configured through the deprecated served_models field; a canary needs served entities, so deploy once without one: %w", xregion.ErrConflict)
	}
	if same := live.entity(d.spec.Entity.Name); canary && st == stateClean && same != nil {
		if same.EntityVersion != strconv.Itoa(d.spec.Entity.Version) {
			d.res.Outcome = OutcomeRefused
			return fmt.Errorf("the live served entity %q serves version %s, and a canary needs the new version %d beside it under another name: name the served entity: %w",
				same.Name, same.EntityVersion, d.spec.Entity.Version, xregion.ErrConflict)
		}
		// The same version with other settings: there is nothing to
		// canary, and two entities cannot share a name.
		d.log.InfoContext(ctx, "the live entity serves this version already; its settings change by a direct update")
		canary = false
	}
	if d.dryRun {
		d.res.Outcome = OutcomePlanned
		return nil
	}
	if canary {
		return d.finish(ctx, d.canary(ctx, want, weight))
	}
	d.res.Stage = "update"
	return d.finish(ctx, d.step(ctx, want))
}

// redeployNew deploys onto an endpoint xregion created whose first
// deployment never finished; a failure deletes it as a new endpoint's would.
func (d *deployer) redeployNew(ctx context.Context, ep *serving.ServingEndpointDetailed) error {
	if d.dryRun {
		d.res.Outcome = OutcomePlanned
		return nil
	}
	e := d.spec.Entity
	in := serving.EndpointCoreConfigInput{
		Name:           d.spec.Name,
		ServedEntities: []serving.ServedEntityInput{e.input(nil)},
		TrafficConfig:  &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: e.Name, TrafficPercentage: 100}}},
	}
	d.ownNew = true // nothing to restore: a failure deletes it
	d.res.Stage = "update"
	d.log.InfoContext(ctx, "the endpoint xregion created has no live config; deploying it again")
	return d.finish(ctx, d.step(ctx, in))
}

// step sends one update, waits for it, verifies it and runs the checks.
func (d *deployer) step(ctx context.Context, in serving.EndpointCoreConfigInput) error {
	before := d.res.After.Version
	d.wrote = true
	p, err := d.w.update(ctx, in, before, d.spec.Timeout)
	if err != nil {
		return err
	}
	ep, err := d.w.updated(ctx, d.spec.Timeout, before, p)
	if err != nil {
		return err
	}
	return d.verify(ctx, ep, before, in)
}

// verify checks the live config against what was asked, then runs the
// health checks.
func (d *deployer) verify(ctx context.Context, ep *serving.ServingEndpointDetailed, before int64, in serving.EndpointCoreConfigInput) error {
	d.res.After = summary(ep)
	if ep.Config == nil || ep.Config.ConfigVersion <= before {
		return fmt.Errorf("the update reported success but the config version did not advance past %d", before)
	}
	if !matches(in, snapshotOf(ep).Input(d.spec.Name)) {
		return fmt.Errorf("the update reported success but the endpoint serves %v with routes %v, not what was asked", d.res.After.Served, d.res.After.Routes)
	}
	d.res.Checks = append(d.res.Checks, CheckResult{Name: checkName(d.res.Stage, "readiness"), Status: CheckPass,
		Detail: fmt.Sprintf("config version %d, served entities ready: %d", ep.Config.ConfigVersion, len(ep.Config.ServedEntities))})
	return d.probe(ctx, d.res.Stage)
}

// checkName names a check after the stage it ran at; a plain update's or
// create's checks keep their own names.
func checkName(stage, name string) string {
	if stage == "" || stage == "update" || stage == "create" {
		return name
	}
	return stage + ": " + name
}

// probe runs the spec's probes, naming their results after label. At a
// canary step (weight < 100) each probe runs against the new entity and,
// separately, through the endpoint as a whole.
func (d *deployer) probe(ctx context.Context, label string) error {
	weight := d.res.After.Routes[d.spec.Entity.Name]
	canaryStep := strings.HasPrefix(d.res.Stage, "canary") && weight < 100
	for _, p := range d.spec.Probes {
		var results []CheckResult
		if canaryStep {
			r := d.probeEntity(ctx, p, d.spec.Entity.Name, weight)
			r.Name = checkName(label, p.Name+" ("+d.spec.Entity.Name+")")
			results = append(results, r)
			r = runProbe(ctx, d.c, d.spec.Name, p, "", 100)
			r.Name = checkName(label, p.Name+" (endpoint)")
			results = append(results, r)
		} else {
			r := runProbe(ctx, d.c, d.spec.Name, p, "", 100)
			r.Name = checkName(label, p.Name)
			results = append(results, r)
		}
		for _, r := range results {
			d.res.Checks = append(d.res.Checks, r)
			d.log.InfoContext(ctx, "health check", "check", r.Name, "status", r.Status, "detail", r.Detail)
			if r.Status != CheckPass {
				return fmt.Errorf("probe %q %s: %s: %w", r.Name, r.Status, r.Detail, ErrUnhealthy)
			}
		}
	}
	return nil
}

// probeEntity runs a probe against one served entity: directly when the
// workspace offers per-entity queries, else through the endpoint's routes
// with enough requests to reach an entity that serves weight percent of the
// traffic, judging only the answers that entity gave.
func (d *deployer) probeEntity(ctx context.Context, p Probe, entity string, weight int) CheckResult {
	if d.direct != nil && !d.noDirect {
		r := runDirectProbe(ctx, d.direct, d.spec.Name, entity, p)
		if !r.notFound {
			return r.CheckResult
		}
		d.noDirect = true
		d.log.WarnContext(ctx, "the workspace does not answer per-entity queries; probing through the endpoint's routes", "entity", entity)
	}
	r := runProbe(ctx, d.c, d.spec.Name, p, entity, weight)
	note := fmt.Sprintf("through the endpoint's routes, where %s has %d%% of the traffic", entity, weight)
	if d.direct != nil {
		note += " (the per-entity query path answered 404)"
	}
	r.Detail += "; " + note
	return r
}

// canary adds the new version beside the live one (or finds it there, at
// weight percent, from an earlier run), shifts traffic to it step by step
// and finally removes the old version.
func (d *deployer) canary(ctx context.Context, want serving.EndpointCoreConfigInput, weight int) error {
	if len(d.snap.ServedEntities) == 0 {
		return fmt.Errorf("nothing but the canary is live; cannot continue it: %w", ErrNotServing)
	}
	old := d.snap.Input(d.spec.Name)
	if old.TrafficConfig == nil || len(old.TrafficConfig.Routes) == 0 {
		old.TrafficConfig = &serving.TrafficConfig{}
		for _, e := range old.ServedEntities {
			old.TrafficConfig.Routes = append(old.TrafficConfig.Routes, serving.Route{ServedEntityName: e.Name})
		}
	}
	newEntity := want.ServedEntities[0]
	if err := d.mark(ctx, newEntity.Name); err != nil {
		return err
	}
	steps := d.spec.Canary
	if len(steps) == 0 {
		steps = []int{100}
	}
	for _, w := range steps[:len(steps)-1] {
		if w <= weight {
			continue // reached by an earlier run
		}
		d.res.Stage = "canary " + strconv.Itoa(w) + "%"
		in := serving.EndpointCoreConfigInput{
			Name:              d.spec.Name,
			ServedEntities:    append(slices.Clone(old.ServedEntities), newEntity),
			TrafficConfig:     &serving.TrafficConfig{Routes: append(scaleTo(old.TrafficConfig.Routes, 100-w), serving.Route{ServedEntityName: newEntity.Name, TrafficPercentage: w})},
			AutoCaptureConfig: old.AutoCaptureConfig,
		}
		d.log.InfoContext(ctx, "canary step", "weight", w)
		if err := d.step(ctx, in); err != nil {
			return err
		}
		if d.spec.Bake > 0 {
			d.log.InfoContext(ctx, "baking", "weight", w, "for", d.spec.Bake)
			start := time.Now()
			stop := every(ctx, heartbeat, func() {
				d.log.InfoContext(ctx, "still baking", "weight", w, "elapsed", time.Since(start).Round(time.Second), "for", d.spec.Bake)
			})
			err := sleep(ctx, d.spec.Bake)
			stop()
			if err != nil {
				return err
			}
			// Check again after the bake: the step's checks ran right away.
			if err := d.recheck(ctx); err != nil {
				return err
			}
		}
	}
	d.res.Stage = "promote"
	d.log.InfoContext(ctx, "promoting", "entity", newEntity.Name)
	if err := d.step(ctx, want); err != nil {
		return err
	}
	return d.unmark(ctx)
}

// mark records on the endpoint that this run's canary of entity is under
// way, before the first update that adds it.
func (d *deployer) mark(ctx context.Context, entity string) error {
	d.wrote = true
	if _, err := d.c.Patch(ctx, serving.PatchServingEndpointTags{Name: d.spec.Name, AddTags: []serving.EndpointTag{{Key: CanaryTag, Value: entity}}}); err != nil {
		return fmt.Errorf("mark the canary (tag %s): %w", CanaryTag, err)
	}
	return nil
}

// unmark clears the canary mark.
func (d *deployer) unmark(ctx context.Context) error {
	d.wrote = true
	if _, err := d.c.Patch(ctx, serving.PatchServingEndpointTags{Name: d.spec.Name, DeleteTags: []string{CanaryTag}}); err != nil {
		return fmt.Errorf("clear the canary mark (tag %s): %w", CanaryTag, err)
	}
	return nil
}

// undoCanary routes all traffic back to the entities an earlier run's
// canary of entity mark was added beside, removes that entity and clears
// the mark.
func (d *deployer) undoCanary(ctx context.Context, ep *serving.ServingEndpointDetailed, mark string) error {
	prior := snapshotOf(ep).without(mark)
	d.res.Stage = "undo canary"
	d.wrote = true
	before := ep.Config.ConfigVersion
	in := prior.Input(d.spec.Name)
	p, err := d.w.update(ctx, in, before, d.spec.RollbackTimeout)
	if err == nil {
		ep, err = d.w.updated(ctx, d.spec.RollbackTimeout, before, p)
	}
	if err == nil && !prior.restored(ep) {
		err = fmt.Errorf("the endpoint serves %v with routes %v, not the config before the canary", summary(ep).Served, summary(ep).Routes)
	}
	if err != nil {
		d.res.Outcome = OutcomeFailed
		return fmt.Errorf("undo the earlier canary of %s: %w", mark, err)
	}
	d.res.Stage = ""
	return d.unmark(ctx)
}

// recheck reads the endpoint and runs the checks again without an update.
func (d *deployer) recheck(ctx context.Context) error {
	ep, err := d.c.Get(ctx, serving.GetServingEndpointRequest{Name: d.spec.Name})
	if err != nil {
		return fmt.Errorf("read endpoint: %w", err)
	}
	if ep.State == nil || ep.State.Ready != serving.EndpointStateReadyReady || !allReady(ep.Config) {
		d.res.Checks = append(d.res.Checks, CheckResult{Name: checkName(d.res.Stage+" baked", "readiness"), Status: CheckFail, Detail: describe(ep)})
		return fmt.Errorf("not ready after the bake (%s): %w", describe(ep), ErrUnhealthy)
	}
	return d.probe(ctx, d.res.Stage+" baked")
}

// scaleTo spreads total percent over routes in proportion to their
// percentages (evenly when they add up to 0), giving rounding leftovers to
// the largest route.
func scaleTo(routes []serving.Route, total int) []serving.Route {
	if len(routes) == 0 {
		return nil
	}
	sum := 0
	for _, r := range routes {
		sum += r.TrafficPercentage
	}
	out := make([]serving.Route, len(routes))
	got, largest := 0, 0
	for i, r := range routes {
		share := total / len(routes)
		if sum > 0 {
			share = r.TrafficPercentage * total / sum
		}
		out[i] = serving.Route{ServedEntityName: cmp.Or(r.ServedEntityName, r.ServedModelName), TrafficPercentage: share}
		got += share
		if r.TrafficPercentage > routes[largest].TrafficPercentage {
			largest = i
		}
	}
	out[largest].TrafficPercentage += total - got
	for i := range out {
		if out[i].TrafficPercentage == 0 {
			out[i].ForceSendFields = []string{"TrafficPercentage"}
		}
	}
	return out
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// finish records a successful deployment, or rolls a failed one back.
func (d *deployer) finish(ctx context.Context, deployErr error) error {
	if deployErr == nil {
		d.res.Outcome, d.res.Stage = OutcomeDeployed, ""
		d.log.InfoContext(ctx, "deployed", "version", d.res.After.Version, "served", d.res.After.Served)
		return nil
	}
	deployErr = d.explain(deployErr)
	d.res.Reason = deployErr.Error()
	if errors.Is(deployErr, ErrChangedMeanwhile) {
		d.res.Outcome = OutcomeAborted
		d.log.WarnContext(ctx, "the endpoint changed under the deployment; stopping without a rollback, which would undo that change", "stage", d.res.Stage)
		return deployErr
	}
	if d.spec.OnFailure == Freeze {
		d.res.Outcome = OutcomeFrozen
		d.log.WarnContext(ctx, "deployment failed; leaving the endpoint as it is (freeze)", "stage", d.res.Stage)
		return deployErr
	}
	// Roll back even if the caller gave up: a half-deployed endpoint must
	// not be left behind because a workflow was cancelled. Only the stop
	// channel (a second interrupt) ends the rollback's waits.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.spec.RollbackTimeout)
	defer cancel()
	if d.stop != nil {
		go func() {
			select {
			case <-d.stop:
				cancel()
			case <-rctx.Done():
			}
		}()
	}
	target := "the previous config"
	if d.snap != nil {
		target = fmt.Sprintf("config version %d (%s)", d.snap.ConfigVersion, strings.Join(served(d.snap.ServedEntities, d.snap.ServedModels), ", "))
	} else if d.res.Created || d.ownNew {
		target = "nothing: the endpoint xregion created is deleted"
	}
	if ctx.Err() != nil {
		d.log.WarnContext(ctx, "interrupted: rolling back", "to", target, "deadline", d.spec.RollbackTimeout, "stage", d.res.Stage,
			"hint", "interrupt again to stop waiting; the service keeps the live config serving until a new one is ready")
	} else {
		d.log.WarnContext(ctx, "deployment failed: rolling back", "to", target, "deadline", d.spec.RollbackTimeout, "stage", d.res.Stage)
	}
	if err := d.rollback(rctx); err != nil {
		if isStopped(d.stop) {
			d.res.Outcome = OutcomeFailed
			now := d.lastLook(ctx)
			d.log.ErrorContext(ctx, "stopped waiting for the rollback on a second interrupt. An update in flight still completes and then serves its config unverified: "+
				"run again with the previous version to undo it, or with this version to verify it", "endpoint", now)
			return errors.Join(deployErr, fmt.Errorf("stopped waiting for the rollback on a second interrupt; the endpoint is %s. An update in flight still completes and serves its config unverified: "+
				"run again with the previous version to undo it, or with this version to verify it", now))
		}
		d.res.Outcome = OutcomeRollbackFailed
		d.log.ErrorContext(ctx, "rollback failed; the endpoint needs attention", "stage", d.res.Stage)
		return errors.Join(deployErr, fmt.Errorf("rollback: %w", err))
	}
	d.res.Outcome = OutcomeRolledBack
	d.log.WarnContext(ctx, "deployment failed and was rolled back", "stage", d.res.Stage)
	return deployErr
}

// isStopped reports whether the stop channel is closed.
func isStopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// lastLook reads the endpoint once more, briefly, to say what state a
// stopped run leaves it in.
func (d *deployer) lastLook(ctx context.Context) string {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ep, err := d.c.Get(lctx, serving.GetServingEndpointRequest{Name: d.spec.Name})
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	s := summary(ep)
	d.res.After = s
	return fmt.Sprintf("%s, serving config version %d %v with routes %v", describe(ep), s.Version, s.Served, s.Routes)
}

// explain adds what the service does not say to a deployment error: an
// endpoint runs as its creator, so an update that fails to deploy on an
// endpoint someone else created may lack the creator's grants.
func (d *deployer) explain(err error) error {
	var uf *UpdateFailedError
	if !errors.As(err, &uf) || d.res.Created || d.creator == "" || strings.EqualFold(d.creator, d.spec.Caller) {
		return err
	}
	catalog, schema := d.spec.Entity.Model, d.spec.Entity.Model
	if parts := strings.SplitN(d.spec.Entity.Model, ".", 3); len(parts) == 3 {
		catalog, schema = parts[0], parts[0]+"."+parts[1]
	}
	grants := fmt.Sprintf("USE CATALOG on %s, USE SCHEMA on %s, EXECUTE on %s and SELECT on the model's online tables", catalog, schema, d.spec.Entity.Model)
	if d.spec.Caller == "" {
		return fmt.Errorf("%w (the endpoint runs as its creator %s: if that is not who runs this deployment, %s needs %s)", err, d.creator, d.creator, grants)
	}
	return fmt.Errorf("%w (the endpoint runs as its creator %s, not as %s: %s needs %s)", err, d.creator, d.spec.Caller, d.creator, grants)
}

func (d *deployer) rollback(ctx context.Context) error {
	if d.res.Created || d.ownNew {
		if d.spec.KeepNewOnFailure {
			d.log.InfoContext(ctx, "keeping the new endpoint for inspection")
			return nil
		}
		if _, err := d.w.idle(ctx, d.spec.RollbackTimeout); err != nil {
			return err
		}
		if _, err := deleteEndpoint(ctx, d.c, d.spec.Name, d.w.s); err != nil {
			return fmt.Errorf("the new endpoint: %w", err)
		}
		d.res.After = ConfigSummary{}
		d.log.InfoContext(ctx, "deleted the new endpoint")
		return nil
	}
	// An update may still be running (a deadline or cancellation hit it).
	ep, err := d.w.idle(ctx, d.spec.RollbackTimeout)
	if err != nil {
		return err
	}
	d.res.After = summary(ep)
	if d.snap.restored(ep) {
		if ep.State.Ready != serving.EndpointStateReadyReady {
			return fmt.Errorf("the previous config is live but not ready (%s); a rollback cannot fix that: %w", describe(ep), ErrNotServing)
		}
		d.log.InfoContext(ctx, "the previous config is still serving; nothing to restore")
		return d.clearMark(ctx, ep)
	}
	d.log.InfoContext(ctx, "restoring the previous config", "version", d.snap.ConfigVersion)
	in := d.snap.Input(d.spec.Name)
	p, err := d.w.update(ctx, in, d.res.After.Version, d.spec.RollbackTimeout)
	if err != nil {
		return err
	}
	if ep, err = d.w.updated(ctx, d.spec.RollbackTimeout, d.res.After.Version, p); err != nil {
		return err
	}
	d.res.After = summary(ep)
	if !d.snap.restored(ep) {
		return fmt.Errorf("the restore reported success but the endpoint serves %v with routes %v", d.res.After.Served, d.res.After.Routes)
	}
	return d.clearMark(ctx, ep)
}

// clearMark clears the canary mark if the endpoint has it.
func (d *deployer) clearMark(ctx context.Context, ep *serving.ServingEndpointDetailed) error {
	if tag(ep, CanaryTag) == "" {
		return nil
	}
	return d.unmark(ctx)
}
