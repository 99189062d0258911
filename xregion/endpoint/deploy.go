package endpoint

import (
	"context"
	"errors"
	"fmt"
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
	return ConfigSummary{Version: ep.Config.ConfigVersion, Served: served(ep.Config.ServedEntities, ep.Config.ServedModels), Routes: routes(ep.Config.TrafficConfig)}
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
}

// DeployWithRollback makes the endpoint serve the model version, verifies it
// and restores the previous config if anything goes wrong.
//
// A missing endpoint is created. An endpoint that already serves exactly the
// asked config is left alone, with no write. Otherwise the live config is
// snapshotted (waiting first for an update in progress), then updated
// directly or, with spec.Canary, by adding the new version beside the current
// one and shifting traffic step by step before removing the old version.
// After each update it waits, under spec.Timeout, for NOT_UPDATING, READY and
// every served entity DEPLOYMENT_READY, checks that the config version
// advanced and the entities and routes are the ones asked for, and runs the
// health checks: readiness, and spec.Probes through the query API. A check
// that errors does not pass.
//
// On any failure, unless spec.OnFailure is [Freeze], it rolls back under
// context.WithoutCancel with its own deadline, so a cancelled caller still
// rolls back: it restores the snapshot exactly (entities, routes,
// auto-capture), or deletes an endpoint it created unless
// spec.KeepNewOnFailure. The error is then errors.Join(deployErr,
// rollbackErr) inside a [*xregion.StepError], and the result says what
// happened. If someone else changes the endpoint during the deployment, it
// stops with [ErrChangedMeanwhile] and does not roll back, which would undo
// their change ([OutcomeAborted]). An endpoint serving another model is refused with
// [xregion.ErrConflict] before any write.
func DeployWithRollback(ctx context.Context, c Endpoints, spec Spec, opts ...xregion.Option) (*Result, error) {
	s := xregion.NewSettings(opts...)
	res := &Result{Endpoint: spec.Name}
	spec, err := spec.validate()
	if err == nil {
		log := s.Logger.With("step", StepDeploy, "endpoint", spec.Name)
		d := &deployer{c: c, spec: spec, log: log, res: res, w: waiter{c: c, name: spec.Name, s: s, log: log}, dryRun: s.DryRun}
		err = d.run(ctx)
	}
	if err != nil {
		return res, &xregion.StepError{Step: StepDeploy, Resource: fmt.Sprintf("endpoint %q", spec.Name), Err: err}
	}
	return res, nil
}

type deployer struct {
	c    Endpoints
	spec Spec
	log  *slog.Logger
	res  *Result
	w    waiter
	snap *Snapshot // nil for an endpoint this run created

	dryRun bool
}

func (d *deployer) run(ctx context.Context) error {
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

// desired is the single-entity config the spec asks for.
func (d *deployer) desired() serving.EndpointCoreConfigInput {
	e := d.spec.Entity
	return serving.EndpointCoreConfigInput{
		Name:           d.spec.Name,
		ServedEntities: []serving.ServedEntityInput{e.input()},
		TrafficConfig:  &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: e.Name, TrafficPercentage: 100}}},
	}
}

func (d *deployer) create(ctx context.Context) error {
	in := d.desired()
	var tags []serving.EndpointTag
	for _, k := range slices.Sorted(maps.Keys(d.spec.Tags)) {
		tags = append(tags, serving.EndpointTag{Key: k, Value: d.spec.Tags[k]})
	}
	_, err := d.c.Create(ctx, serving.CreateServingEndpoint{Name: d.spec.Name, Config: &in, Tags: tags})
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
	d.res.Created = true
	d.log.InfoContext(ctx, "created endpoint", "entity", d.spec.Entity.Name)
	d.res.Stage = "create"
	ep, err := d.w.updated(ctx, d.spec.Timeout, 0)
	if err == nil {
		err = d.verify(ctx, ep, 0, in)
	}
	return d.finish(ctx, err)
}

func (d *deployer) update(ctx context.Context, ep *serving.ServingEndpointDetailed) error {
	var err error
	if d.dryRun && (ep.State == nil || ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress) {
		d.res.Before, d.res.After, d.res.Outcome = summary(ep), summary(ep), OutcomePlanned
		d.res.Reason = "an update is in progress; the snapshot would be taken once it ends"
		return nil
	}
	if ep.State == nil || ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress {
		d.log.InfoContext(ctx, "an update is in progress; waiting for it before taking the snapshot")
		if ep, err = d.w.idle(ctx, d.spec.Timeout); err != nil {
			return err
		}
	}
	d.snap = snapshotOf(ep)
	d.res.Before, d.res.After = summary(ep), summary(ep)
	if err := d.refuseForeign(ep); err != nil {
		return err
	}
	want := d.desired()
	if d.snap != nil && matches(want, d.snap.Input(d.spec.Name)) {
		if ep.State.Ready != serving.EndpointStateReadyReady || !allReady(ep.Config) {
			return fmt.Errorf("already configured as asked but not ready (%s): %w", describe(ep), ErrNotServing)
		}
		d.res.Outcome = OutcomeUnchanged
		d.res.Checks = []CheckResult{{Name: "readiness", Status: CheckPass, Detail: "already serving as asked"}}
		d.log.InfoContext(ctx, "endpoint already serves the version; nothing to do")
		return nil
	}
	if d.snap == nil {
		return fmt.Errorf("endpoint has no live config to snapshot (%s); delete it or fix it by hand: %w", describe(ep), ErrNotServing)
	}
	if len(d.spec.Canary) > 0 {
		if len(d.snap.ServedEntities) == 0 {
			return fmt.Errorf("the endpoint is configured through the deprecated served_models field; a canary needs served entities, so deploy without one: %w", xregion.ErrConflict)
		}
		if slices.ContainsFunc(d.snap.ServedEntities, func(se serving.ServedEntityOutput) bool { return se.Name == d.spec.Entity.Name }) {
			return xregion.Invalid("served entity name", d.spec.Entity.Name, "is already live on the endpoint; a canary needs the new version under another name")
		}
	}
	if d.dryRun {
		d.res.Outcome = OutcomePlanned
		return nil
	}
	want.AutoCaptureConfig = d.snap.Input("").AutoCaptureConfig // keep what is there
	if len(d.spec.Canary) > 0 {
		return d.finish(ctx, d.canary(ctx, want))
	}
	d.res.Stage = "update"
	return d.finish(ctx, d.step(ctx, want))
}

// refuseForeign rejects an endpoint serving another model: replacing it
// would drop config xregion did not put there.
func (d *deployer) refuseForeign(ep *serving.ServingEndpointDetailed) error {
	if ep.Config == nil {
		return nil
	}
	for _, se := range ep.Config.ServedEntities {
		if !sameModel(se.EntityName, d.spec.Entity.Model) {
			return fmt.Errorf("serves %s (entity %q), not %s; xregion replaces only versions of its own model: %w",
				se.EntityName, se.Name, d.spec.Entity.Model, xregion.ErrConflict)
		}
	}
	for _, sm := range ep.Config.ServedModels {
		if !sameModel(sm.ModelName, d.spec.Entity.Model) {
			return fmt.Errorf("serves %s (model %q), not %s: %w", sm.ModelName, sm.Name, d.spec.Entity.Model, xregion.ErrConflict)
		}
	}
	return nil
}

// step sends one update, waits for it, verifies it and runs the checks.
func (d *deployer) step(ctx context.Context, in serving.EndpointCoreConfigInput) error {
	before := d.res.After.Version
	if err := d.w.update(ctx, in, before, d.spec.Timeout); err != nil {
		return err
	}
	ep, err := d.w.updated(ctx, d.spec.Timeout, before)
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

// probe runs the spec's probes, naming their results after label. During a
// canary step a probe must reach the new version: one that never did proves
// nothing and counts as an error.
func (d *deployer) probe(ctx context.Context, label string) error {
	canaryStep := strings.HasPrefix(d.res.Stage, "canary")
	for _, p := range d.spec.Probes {
		r := runProbe(ctx, d.c, d.spec.Name, p)
		if canaryStep && r.Status == CheckPass && !slices.Contains(r.ServedBy, d.spec.Entity.Name) {
			r.Status = CheckError
			r.Detail = fmt.Sprintf("no request reached %s (served by %v): raise the probe's requests", d.spec.Entity.Name, r.ServedBy)
		}
		r.Name = checkName(label, r.Name)
		d.res.Checks = append(d.res.Checks, r)
		d.log.InfoContext(ctx, "health check", "check", r.Name, "status", r.Status, "detail", r.Detail)
		if r.Status != CheckPass {
			return fmt.Errorf("probe %q %s: %s: %w", p.Name, r.Status, r.Detail, ErrUnhealthy)
		}
	}
	return nil
}

// canary adds the new version beside the live one, shifts traffic to it
// step by step and finally removes the old version.
func (d *deployer) canary(ctx context.Context, want serving.EndpointCoreConfigInput) error {
	old := d.snap.Input(d.spec.Name)
	newEntity := want.ServedEntities[0]
	for _, w := range d.spec.Canary[:len(d.spec.Canary)-1] {
		d.res.Stage = "canary " + strconv.Itoa(w) + "%"
		in := serving.EndpointCoreConfigInput{
			Name:              d.spec.Name,
			ServedEntities:    append(slices.Clone(old.ServedEntities), newEntity),
			TrafficConfig:     &serving.TrafficConfig{Routes: append(scaleRoutes(old.TrafficConfig, old.ServedEntities, 100-w), serving.Route{ServedEntityName: newEntity.Name, TrafficPercentage: w})},
			AutoCaptureConfig: old.AutoCaptureConfig,
		}
		d.log.InfoContext(ctx, "canary step", "weight", w)
		if err := d.step(ctx, in); err != nil {
			return err
		}
		if d.spec.Bake > 0 {
			if err := sleep(ctx, d.spec.Bake); err != nil {
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
	return d.step(ctx, want)
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

// scaleRoutes spreads total percent over the old routes in proportion,
// giving rounding leftovers to the largest route.
func scaleRoutes(t *serving.TrafficConfig, entities []serving.ServedEntityInput, total int) []serving.Route {
	var old []serving.Route
	if t != nil && len(t.Routes) > 0 {
		old = slices.Clone(t.Routes)
	} else {
		for _, e := range entities {
			old = append(old, serving.Route{ServedEntityName: e.Name, TrafficPercentage: 100 / len(entities)})
		}
	}
	if len(old) == 0 {
		return nil
	}
	sum, largest := 0, 0
	out := make([]serving.Route, len(old))
	for i, r := range old {
		out[i] = serving.Route{ServedEntityName: r.ServedEntityName, ServedModelName: r.ServedModelName, TrafficPercentage: r.TrafficPercentage * total / 100}
		sum += out[i].TrafficPercentage
		if r.TrafficPercentage > old[largest].TrafficPercentage {
			largest = i
		}
	}
	out[largest].TrafficPercentage += total - sum
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
	// not be left behind because a workflow was cancelled.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.spec.RollbackTimeout)
	defer cancel()
	if err := d.rollback(rctx); err != nil {
		d.res.Outcome = OutcomeRollbackFailed
		d.log.ErrorContext(ctx, "rollback failed; the endpoint needs attention", "stage", d.res.Stage)
		return errors.Join(deployErr, fmt.Errorf("rollback: %w", err))
	}
	d.res.Outcome = OutcomeRolledBack
	d.log.WarnContext(ctx, "deployment failed and was rolled back", "stage", d.res.Stage)
	return deployErr
}

func (d *deployer) rollback(ctx context.Context) error {
	if d.res.Created {
		if d.spec.KeepNewOnFailure {
			d.log.InfoContext(ctx, "keeping the new endpoint for inspection")
			return nil
		}
		if _, err := d.w.idle(ctx, d.spec.RollbackTimeout); err != nil {
			return err
		}
		if err := d.c.Delete(ctx, serving.DeleteServingEndpointRequest{Name: d.spec.Name}); err != nil && !apierr.IsMissing(err) {
			return fmt.Errorf("delete the new endpoint: %w", err)
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
		return nil
	}
	d.log.InfoContext(ctx, "restoring the previous config", "version", d.snap.ConfigVersion)
	in := d.snap.Input(d.spec.Name)
	if err := d.w.update(ctx, in, d.res.After.Version, d.spec.RollbackTimeout); err != nil {
		return err
	}
	if ep, err = d.w.updated(ctx, d.spec.RollbackTimeout, d.res.After.Version); err != nil {
		return err
	}
	d.res.After = summary(ep)
	if !d.snap.restored(ep) {
		return fmt.Errorf("the restore reported success but the endpoint serves %v with routes %v", d.res.After.Served, d.res.After.Routes)
	}
	return nil
}
