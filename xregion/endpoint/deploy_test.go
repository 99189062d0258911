package endpoint_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// smoke expects the fake's default answer, 0.5 per record.
var smoke = endpoint.Probe{
	Name:    "smoke",
	Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42, "amount": 310.5}]}`),
	Expect:  endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.01},
}

func TestDeployWithRollbackDeploys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec func() endpoint.Spec
		want endpoint.Result
		// wantRoutes are the routes the history must show, in order.
		wantRoutes []map[string]int
	}{
		{
			name: "direct_update",
			spec: func() endpoint.Spec { s := spec(5); s.Probes = []endpoint.Probe{smoke}; return s },
			want: endpoint.Result{
				Endpoint: name, Outcome: endpoint.OutcomeDeployed,
				Before: endpoint.ConfigSummary{Version: 7, Served: []string{"fraud-3=" + model + "@3"}, Routes: map[string]int{"fraud-3": 100}},
				After:  endpoint.ConfigSummary{Version: 8, Served: []string{"fraud-5=" + model + "@5"}, Routes: map[string]int{"fraud-5": 100}},
			},
			wantRoutes: []map[string]int{{"fraud-3": 100}, {"fraud-5": 100}},
		},
		{
			name: "canary",
			spec: func() endpoint.Spec {
				s := spec(5)
				p := smoke
				p.Expect.Requests = 20 // enough to reach the new version at 10%
				s.Canary, s.Probes = []int{10, 50, 100}, []endpoint.Probe{p}
				return s
			},
			want: endpoint.Result{
				Endpoint: name, Outcome: endpoint.OutcomeDeployed,
				Before: endpoint.ConfigSummary{Version: 7, Served: []string{"fraud-3=" + model + "@3"}, Routes: map[string]int{"fraud-3": 100}},
				After:  endpoint.ConfigSummary{Version: 10, Served: []string{"fraud-5=" + model + "@5"}, Routes: map[string]int{"fraud-5": 100}},
			},
			wantRoutes: []map[string]int{{"fraud-3": 100}, {"fraud-3": 90, "fraud-5": 10}, {"fraud-3": 50, "fraud-5": 50}, {"fraud-5": 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, tt.spec(), noSleep)
			if err != nil {
				t.Fatalf("DeployWithRollback() error = %v", err)
			}
			for _, c := range got.Checks {
				if c.Status != endpoint.CheckPass {
					t.Errorf("check %s: %s (%s), want pass", c.Name, c.Status, c.Detail)
				}
			}
			if len(got.Checks) == 0 {
				t.Error("no health check ran")
			}
			got.Checks = nil
			// The snapshot is the config before the first write.
			if got.Snapshot == nil || got.Snapshot.ConfigVersion != tt.want.Before.Version {
				t.Errorf("DeployWithRollback() Snapshot = %v, want the config version %d it replaced", got.Snapshot, tt.want.Before.Version)
			}
			got.Snapshot = nil
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("DeployWithRollback() mismatch (-want +got):\n%s", diff)
			}
			alwaysServing(t, ws)
			var seen []map[string]int
			for _, ev := range ws.EndpointHistory(name) {
				if len(seen) == 0 || !cmp.Equal(seen[len(seen)-1], ev.Routes) {
					seen = append(seen, ev.Routes)
				}
			}
			if diff := cmp.Diff(tt.wantRoutes, seen); diff != "" {
				t.Errorf("routes over time mismatch (-want +got):\n%s", diff)
			}
			// The env vars and booleans asked for are what serves.
			se := read(t, ws).Config.ServedEntities[0]
			if se.ScaleToZeroEnabled || se.WorkloadSize != "Small" {
				t.Errorf("served entity = %+v, want Small without scale to zero", se)
			}

			// Converged: a second run writes nothing.
			ws.ResetWrites()
			again, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, tt.spec(), noSleep)
			if err != nil {
				t.Fatalf("second DeployWithRollback() error = %v", err)
			}
			if again.Outcome != endpoint.OutcomeUnchanged || len(ws.Writes()) != 0 {
				t.Errorf("second DeployWithRollback() = %s with writes %v, want unchanged and no write", again.Outcome, ws.Writes())
			}
		})
	}
}

func TestDeployWithRollbackCreates(t *testing.T) {
	t.Parallel()
	ws := target(t)
	s := spec(4)
	s.Name = "fraud-new"
	s.Tags = map[string]string{"owner": "ml-platform"}
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil {
		t.Fatalf("DeployWithRollback() error = %v", err)
	}
	if !got.Created || got.Outcome != endpoint.OutcomeDeployed || got.After.Version == 0 {
		t.Errorf("DeployWithRollback() = %+v, want a created, deployed endpoint", got)
	}
	ep, err := ws.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud-new"})
	if err != nil {
		t.Fatalf("read endpoint: %v", err)
	}
	wantTags := []serving.EndpointTag{{Key: "owner", Value: "ml-platform"}, {Key: endpoint.OwnerTag, Value: model}}
	if diff := cmp.Diff(wantTags, ep.Tags, cmpopts.IgnoreFields(serving.EndpointTag{}, "ForceSendFields"), cmpopts.SortSlices(func(a, b serving.EndpointTag) bool { return a.Key < b.Key })); diff != "" {
		t.Errorf("tags mismatch (-want +got):\n%s", diff)
	}
}

// TestDeployWithRollbackFailures runs one deployment per failure mode and
// checks that the endpoint ends exactly on its previous config.
func TestDeployWithRollbackFailures(t *testing.T) {
	t.Parallel()
	badAnswer := xregiontest.QueryScript{Predictions: []any{0.9}}
	tests := []struct {
		name    string
		setup   func(ws *xregiontest.Workspace)
		spec    func() endpoint.Spec
		wantErr []error
		// wantStage is where the failure happened.
		wantStage string
		// wantRestores is how many restoring updates the rollback sent.
		wantRestores int
	}{
		{
			name: "update_rejected",
			setup: func(ws *xregiontest.Workspace) {
				ws.Inject(xregiontest.Fault{Method: "ServingEndpoints.UpdateConfig", Times: 1, Err: xregiontest.InvalidParameter("Workload size 'Huge' is not supported.")})
			},
			wantErr:   []error{apierr.ErrBadRequest},
			wantStage: "update",
		},
		{
			name: "update_fails_asynchronously",
			setup: func(ws *xregiontest.Workspace) {
				ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 3, Fail: true, Message: "Container build failed: missing dependency"})
			},
			wantErr:   []error{endpoint.ErrUpdateFailed},
			wantStage: "update",
		},
		{
			name:         "probe_fails",
			setup:        func(ws *xregiontest.Workspace) { ws.ScriptQuery(model, "5", badAnswer) },
			spec:         func() endpoint.Spec { s := spec(5); s.Probes = []endpoint.Probe{smoke}; return s },
			wantErr:      []error{endpoint.ErrUnhealthy},
			wantStage:    "update",
			wantRestores: 1,
		},
		{
			name: "probe_errors",
			setup: func(ws *xregiontest.Workspace) {
				ws.ScriptQuery(model, "5", xregiontest.QueryScript{Err: xregiontest.Internal("worker crashed")})
			},
			spec:         func() endpoint.Spec { s := spec(5); s.Probes = []endpoint.Probe{smoke}; return s },
			wantErr:      []error{endpoint.ErrUnhealthy},
			wantStage:    "update",
			wantRestores: 1,
		},
		{
			name:  "canary_step_fails",
			setup: func(ws *xregiontest.Workspace) { ws.ScriptQuery(model, "5", badAnswer) },
			spec: func() endpoint.Spec {
				s := spec(5)
				s.Canary = []int{10, 50, 100}
				p := smoke
				p.Expect.Requests = 20 // enough to reach the new version at 10%
				s.Probes = []endpoint.Probe{p}
				return s
			},
			wantErr:      []error{endpoint.ErrUnhealthy},
			wantStage:    "canary 10%",
			wantRestores: 1,
		},
		{
			name: "rollback_itself_fails",
			setup: func(ws *xregiontest.Workspace) {
				ws.ScriptQuery(model, "5", badAnswer)
				ws.Inject(xregiontest.Fault{Method: "ServingEndpoints.UpdateConfig", Skip: 1, Err: xregiontest.PermissionDenied("creator is no longer a workspace member")})
			},
			spec:      func() endpoint.Spec { s := spec(5); s.Probes = []endpoint.Probe{smoke}; return s },
			wantErr:   []error{endpoint.ErrUnhealthy, apierr.ErrPermissionDenied},
			wantStage: "update",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			if tt.setup != nil {
				tt.setup(ws)
			}
			s := spec(5)
			if tt.spec != nil {
				s = tt.spec()
			}
			ws.ResetWrites()
			got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("DeployWithRollback() error = %v, want it to match %v", err, want)
				}
			}
			var se *xregion.StepError
			if !errors.As(err, &se) || se.Step != endpoint.StepDeploy {
				t.Errorf("DeployWithRollback() error = %v, want a DeployWithRollback StepError", err)
			}
			if got.Stage != tt.wantStage || got.Reason == "" {
				t.Errorf("result stage %q reason %q, want stage %q and a reason", got.Stage, got.Reason, tt.wantStage)
			}
			if tt.name == "rollback_itself_fails" {
				if got.Outcome != endpoint.OutcomeRollbackFailed {
					t.Errorf("outcome = %s, want %s", got.Outcome, endpoint.OutcomeRollbackFailed)
				}
				return
			}
			if got.Outcome != endpoint.OutcomeRolledBack {
				t.Errorf("outcome = %s, want %s", got.Outcome, endpoint.OutcomeRolledBack)
			}
			if errors.Is(err, endpoint.ErrNotServing) {
				t.Errorf("DeployWithRollback() error = %v matches ErrNotServing, but the rollback restored a ready config", err)
			}
			if diff := cmp.Diff(wantSnapshot(), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
				t.Errorf("config after rollback differs from the snapshot (-want +got):\n%s", diff)
			}
			// One update to deploy (canary: one per step reached), then the restores.
			if n, want := ws.Calls("ServingEndpoints.UpdateConfig"), 1+tt.wantRestores; n != want {
				t.Errorf("sent %d config updates, want %d", n, want)
			}
			alwaysServing(t, ws)
		})
	}
}

// TestDeployWithRollbackCanaryProbesReachTheCanary deploys with one-request
// probes at a 10% canary, where traffic is routed at random: the probe must
// reach the new entity, directly or through enough requests, and a bad new
// version must be caught at the canary step.
func TestDeployWithRollbackCanaryProbesReachTheCanary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []xregiontest.Option
		bad        bool
		wantDetail string // in the canary entity check's detail
		wantQuery  map[string]bool
	}{
		{name: "direct", wantDetail: "sent to fraud-5 directly", wantQuery: map[string]bool{"ServingEndpoints.QueryServedEntity": true}},
		{name: "through_routes", opts: []xregiontest.Option{xregiontest.WithoutEntityQueries()},
			wantDetail: "through the endpoint's routes, where fraud-5 has 10% of the traffic (the per-entity query path answered 404)"},
		{name: "bad_version_direct", bad: true},
		{name: "bad_version_through_routes", opts: []xregiontest.Option{xregiontest.WithoutEntityQueries()}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := targetWith(t, tt.opts...)
			if tt.bad {
				ws.ScriptQuery(model, "5", xregiontest.QueryScript{Predictions: []any{0.9}})
			}
			s := spec(5)
			s.Canary, s.Probes = []int{10, 100}, []endpoint.Probe{smoke}
			got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
			if tt.bad {
				if !errors.Is(err, endpoint.ErrUnhealthy) || got.Outcome != endpoint.OutcomeRolledBack || got.Stage != "canary 10%" {
					t.Fatalf("DeployWithRollback() = %s at %q, %v; want rolled back at the canary step", got.Outcome, got.Stage, err)
				}
				if diff := cmp.Diff(wantSnapshot(), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
					t.Errorf("config after rollback differs from the snapshot (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil || got.Outcome != endpoint.OutcomeDeployed {
				t.Fatalf("DeployWithRollback() = %s, %v; want deployed", got.Outcome, err)
			}
			var entityCheck *endpoint.CheckResult
			for i, c := range got.Checks {
				if c.Name == "canary 10%: smoke (fraud-5)" {
					entityCheck = &got.Checks[i]
				}
			}
			if entityCheck == nil || !strings.Contains(entityCheck.Detail, tt.wantDetail) || !slices.Contains(entityCheck.ServedBy, "fraud-5") {
				t.Errorf("canary entity check = %+v, want a pass answered by fraud-5 whose detail says %q", entityCheck, tt.wantDetail)
			}
			for method, want := range tt.wantQuery {
				if got := ws.Calls(method) > 0; got != want {
					t.Errorf("%s called: %t, want %t", method, got, want)
				}
			}
		})
	}
}

func TestDeployWithRollbackFreeze(t *testing.T) {
	t.Parallel()
	ws := target(t)
	ws.ScriptQuery(model, "5", xregiontest.QueryScript{Predictions: []any{0.9}})
	s := spec(5)
	s.Probes, s.OnFailure = []endpoint.Probe{smoke}, endpoint.Freeze
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if !errors.Is(err, endpoint.ErrUnhealthy) || got.Outcome != endpoint.OutcomeFrozen {
		t.Fatalf("DeployWithRollback() = %s, %v; want frozen after an unhealthy probe", got.Outcome, err)
	}
	if served := read(t, ws).Config.ServedEntities; len(served) != 1 || served[0].EntityVersion != "5" {
		t.Errorf("frozen endpoint serves %+v, want version 5 left in place", served)
	}
}

func TestDeployWithRollbackNewEndpointFails(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		ws := target(t)
		ws.ScriptDeployment(model, "4", xregiontest.Deployment{Polls: 2, Fail: true, Message: "Model failed to load"})
		s := spec(4)
		s.Name, s.KeepNewOnFailure = "fraud-new", keep
		got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
		if !errors.Is(err, endpoint.ErrUpdateFailed) || got.Outcome != endpoint.OutcomeRolledBack || !got.Created {
			t.Fatalf("keep=%t: DeployWithRollback() = %+v, %v; want a created endpoint rolled back", keep, got, err)
		}
		for range 3 { // a deleted endpoint stays visible for a few reads
			_, err = ws.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud-new"})
		}
		if keep && err != nil {
			t.Errorf("keep=true: endpoint is gone (%v), want it kept for inspection", err)
		}
		if !keep && !apierr.IsMissing(err) {
			t.Errorf("keep=false: reading the endpoint gave %v, want not found", err)
		}
	}
}

func TestDeployWithRollbackNotServing(t *testing.T) {
	t.Parallel()
	ws := target(t)
	// The live version cannot come back either: nothing healthy serves.
	ws.AddEndpoint(serving.ServingEndpointDetailed{
		Name:  "broken",
		State: &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateNotUpdating, Ready: serving.EndpointStateReadyNotReady},
		Config: &serving.EndpointCoreConfigOutput{ConfigVersion: 2, ServedEntities: []serving.ServedEntityOutput{{
			Name: "fraud-3", EntityName: model, EntityVersion: "3", WorkloadSize: "Small",
			State: &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentFailed, DeploymentStateMessage: "OOM"},
		}}},
	})
	ws.ScriptDeployment(model, "5", xregiontest.Deployment{Fail: true, Message: "Container build failed"})
	s := spec(5)
	s.Name = "broken"
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if !errors.Is(err, endpoint.ErrNotServing) || got.Outcome != endpoint.OutcomeRollbackFailed {
		t.Fatalf("DeployWithRollback() = %s, %v; want rollback-failed matching ErrNotServing", got.Outcome, err)
	}
}

func TestDeployWithRollbackWaitsForAnUpdateInProgress(t *testing.T) {
	t.Parallel()
	ws := target(t)
	// Someone else's update is running when the deployment starts.
	ws.ScriptDeployment(model, "4", xregiontest.Deployment{Polls: 3})
	other := serving.ServedEntityInput{Name: "fraud-4", EntityName: model, EntityVersion: "4", WorkloadSize: "Small"}
	if _, err := ws.ServingEndpoints.UpdateConfig(t.Context(), serving.EndpointCoreConfigInput{Name: name, ServedEntities: []serving.ServedEntityInput{other}}); err != nil {
		t.Fatalf("start the other update: %v", err)
	}
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, spec(5), noSleep)
	if err != nil {
		t.Fatalf("DeployWithRollback() error = %v", err)
	}
	// The snapshot is the other update's result, taken once it finished.
	if want := []string{"fraud-4=" + model + "@4"}; !cmp.Equal(want, got.Before.Served) {
		t.Errorf("snapshot served %v, want %v", got.Before.Served, want)
	}
}

func TestDeployWithRollbackRetriesConflict(t *testing.T) {
	t.Parallel()
	ws := target(t)
	ws.Inject(xregiontest.Fault{Method: "ServingEndpoints.UpdateConfig", Times: 2, Err: &apierr.APIError{ErrorCode: "RESOURCE_CONFLICT", StatusCode: 409, Message: "Endpoint is currently being updated."}})
	got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, spec(5), noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("DeployWithRollback() = %s, %v; want deployed after the 409s", got.Outcome, err)
	}
	if n := ws.Calls("ServingEndpoints.UpdateConfig"); n != 3 {
		t.Errorf("UpdateConfig called %d times, want 3", n)
	}
}

func TestDeployWithRollbackDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		// The update takes 20 polls; the deadline allows about 10.
		ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 20})
		s := spec(5)
		s.Timeout = 10 * time.Minute
		start := time.Now()
		got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s,
			xregion.WithPollInterval(time.Minute))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("DeployWithRollback() error = %v, want DeadlineExceeded", err)
		}
		if got.Outcome != endpoint.OutcomeRolledBack {
			t.Errorf("outcome = %s, want rolled back once the late update finished", got.Outcome)
		}
		if diff := cmp.Diff(wantSnapshot(), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
			t.Errorf("config after rollback differs from the snapshot (-want +got):\n%s", diff)
		}
		// It gave the update its whole deadline, then waited for the late
		// update to end before restoring.
		if took := time.Since(start); took < s.Timeout {
			t.Errorf("DeployWithRollback() returned after %v, before the %v deadline", took, s.Timeout)
		}
	})
}

func TestDeployWithRollbackCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 5})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(150*time.Second, cancel) // mid-update
		got, err := endpoint.DeployWithRollback(ctx, ws.ServingEndpoints, spec(5),
			xregion.WithPollInterval(time.Minute))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("DeployWithRollback() error = %v, want Canceled", err)
		}
		if got.Outcome != endpoint.OutcomeRolledBack {
			t.Errorf("outcome = %s, want rolled back despite the cancellation", got.Outcome)
		}
		if diff := cmp.Diff(wantSnapshot(), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
			t.Errorf("config after rollback differs from the snapshot (-want +got):\n%s", diff)
		}
	})
}

func TestDeployWithRollbackLatencyBudget(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		ws.ScriptQuery(model, "5", xregiontest.QueryScript{Predictions: []any{0.5}, Latency: 800 * time.Millisecond})
		s := spec(5)
		s.Probes = []endpoint.Probe{{Name: "latency", Request: smoke.Request, Expect: endpoint.Expect{LatencyP95: endpoint.Duration(300 * time.Millisecond), Requests: 20}}}
		got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
		if !errors.Is(err, endpoint.ErrUnhealthy) || got.Outcome != endpoint.OutcomeRolledBack {
			t.Fatalf("DeployWithRollback() = %s, %v; want rolled back for latency", got.Outcome, err)
		}
		last := got.Checks[len(got.Checks)-1]
		if last.Name != "latency" || last.LatencyP95 != 800*time.Millisecond {
			t.Errorf("latency check = %+v, want p95 800ms", last)
		}
	})
}

func TestDeployWithRollbackRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    func() endpoint.Spec
		setup   func(ws *xregiontest.Workspace)
		wantErr error
	}{
		{name: "bad_endpoint_name", spec: func() endpoint.Spec { s := spec(5); s.Name = "fraud eu"; return s }, wantErr: xregion.ErrInvalidInput},
		{name: "two_part_model", spec: func() endpoint.Spec { s := spec(5); s.Entity.Model = "ml.fraud"; return s }, wantErr: xregion.ErrInvalidInput},
		{name: "no_version", spec: func() endpoint.Spec { return spec(0) }, wantErr: xregion.ErrInvalidInput},
		{name: "canary_not_rising", spec: func() endpoint.Spec { s := spec(5); s.Canary = []int{50, 10, 100}; return s }, wantErr: xregion.ErrInvalidInput},
		{name: "canary_not_ending_at_100", spec: func() endpoint.Spec { s := spec(5); s.Canary = []int{10, 50}; return s }, wantErr: xregion.ErrInvalidInput},
		{name: "bad_on_failure", spec: func() endpoint.Spec { s := spec(5); s.OnFailure = "retry"; return s }, wantErr: xregion.ErrInvalidInput},
		{name: "probe_without_request", spec: func() endpoint.Spec { s := spec(5); s.Probes = []endpoint.Probe{{Name: "x"}}; return s }, wantErr: xregion.ErrInvalidInput},
		{
			name:    "endpoint_serves_another_model",
			spec:    func() endpoint.Spec { s := spec(5); s.Entity.Model = "fraud_shared.ml.churn"; return s },
			wantErr: xregion.ErrConflict,
		},
		{
			name:    "canary_with_the_live_entity_name",
			spec:    func() endpoint.Spec { s := spec(5); s.Entity.Name, s.Canary = "fraud-3", []int{50, 100}; return s },
			wantErr: xregion.ErrConflict,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			ws.ResetWrites()
			_, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, tt.spec(), noSleep)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DeployWithRollback() error = %v, want %v", err, tt.wantErr)
			}
			if w := ws.Writes(); len(w) != 0 {
				t.Errorf("DeployWithRollback() wrote %v, want no write", w)
			}
		})
	}
}

func TestDeployWithRollbackCanaryBakes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		s := spec(5)
		p := smoke
		p.Expect.Requests = 20
		s.Canary, s.Bake, s.Probes = []int{10, 50, 100}, 10*time.Minute, []endpoint.Probe{p}
		start := time.Now()
		got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
		if err != nil {
			t.Fatalf("DeployWithRollback() error = %v", err)
		}
		if took := time.Since(start); took != 20*time.Minute {
			t.Errorf("canary took %v of fake time, want two 10m bakes", took)
		}
		var names []string
		for _, c := range got.Checks {
			names = append(names, c.Name)
		}
		for _, n := range []string{"canary 10% baked: smoke (fraud-5)", "canary 10% baked: smoke (endpoint)", "canary 50% baked: smoke (fraud-5)"} {
			found := false
			for _, got := range names {
				found = found || got == n
			}
			if !found {
				t.Errorf("checks %q lack %q: the checks did not run again after the bake", names, n)
			}
		}
	})
}

// foreignUpdate answers the deployment's first update with a 409, after
// making an update of its own, as a colleague's deployment racing ours
// would.
type foreignUpdate struct {
	endpoint.Endpoints
	ws   *xregiontest.Workspace
	done bool
}

func (f *foreignUpdate) UpdateConfig(ctx context.Context, in serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	if !f.done {
		f.done = true
		theirs := serving.EndpointCoreConfigInput{Name: in.Name, ServedEntities: []serving.ServedEntityInput{
			{Name: "fraud-4", EntityName: model, EntityVersion: "4", WorkloadSize: "Large"},
		}}
		if _, err := f.ws.ServingEndpoints.UpdateConfig(ctx, theirs); err != nil {
			return nil, err
		}
		return nil, &apierr.APIError{ErrorCode: "RESOURCE_CONFLICT", StatusCode: 409, Message: "Endpoint is currently being updated."}
	}
	return f.Endpoints.UpdateConfig(ctx, in)
}

func TestDeployWithRollbackStopsOnAForeignChange(t *testing.T) {
	t.Parallel()
	ws := target(t)
	c := &foreignUpdate{Endpoints: ws.ServingEndpoints, ws: ws}
	got, err := endpoint.DeployWithRollback(t.Context(), c, spec(5), noSleep)
	if !errors.Is(err, endpoint.ErrChangedMeanwhile) {
		t.Fatalf("DeployWithRollback() error = %v, want ErrChangedMeanwhile", err)
	}
	// Someone else's change is live: restoring our snapshot over it would
	// undo their work, so the rollback must not write.
	if n := ws.Calls("ServingEndpoints.UpdateConfig"); n != 1 {
		t.Errorf("UpdateConfig reached the service %d times, want only the other deployment's", n)
	}
	if served := read(t, ws).Config.ServedEntities; len(served) != 1 || served[0].EntityVersion != "4" {
		t.Errorf("endpoint serves %+v, want the other deployment's version 4 left in place", served)
	}
	if got.Outcome != endpoint.OutcomeAborted {
		t.Errorf("outcome = %s, want aborted", got.Outcome)
	}
}
