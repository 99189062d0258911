package rollout_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// requestCount counts every request sent through it.
type requestCount struct {
	n    *atomic.Int64
	next http.RoundTripper
}

func (c requestCount) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// overHTTP returns the services of ws as a real SDK client reaches them,
// over the fake's HTTP face, and the count of the requests they send from
// now on.
func overHTTP(t *testing.T, ws *xregiontest.Workspace, name string) (rollout.Workspace, *atomic.Int64) {
	t.Helper()
	n := &atomic.Int64{}
	wc, err := client.New(t.Context(), client.Settings{
		Host: "http://" + name + ".invalid", Token: "t",
		Transport: requestCount{n, xregiontest.Transport(ws.Handler())}, RateLimit: 1 << 20,
	})
	if err != nil {
		t.Fatalf("client.New(%s) error = %v", name, err)
	}
	r, err := rollout.FromClient(wc)
	if err != nil {
		t.Fatalf("FromClient(%s) error = %v", name, err)
	}
	n.Store(0)
	return r, n
}

func TestWorkspaceIsZero(t *testing.T) {
	t.Parallel()
	full := rollouttest.Workspace(xregiontest.NewWorkspace())
	tests := []struct {
		name string
		w    rollout.Workspace
		want bool
	}{
		{name: "zero", w: rollout.Workspace{}, want: true},
		{name: "caller_only", w: rollout.Workspace{Caller: "someone@example.com"}, want: true},
		{name: "requests_only", w: rollout.Workspace{Requests: &client.Meter{}}, want: true},
		{name: "caller_and_requests", w: rollout.Workspace{Caller: "someone@example.com", Requests: &client.Meter{}}, want: true},
		{name: "fake_workspace", w: full, want: false},
	}
	// Every service field on its own makes a workspace: the fields of
	// interface type, so that a service added later counts too.
	v := reflect.ValueOf(full)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type.Kind() != reflect.Interface {
			continue
		}
		var w rollout.Workspace
		reflect.ValueOf(&w).Elem().Field(i).Set(v.Field(i))
		tests = append(tests, struct {
			name string
			w    rollout.Workspace
			want bool
		}{name: "only_" + f.Name, w: w, want: false})
	}
	if len(tests) < 5+16 {
		t.Fatalf("found %d service fields, want at least 16", len(tests)-5)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.w.IsZero(); got != tt.want {
				t.Errorf("IsZero() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestZeroSourceDeployPhase runs the deploy phase with the zero Workspace
// as the source, after a share phase with it.
func TestZeroSourceDeployPhase(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	share := baseSpec()
	share.Phase = rollout.PhaseShare
	if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], share, noSleep); err != nil {
		t.Fatalf("Region(share) error = %v", err)
	}
	w.resetWrites()

	deploy := baseSpec()
	deploy.Phase, deploy.Version, deploy.SourceMetastoreID = rollout.PhaseDeploy, "1", w.src.GlobalMetastoreID()
	res, err := rollout.Region(t.Context(), rollout.Workspace{}, w.regionTargets()[0], deploy, noSleep)
	if err != nil {
		t.Fatalf("Region(deploy, zero source) error = %v", err)
	}
	if res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeDeployed || res.Version != 1 {
		t.Fatalf("Region(deploy, zero source) = %+v, want version 1 deployed", res)
	}
	if n := len(w.src.Writes()); n != 0 {
		t.Errorf("the deploy phase wrote %d times in the source, want 0", n)
	}

	// The other entry points take it the same way.
	st, err := rollout.Observe(t.Context(), rollout.Workspace{}, w.regionTargets()[0], deploy, noSleep)
	if err != nil {
		t.Fatalf("Observe(deploy, zero source) error = %v", err)
	}
	if st.Drifted() {
		t.Errorf("Observe(deploy, zero source) drift = %v, stale = %v; want none right after the rollout", st.Drift, st.Stale)
	}
	results, err := rollout.Regions(t.Context(), rollout.Workspace{}, w.regionTargets(), deploy, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("Regions(deploy, zero source) error = %v", err)
	}
	if got := results[0].Endpoint; got == nil || got.Outcome != endpoint.OutcomeUnchanged {
		t.Errorf("Regions(deploy, zero source) endpoint = %+v, want it unchanged", got)
	}
}

// TestSourceCheckedBeforeAnyCall: a run without the source workspace in a
// phase that needs it, or with a source that lacks a service the run
// calls, fails with an input error before any request to any workspace.
func TestSourceCheckedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	without := func(field string) func(rollout.Workspace) rollout.Workspace {
		return func(w rollout.Workspace) rollout.Workspace {
			f := reflect.ValueOf(&w).Elem().FieldByName(field)
			f.Set(reflect.Zero(f.Type()))
			return w
		}
	}
	zero := func(rollout.Workspace) rollout.Workspace { return rollout.Workspace{} }
	type call func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error
	region := func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error {
		_, err := rollout.Region(ctx, src, dst, spec, noSleep)
		return err
	}
	regions := func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error {
		_, err := rollout.Regions(ctx, src, []rollout.Target{dst}, spec, rollout.Plan{}, noSleep)
		return err
	}
	observe := func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error {
		_, err := rollout.ObserveRegions(ctx, src, []rollout.Target{dst}, spec, rollout.Plan{}, noSleep)
		return err
	}
	refresh := func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error {
		_, err := rollout.Refresh(ctx, src, dst, spec, noSleep)
		return err
	}
	teardown := func(ctx context.Context, src rollout.Workspace, dst rollout.Target, spec rollout.Spec) error {
		_, err := rollout.TeardownRegions(ctx, src, []rollout.Target{dst}, spec, rollout.TeardownSpec{Confirm: spec.Model}, rollout.Plan{}, noSleep)
		return err
	}
	tests := []struct {
		name   string
		call   call
		phase  rollout.Phase
		source func(rollout.Workspace) rollout.Workspace
		// wantMissing is the service the error names; "" for the phase
		// refused without a source.
		wantMissing string
	}{
		{name: "region/zero_source/phase_default", call: region, source: zero},
		{name: "region/zero_source/phase_all", call: region, phase: rollout.PhaseAll, source: zero},
		{name: "region/zero_source/phase_share", call: region, phase: rollout.PhaseShare, source: zero},
		{name: "regions/zero_source/phase_all", call: regions, phase: rollout.PhaseAll, source: zero},
		{name: "regions/zero_source/phase_share", call: regions, phase: rollout.PhaseShare, source: zero},
		{name: "observe/zero_source/phase_all", call: observe, phase: rollout.PhaseAll, source: zero},
		{name: "refresh/zero_source/phase_all", call: refresh, phase: rollout.PhaseAll, source: zero},
		{name: "teardown/zero_source/phase_all", call: teardown, phase: rollout.PhaseAll, source: zero},
		{name: "teardown/zero_source/phase_share", call: teardown, phase: rollout.PhaseShare, source: zero},

		{name: "region/no_shares/phase_all", call: region, phase: rollout.PhaseAll, source: without("Shares"), wantMissing: "Shares"},
		{name: "region/no_recipients/phase_share", call: region, phase: rollout.PhaseShare, source: without("Recipients"), wantMissing: "Recipients"},
		{name: "region/no_tables/phase_share", call: region, phase: rollout.PhaseShare, source: without("Tables"), wantMissing: "Tables"},
		{name: "region/no_functions/phase_all", call: region, phase: rollout.PhaseAll, source: without("Functions"), wantMissing: "Functions"},
		{name: "region/no_metastores/phase_deploy", call: region, phase: rollout.PhaseDeploy, source: without("Metastores"), wantMissing: "Metastores"},
		{name: "regions/no_model_versions/phase_all", call: regions, phase: rollout.PhaseAll, source: without("ModelVersions"), wantMissing: "ModelVersions"},
		{name: "regions/no_model_versions/deploy_alias", call: regions, phase: rollout.PhaseDeploy, source: without("ModelVersions"), wantMissing: "ModelVersions"},
		{name: "observe/no_shares/phase_all", call: observe, phase: rollout.PhaseAll, source: without("Shares"), wantMissing: "Shares"},
		{name: "refresh/no_shares/phase_all", call: refresh, phase: rollout.PhaseAll, source: without("Shares"), wantMissing: "Shares"},
		{name: "teardown/no_shares/phase_all", call: teardown, phase: rollout.PhaseAll, source: without("Shares"), wantMissing: "Shares"},
		{name: "teardown/no_recipients/phase_share", call: teardown, phase: rollout.PhaseShare, source: without("Recipients"), wantMissing: "Recipients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "eu-west-1")
			src, srcN := overHTTP(t, w.src, "source")
			dst, dstN := overHTTP(t, w.targets[0], "target")
			spec := baseSpec()
			spec.Phase = tt.phase // the version is an alias, @champion
			err := tt.call(t.Context(), tt.source(src), rollout.Target{Region: "eu", Workspace: dst}, spec)
			if !errors.Is(err, xregion.ErrInvalidInput) {
				t.Fatalf("error = %v, want ErrInvalidInput", err)
			}
			var ie *xregion.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error = %v, want an *xregion.InputError", err)
			}
			if tt.wantMissing == "" {
				if ie.Input != "phase" {
					t.Errorf("error names input %q, want phase", ie.Input)
				}
			} else if ie.Input != "source workspace" || !strings.HasPrefix(ie.Reason, "no "+tt.wantMissing+" service") {
				t.Errorf("error = %v, want the source workspace's missing %s service named", err, tt.wantMissing)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line", err)
			}
			if n, m := srcN.Load(), dstN.Load(); n != 0 || m != 0 {
				t.Errorf("requests sent before the error: %d to the source, %d to the target; want none", n, m)
			}
		})
	}
}

// TestSourceNeedsOnlyWhatTheRunCalls: a source with only the services
// the deploy phase calls on it (its metastore, for a version number) is
// enough, as is the zero source for a teardown of the targets alone.
func TestSourceNeedsOnlyWhatTheRunCalls(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), noSleep); err != nil {
		t.Fatalf("Region() error = %v", err)
	}
	deploy := baseSpec()
	deploy.Phase, deploy.Version = rollout.PhaseDeploy, "1"
	metastore := rollout.Workspace{Metastores: w.source().Metastores}
	res, err := rollout.Region(t.Context(), metastore, w.regionTargets()[0], deploy, noSleep)
	if err != nil {
		t.Fatalf("Region(deploy, source with Metastores only) error = %v", err)
	}
	if res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeUnchanged {
		t.Errorf("Region(deploy, source with Metastores only) endpoint = %+v, want it unchanged", res.Endpoint)
	}
	dry := xregion.WithDryRun()
	ft, err := rollout.TeardownRegions(t.Context(), rollout.Workspace{}, w.regionTargets(), deploy, rollout.TeardownSpec{}, rollout.Plan{}, noSleep, dry)
	if err != nil {
		t.Fatalf("TeardownRegions(deploy, zero source, dry run) error = %v", err)
	}
	if ft.Source != nil || len(ft.Regions) != 1 || ft.Regions[0].Count(xregion.OpRemoved) == 0 {
		t.Errorf("TeardownRegions(deploy, zero source, dry run) = source %+v, regions %+v; want the region's removals planned and no source side", ft.Source, ft.Regions)
	}
}
