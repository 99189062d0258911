package rollout

import (
	"context"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"slices"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
)

// StepRefresh is the step name [Refresh] reports in its own errors.
const StepRefresh = "Refresh"

// Refresh syncs the model's SNAPSHOT online tables in one region again, and
// waits until they are online with the new data; the endpoint keeps serving
// throughout and is not touched. With spec.OnlineMaxStaleness set, only the
// tables whose last sync is older than that are synced again; without it,
// all of them. Syncing again is the single mechanism of
// [online.PublishOnline] (publishing again, see the README's "How freshness
// works"), and a table that does not report a newer sync afterwards fails
// the wait.
//
// The region must have been rolled out: Refresh first reads the region as
// [Observe] does (a dry run of [Region]), and refuses, writing nothing, when
// the shared catalog or an online table is missing. The result holds the
// tables published again (Online) and their new states and sync times
// (OnlineStatus). src is the source workspace, or the zero [Workspace] in
// PhaseDeploy, as for Region.
func Refresh(ctx context.Context, src Workspace, dst Target, spec Spec, opts ...xregion.Option) (*RegionResult, error) {
	s := settings.New(opts...)
	res, err := Region(ctx, src, dst, spec, append(slices.Clip(opts), xregion.WithDryRun())...)
	if err != nil {
		return res, err
	}
	fail := func(err error) (*RegionResult, error) {
		err = &xregion.StepError{Step: StepRefresh, Resource: "region " + res.Region, Err: err}
		res.Error = err.Error()
		return res, err
	}
	if res.Catalog == nil || res.Catalog.Op != xregion.OpUnchanged {
		return fail(fmt.Errorf("the model is not rolled out here: the shared catalog %s does not exist yet; run a rollout first: %w", spec.SharedCatalog, xregion.ErrPrecondition))
	}
	if res.Dependencies == nil || len(res.Dependencies.Tables) == 0 {
		res.Endpoint, res.Warnings = nil, append(res.Warnings, "the model looks up no feature table: nothing to refresh")
		return res, nil
	}
	for _, t := range res.Online.Tables {
		if t.Op == xregion.OpCreated {
			return fail(fmt.Errorf("online table %s does not exist yet: run a rollout first: %w", t.Online, xregion.ErrPrecondition))
		}
	}
	full, err := dst.apply(spec).withDefaults(!src.IsZero())
	if err != nil {
		return fail(err)
	}
	w := dst.Workspace
	policy := online.RefreshAlways
	if full.OnlineMaxStaleness > 0 {
		// Only the stale ones: auto without a version date re-syncs by
		// staleness alone.
		policy = online.RefreshAuto
	}
	tables := make([]online.Table, len(res.Dependencies.Tables))
	for i, t := range res.Dependencies.Tables {
		tables[i] = online.Table{Name: t.Name, PrimaryKeys: t.PrimaryKeys, TableID: t.TableID}
	}
	if res.Online, err = online.PublishOnline(ctx, w.online(), online.PublishSpec{
		Store: full.OnlineStore, Capacity: full.OnlineCapacity, SharedCatalog: full.SharedCatalog,
		Catalog: full.OnlineCatalog, Schema: full.OnlineSchema, Tables: tables,
		Refresh: policy, MaxStaleness: full.OnlineMaxStaleness, VersionCreated: time.Time{},
	}, opts...); err != nil {
		return fail(err)
	}
	res.Endpoint = nil // untouched
	if s.DryRun {
		return res, nil
	}
	if res.OnlineStatus, err = online.WaitOnline(ctx, w.online().Status(), online.WaitSpec{
		Tables: res.Online.OnlineNames(), Timeout: full.OnlineTimeout, SyncedAfter: res.Online.Resynced(),
	}, opts...); err != nil {
		return fail(err)
	}
	return res, nil
}
