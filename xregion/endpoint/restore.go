package endpoint

import (
	"cmp"
	"context"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"maps"
	"slices"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

// StepRestore is the step name [Restore] reports in errors.
const StepRestore = "RestoreEndpoint"

// StepCheck is the step name [Check] reports in errors.
const StepCheck = "CheckEndpoint"

// RestoreSpec says which config [Restore] puts back on an endpoint.
type RestoreSpec struct {
	// Name is the endpoint's name. Required.
	Name string
	// Snapshot is the config to restore, as [Result].Snapshot holds it.
	// Nil means that there was no endpoint before: one xregion created
	// (tagged [OwnerTag]) is deleted.
	Snapshot *Snapshot
	// Deployed is the config the deployment left ([Result].After). When
	// set, an endpoint that serves neither it nor the snapshot was changed
	// by someone else since: Restore refuses with [ErrChangedMeanwhile]
	// rather than undo their change.
	Deployed ConfigSummary
	// Timeout bounds the restore's waits. Default: [DefaultRollbackTimeout].
	Timeout time.Duration
}

// Restore puts an endpoint back to a config taken before a deployment,
// later than [DeployWithRollback]'s own rollback could: a fleet rollout
// restores regions that shipped when another region fails.
//
// It waits for an update in flight, writes nothing if the snapshot is live
// already, else sends the snapshot exactly (the same input, wait and go-cmp
// check as a rollback), and clears xregion's canary mark ([CanaryTag]) if
// the endpoint carries one. It runs under context.WithoutCancel with its own
// deadline, so a cancelled caller still restores; a stop channel
// ([xregion.WithStop]) ends its waits. Result.Outcome is
// [OutcomeRolledBack] on success, [OutcomeAborted] when someone else changed
// the endpoint since the deployment (see RestoreSpec.Deployed),
// [OutcomeRefused] for an endpoint to delete that xregion did not create,
// and [OutcomeRollbackFailed] otherwise.
func Restore(ctx context.Context, c Endpoints, spec RestoreSpec, opts ...xregion.Option) (*Result, error) {
	res := &Result{Endpoint: spec.Name, Stage: "restore"}
	err := restore(ctx, c, spec, res, opts)
	if err != nil {
		res.Reason = err.Error()
		if res.Outcome == "" {
			res.Outcome = OutcomeRollbackFailed
		}
		return res, &xregion.StepError{Step: StepRestore, Resource: fmt.Sprintf("endpoint %q", spec.Name), Err: err}
	}
	res.Outcome, res.Stage = OutcomeRolledBack, ""
	return res, nil
}

func restore(ctx context.Context, c Endpoints, spec RestoreSpec, res *Result, opts []xregion.Option) error {
	if !endpointNameRE.MatchString(spec.Name) {
		res.Outcome = OutcomeRefused
		return invalid.Input("endpoint", spec.Name, "want 1 to 63 letters, digits, hyphens and underscores, starting with a letter or digit")
	}
	s := settings.New(opts...)
	timeout := cmp.Or(spec.Timeout, DefaultRollbackTimeout)
	log := s.Logger.With("step", StepRestore, "endpoint", spec.Name)
	d := &deployer{
		c: c, spec: Spec{Name: spec.Name, Timeout: timeout, RollbackTimeout: timeout}, log: log, res: res,
		w:    waiter{c: c, name: spec.Name, s: s, log: log, last: new(serving.EndpointStateConfigUpdate)},
		snap: spec.Snapshot, stop: s.Stop,
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if s.Stop != nil {
		go func() {
			select {
			case <-s.Stop:
				cancel()
			case <-rctx.Done():
			}
		}()
	}
	ep, err := d.w.idle(rctx, timeout)
	if apierr.IsMissing(err) && spec.Snapshot == nil {
		log.InfoContext(ctx, "the endpoint is gone already; nothing to restore")
		return nil
	}
	if err != nil {
		return err
	}
	res.Before, res.After = summary(ep), summary(ep)
	if spec.Snapshot == nil {
		if tag(ep, OwnerTag) == "" {
			res.Outcome = OutcomeRefused
			return fmt.Errorf("there was no endpoint before, and xregion did not create this one (no %s tag); it is left alone: %w", OwnerTag, xregion.ErrConflict)
		}
		res.Created = true // rollback deletes what a run created
	}
	// why: config_version goes up with every update (terraform and Pulumi serving docs), so
	// any update since the deployment, settings only included, shows there.
	changed := res.Before.Version != spec.Deployed.Version || !sameServing(res.Before, spec.Deployed)
	if spec.Deployed.Version != 0 && changed && (spec.Snapshot == nil || !spec.Snapshot.restored(ep)) {
		res.Outcome = OutcomeAborted
		return fmt.Errorf("serves config version %d (%v with routes %v), not what the deployment left (version %d, %v with routes %v); restoring would undo someone else's change: %w",
			res.Before.Version, res.Before.Served, res.Before.Routes, spec.Deployed.Version, spec.Deployed.Served, spec.Deployed.Routes, ErrChangedMeanwhile)
	}
	if spec.Snapshot != nil {
		log.InfoContext(ctx, "restoring the config from before the deployment", "to", spec.Snapshot)
	}
	return d.rollback(rctx)
}

// sameServing reports whether two summaries serve the same entities with
// the same routes.
func sameServing(a, b ConfigSummary) bool {
	return slices.Equal(a.Served, b.Served) && maps.Equal(a.Routes, b.Routes)
}

// Restore restores the config r's deployment snapshotted ([Restore]): the
// snapshot for an endpoint that existed, deletion for one r created. It
// refuses an endpoint someone else changed since r ended. A result whose
// deployment wrote nothing ([OutcomeUnchanged], [OutcomePlanned]) or was
// undone already has nothing to restore: the call makes no request and
// returns a result with Outcome [OutcomeUnchanged]. Only a result with
// Outcome [OutcomeDeployed] is restored: a failed deployment rolled back
// on its own, or was frozen or aborted as asked.
func (r *Result) Restore(ctx context.Context, c Endpoints, opts ...xregion.Option) (*Result, error) {
	if r.Outcome != OutcomeDeployed || r.Snapshot == nil && !r.Created {
		return &Result{Endpoint: r.Endpoint, Outcome: OutcomeUnchanged, Before: r.After, After: r.After}, nil
	}
	return Restore(ctx, c, RestoreSpec{Name: r.Endpoint, Snapshot: r.Snapshot, Deployed: r.After}, opts...)
}

// Check runs the health checks of a deployment again without writing:
// readiness and spec.Probes, as after an update. The endpoint must still
// serve spec's version as spec asks; otherwise it fails with
// [ErrChangedMeanwhile]. A fleet rollout calls it during a wave's bake.
// Result.Outcome is [OutcomeUnchanged] when every check passed, and
// [OutcomeUnhealthy] when one failed.
func Check(ctx context.Context, c Endpoints, spec Spec, opts ...xregion.Option) (*Result, error) {
	s := settings.New(opts...)
	res := &Result{Endpoint: spec.Name, Stage: "recheck"}
	spec, err := spec.validate()
	if err == nil {
		err = check(ctx, c, spec, res, s)
	}
	if err != nil {
		res.Reason = err.Error()
		if res.Outcome == "" {
			res.Outcome = OutcomeFailed
		}
		return res, &xregion.StepError{Step: StepCheck, Resource: fmt.Sprintf("endpoint %q", spec.Name), Err: err}
	}
	res.Outcome, res.Stage = OutcomeUnchanged, ""
	return res, nil
}

func check(ctx context.Context, c Endpoints, spec Spec, res *Result, s settings.Settings) error {
	log := s.Logger.With("step", StepCheck, "endpoint", spec.Name)
	d := &deployer{c: c, spec: spec, log: log, res: res, w: waiter{c: c, name: spec.Name, s: s, log: log, last: new(serving.EndpointStateConfigUpdate)}}
	d.direct, _ = c.(EntityQuerier)
	ep, err := d.read(ctx)
	if err != nil {
		return err
	}
	res.Before, res.After = summary(ep), summary(ep)
	if st := d.assess(ep); st != stateConverged || tag(ep, CanaryTag) != "" {
		res.Outcome = OutcomeAborted
		return fmt.Errorf("serves %v with routes %v, not version %d as deployed: %w", res.After.Served, res.After.Routes, spec.Entity.Version, ErrChangedMeanwhile)
	}
	if ep.State == nil || ep.State.Ready != serving.EndpointStateReadyReady || ep.State.ConfigUpdate != serving.EndpointStateConfigUpdateNotUpdating || !allReady(ep.Config) {
		res.Outcome = OutcomeUnhealthy
		res.Checks = append(res.Checks, CheckResult{Name: "recheck: readiness", Status: CheckFail, Detail: describe(ep)})
		return fmt.Errorf("not ready (%s): %w", describe(ep), ErrUnhealthy)
	}
	res.Checks = append(res.Checks, CheckResult{Name: "recheck: readiness", Status: CheckPass, Detail: fmt.Sprintf("config version %d, served entities ready: %d", ep.Config.ConfigVersion, len(ep.Config.ServedEntities))})
	if err := d.probe(ctx, "recheck"); err != nil {
		res.Outcome = OutcomeUnhealthy
		return err
	}
	return nil
}
