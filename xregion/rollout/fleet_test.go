package rollout_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const sharedModel = "xregion_main_ml_fraud.ml.fraud"

// journal records the endpoint writes of every region, in the order they
// were made.
type journal struct {
	mu     sync.Mutex
	events []string
	// on, if set, is called after each write with the region that made it.
	on func(region string)
}

func (j *journal) add(region string) {
	j.mu.Lock()
	j.events = append(j.events, region)
	on := j.on
	j.mu.Unlock()
	if on != nil {
		on(region)
	}
}

func (j *journal) regions() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Compact(slices.Clone(j.events))
}

// journaled serving endpoints record their creates and config updates.
type journaled struct {
	endpoint.Endpoints
	region string
	j      *journal
}

func (e journaled) Create(ctx context.Context, req serving.CreateServingEndpoint) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	w, err := e.Endpoints.Create(ctx, req)
	e.j.add(e.region)
	return w, err
}

func (e journaled) UpdateConfig(ctx context.Context, req serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	w, err := e.Endpoints.UpdateConfig(ctx, req)
	e.j.add(e.region)
	return w, err
}

// fleetTargets labels the world's targets and journals their endpoint
// writes.
func (w world) fleetTargets(j *journal, labels ...string) []rollout.Target {
	ts := w.regionTargets()
	for i := range ts {
		ts[i].Region = labels[i]
		ts[i].Workspace.ServingEndpoints = journaled{Endpoints: ts[i].Workspace.ServingEndpoints, region: labels[i], j: j}
	}
	return ts
}

// endpointConfigs reads every target's endpoint config as the service
// holds it.
func (w world) endpointConfigs(name string) []*serving.EndpointCoreConfigOutput {
	var out []*serving.EndpointCoreConfigOutput
	for _, ws := range w.targets {
		out = append(out, ws.EndpointConfig(name))
	}
	return out
}

// configOpts compare endpoint configs as a restore must bring them back:
// everything but output-only fields.
var configOpts = cmp.Options{
	cmpopts.IgnoreFields(serving.ServedEntityOutput{}, "State", "CreationTimestamp", "Creator", "ForceSendFields"),
	cmpopts.IgnoreFields(serving.EndpointCoreConfigOutput{}, "ConfigVersion"),
	cmpopts.IgnoreFields(serving.Route{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.AutoCaptureConfigOutput{}, "State", "ForceSendFields"),
	cmpopts.EquateEmpty(),
}

func statuses(results []*rollout.RegionResult) map[string]rollout.Status {
	m := map[string]rollout.Status{}
	for _, r := range results {
		m[r.Region] = r.Status
	}
	return m
}

var labels = []string{"eu-west-1", "ap-southeast-1", "us-west-2"}

func TestRegionsWavesInOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	var j journal
	plan := rollout.Plan{Waves: [][]string{{"ap-southeast-1"}, {"eu-west-1", "us-west-2"}}}
	results, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(&j, labels...), baseSpec(), plan, noSleep)
	if err != nil {
		t.Fatalf("Regions() error = %v", err)
	}
	want := map[string]rollout.Status{"eu-west-1": rollout.StatusShipped, "ap-southeast-1": rollout.StatusShipped, "us-west-2": rollout.StatusShipped}
	if diff := cmp.Diff(want, statuses(results)); diff != "" {
		t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
	}
	if got := []int{results[0].Wave, results[1].Wave, results[2].Wave}; !slices.Equal(got, []int{2, 1, 2}) {
		t.Errorf("Regions() waves = %v, want [2 1 2]", got)
	}
	// Every write of wave 1 comes before any of wave 2.
	got := j.regions()
	if len(got) < 3 || got[0] != "ap-southeast-1" || slices.Contains(got[1:], "ap-southeast-1") {
		t.Errorf("endpoint writes by region, in order = %v; want ap-southeast-1's before any other", got)
	}
}

func TestRegionsFailingWaveLeavesLaterWavesUntouched(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	w.targets[0].ScriptDeployment(sharedModel, "1", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	var j journal
	plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}}
	results, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(&j, labels...), baseSpec(), plan, noSleep)
	if !errors.Is(err, endpoint.ErrUpdateFailed) || !errors.Is(err, rollout.ErrNotStarted) {
		t.Fatalf("Regions() error = %v, want the canary wave's update failure and regions not started", err)
	}
	want := map[string]rollout.Status{"eu-west-1": rollout.StatusFailed, "ap-southeast-1": rollout.StatusSkipped, "us-west-2": rollout.StatusSkipped}
	if diff := cmp.Diff(want, statuses(results)); diff != "" {
		t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
	}
	if e := results[0].Endpoint; e == nil || e.Outcome != endpoint.OutcomeRolledBack {
		t.Errorf("eu-west-1 endpoint = %+v, want rolled back", e)
	}
	// Later waves are untouched: not a single write in their workspaces.
	for _, ws := range w.targets[1:] {
		if got := ws.Writes(); len(got) != 0 {
			t.Errorf("a region of a later wave was written to: %v", got)
		}
	}
}

func TestRegionsAllOrNothingRestoresShippedRegions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	// Every region serves version 1 with settings of its own.
	targets := w.fleetTargets(new(journal), labels...)
	targets[1].WorkloadSize = "Medium"
	if _, err := rollout.Regions(t.Context(), w.source(), targets, baseSpec(), rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("first Regions() error = %v", err)
	}
	w.src.SetAlias("main.ml.fraud", "champion", 2)
	before := w.endpointConfigs("fraud")

	// Version 2 ships in the first two waves and fails in the last.
	w.targets[2].ScriptDeployment(sharedModel, "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1"}, {"us-west-2"}}, AllOrNothing: true}
	results, err := rollout.Regions(t.Context(), w.source(), targets, baseSpec(), plan, noSleep)
	if !errors.Is(err, endpoint.ErrUpdateFailed) {
		t.Fatalf("Regions() error = %v, want us-west-2's update failure", err)
	}
	want := map[string]rollout.Status{"eu-west-1": rollout.StatusRestored, "ap-southeast-1": rollout.StatusRestored, "us-west-2": rollout.StatusFailed}
	if diff := cmp.Diff(want, statuses(results)); diff != "" {
		t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
	}
	for _, r := range results[:2] {
		if r.Restored == nil || r.Restored.Endpoint == nil || r.Restored.Endpoint.Outcome != endpoint.OutcomeRolledBack || r.Restored.Reason == "" {
			t.Errorf("region %s Restored = %+v, want a restore with its reason", r.Region, r.Restored)
		}
	}
	// Every region serves exactly its pre-run config again.
	if diff := cmp.Diff(before, w.endpointConfigs("fraud"), configOpts); diff != "" {
		t.Errorf("endpoint configs after all-or-nothing mismatch (-before +after):\n%s", diff)
	}
	if got := before[1].ServedEntities[0].WorkloadSize; got != "Medium" {
		t.Errorf("ap-southeast-1 workload size = %q, want the per-region override Medium", got)
	}
}

func TestRegionsCancelledThenRerunConverges(t *testing.T) {
	t.Parallel()
	for _, aon := range []bool{false, true} {
		t.Run(map[bool]string{false: "keep_shipped", true: "all_or_nothing"}[aon], func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, labels...)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			// The signal comes as the second wave's deployment starts.
			j := &journal{on: func(region string) {
				if region == "ap-southeast-1" {
					cancel()
				}
			}}
			plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1"}, {"us-west-2"}}, AllOrNothing: aon}
			results, err := rollout.Regions(ctx, w.source(), w.fleetTargets(j, labels...), baseSpec(), plan, noSleep)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Regions() error = %v, want cancelled", err)
			}
			first := map[bool]rollout.Status{false: rollout.StatusShipped, true: rollout.StatusRestored}[aon]
			want := map[string]rollout.Status{"eu-west-1": first, "ap-southeast-1": rollout.StatusFailed, "us-west-2": rollout.StatusSkipped}
			if diff := cmp.Diff(want, statuses(results)); diff != "" {
				t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
			}
			// The region in flight rolled back: its new endpoint is gone.
			if e := results[1].Endpoint; e == nil || e.Outcome != endpoint.OutcomeRolledBack || w.targets[1].EndpointConfig("fraud") != nil {
				t.Errorf("ap-southeast-1 endpoint = %+v, want rolled back (deleted)", e)
			}
			if got := w.targets[2].Writes(); len(got) != 0 {
				t.Errorf("the region after the signal was written to: %v", got)
			}
			if aon && w.targets[0].EndpointConfig("fraud") != nil {
				t.Error("all-or-nothing left eu-west-1's new endpoint in place")
			}

			// A re-run finishes the fleet, and one more writes nothing. It
			// comes later: by then the provider of the grant the cancelled
			// run made reaches us-west-2, which has not looked yet (the
			// fakes count that delay in Providers calls, not in time).
			if _, err := w.targets[2].Providers.ListAll(t.Context(), sharing.ListProvidersRequest{}); err != nil {
				t.Fatal(err)
			}
			results, err = rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), baseSpec(), plan, noSleep)
			if err != nil {
				t.Fatalf("re-run Regions() error = %v", err)
			}
			for _, r := range results {
				if r.Status != rollout.StatusShipped {
					t.Errorf("re-run: region %s %s (%s), want shipped", r.Region, r.Status, r.Error)
				}
			}
			w.resetWrites()
			if _, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), baseSpec(), plan, noSleep); err != nil {
				t.Fatalf("third Regions() error = %v", err)
			}
			if got := w.writes(); len(got) != 0 {
				t.Errorf("third Regions() wrote %v, want nothing", got)
			}
		})
	}
}

func TestRegionsWaveBake(t *testing.T) {
	t.Parallel()
	smoke := endpoint.Probe{
		Name:    "smoke",
		Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42}]}`),
		Expect:  endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.01},
	}
	spec := baseSpec()
	spec.Endpoint.Probes = []endpoint.Probe{smoke}
	plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}, WaveBake: time.Hour}

	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(t, labels...)
			start := time.Now()
			results, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), spec, plan, noSleep)
			if err != nil {
				t.Fatalf("Regions() error = %v", err)
			}
			// The first wave bakes before the second starts; the last wave
			// has no wave after it (and no all-or-nothing) to wait for.
			if got := time.Since(start); got < time.Hour || got >= 2*time.Hour {
				t.Errorf("Regions() took %s of fake time, want the first wave baked for an hour and the last not", got)
			}
			for _, r := range results {
				var names []string
				for _, c := range r.Rechecks {
					names = append(names, c.Name+"="+string(c.Status))
				}
				want := []string{"recheck: readiness=pass", "recheck: smoke=pass"}
				if r.Wave == 2 {
					want = nil
				}
				if diff := cmp.Diff(want, names); diff != "" {
					t.Errorf("region %s re-checks mismatch (-want +got):\n%s", r.Region, diff)
				}
			}
		})
	})
	t.Run("unhealthy_after_bake", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			w := newWorld(t, labels...)
			type out struct {
				results []*rollout.RegionResult
				err     error
			}
			done := make(chan out)
			go func() {
				r, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), spec, plan, noSleep)
				done <- out{r, err}
			}()
			// The first wave shipped and is baking: it goes bad.
			synctest.Wait()
			w.targets[0].ScriptQuery(sharedModel, "1", xregiontest.QueryScript{Predictions: []any{0.9}})
			got := <-done
			if !errors.Is(got.err, endpoint.ErrUnhealthy) || !errors.Is(got.err, rollout.ErrNotStarted) {
				t.Fatalf("Regions() error = %v, want eu-west-1 unhealthy and the next wave not started", got.err)
			}
			want := map[string]rollout.Status{"eu-west-1": rollout.StatusFailed, "ap-southeast-1": rollout.StatusSkipped, "us-west-2": rollout.StatusSkipped}
			if diff := cmp.Diff(want, statuses(got.results)); diff != "" {
				t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
			}
			// Its endpoint, new in this run, was undone.
			if r := got.results[0].Restored; r == nil || r.Endpoint.Outcome != endpoint.OutcomeRolledBack || w.targets[0].EndpointConfig("fraud") != nil {
				t.Errorf("eu-west-1 Restored = %+v, want its new endpoint deleted", r)
			}
		})
	})
}

func TestRegionsCancelledDuringBake(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, labels...)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		type out struct {
			results []*rollout.RegionResult
			err     error
		}
		done := make(chan out)
		plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}, WaveBake: time.Hour}
		go func() {
			r, err := rollout.Regions(ctx, w.source(), w.fleetTargets(new(journal), labels...), baseSpec(), plan, noSleep)
			done <- out{r, err}
		}()
		synctest.Wait() // the first wave shipped and is baking
		cancel()
		got := <-done
		if !errors.Is(got.err, rollout.ErrNotStarted) {
			t.Fatalf("Regions() error = %v, want the later wave not started", got.err)
		}
		// The unverified wave is undone: its new endpoint is deleted.
		want := map[string]rollout.Status{"eu-west-1": rollout.StatusRestored, "ap-southeast-1": rollout.StatusSkipped, "us-west-2": rollout.StatusSkipped}
		if diff := cmp.Diff(want, statuses(got.results)); diff != "" {
			t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
		}
		if w.targets[0].EndpointConfig("fraud") != nil {
			t.Error("eu-west-1's endpoint, new in this run and interrupted in its bake, is still there")
		}
	})
}

// TestRegionsCancelledDuringTheLastBake: cancelled while its only wave
// bakes (all-or-nothing bakes the last wave too), the fleet is restored and
// the run reports the cancellation: a run that did not finish must not look
// like a success.
func TestRegionsCancelledDuringTheLastBake(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, labels...)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error)
		go func() {
			_, err := rollout.Regions(ctx, w.source(), w.fleetTargets(new(journal), labels...), baseSpec(), rollout.Plan{WaveBake: time.Hour, AllOrNothing: true}, noSleep)
			done <- err
		}()
		synctest.Wait() // the wave shipped and is baking
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Regions() error = %v, want the cancellation", err)
		}
	})
}

// TestRegionsAllOrNothingLeavesUnchangedRegions: all-or-nothing restores
// only what this run changed; a region already serving the version stays
// shipped, not "restored".
func TestRegionsAllOrNothingLeavesUnchangedRegions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	first := w.fleetTargets(new(journal), labels...)[:2]
	if _, err := rollout.Regions(t.Context(), w.source(), first, baseSpec(), rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("first Regions() error = %v", err)
	}
	// us-west-2 cannot take the deployment this time.
	w.targets[2].ScriptDeployment("xregion_main_ml_fraud.ml.fraud", "1", xregiontest.Deployment{Fail: true, Message: "no"})
	results, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), baseSpec(), rollout.Plan{AllOrNothing: true}, noSleep)
	if err == nil {
		t.Fatal("Regions() error = nil, want us-west-2's failure")
	}
	got := statuses(results)
	for _, r := range []string{"eu-west-1", "ap-southeast-1"} {
		if got[r] != rollout.StatusShipped {
			t.Errorf("%s: status %s, want shipped: this run changed nothing there", r, got[r])
		}
	}
}

func TestRegionsBadPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	tests := []struct {
		name    string
		targets func() []rollout.Target
		plan    rollout.Plan
	}{
		{"unknown_region_in_wave", func() []rollout.Target { return w.fleetTargets(new(journal), labels...) }, rollout.Plan{Waves: [][]string{{"eu-west-1", "ap-southeast-1", "us-west-2", "mars"}}}},
		{"region_in_no_wave", func() []rollout.Target { return w.fleetTargets(new(journal), labels...) }, rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1"}}}},
		{"region_in_two_waves", func() []rollout.Target { return w.fleetTargets(new(journal), labels...) }, rollout.Plan{Waves: [][]string{{"eu-west-1", "us-west-2"}, {"ap-southeast-1", "eu-west-1"}}}},
		{"duplicate_label", func() []rollout.Target { return w.fleetTargets(new(journal), "eu-west-1", "eu-west-1", "us-west-2") }, rollout.Plan{}},
		{"unlabelled_target_with_waves", func() []rollout.Target { return w.regionTargets() }, rollout.Plan{Waves: [][]string{{"eu-west-1"}}}},
		{"bad_override", func() []rollout.Target {
			ts := w.fleetTargets(new(journal), labels...)
			ts[2].Endpoint = "not a name"
			return ts
		}, rollout.Plan{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := rollout.Regions(t.Context(), w.source(), tt.targets(), baseSpec(), tt.plan, noSleep)
			if !errors.Is(err, xregion.ErrInvalidInput) || results != nil {
				t.Errorf("Regions() = %v, %v; want no results and ErrInvalidInput", results, err)
			}
		})
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("a bad plan wrote %v", got)
	}
}

func TestRegionsStrictPreflightWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	targets := w.fleetTargets(new(journal), labels...)
	targets[2].OnlineCatalog = "missing" // fails the target's checks
	plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}}
	results, err := rollout.Regions(t.Context(), w.source(), targets, baseSpec(), plan, noSleep)
	if err == nil || !errors.Is(err, rollout.ErrNotStarted) {
		t.Fatalf("Regions() error = %v, want us-west-2's check failure and no region started", err)
	}
	want := map[string]rollout.Status{"eu-west-1": rollout.StatusSkipped, "ap-southeast-1": rollout.StatusSkipped, "us-west-2": rollout.StatusFailed}
	if diff := cmp.Diff(want, statuses(results)); diff != "" {
		t.Errorf("Regions() statuses mismatch (-want +got):\n%s", diff)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("a fleet that failed its checks wrote %v", got)
	}
}

// aliasMover moves the source's alias when the first config update reaches
// its endpoint, as someone promoting a new champion mid-fleet would.
type aliasMover struct {
	endpoint.Endpoints
	once sync.Once
	move func()
}

func (a *aliasMover) UpdateConfig(ctx context.Context, in serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	a.once.Do(a.move)
	return a.Endpoints.UpdateConfig(ctx, in)
}

// TestRegionsDeployPhaseResolvesTheAliasOnce: an alias that moves while the
// first wave deploys does not change what later waves ship.
func TestRegionsDeployPhaseResolvesTheAliasOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels...)
	all := baseSpec()
	all.Version = "2"
	if _, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(new(journal), labels...), all, rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("first Regions() error = %v", err)
	}
	w.src.SetAlias("main.ml.fraud", "champion", 1)
	targets := w.fleetTargets(new(journal), labels...)
	targets[0].Workspace.ServingEndpoints = &aliasMover{Endpoints: targets[0].Workspace.ServingEndpoints,
		move: func() { w.src.SetAlias("main.ml.fraud", "champion", 2) }}
	deploy := baseSpec()
	deploy.Version, deploy.Phase = "@champion", rollout.PhaseDeploy
	results, err := rollout.Regions(t.Context(), w.source(), targets, deploy,
		rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}}, noSleep)
	if err != nil {
		t.Fatalf("Regions(deploy) error = %v", err)
	}
	for _, r := range results {
		if r.Version != 1 || r.Endpoint == nil || r.Endpoint.After.Served[0] != "fraud-1=xregion_main_ml_fraud.ml.fraud@1" {
			t.Errorf("%s: version %d, endpoint %+v; want version 1, the alias's when the fleet started", r.Region, r.Version, r.Endpoint)
		}
	}
}

// TestRegionsLaterWavesReadEndpointsAgain: on a converged re-run, the
// deployment of the first wave takes the endpoint its checks read; those
// of later waves, whose endpoints may have changed during the earlier
// waves, read theirs again.
func TestRegionsLaterWavesReadEndpointsAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, labels[:2]...)
	var j journal
	plan := rollout.Plan{Waves: [][]string{{labels[0]}, {labels[1]}}}
	if _, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(&j, labels[:2]...), baseSpec(), plan, noSleep); err != nil {
		t.Fatal(err)
	}
	before := []int{w.targets[0].Calls("ServingEndpoints.Get"), w.targets[1].Calls("ServingEndpoints.Get")}
	catBefore := []int{w.targets[0].Calls("Catalogs.Get"), w.targets[1].Calls("Catalogs.Get")}
	if _, err := rollout.Regions(t.Context(), w.source(), w.fleetTargets(&j, labels[:2]...), baseSpec(), plan, noSleep); err != nil {
		t.Fatal(err)
	}
	got := []int{w.targets[0].Calls("ServingEndpoints.Get") - before[0], w.targets[1].Calls("ServingEndpoints.Get") - before[1]}
	if want := []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("endpoint reads of the converged re-run by wave = %v, want %v (wave 1 takes its check's read)", got, want)
	}
	// Everything else a later wave's check read is read again too: the
	// shared catalog, say, whose mark another rollout may have changed.
	gotCat := []int{w.targets[0].Calls("Catalogs.Get") - catBefore[0], w.targets[1].Calls("Catalogs.Get") - catBefore[1]}
	if gotCat[1] <= gotCat[0] {
		t.Errorf("catalog reads of the converged re-run by wave = %v, want the later wave to read its catalog again", gotCat)
	}
}

// TestRegionsChecksEveryInputBeforeResolving: a deploy-phase fleet with an
// alias resolves it on the source only once the waves and every target's
// overrides are known good: a bad wave plan fails with no call at all.
func TestRegionsChecksEveryInputBeforeResolving(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	spec := baseSpec() // version @champion
	spec.Phase = rollout.PhaseDeploy
	spec.Provider = "org-us-east-1"
	for name, plan := range map[string]rollout.Plan{
		"unknown_region_in_waves": {Waves: [][]string{{"nowhere"}}},
	} {
		_, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), spec, plan, noSleep)
		if !errors.Is(err, xregion.ErrInvalidInput) {
			t.Errorf("%s: Regions() error = %v, want an input error", name, err)
		}
		if n := w.src.Calls("ModelVersions.GetByAlias") + w.src.Calls("ModelVersions.ListAll"); n != 0 {
			t.Errorf("%s: the source was asked %d times to resolve the version before the bad input was reported", name, n)
		}
	}
}
