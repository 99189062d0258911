package endpoint_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// errKilled stands for the process being killed: the run stops where it is,
// with no rollback.
var errKilled = errors.New("killed")

// killer lets the first n config updates through; the next one reaches the
// service (it was sent) but the run dies before it sees the answer.
type killer struct {
	endpoint.Endpoints
	mu sync.Mutex
	n  int
}

func (k *killer) UpdateConfig(ctx context.Context, in serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	k.mu.Lock()
	k.n--
	last := k.n < 0
	k.mu.Unlock()
	w, err := k.Endpoints.UpdateConfig(ctx, in)
	if last {
		return nil, errKilled
	}
	return w, err
}

// QueryServedEntity keeps the fake's per-entity queries visible through the
// wrapper.
func (k *killer) QueryServedEntity(ctx context.Context, ep, entity string, req serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error) {
	return k.Endpoints.(endpoint.EntityQuerier).QueryServedEntity(ctx, ep, entity, req)
}

// kill runs a canary of version 5 that dies as its stage-th update is sent
// (1: the 10% step, 2: the 50% step, 3: the promotion), leaving the endpoint
// as a killed process would: freeze, so that nothing is rolled back.
func kill(t *testing.T, ws *xregiontest.Workspace, stage int) {
	t.Helper()
	s := spec(5)
	s.Canary, s.Probes, s.OnFailure = []int{10, 50, 100}, []endpoint.Probe{smoke}, endpoint.Freeze
	_, err := endpoint.DeployWithRollback(t.Context(), &killer{Endpoints: ws.ServingEndpoints, n: stage - 1}, s, noSleep)
	if !errors.Is(err, errKilled) {
		t.Fatalf("killed run: error = %v, want it killed", err)
	}
	if got := tagValue(ws, endpoint.CanaryTag); got != "fraud-5" {
		t.Fatalf("killed run left canary mark %q, want fraud-5", got)
	}
}

func tagValue(ws *xregiontest.Workspace, key string) string {
	for _, tg := range ws.EndpointTags(name) {
		if tg.Key == key {
			return tg.Value
		}
	}
	return ""
}

// TestDeployWithRollbackAfterAKilledCanary kills a canary at each stage and
// re-runs with the new version (it ends at 100% on it) and with the old one
// (it ends serving only the old one). Neither fails, and both leave no mark.
func TestDeployWithRollbackAfterAKilledCanary(t *testing.T) {
	t.Parallel()
	for _, stage := range []int{1, 2, 3} {
		for _, rerun := range []int{5, 3} {
			t.Run(fmt.Sprintf("killed_at_update_%d/rerun_version_%d", stage, rerun), func(t *testing.T) {
				t.Parallel()
				ws := target(t)
				kill(t, ws, stage)
				s := spec(rerun)
				s.Entity.WorkloadSize = "" // inherit
				s.Canary, s.Probes = []int{10, 50, 100}, []endpoint.Probe{smoke}
				got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if err != nil || got.Outcome != endpoint.OutcomeDeployed {
					t.Fatalf("re-run: %s, %v; want deployed", got.Outcome, err)
				}
				live := configOf(ws.EndpointConfig(name))
				want := wantSnapshot()
				if rerun == 5 {
					want.Entities[0].Name, want.Entities[0].EntityVersion = "fraud-5", "5"
					want.Routes[0].ServedEntityName = "fraud-5"
				}
				if rerun == 5 || stage == 3 {
					// The killed run's spec set Small; after its promotion
					// version 3 is gone and version 3 inherits from 5.
					want.Entities[0].WorkloadSize = "Small"
				}
				if diff := cmp.Diff(want, live, restoredOpts); diff != "" {
					t.Errorf("endpoint after the re-run mismatch (-want +got):\n%s", diff)
				}
				if m := tagValue(ws, endpoint.CanaryTag); m != "" {
					t.Errorf("canary mark %q left after the re-run", m)
				}
				alwaysServing(t, ws)
				// And the run after that converges with no write.
				ws.ResetWrites()
				again, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if err != nil || again.Outcome != endpoint.OutcomeUnchanged || len(ws.Writes()) != 0 {
					t.Errorf("third run: %s, %v, writes %v; want unchanged with no write", again.Outcome, err, ws.Writes())
				}
			})
		}
	}
}

// gpuEntity is a live entity with settings that a new version must keep:
// GPU, an instance profile, secret environment variables, scale to zero
// and burst scaling off.
func gpuEntity() serving.ServedEntityOutput {
	e := liveEntity()
	e.WorkloadType = serving.ServingModelWorkloadTypeGpuSmall
	e.InstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/fraud"
	e.ScaleToZeroEnabled, e.BurstScalingEnabled = false, false
	return e
}

// TestDeployWithRollbackInheritsLiveSettings checks that the promoted entity
// equals the live one except for name, version and explicit overrides, and
// that a rollback restores the live one exactly, whatever the GET's route
// names.
func TestDeployWithRollbackInheritsLiveSettings(t *testing.T) {
	t.Parallel()
	for _, names := range []xregiontest.RouteNames{xregiontest.RouteNamesBoth, xregiontest.RouteNamesModel} {
		for _, canary := range []bool{false, true} {
			t.Run(fmt.Sprintf("routes_%d/canary_%t", names, canary), func(t *testing.T) {
				t.Parallel()
				ws := xregiontest.NewWorkspace(xregiontest.WithRouteNames(names))
				seedTarget(ws, gpuEntity())
				s := endpoint.Spec{Name: name, Entity: endpoint.Entity{Model: model, Version: 5, EnvironmentVars: map[string]string{"FEATURE_FLAG": "off"}}}
				if canary {
					s.Canary = []int{10, 50, 100}
				}
				s.Probes = []endpoint.Probe{smoke}
				got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if err != nil || got.Outcome != endpoint.OutcomeDeployed {
					t.Fatalf("DeployWithRollback() = %s, %v; want deployed", got.Outcome, err)
				}
				want := gpuEntity()
				want.Name, want.EntityVersion = "fraud-5", "5"
				want.EnvironmentVars = map[string]string{"FEATURE_FLAG": "off", "API_KEY": "{{secrets/fraud/api_key}}"}
				if diff := cmp.Diff([]serving.ServedEntityOutput{want}, ws.EndpointConfig(name).ServedEntities, restoredOpts); diff != "" {
					t.Errorf("promoted entity mismatch (-want +got):\n%s", diff)
				}
				// Converged: a re-run writes nothing, whatever the GET's route names.
				ws.ResetWrites()
				again, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if err != nil || again.Outcome != endpoint.OutcomeUnchanged || len(ws.Writes()) != 0 {
					t.Errorf("re-run: %s, %v, writes %v; want unchanged with no write", again.Outcome, err, ws.Writes())
				}

				// A bad version 4 is rolled back to exactly version 5's entity.
				before := configOf(ws.EndpointConfig(name))
				ws.ScriptDeployment(model, "4", xregiontest.Deployment{Fail: true, Message: "container crashed"})
				s.Entity.Version = 4
				got, err = endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if !errors.Is(err, endpoint.ErrUpdateFailed) || got.Outcome != endpoint.OutcomeRolledBack {
					t.Fatalf("bad version: %s, %v; want rolled back", got.Outcome, err)
				}
				if diff := cmp.Diff(before, configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
					t.Errorf("config after rollback differs from the one before (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestDeployWithRollbackSendsTheServiceShape checks what goes over the wire:
// routes by served_entity_name only and never the mirrored served_models.
func TestDeployWithRollbackSendsTheServiceShape(t *testing.T) {
	t.Parallel()
	ws := target(t)
	rec := &recorder{Endpoints: ws.ServingEndpoints}
	s := spec(5)
	s.Canary = []int{10, 100}
	if _, err := endpoint.DeployWithRollback(t.Context(), rec, s, noSleep); err != nil {
		t.Fatal(err)
	}
	// A version that fails its probe is restored over: one more update.
	ws.ScriptQuery(model, "4", xregiontest.QueryScript{Predictions: []any{0.9}})
	s.Entity.Version, s.Canary, s.Probes = 4, nil, []endpoint.Probe{smoke}
	if _, err := endpoint.DeployWithRollback(t.Context(), rec, s, noSleep); !errors.Is(err, endpoint.ErrUnhealthy) {
		t.Fatalf("bad version: %v, want unhealthy", err)
	}
	if len(rec.sent) < 4 {
		t.Fatalf("%d updates sent, want at least 4", len(rec.sent))
	}
	for i, in := range rec.sent {
		if len(in.ServedModels) > 0 {
			t.Errorf("update %d sent served_models %v", i, in.ServedModels)
		}
		for _, r := range in.TrafficConfig.Routes {
			if r.ServedModelName != "" || r.ServedEntityName == "" {
				t.Errorf("update %d sent route %+v, want served_entity_name only", i, r)
			}
		}
	}
}

// recorder records the config updates sent.
type recorder struct {
	endpoint.Endpoints
	mu   sync.Mutex
	sent []serving.EndpointCoreConfigInput
}

func (r *recorder) UpdateConfig(ctx context.Context, in serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	r.mu.Lock()
	r.sent = append(r.sent, in)
	r.mu.Unlock()
	return r.Endpoints.UpdateConfig(ctx, in)
}

// TestDeployWithRollbackOutcomes checks that every path sets an outcome.
func TestDeployWithRollbackOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(ws *xregiontest.Workspace)
		spec    func() endpoint.Spec
		want    endpoint.Outcome
		wantErr error
		writes  bool
	}{
		{name: "invalid_input", spec: func() endpoint.Spec { s := spec(5); s.Name = "bad name"; return s },
			want: endpoint.OutcomeRefused, wantErr: xregion.ErrInvalidInput},
		{name: "read_fails", setup: func(ws *xregiontest.Workspace) {
			ws.Inject(xregiontest.Fault{Method: "ServingEndpoints.Get", Err: xregiontest.PermissionDenied("no")})
		}, spec: func() endpoint.Spec { return spec(5) }, want: endpoint.OutcomeFailed},
		{name: "foreign_split", setup: func(ws *xregiontest.Workspace) {
			ws.AddEndpoint(serving.ServingEndpointDetailed{Name: "ab", Config: &serving.EndpointCoreConfigOutput{
				ServedEntities: []serving.ServedEntityOutput{liveEntity(), {Name: "fraud-4", EntityName: model, EntityVersion: "4", WorkloadSize: "Small"}},
				TrafficConfig:  &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: "fraud-3", TrafficPercentage: 50}, {ServedEntityName: "fraud-4", TrafficPercentage: 50}}},
			}})
		}, spec: func() endpoint.Spec { s := spec(5); s.Name = "ab"; return s }, want: endpoint.OutcomeRefused, wantErr: xregion.ErrConflict},
		{name: "converged_and_healthy", spec: func() endpoint.Spec {
			s := spec(3)
			s.Entity.WorkloadSize, s.Probes = "", []endpoint.Probe{smoke}
			return s
		}, want: endpoint.OutcomeUnchanged},
		{name: "converged_but_unhealthy", setup: func(ws *xregiontest.Workspace) {
			ws.ScriptQuery(model, "3", xregiontest.QueryScript{Predictions: []any{0.9}})
		}, spec: func() endpoint.Spec {
			s := spec(3)
			s.Entity.WorkloadSize, s.Probes = "", []endpoint.Probe{smoke}
			return s
		}, want: endpoint.OutcomeUnhealthy, wantErr: endpoint.ErrUnhealthy},
		{name: "converged_checks_skipped", setup: func(ws *xregiontest.Workspace) {
			ws.ScriptQuery(model, "3", xregiontest.QueryScript{Predictions: []any{0.9}})
		}, spec: func() endpoint.Spec {
			s := spec(3)
			s.Entity.WorkloadSize, s.Probes, s.SkipChecksIfUnchanged = "", []endpoint.Probe{smoke}, true
			return s
		}, want: endpoint.OutcomeUnchanged},
		{name: "deployed", spec: func() endpoint.Spec { return spec(5) }, want: endpoint.OutcomeDeployed, writes: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			if tt.setup != nil {
				tt.setup(ws)
			}
			ws.ResetWrites()
			got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, tt.spec(), noSleep)
			if got == nil || got.Outcome != tt.want {
				t.Fatalf("DeployWithRollback() = %+v, %v; want outcome %s", got, err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
			if (err != nil) != (tt.wantErr != nil || tt.want == endpoint.OutcomeFailed) {
				t.Errorf("error = %v", err)
			}
			if err != nil && got.Reason == "" {
				t.Errorf("failed with no reason in the result")
			}
			if w := ws.Writes(); (len(w) > 0) != tt.writes {
				t.Errorf("writes = %v, want writes: %t", w, tt.writes)
			}
		})
	}
}

// TestDeployWithRollbackConvergedRunsChecks checks that adding a probe file
// and re-running checks the converged endpoint.
func TestDeployWithRollbackConvergedRunsChecks(t *testing.T) {
	t.Parallel()
	ws := target(t)
	s := spec(3)
	s.Entity.WorkloadSize, s.Probes = "", []endpoint.Probe{smoke}
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeUnchanged {
		t.Fatalf("DeployWithRollback() = %s, %v", got.Outcome, err)
	}
	names := []string{}
	for _, c := range got.Checks {
		names = append(names, c.Name+":"+string(c.Status))
	}
	if diff := cmp.Diff([]string{"readiness:pass", "smoke:pass"}, names); diff != "" {
		t.Errorf("checks mismatch (-want +got):\n%s", diff)
	}
	if n := ws.Calls("ServingEndpoints.Query"); n != 1 {
		t.Errorf("queries = %d, want 1", n)
	}
}

// TestDeployWithRollbackPermissionCause checks that a deployment failure on
// an endpoint someone else created names the creator and the grants.
func TestDeployWithRollbackPermissionCause(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	e := liveEntity()
	ws.AddEndpoint(serving.ServingEndpointDetailed{Name: name, Creator: "alice@example.com", Config: &serving.EndpointCoreConfigOutput{
		ServedEntities: []serving.ServedEntityOutput{e},
	}})
	seedVersions(ws)
	ws.ScriptDeployment(model, "5", xregiontest.Deployment{Fail: true, Message: "Failed to load the model"})
	s := spec(5)
	s.Caller = "ci-bot"
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if !errors.Is(err, endpoint.ErrUpdateFailed) || got.Outcome != endpoint.OutcomeRolledBack {
		t.Fatalf("DeployWithRollback() = %s, %v; want rolled back", got.Outcome, err)
	}
	for _, want := range []string{"runs as its creator alice@example.com, not as ci-bot", "USE CATALOG on fraud_shared", "EXECUTE on " + model} {
		if !strings.Contains(err.Error(), want) || !strings.Contains(got.Reason, want) {
			t.Errorf("error %q (reason %q) lacks %q", err, got.Reason, want)
		}
	}
	// The caller's own endpoint gets no such hint.
	s.Caller = "alice@example.com"
	_, err = endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err == nil || strings.Contains(err.Error(), "runs as its creator") {
		t.Errorf("error on the caller's own endpoint = %v, want a failure without the creator hint", err)
	}
}

var _ = cmpopts.EquateEmpty

// stale serves, for the first read after each config update, the endpoint
// as it was before the update: a read that does not show the update yet.
type stale struct {
	endpoint.Endpoints
	mu     sync.Mutex
	before *serving.ServingEndpointDetailed
	served int
}

func (s *stale) UpdateConfig(ctx context.Context, in serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	ep, err := s.Endpoints.Get(ctx, serving.GetServingEndpointRequest{Name: in.Name})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.before = ep
	s.mu.Unlock()
	return s.Endpoints.UpdateConfig(ctx, in)
}

func (s *stale) Get(ctx context.Context, req serving.GetServingEndpointRequest) (*serving.ServingEndpointDetailed, error) {
	s.mu.Lock()
	before := s.before
	s.before = nil
	if before != nil {
		s.served++
	}
	s.mu.Unlock()
	if before != nil {
		return before, nil
	}
	return s.Endpoints.Get(ctx, req)
}

// TestDeployWithRollbackIgnoresAnEarlierFailure deploys onto an endpoint
// whose last update failed, through reads that show the old state once
// after each update: the earlier UPDATE_FAILED is not taken for this run's.
func TestDeployWithRollbackIgnoresAnEarlierFailure(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	seedVersions(ws)
	failed := liveEntity()
	failed.Name, failed.EntityVersion = "fraud-4", "4"
	failed.State = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentFailed, DeploymentStateMessage: "an earlier run's failure"}
	ws.AddEndpoint(serving.ServingEndpointDetailed{
		Name:   name,
		State:  &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateUpdateFailed, Ready: serving.EndpointStateReadyReady},
		Config: &serving.EndpointCoreConfigOutput{ConfigVersion: 7, ServedEntities: []serving.ServedEntityOutput{liveEntity()}},
		PendingConfig: &serving.EndpointPendingConfig{ConfigVersion: 8, StartTime: 1,
			ServedEntities: []serving.ServedEntityOutput{failed}},
	})
	s := &stale{Endpoints: ws.ServingEndpoints}
	got, err := endpoint.DeployWithRollback(t.Context(), s, spec(5), noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("DeployWithRollback() = %s, %v; want deployed despite the earlier failure", got.Outcome, err)
	}
	if s.served == 0 {
		t.Fatal("no stale read was served: the test proves nothing")
	}
	if v := ws.EndpointConfig(name).ServedEntities[0].EntityVersion; v != "5" {
		t.Errorf("serves version %s, want 5", v)
	}
}

// patchKiller dies at the n-th tag patch: the first (the mark) reaches the
// service, the second (the unmark) does not.
type patchKiller struct {
	endpoint.Endpoints
	mu sync.Mutex
	n  int
}

func (k *patchKiller) Patch(ctx context.Context, req serving.PatchServingEndpointTags) (*serving.EndpointTags, error) {
	k.mu.Lock()
	k.n--
	n := k.n
	k.mu.Unlock()
	switch {
	case n == 0 && len(req.AddTags) > 0:
		if _, err := k.Endpoints.Patch(ctx, req); err != nil {
			return nil, err
		}
		return nil, errKilled
	case n == 0:
		return nil, errKilled
	}
	return k.Endpoints.Patch(ctx, req)
}

func (k *patchKiller) QueryServedEntity(ctx context.Context, ep, entity string, req serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error) {
	return k.Endpoints.(endpoint.EntityQuerier).QueryServedEntity(ctx, ep, entity, req)
}

// TestDeployWithRollbackAfterAKilledMark kills a canary right after it is
// marked (before its first update) and right before its mark is cleared
// (after the promotion): re-runs with either version converge.
func TestDeployWithRollbackAfterAKilledMark(t *testing.T) {
	t.Parallel()
	for _, at := range []int{1, 2} {
		for _, rerun := range []int{5, 3} {
			t.Run(fmt.Sprintf("killed_at_patch_%d/rerun_version_%d", at, rerun), func(t *testing.T) {
				t.Parallel()
				ws := target(t)
				s := spec(5)
				s.Entity.WorkloadSize = ""
				s.Canary, s.Probes, s.OnFailure = []int{10, 50, 100}, []endpoint.Probe{smoke}, endpoint.Freeze
				if _, err := endpoint.DeployWithRollback(t.Context(), &patchKiller{Endpoints: ws.ServingEndpoints, n: at}, s, noSleep); !errors.Is(err, errKilled) {
					t.Fatalf("killed run: %v", err)
				}
				if tagValue(ws, endpoint.CanaryTag) != "fraud-5" {
					t.Fatalf("the killed run left no mark")
				}
				s = spec(rerun)
				s.Entity.WorkloadSize = ""
				s.Canary, s.Probes = []int{10, 50, 100}, []endpoint.Probe{smoke}
				got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
				if err != nil {
					t.Fatalf("re-run: %s, %v", got.Outcome, err)
				}
				live := ws.EndpointConfig(name)
				if len(live.ServedEntities) != 1 || live.ServedEntities[0].EntityVersion != fmt.Sprint(rerun) || tagValue(ws, endpoint.CanaryTag) != "" {
					t.Errorf("after the re-run: %+v, mark %q; want only version %d, no mark", live.ServedEntities, tagValue(ws, endpoint.CanaryTag), rerun)
				}
				ws.ResetWrites()
				if again, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep); err != nil || len(ws.Writes()) != 0 {
					t.Errorf("third run: %s, %v, writes %v; want no write", again.Outcome, err, ws.Writes())
				}
			})
		}
	}
}

// noPending hides the pending config of a failed update, as a service that
// drops it would (no public source says whether it stays).
type noPending struct{ endpoint.Endpoints }

func (n noPending) Get(ctx context.Context, req serving.GetServingEndpointRequest) (*serving.ServingEndpointDetailed, error) {
	ep, err := n.Endpoints.Get(ctx, req)
	if err == nil && ep.State != nil && ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateUpdateFailed {
		ep.PendingConfig = nil
	}
	return ep, err
}

// TestDeployWithRollbackFastFailureWithoutPendingConfig fails an update at
// the first read, on a service that drops the failed pending config: the
// failure is this run's at once, not waited out to the deadline.
func TestDeployWithRollbackFastFailureWithoutPendingConfig(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 0, Fail: true, Message: "bad image"})
		start := time.Now()
		got, err := endpoint.DeployWithRollback(t.Context(), noPending{ws.ServingEndpoints}, spec(5), xregion.WithPollInterval(time.Second))
		if !errors.Is(err, endpoint.ErrUpdateFailed) || got.Outcome != endpoint.OutcomeRolledBack {
			t.Fatalf("DeployWithRollback() = %s, %v; want a failed update", got.Outcome, err)
		}
		if took := time.Since(start); took > time.Minute {
			t.Errorf("took %v of fake time, want the failure seen at once", took)
		}
	})
}

// TestDeployWithRollbackGetLeavesOutDefaults deploys with explicit settings
// equal to the service's defaults, which its GET leaves out, and onto an
// entity reported with a size and provisioned concurrency: nothing is
// taken for a failed update, and a re-run converges.
func TestDeployWithRollbackGetLeavesOutDefaults(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	live := liveEntity()
	live.MinProvisionedConcurrency, live.MaxProvisionedConcurrency = 4, 8
	seedTarget(ws, live)
	s := spec(5)
	s.Entity.WorkloadSize, s.Entity.WorkloadType = "", serving.ServingModelWorkloadTypeCpu
	s.Canary = []int{50, 100}
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("DeployWithRollback() = %s, %v; want deployed", got.Outcome, err)
	}
	ws.ResetWrites()
	again, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || again.Outcome != endpoint.OutcomeUnchanged || len(ws.Writes()) != 0 {
		t.Errorf("re-run: %s, %v, writes %v; want unchanged with no write", again.Outcome, err, ws.Writes())
	}
	// A changed setting on the same version is a direct update, not a
	// refusal as a bad input.
	on := true
	s.Entity.ScaleToZero = &on
	got, err = endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeDeployed || !ws.EndpointConfig(name).ServedEntities[0].ScaleToZeroEnabled {
		t.Errorf("changed setting: %s, %v; want deployed with scale to zero on", got.Outcome, err)
	}
}
