package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"slices"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"golang.org/x/sync/errgroup"
)

// RegionStatus is what one region serves and how it differs from what a
// rollout of the spec would make it: the answer of [Observe].
type RegionStatus struct {
	Region string `json:"region"`
	Model  string `json:"model"`
	// Want is the version the spec selects now, such as the version the
	// alias @champion names at this moment; 0 when it could not be
	// resolved.
	Want int `json:"want,omitempty"`
	// Endpoint is what the endpoint serves, with the health checks'
	// results when the spec has probes.
	Endpoint *endpoint.Status `json:"endpoint,omitempty"`
	// Online are the online tables' sync states and last sync times.
	Online []online.TableStatus `json:"online,omitempty"`
	// Stale lists the online tables whose last sync is older than the
	// spec's OnlineMaxStaleness.
	Stale []string `json:"stale,omitempty"`
	// Drift says, one reason each, how the region differs from what a
	// rollout of the spec would make it: empty when it is converged.
	Drift []string `json:"drift,omitempty"`
	// Plan is the dry run the status is read from: what a rollout would
	// create or change, step by step.
	Plan *RegionResult `json:"plan,omitempty"`
	// Error is the region's error message, empty on success.
	Error string `json:"error,omitempty"`
}

// Drifted reports whether the region differs from the spec, or serves
// stale features, or fails its health checks.
func (s *RegionStatus) Drifted() bool {
	return len(s.Drift) > 0 || len(s.Stale) > 0 || s.Endpoint != nil && s.Endpoint.Exists && !s.Endpoint.Healthy()
}

// Observe reads, without writing anything, what the region serves and how it
// differs from what a rollout of spec would make it (drift): the version the
// source selects now against the one the endpoint serves, the share, grant
// and shared catalog, each online table's sync state and last sync (stale
// past spec.OnlineMaxStaleness), and the endpoint's health when
// spec.Endpoint has probes.
//
// It is a dry run of [Region] (the same reads, the same decisions, nothing
// written or waited for) followed by [endpoint.Observe], so that status
// needs no second model of the world: a region has drifted exactly where the
// dry run plans a change. src may be the zero [Workspace] in PhaseDeploy,
// as for Region.
func Observe(ctx context.Context, src Workspace, dst Target, spec Spec, opts ...xregion.Option) (*RegionStatus, error) {
	plan, err := Region(ctx, src, dst, spec, append(slices.Clip(opts), xregion.WithDryRun())...)
	return observe(ctx, src.orNil(), dst, spec, plan, err, opts)
}

// ObserveRegions observes every target as [Observe] does, the source's
// discovery made once and plan.Concurrency regions at a time (its waves
// play no part: nothing is written). The statuses come back in the order
// of targets; the error joins one error per region that could not be read.
func ObserveRegions(ctx context.Context, src Workspace, targets []Target, spec Spec, plan Plan, opts ...xregion.Option) ([]*RegionStatus, error) {
	dry := append(slices.Clip(opts), xregion.WithDryRun())
	plans, err := Regions(ctx, src, targets, spec, Plan{Concurrency: plan.Concurrency}, dry...)
	if plans == nil {
		return nil, err
	}
	out := make([]*RegionStatus, len(targets))
	errs := make([]error, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(plan.Concurrency, DefaultConcurrency))
	for i, t := range targets {
		g.Go(func() error {
			var perr error
			if plans[i].Error != "" {
				perr = errors.New(plans[i].Error)
			}
			out[i], errs[i] = observe(gctx, src.orNil(), t, t.apply(spec), plans[i], perr, opts)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("region %s: %w", cmp.Or(out[i].Region, t.Region), errs[i])
			}
			return nil
		})
	}
	_ = g.Wait()
	return out, errors.Join(errs...)
}

// observe completes a status from the dry run plan of one region, which
// ended with planErr.
func observe(ctx context.Context, src *Workspace, dst Target, spec Spec, plan *RegionResult, planErr error, opts []xregion.Option) (*RegionStatus, error) {
	s := settings.New(opts...)
	spec = dst.apply(spec)
	st := &RegionStatus{Region: dst.Region, Model: spec.Model, Plan: plan}
	if plan != nil {
		st.Region, st.Want = plan.Region, plan.Version
	}
	if planErr != nil {
		st.Error = planErr.Error()
		return st, planErr
	}
	full, err := spec.withDefaults(src != nil)
	if err != nil { // validated by the dry run already
		return st, err
	}
	st.drift(plan)

	if plan.Catalog != nil && plan.Catalog.Op == xregion.OpUnchanged {
		// The model can be read through the shared catalog: observe what
		// the endpoint serves of it.
		m, _ := xregion.ParseFullName("model", full.Model)
		shared := m.InCatalog(full.SharedCatalog).String()
		if st.Endpoint, err = endpoint.Observe(ctx, dst.Workspace.ServingEndpoints, full.Endpoint.Name, shared, full.Endpoint.Probes, opts...); err != nil {
			st.Error = err.Error()
			return st, err
		}
		switch {
		case !st.Endpoint.Exists:
			st.Drift = append(st.Drift, fmt.Sprintf("endpoint %s does not exist", full.Endpoint.Name))
		case st.Want > 0 && !st.Endpoint.Serves(st.Want):
			st.Drift = append(st.Drift, fmt.Sprintf("endpoint %s serves %s, not version %d", full.Endpoint.Name, st.Endpoint.Describe(), st.Want))
		case plan.Endpoint != nil && plan.Endpoint.Outcome == endpoint.OutcomePlanned:
			st.Drift = append(st.Drift, fmt.Sprintf("endpoint %s serves version %d, but not as asked (%s)", full.Endpoint.Name, st.Want,
				cmp.Or(plan.Endpoint.Reason, "its settings or routes differ")))
		}
	}
	if plan.Online != nil && len(plan.Online.Tables) > 0 {
		// The dry run waits for nothing: read each table once.
		if st.Online, err = online.ObserveTables(ctx, dst.Workspace.online().Status(), plan.Online.OnlineNames(), opts...); err != nil {
			st.Error = err.Error()
			return st, err
		}
	}
	now := s.Now()
	for _, t := range st.Online {
		if t.Stale(now, full.OnlineMaxStaleness) {
			st.Stale = append(st.Stale, t.Name)
		}
	}
	return st, nil
}

// drift records the changes the dry run plans before the endpoint.
func (st *RegionStatus) drift(plan *RegionResult) {
	if sh := plan.Share; sh != nil {
		if sh.Op == xregion.OpCreated {
			st.Drift = append(st.Drift, fmt.Sprintf("share %s does not exist", sh.Share))
		} else if len(sh.Added) > 0 {
			var names []string
			for _, o := range sh.Added {
				names = append(names, o.Name)
			}
			st.Drift = append(st.Drift, fmt.Sprintf("share %s lacks %s", sh.Share, strings.Join(names, ", ")))
		}
		if sh.GrantOp.Wrote() {
			st.Drift = append(st.Drift, fmt.Sprintf("recipient %s has no SELECT on share %s", sh.Recipient, sh.Share))
		}
	}
	if c := plan.Catalog; c != nil && c.Op == xregion.OpCreated {
		st.Drift = append(st.Drift, fmt.Sprintf("shared catalog %s does not exist", c.Catalog))
	}
	if o := plan.Online; o != nil {
		for _, t := range o.Tables {
			switch t.Op {
			case xregion.OpCreated:
				st.Drift = append(st.Drift, fmt.Sprintf("online table %s does not exist", t.Online))
			case xregion.OpUpdated:
				st.Drift = append(st.Drift, fmt.Sprintf("online table %s would be published again (%s)", t.Online, cmp.Or(t.Reason, "refresh policy")))
			}
		}
	}
	for _, w := range plan.Warnings {
		st.Drift = append(st.Drift, w)
	}
}

// ErrDrift is matched by the error a caller makes of a status that drifted
// (see [RegionStatus.Err]).
var ErrDrift = errors.New("the region differs from the spec")

// Err returns an error naming every drift, stale table and failed check,
// matching [ErrDrift], or nil when the region is converged and healthy.
func (s *RegionStatus) Err() error {
	if !s.Drifted() {
		return nil
	}
	var why []string
	why = append(why, s.Drift...)
	if len(s.Stale) > 0 {
		why = append(why, "stale online tables: "+strings.Join(s.Stale, ", "))
	}
	if s.Endpoint != nil && s.Endpoint.Exists && !s.Endpoint.Healthy() {
		why = append(why, "endpoint "+s.Endpoint.Endpoint+" is not healthy ("+s.Endpoint.State+")")
	}
	return fmt.Errorf("%s: %s: %w", s.Region, strings.Join(why, "; "), ErrDrift)
}
