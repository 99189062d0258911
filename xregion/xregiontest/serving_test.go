package xregiontest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/retries"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// Typed aliases keep the tables below short.
const (
	fraud = "main.ml.fraud"

	notUpdating = serving.EndpointStateConfigUpdateNotUpdating
	inProgress  = serving.EndpointStateConfigUpdateInProgress
	updFailed   = serving.EndpointStateConfigUpdateUpdateFailed
	ready       = serving.EndpointStateReadyReady
	notReady    = serving.EndpointStateReadyNotReady

	depReady    = serving.ServedModelStateDeploymentDeploymentReady
	depCreating = serving.ServedModelStateDeploymentDeploymentCreating
	depFailed   = serving.ServedModelStateDeploymentDeploymentFailed
	depAborted  = serving.ServedModelStateDeploymentDeploymentAborted
)

// ignoreServing ignores what the fake fills in by itself on serving
// endpoints, and the ForceSendFields that the SDK's decoder records.
var ignoreServing = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && sf.Name() == "ForceSendFields"
	}, cmp.Ignore()),
	cmpopts.IgnoreFields(serving.ServingEndpointDetailed{}, "Id", "Creator", "CreationTimestamp", "LastUpdatedTimestamp", "PermissionLevel"),
	cmpopts.IgnoreFields(serving.ServedEntityOutput{}, "Creator", "CreationTimestamp"),
	cmpopts.IgnoreFields(serving.EndpointPendingConfig{}, "StartTime"),
}

// servingWorkspace returns a workspace with READY versions 1 to 3 of
// main.ml.fraud and a version 4 still registering. Its replies name routes as
// sent, so that tests of other behaviours compare configs as sent; the
// service's own route names are tested in TestServingRouteNames.
func servingWorkspace(opts ...xregiontest.Option) *xregiontest.Workspace {
	w := xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRouteNames(xregiontest.RouteNamesAsSent)}, opts...)...)
	for v := 1; v <= 3; v++ {
		w.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	w.AddModelVersion(catalog.ModelVersionInfo{
		CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 4,
		Status: catalog.ModelVersionInfoStatusPendingRegistration,
	})
	return w
}

// entityIn is version v of main.ml.fraud, served as "fraud-v" on Small.
func entityIn(v string) serving.ServedEntityInput {
	return serving.ServedEntityInput{Name: "fraud-" + v, EntityName: fraud, EntityVersion: v, WorkloadSize: "Small"}
}

// entityOut is what the fake reports for entityIn(v) in state d: the
// server's default workload type (CPU) and burst scaling (on) left out of
// the reply, so that they decode as empty and false.
func entityOut(v string, d serving.ServedModelStateDeployment) serving.ServedEntityOutput {
	return serving.ServedEntityOutput{
		Name: "fraud-" + v, EntityName: fraud, EntityVersion: v, WorkloadSize: "Small",
		State: &serving.ServedModelState{Deployment: d},
	}
}

// traffic builds a traffic config from entity name, percentage pairs.
func traffic(pairs ...any) *serving.TrafficConfig {
	tc := &serving.TrafficConfig{}
	for i := 0; i < len(pairs); i += 2 {
		tc.Routes = append(tc.Routes, serving.Route{ServedEntityName: pairs[i].(string), TrafficPercentage: pairs[i+1].(int)})
	}
	return tc
}

// configIn is a config for endpoint name.
func configIn(name string, tc *serving.TrafficConfig, entities ...serving.ServedEntityInput) serving.EndpointCoreConfigInput {
	return serving.EndpointCoreConfigInput{Name: name, ServedEntities: entities, TrafficConfig: tc}
}

// liveEndpoint creates endpoint name from cfg through the API and reads it
// until its first deployment is done.
func liveEndpoint(t *testing.T, w *xregiontest.Workspace, cfg serving.EndpointCoreConfigInput) {
	t.Helper()
	wait, err := w.ServingEndpoints.Create(t.Context(), serving.CreateServingEndpoint{Name: cfg.Name, Config: &cfg})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := wait.Get(); err != nil {
		t.Fatalf("waiting for %s: %v", cfg.Name, err)
	}
}

// getEndpoint reads an endpoint once.
func getEndpoint(t *testing.T, w *xregiontest.Workspace, name string) *serving.ServingEndpointDetailed {
	t.Helper()
	e, err := w.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: name})
	if err != nil {
		t.Fatalf("Get(%s): %v", name, err)
	}
	return e
}

// updateStates reads an endpoint n times and returns its config update
// states.
func updateStates(t *testing.T, w *xregiontest.Workspace, name string, n int) []serving.EndpointStateConfigUpdate {
	t.Helper()
	var got []serving.EndpointStateConfigUpdate
	for range n {
		got = append(got, getEndpoint(t, w, name).State.ConfigUpdate)
	}
	return got
}

func TestServingCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script *xregiontest.Deployment
		want   []serving.EndpointStateConfigUpdate // per Get read
	}{
		{name: "default_two_reads", want: []serving.EndpointStateConfigUpdate{inProgress, inProgress, notUpdating, notUpdating}},
		{name: "zero_polls", script: &xregiontest.Deployment{}, want: []serving.EndpointStateConfigUpdate{notUpdating}},
		{name: "three_polls", script: &xregiontest.Deployment{Polls: 3}, want: []serving.EndpointStateConfigUpdate{inProgress, inProgress, inProgress, notUpdating}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			if tt.script != nil {
				w.ScriptDeployment(fraud, "1", *tt.script)
			}
			cfg := configIn("e1", nil, entityIn("1"))
			wait, err := w.ServingEndpoints.Create(t.Context(), serving.CreateServingEndpoint{
				Name: "e1", Config: &cfg, Description: "fraud model", Tags: []serving.EndpointTag{{Key: "team", Value: "risk"}},
			})
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			// Before the first deployment: no live config, NOT_READY, a
			// pending config at version 1.
			want := &serving.ServingEndpointDetailed{
				Name: "e1", Description: "fraud model", Tags: []serving.EndpointTag{{Key: "team", Value: "risk"}},
				State: &serving.EndpointState{ConfigUpdate: inProgress, Ready: notReady},
				PendingConfig: &serving.EndpointPendingConfig{
					ConfigVersion: 1, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depCreating)},
					TrafficConfig: traffic("fraud-1", 100),
				},
			}
			if diff := cmp.Diff(want, wait.Response, ignoreServing); diff != "" {
				t.Errorf("Create() response mismatch (-want +got):\n%s", diff)
			}
			if wait.Name != "e1" {
				t.Errorf("waiter Name = %q, want e1", wait.Name)
			}
			r := wait.Response
			if r.Id == "" || r.Creator == "" || r.CreationTimestamp == 0 || r.PendingConfig.StartTime == 0 {
				t.Errorf("Create() left server fields empty: %+v", r)
			}
			if diff := cmp.Diff(tt.want, updateStates(t, w, "e1", len(tt.want))); diff != "" {
				t.Errorf("states mismatch (-want +got):\n%s", diff)
			}
			want.State = &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready}
			want.PendingConfig = nil
			want.Config = &serving.EndpointCoreConfigOutput{
				ConfigVersion: 1, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depReady)},
				TrafficConfig: traffic("fraud-1", 100),
			}
			if diff := cmp.Diff(want, getEndpoint(t, w, "e1"), ignoreServing); diff != "" {
				t.Errorf("Get() after the deployment mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]xregiontest.Write{{Method: "ServingEndpoints.Create", Resource: "e1"}}, w.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServingCreateErrors(t *testing.T) {
	t.Parallel()
	cfg := configIn("", nil, entityIn("1"))
	tests := []struct {
		name    string
		req     serving.CreateServingEndpoint
		wantErr error
	}{
		{name: "exists", req: serving.CreateServingEndpoint{Name: "e1", Config: &cfg}, wantErr: apierr.ErrResourceAlreadyExists},
		{name: "no_name", req: serving.CreateServingEndpoint{Config: &cfg}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "dotted_name", req: serving.CreateServingEndpoint{Name: "e.1", Config: &cfg}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "long_name", req: serving.CreateServingEndpoint{Name: strings.Repeat("e", 64), Config: &cfg}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_config", req: serving.CreateServingEndpoint{Name: "e2"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "missing_version", req: serving.CreateServingEndpoint{Name: "e2", Config: &serving.EndpointCoreConfigInput{
			ServedEntities: []serving.ServedEntityInput{entityIn("9")},
		}}, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "rate_limits", req: serving.CreateServingEndpoint{Name: "e2", Config: &cfg, RateLimits: []serving.RateLimit{{Calls: 1}}}, wantErr: apierr.ErrNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			w.AddEndpoint(serving.ServingEndpointDetailed{Name: "e1"})
			wait, err := w.ServingEndpoints.Create(t.Context(), tt.req)
			checkErr(t, "Create", err, tt.wantErr)
			if wait != nil {
				t.Errorf("Create() returned a waiter with an error")
			}
			if got := w.Writes(); len(got) != 0 {
				t.Errorf("failed Create logged writes %v", got)
			}
		})
	}
	// A name of 63 letters, digits, dashes and underscores is fine.
	w := servingWorkspace()
	long := strings.Repeat("a-_1", 15) + "abc"
	if _, err := w.ServingEndpoints.Create(t.Context(), serving.CreateServingEndpoint{Name: long, Config: &cfg}); err != nil {
		t.Errorf("Create(%q): %v", long, err)
	}
}

func TestServingUpdate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		live       serving.EndpointCoreConfigInput
		scripts    map[string]xregiontest.Deployment // by version
		update     serving.EndpointCoreConfigInput
		wantStates []serving.EndpointStateConfigUpdate
		want       *serving.ServingEndpointDetailed
	}{
		{
			name:       "new_version",
			live:       configIn("e1", nil, entityIn("1")),
			update:     configIn("e1", nil, entityIn("2")),
			wantStates: []serving.EndpointStateConfigUpdate{inProgress, inProgress, notUpdating},
			want: &serving.ServingEndpointDetailed{
				Name:  "e1",
				State: &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready},
				Config: &serving.EndpointCoreConfigOutput{
					ConfigVersion: 2, ServedEntities: []serving.ServedEntityOutput{entityOut("2", depReady)},
					TrafficConfig: traffic("fraud-2", 100),
				},
			},
		},
		{
			name:       "canary_keeps_the_live_entity",
			live:       configIn("e1", nil, entityIn("1")),
			scripts:    map[string]xregiontest.Deployment{"2": {Polls: 3}},
			update:     configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")),
			wantStates: []serving.EndpointStateConfigUpdate{inProgress, inProgress, inProgress, notUpdating},
			want: &serving.ServingEndpointDetailed{
				Name:  "e1",
				State: &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready},
				Config: &serving.EndpointCoreConfigOutput{
					ConfigVersion: 2, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depReady), entityOut("2", depReady)},
					TrafficConfig: traffic("fraud-1", 90, "fraud-2", 10),
				},
			},
		},
		{
			// Only the routes change: no redeploy, one IN_PROGRESS read,
			// and config_version still goes up.
			name:       "routes_only",
			live:       configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")),
			scripts:    map[string]xregiontest.Deployment{"1": {Polls: 5}, "2": {Polls: 5}},
			update:     configIn("e1", traffic("fraud-1", 0, "fraud-2", 100), entityIn("1"), entityIn("2")),
			wantStates: []serving.EndpointStateConfigUpdate{inProgress, notUpdating},
			want: &serving.ServingEndpointDetailed{
				Name:  "e1",
				State: &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready},
				Config: &serving.EndpointCoreConfigOutput{
					ConfigVersion: 2, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depReady), entityOut("2", depReady)},
					TrafficConfig: traffic("fraud-1", 0, "fraud-2", 100),
				},
			},
		},
		{
			// Ready (Update failed): the old config keeps serving, and the
			// pending config says why.
			name:       "failed",
			live:       configIn("e1", nil, entityIn("1")),
			scripts:    map[string]xregiontest.Deployment{"2": {Polls: 1, Fail: true, Message: "container build failed"}},
			update:     configIn("e1", nil, entityIn("2")),
			wantStates: []serving.EndpointStateConfigUpdate{inProgress, updFailed, updFailed},
			want: &serving.ServingEndpointDetailed{
				Name:  "e1",
				State: &serving.EndpointState{ConfigUpdate: updFailed, Ready: ready},
				Config: &serving.EndpointCoreConfigOutput{
					ConfigVersion: 1, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depReady)},
					TrafficConfig: traffic("fraud-1", 100),
				},
				PendingConfig: &serving.EndpointPendingConfig{
					ConfigVersion: 2,
					ServedEntities: []serving.ServedEntityOutput{func() serving.ServedEntityOutput {
						e := entityOut("2", depFailed)
						e.State.DeploymentStateMessage = "container build failed"
						return e
					}()},
					TrafficConfig: traffic("fraud-2", 100),
				},
			},
		},
		{
			// One entity fails while another still deploys: the update
			// fails at once and gives the other up.
			name:       "failed_fast",
			live:       configIn("e1", nil, entityIn("1")),
			scripts:    map[string]xregiontest.Deployment{"2": {Polls: 0, Fail: true, Message: "oom"}, "3": {Polls: 4}},
			update:     configIn("e1", traffic("fraud-2", 50, "fraud-3", 50), entityIn("2"), entityIn("3")),
			wantStates: []serving.EndpointStateConfigUpdate{updFailed},
			want: &serving.ServingEndpointDetailed{
				Name:  "e1",
				State: &serving.EndpointState{ConfigUpdate: updFailed, Ready: ready},
				Config: &serving.EndpointCoreConfigOutput{
					ConfigVersion: 1, ServedEntities: []serving.ServedEntityOutput{entityOut("1", depReady)},
					TrafficConfig: traffic("fraud-1", 100),
				},
				PendingConfig: &serving.EndpointPendingConfig{
					ConfigVersion: 2,
					ServedEntities: []serving.ServedEntityOutput{func() serving.ServedEntityOutput {
						e := entityOut("2", depFailed)
						e.State.DeploymentStateMessage = "oom"
						return e
					}(), entityOut("3", depAborted)},
					TrafficConfig: traffic("fraud-2", 50, "fraud-3", 50),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			liveEndpoint(t, w, tt.live)
			for v, s := range tt.scripts {
				w.ScriptDeployment(fraud, v, s)
			}
			w.ResetWrites()
			wait, err := w.ServingEndpoints.UpdateConfig(t.Context(), tt.update)
			if err != nil {
				t.Fatalf("UpdateConfig: %v", err)
			}
			if got := wait.Response.State; got == nil || got.ConfigUpdate != inProgress || got.Ready != ready {
				t.Errorf("UpdateConfig() state = %+v, want IN_PROGRESS and READY", got)
			}
			if got := wait.Response.PendingConfig; got == nil || got.ConfigVersion != 2 {
				t.Errorf("UpdateConfig() pending config = %+v, want version 2", got)
			}
			if diff := cmp.Diff(tt.wantStates, updateStates(t, w, "e1", len(tt.wantStates))); diff != "" {
				t.Errorf("states mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, getEndpoint(t, w, "e1"), ignoreServing); diff != "" {
				t.Errorf("Get() after the update mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]xregiontest.Write{{Method: "ServingEndpoints.UpdateConfig", Resource: "e1"}}, w.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
			// A READY config served throughout.
			for _, ev := range w.EndpointHistory("e1")[1:] {
				if !ev.Ready || ev.ConfigVersion == 0 {
					t.Errorf("history event %+v: not READY on a live config", ev)
				}
			}
		})
	}
}

func TestServingFirstDeploymentFails(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx := t.Context()
	w.ScriptDeployment(fraud, "1", xregiontest.Deployment{Polls: 1, Fail: true, Message: "bad image"})
	cfg := configIn("e1", nil, entityIn("1"))
	wait, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "e1", Config: &cfg})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	var seen []serving.EndpointStateConfigUpdate
	_, err = wait.OnProgress(func(e *serving.ServingEndpointDetailed) { seen = append(seen, e.State.ConfigUpdate) }).Get()
	var halt *retries.Err
	if !errors.As(err, &halt) || !halt.Halt {
		t.Fatalf("waiter error = %v, want a halted *retries.Err", err)
	}
	if diff := cmp.Diff([]serving.EndpointStateConfigUpdate{inProgress, updFailed}, seen); diff != "" {
		t.Errorf("progress mismatch (-want +got):\n%s", diff)
	}
	// Not ready (Update failed): nothing serves.
	e := getEndpoint(t, w, "e1")
	if e.Config != nil || e.State.Ready != notReady || e.State.ConfigUpdate != updFailed {
		t.Errorf("after the failed create: config %+v, state %+v; want no config, UPDATE_FAILED, NOT_READY", e.Config, e.State)
	}
	_, err = w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "e1", Instances: []any{1}})
	checkErr(t, "Query", err, apierr.ErrInvalidState)
	// A repair deploys version 1 of the config again.
	w.ScriptDeployment(fraud, "2", xregiontest.Deployment{})
	wait, err = w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("2")))
	if err != nil {
		t.Fatalf("UpdateConfig: %v", err)
	}
	if wait.Response.PendingConfig.ConfigVersion != 1 || wait.Response.State.Ready != notReady {
		t.Errorf("repair: pending %+v, state %+v; want version 1, NOT_READY", wait.Response.PendingConfig, wait.Response.State)
	}
	got, err := wait.Get()
	if err != nil {
		t.Fatalf("waiting for the repair: %v", err)
	}
	if got.Config == nil || got.Config.ConfigVersion != 1 || got.State.Ready != ready {
		t.Errorf("after the repair: config %+v, state %+v", got.Config, got.State)
	}
}

func TestServingConflict(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx := t.Context()
	liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
	w.ScriptDeployment(fraud, "2", xregiontest.Deployment{Polls: 1})
	if _, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("2"))); err != nil {
		t.Fatalf("UpdateConfig: %v", err)
	}
	w.ResetWrites()
	_, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("3")))
	checkErr(t, "UpdateConfig during an update", err, apierr.ErrResourceConflict)
	if errors.Is(err, apierr.ErrResourceAlreadyExists) {
		t.Errorf("conflict %v matches ErrResourceAlreadyExists", err)
	}
	if got := w.Writes(); len(got) != 0 {
		t.Errorf("rejected update logged %v", got)
	}
	// The rejected update changed nothing: the first one completes.
	updateStates(t, w, "e1", 2)
	e := getEndpoint(t, w, "e1")
	if e.Config.ConfigVersion != 2 || e.Config.ServedEntities[0].EntityVersion != "2" {
		t.Errorf("after the first update: %+v", e.Config)
	}
	// After UPDATE_FAILED an update is accepted again.
	w.ScriptDeployment(fraud, "3", xregiontest.Deployment{Fail: true})
	if _, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("3"))); err != nil {
		t.Fatalf("UpdateConfig: %v", err)
	}
	if got := updateStates(t, w, "e1", 1); got[0] != updFailed {
		t.Fatalf("state = %s, want UPDATE_FAILED", got[0])
	}
	wait, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("1")))
	if err != nil {
		t.Fatalf("UpdateConfig after UPDATE_FAILED: %v", err)
	}
	if v := wait.Response.PendingConfig.ConfigVersion; v != 3 {
		t.Errorf("pending config_version = %d, want 3 (live 2 + 1)", v)
	}
}

func TestServingUpdateErrors(t *testing.T) {
	t.Parallel()
	many := make([]serving.ServedEntityInput, 16)
	for i := range many {
		many[i] = entityIn("1")
		many[i].Name = fmt.Sprintf("e%d", i)
	}
	with := func(v string, f func(*serving.ServedEntityInput)) serving.ServedEntityInput {
		e := entityIn(v)
		f(&e)
		return e
	}
	tests := []struct {
		name    string
		req     serving.EndpointCoreConfigInput
		wantErr error
	}{
		{name: "missing_endpoint", req: configIn("nope", nil, entityIn("1")), wantErr: apierr.ErrResourceDoesNotExist},
		{name: "no_entities", req: configIn("e1", nil), wantErr: apierr.ErrInvalidParameterValue},
		{name: "sixteen_entities", req: configIn("e1", nil, many...), wantErr: apierr.ErrInvalidParameterValue},
		{name: "same_name_twice", req: configIn("e1", traffic("fraud-1", 100), entityIn("1"), with("2", func(e *serving.ServedEntityInput) { e.Name = "fraud-1" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "same_default_name_twice", req: configIn("e1", nil,
			with("1", func(e *serving.ServedEntityInput) { e.Name = "" }), with("1", func(e *serving.ServedEntityInput) { e.Name = "" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "bad_entity_name", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.Name = "fraud.1" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_entity_name", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.EntityName = "" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_entity_version", req: configIn("e1", nil, with("", func(*serving.ServedEntityInput) {})), wantErr: apierr.ErrInvalidParameterValue},
		{name: "version_not_a_number", req: configIn("e1", nil, with("v1", func(*serving.ServedEntityInput) {})), wantErr: apierr.ErrInvalidParameterValue},
		{name: "no_workload_size", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.WorkloadSize = "" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "unknown_workload_type", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.WorkloadType = "TPU" })), wantErr: apierr.ErrInvalidParameterValue},
		{name: "missing_version", req: configIn("e1", nil, entityIn("9")), wantErr: apierr.ErrResourceDoesNotExist},
		{name: "missing_model", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.EntityName = "main.ml.nope" })), wantErr: apierr.ErrResourceDoesNotExist},
		{name: "version_not_ready", req: configIn("e1", nil, entityIn("4")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "route_to_unknown_entity", req: configIn("e1", traffic("fraud-2", 100), entityIn("1")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "routes_sum_to_90", req: configIn("e1", traffic("fraud-1", 80, "fraud-2", 10), entityIn("1"), entityIn("2")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "routes_sum_to_110", req: configIn("e1", traffic("fraud-1", 100, "fraud-2", 10), entityIn("1"), entityIn("2")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "negative_route", req: configIn("e1", traffic("fraud-1", 110, "fraud-2", -10), entityIn("1"), entityIn("2")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "two_routes_one_entity", req: configIn("e1", traffic("fraud-1", 50, "fraud-1", 50), entityIn("1")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_traffic_config", req: configIn("e1", &serving.TrafficConfig{}, entityIn("1")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "several_entities_no_traffic", req: configIn("e1", nil, entityIn("1"), entityIn("2")), wantErr: apierr.ErrInvalidParameterValue},
		{name: "served_models", req: serving.EndpointCoreConfigInput{Name: "e1", ServedModels: []serving.ServedModelInput{{ModelName: fraud, ModelVersion: "1"}}}, wantErr: apierr.ErrNotImplemented},
		{name: "external_model", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.ExternalModel = &serving.ExternalModel{Name: "gpt"} })), wantErr: apierr.ErrNotImplemented},
		{name: "registry_model", req: configIn("e1", nil, with("1", func(e *serving.ServedEntityInput) { e.EntityName = "fraud" })), wantErr: apierr.ErrNotImplemented},
		{name: "feature_spec", req: configIn("e1", nil, with("", func(e *serving.ServedEntityInput) { e.EntityName = "main.ml.spec" })), wantErr: apierr.ErrNotImplemented},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			w.AddFunction(catalog.FunctionInfo{FullName: "main.ml.spec"}, "FUNCTION_FEATURE_SPEC")
			liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
			before := getEndpoint(t, w, "e1")
			w.ResetWrites()
			wait, err := w.ServingEndpoints.UpdateConfig(t.Context(), tt.req)
			checkErr(t, "UpdateConfig", err, tt.wantErr)
			if wait != nil {
				t.Errorf("UpdateConfig() returned a waiter with an error")
			}
			if got := w.Writes(); len(got) != 0 {
				t.Errorf("failed UpdateConfig logged writes %v", got)
			}
			if diff := cmp.Diff(before, getEndpoint(t, w, "e1"), ignoreServing); diff != "" {
				t.Errorf("failed UpdateConfig changed the endpoint (-before +after):\n%s", diff)
			}
		})
	}
}

func TestServedEntityDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        serving.ServedEntityInput
		wantName  string
		wantBurst bool
		wantZero  bool
	}{
		// Burst scaling on is left out of the reply and decodes as false.
		{name: "burst_not_sent_defaults_true", in: entityIn("1"), wantName: "fraud-1", wantBurst: false},
		{name: "burst_sent_true", in: serving.ServedEntityInput{Name: "a", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small", BurstScalingEnabled: true}, wantName: "a", wantBurst: false},
		{name: "burst_force_sent_false", in: serving.ServedEntityInput{
			Name: "a", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small", ForceSendFields: []string{"BurstScalingEnabled"},
		}, wantName: "a", wantBurst: false},
		{name: "scale_to_zero_sent_true", in: serving.ServedEntityInput{Name: "a", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small", ScaleToZeroEnabled: true}, wantName: "a", wantZero: true},
		{name: "default_name", in: serving.ServedEntityInput{EntityName: fraud, EntityVersion: "2", WorkloadSize: "Small"}, wantName: "main.ml.fraud-2"},
		{name: "provisioned_concurrency_instead_of_size", in: serving.ServedEntityInput{
			Name: "a", EntityName: fraud, EntityVersion: "1", MinProvisionedConcurrency: 4, MaxProvisionedConcurrency: 8,
		}, wantName: "a"},
		{name: "size_and_concurrency_echoed", in: serving.ServedEntityInput{
			Name: "a", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Medium", MinProvisionedConcurrency: 4, MaxProvisionedConcurrency: 8,
		}, wantName: "a"},
		{name: "workload_type_kept", in: serving.ServedEntityInput{
			Name: "a", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small", WorkloadType: serving.ServingModelWorkloadTypeGpuSmall,
		}, wantName: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			liveEndpoint(t, w, configIn("e1", nil, tt.in))
			got := getEndpoint(t, w, "e1").Config.ServedEntities[0]
			want := serving.ServedEntityOutput{
				Name: tt.wantName, EntityName: fraud, EntityVersion: tt.in.EntityVersion, WorkloadSize: tt.in.WorkloadSize,
				MinProvisionedConcurrency: tt.in.MinProvisionedConcurrency, MaxProvisionedConcurrency: tt.in.MaxProvisionedConcurrency,
				WorkloadType:        tt.in.WorkloadType, // CPU, the default, is left out of the reply
				BurstScalingEnabled: tt.wantBurst, ScaleToZeroEnabled: tt.wantZero,
				State: &serving.ServedModelState{Deployment: depReady},
			}
			if diff := cmp.Diff(want, got, ignoreServing); diff != "" {
				t.Errorf("served entity mismatch (-want +got):\n%s", diff)
			}
			if got.Creator == "" || got.CreationTimestamp == 0 {
				t.Errorf("served entity without Creator or CreationTimestamp: %+v", got)
			}
		})
	}
}

// inputOf converts a served entity as read back into an input, keeping
// ForceSendFields as the caller chooses.
func inputOf(o serving.ServedEntityOutput, force []string) serving.ServedEntityInput {
	return serving.ServedEntityInput{
		Name: o.Name, EntityName: o.EntityName, EntityVersion: o.EntityVersion, WorkloadSize: o.WorkloadSize,
		BurstScalingEnabled: o.BurstScalingEnabled, ScaleToZeroEnabled: o.ScaleToZeroEnabled, ForceSendFields: force,
	}
}

// TestServingRollbackBooleans restores a config read back from the fake,
// as a rollback does: the false booleans survive only when force-sent.
func TestServingRollbackBooleans(t *testing.T) {
	t.Parallel()
	onInput := func(fields []string) []string {
		var out []string
		for _, f := range fields {
			if f == "BurstScalingEnabled" || f == "ScaleToZeroEnabled" {
				out = append(out, f)
			}
		}
		return out
	}
	tests := []struct {
		name      string
		force     func(decoded []string) []string
		wantBurst bool
		wantErr   bool
	}{
		{name: "forgot_force_send", force: func([]string) []string { return nil }, wantBurst: true},
		{name: "decoded_fields_filtered", force: onInput, wantBurst: false},
		{name: "decoded_fields_as_they_are", force: func(d []string) []string { return d }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			stable := entityIn("1")
			stable.ForceSendFields = []string{"BurstScalingEnabled"}
			liveEndpoint(t, w, configIn("e1", nil, stable))
			snapshot := getEndpoint(t, w, "e1").Config.ServedEntities[0]
			if snapshot.BurstScalingEnabled {
				t.Fatalf("seeded entity has burst scaling on")
			}
			// The decoder saw the false booleans, as on the wire.
			for _, f := range []string{"BurstScalingEnabled", "ScaleToZeroEnabled", "CreationTimestamp"} {
				if !strings.Contains(strings.Join(snapshot.ForceSendFields, ","), f) {
					t.Errorf("decoded ForceSendFields %v lack %s", snapshot.ForceSendFields, f)
				}
			}
			liveEndpoint(t, w, configIn("e2", nil, entityIn("2")))
			w.ResetWrites()
			calls := w.Calls("ServingEndpoints.UpdateConfig")
			wait, err := w.ServingEndpoints.UpdateConfig(t.Context(), configIn("e2", nil, inputOf(snapshot, tt.force(snapshot.ForceSendFields))))
			if tt.wantErr {
				// The SDK cannot encode it: the call never leaves the client.
				var apiErr *apierr.APIError
				if err == nil || errors.As(err, &apiErr) {
					t.Fatalf("UpdateConfig() error = %v, want the SDK's encoding error", err)
				}
				if n := w.Calls("ServingEndpoints.UpdateConfig"); n != calls || len(w.Writes()) != 0 {
					t.Errorf("unencodable request counted (%d calls) or logged (%v)", n-calls, w.Writes())
				}
				return
			}
			if err != nil {
				t.Fatalf("UpdateConfig: %v", err)
			}
			got, err := wait.Get()
			if err != nil {
				t.Fatalf("waiting: %v", err)
			}
			if b := w.EndpointConfig("e2").ServedEntities[0].BurstScalingEnabled; b != tt.wantBurst || got.Config.ConfigVersion != 2 {
				t.Errorf("BurstScalingEnabled after the rollback = %v, want %v", b, tt.wantBurst)
			}
		})
	}
}

func TestServingAutoCaptureEchoed(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	cfg := configIn("e1", nil, entityIn("1"))
	cfg.AutoCaptureConfig = &serving.AutoCaptureConfigInput{CatalogName: "main", SchemaName: "logs", TableNamePrefix: "fraud", Enabled: true}
	liveEndpoint(t, w, cfg)
	want := &serving.AutoCaptureConfigOutput{CatalogName: "main", SchemaName: "logs", TableNamePrefix: "fraud", Enabled: true}
	if diff := cmp.Diff(want, getEndpoint(t, w, "e1").Config.AutoCaptureConfig, ignoreServing); diff != "" {
		t.Errorf("AutoCaptureConfig mismatch (-want +got):\n%s", diff)
	}
}

// TestServingSharedModel serves a model version read through a catalog
// created from a share.
func TestServingSharedModel(t *testing.T) {
	t.Parallel()
	src, dst := regions(t)
	shareTo(t, src, dst, allObjects()...)
	if _, err := dst.Catalogs.Create(t.Context(), catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatal(err)
	}
	e := serving.ServedEntityInput{Name: "fraud-1", EntityName: "shared.ml.fraud", EntityVersion: "1", WorkloadSize: "Small"}
	liveEndpoint(t, dst, configIn("e1", nil, e))
	// The source name is not readable in the target.
	e.EntityName = fraud
	_, err := dst.ServingEndpoints.UpdateConfig(t.Context(), configIn("e1", nil, e))
	checkErr(t, "UpdateConfig", err, apierr.ErrResourceDoesNotExist)
}

func TestServingHistory(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx := t.Context()
	liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
	w.ScriptDeployment(fraud, "2", xregiontest.Deployment{Polls: 1, Fail: true, Message: "oom"})
	wait, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wait.Get(); err == nil {
		t.Fatalf("waiter succeeded on a failing update")
	}
	wait, err = w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", traffic("fraud-1", 90, "fraud-3", 10), entityIn("1"), entityIn("3")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wait.Get(); err != nil {
		t.Fatal(err)
	}
	if err := w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: "e1"}); err != nil {
		t.Fatal(err)
	}
	v1 := []string{fraud + "@1"}
	want := []xregiontest.EndpointEvent{
		{ConfigUpdate: inProgress},
		{ConfigVersion: 1, Ready: true, ConfigUpdate: notUpdating, Served: v1, Routes: map[string]int{"fraud-1": 100}},
		{ConfigVersion: 1, Ready: true, ConfigUpdate: inProgress, Served: v1, Routes: map[string]int{"fraud-1": 100}},
		{ConfigVersion: 1, Ready: true, ConfigUpdate: updFailed, Served: v1, Routes: map[string]int{"fraud-1": 100}},
		{ConfigVersion: 1, Ready: true, ConfigUpdate: inProgress, Served: v1, Routes: map[string]int{"fraud-1": 100}},
		{
			ConfigVersion: 2, Ready: true, ConfigUpdate: notUpdating, Served: []string{fraud + "@1", fraud + "@3"},
			Routes: map[string]int{"fraud-1": 90, "fraud-3": 10},
		},
		{Deleted: true},
	}
	got := w.EndpointHistory("e1")
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(xregiontest.EndpointEvent{}, "Tick")); diff != "" {
		t.Errorf("EndpointHistory() mismatch (-want +got):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Tick <= got[i-1].Tick {
			t.Errorf("event %d at tick %d, after tick %d", i, got[i].Tick, got[i-1].Tick)
		}
	}
	got[1].Served[0] = "changed"
	if w.EndpointHistory("e1")[1].Served[0] != fraud+"@1" {
		t.Errorf("changing the returned history changed the fake")
	}
	if h := w.EndpointHistory("nope"); h != nil {
		t.Errorf("EndpointHistory(nope) = %v, want nil", h)
	}
	// Created again, the endpoint adds to its history.
	liveEndpoint(t, w, configIn("e1", nil, entityIn("3")))
	if n := len(w.EndpointHistory("e1")); n != len(want)+2 {
		t.Errorf("history after re-creation has %d events, want %d", n, len(want)+2)
	}
}

func TestServingDeleteAndList(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx := t.Context()
	err := w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: "e1"})
	checkErr(t, "Delete", err, apierr.ErrResourceDoesNotExist)
	liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
	cfg := configIn("", nil, entityIn("2"))
	if _, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "a0", Config: &cfg}); err != nil {
		t.Fatal(err)
	}
	list, err := w.ServingEndpoints.ListAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spec := func(v string) *serving.EndpointCoreConfigSummary {
		return &serving.EndpointCoreConfigSummary{ServedEntities: []serving.ServedEntitySpec{{Name: "fraud-" + v, EntityName: fraud, EntityVersion: v}}}
	}
	want := []serving.ServingEndpoint{
		{Name: "a0", State: &serving.EndpointState{ConfigUpdate: inProgress, Ready: notReady}, Config: spec("2")},
		{Name: "e1", State: &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready}, Config: spec("1")},
	}
	opts := cmp.Options{ignoreServing, cmpopts.IgnoreFields(serving.ServingEndpoint{}, "Id", "Creator", "CreationTimestamp", "LastUpdatedTimestamp")}
	if diff := cmp.Diff(want, list, opts); diff != "" {
		t.Errorf("ListAll() mismatch (-want +got):\n%s", diff)
	}
	// Listing does not move the update of a0 on: it still takes 2 reads.
	if diff := cmp.Diff([]serving.EndpointStateConfigUpdate{inProgress, inProgress, notUpdating}, updateStates(t, w, "a0", 3)); diff != "" {
		t.Errorf("states after ListAll mismatch (-want +got):\n%s", diff)
	}
	w.ResetWrites()
	if err := w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: "e1"}); err != nil {
		t.Fatal(err)
	}
	// A deleted endpoint lingers for two reads, in the list too, then is gone.
	if list, err := w.ServingEndpoints.ListAll(ctx); err != nil || !slices.ContainsFunc(list, func(e serving.ServingEndpoint) bool { return e.Name == "e1" }) {
		t.Errorf("ListAll() right after Delete = %v, %v; want e1 still listed while its GET shows it", list, err)
	}
	for i := range 2 {
		if _, err := w.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"}); err != nil {
			t.Fatalf("read %d after Delete: %v, want the endpoint still shown", i+1, err)
		}
	}
	_, err = w.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"})
	checkErr(t, "Get after Delete", err, apierr.ErrResourceDoesNotExist)
	if list, err := w.ServingEndpoints.ListAll(ctx); err != nil || len(list) != 1 {
		t.Errorf("ListAll() after Delete = %d endpoints, %v; want 1", len(list), err)
	}
	if diff := cmp.Diff([]xregiontest.Write{{Method: "ServingEndpoints.Delete", Resource: "e1"}}, w.Writes()); diff != "" {
		t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
	}
	if empty, err := xregiontest.NewWorkspace().ServingEndpoints.ListAll(ctx); err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("ListAll() on an empty workspace = %#v, %v; want an empty list", empty, err)
	}
}

func TestAddEndpoint(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	w.AddEndpoint(serving.ServingEndpointDetailed{
		Name: "e1",
		Config: &serving.EndpointCoreConfigOutput{
			ServedEntities: []serving.ServedEntityOutput{{Name: "fraud-1", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small"}},
		},
	})
	want := &serving.ServingEndpointDetailed{
		Name:  "e1",
		State: &serving.EndpointState{ConfigUpdate: notUpdating, Ready: ready},
		Config: &serving.EndpointCoreConfigOutput{
			ConfigVersion: 1,
			ServedEntities: []serving.ServedEntityOutput{{
				Name: "fraud-1", EntityName: fraud, EntityVersion: "1", WorkloadSize: "Small",
				State: &serving.ServedModelState{Deployment: depReady},
			}},
			TrafficConfig: traffic("fraud-1", 100),
		},
	}
	got := getEndpoint(t, w, "e1")
	if diff := cmp.Diff(want, got, ignoreServing); diff != "" {
		t.Errorf("seeded endpoint mismatch (-want +got):\n%s", diff)
	}
	if got.Id == "" || got.Creator == "" || got.CreationTimestamp == 0 || got.PermissionLevel == "" {
		t.Errorf("seeded endpoint without server fields: %+v", got)
	}
	if h := w.EndpointHistory("e1"); len(h) != 1 || !h[0].Ready || h[0].ConfigVersion != 1 {
		t.Errorf("history of the seeded endpoint = %+v", h)
	}

	// Seeded IN_PROGRESS, the pending config deploys as an update would.
	w.ScriptDeployment(fraud, "2", xregiontest.Deployment{Polls: 1})
	w.AddEndpoint(serving.ServingEndpointDetailed{
		Name:   "e2",
		State:  &serving.EndpointState{ConfigUpdate: inProgress, Ready: notReady},
		Config: nil,
		PendingConfig: &serving.EndpointPendingConfig{
			ConfigVersion:  1,
			ServedEntities: []serving.ServedEntityOutput{{Name: "fraud-2", EntityName: fraud, EntityVersion: "2", WorkloadSize: "Small"}},
			TrafficConfig:  traffic("fraud-2", 100),
		},
	})
	if diff := cmp.Diff([]serving.EndpointStateConfigUpdate{inProgress, notUpdating}, updateStates(t, w, "e2", 2)); diff != "" {
		t.Errorf("seeded update states mismatch (-want +got):\n%s", diff)
	}

	one := []serving.ServedEntityOutput{{Name: "a", EntityName: fraud, EntityVersion: "1"}}
	two := append(one, serving.ServedEntityOutput{Name: "b", EntityName: fraud, EntityVersion: "2"})
	for name, e := range map[string]serving.ServingEndpointDetailed{
		"bad_name":         {Name: "e 1"},
		"exists":           {Name: "e1"},
		"served_models":    {Name: "x", Config: &serving.EndpointCoreConfigOutput{ServedModels: []serving.ServedModelOutput{{Name: "m"}}}},
		"routes_sum":       {Name: "x", Config: &serving.EndpointCoreConfigOutput{ServedEntities: one, TrafficConfig: traffic("a", 50)}},
		"route_unknown":    {Name: "x", Config: &serving.EndpointCoreConfigOutput{ServedEntities: one, TrafficConfig: traffic("z", 100)}},
		"several_no_tc":    {Name: "x", Config: &serving.EndpointCoreConfigOutput{ServedEntities: two}},
		"in_progress_bare": {Name: "x", State: &serving.EndpointState{ConfigUpdate: inProgress}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mustPanic(t, func() { w.AddEndpoint(e) })
		})
	}
}

func TestServingScriptPanics(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	mustPanic(t, func() { w.ScriptDeployment("", "1", xregiontest.Deployment{}) })
	mustPanic(t, func() { w.ScriptDeployment(fraud, "", xregiontest.Deployment{}) })
	mustPanic(t, func() { w.ScriptDeployment(fraud, "1", xregiontest.Deployment{Polls: -1}) })
	mustPanic(t, func() { w.ScriptQuery("", "1", xregiontest.QueryScript{}) })
	mustPanic(t, func() { w.ScriptQuery(fraud, "1", xregiontest.QueryScript{Latency: -1}) })
}

func TestServingReturnsCopies(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	cfg := configIn("e1", nil, entityIn("1"))
	wait, err := w.ServingEndpoints.Create(t.Context(), serving.CreateServingEndpoint{Name: "e1", Config: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ServedEntities[0].EntityVersion = "2"
	wait.Response.PendingConfig.ServedEntities[0].Name = "changed"
	wait.Response.State.Ready = ready
	got := getEndpoint(t, w, "e1")
	if e := got.PendingConfig.ServedEntities[0]; e.Name != "fraud-1" || e.EntityVersion != "1" || got.State.Ready != notReady {
		t.Errorf("changing the request or the reply changed the fake: %+v, %+v", e, got.State)
	}
}

func TestServingFaults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t.Run("update_after_commit", func(t *testing.T) {
		t.Parallel()
		w := servingWorkspace()
		liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
		w.ResetWrites()
		w.Inject(xregiontest.Fault{Method: "ServingEndpoints.UpdateConfig", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("lost reply")})
		_, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("2")))
		checkErr(t, "UpdateConfig", err, apierr.ErrTemporarilyUnavailable)
		// The update landed: a retry of it is a conflict.
		_, err = w.ServingEndpoints.UpdateConfig(ctx, configIn("e1", nil, entityIn("2")))
		checkErr(t, "UpdateConfig retry", err, apierr.ErrResourceConflict)
		want := []xregiontest.Write{{Method: "ServingEndpoints.UpdateConfig", Resource: "e1"}}
		if diff := cmp.Diff(want, w.Writes()); diff != "" {
			t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
		}
		if n := w.Calls("ServingEndpoints.UpdateConfig"); n != 2 {
			t.Errorf("Calls(UpdateConfig) = %d, want 2", n)
		}
	})
	t.Run("get_halts_the_waiter", func(t *testing.T) {
		t.Parallel()
		w := servingWorkspace()
		cfg := configIn("e1", nil, entityIn("1"))
		wait, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "e1", Config: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		w.Inject(xregiontest.Fault{Method: "ServingEndpoints.Get", Skip: 1, Times: 1, Err: xregiontest.Internal("boom")})
		_, err = wait.Get()
		checkErr(t, "waiter", err, apierr.ErrInternalError)
		// The failed read did not move the update on.
		if diff := cmp.Diff([]serving.EndpointStateConfigUpdate{inProgress, notUpdating}, updateStates(t, w, "e1", 2)); diff != "" {
			t.Errorf("states mismatch (-want +got):\n%s", diff)
		}
		if n := w.Calls("ServingEndpoints.Get"); n != 4 {
			t.Errorf("Calls(Get) = %d, want 4", n)
		}
	})
	t.Run("reads_and_deletes", func(t *testing.T) {
		t.Parallel()
		w := servingWorkspace()
		liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
		for _, m := range []string{"ServingEndpoints.Query", "ServingEndpoints.ListAll", "ServingEndpoints.Delete"} {
			w.Inject(xregiontest.Fault{Method: m, Times: 1, Err: xregiontest.Unavailable("busy")})
		}
		_, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "e1", Instances: []any{1}})
		checkErr(t, "Query", err, apierr.ErrTemporarilyUnavailable)
		_, err = w.ServingEndpoints.ListAll(ctx)
		checkErr(t, "ListAll", err, apierr.ErrTemporarilyUnavailable)
		err = w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: "e1"})
		checkErr(t, "Delete", err, apierr.ErrTemporarilyUnavailable)
		getEndpoint(t, w, "e1") // still there
		if n := w.Calls("ServingEndpoints.Query"); n != 1 {
			t.Errorf("Calls(Query) = %d, want 1", n)
		}
	})
}

func TestServingContextDone(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	cfg := configIn("e1", nil, entityIn("1"))
	_, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "e1", Config: &cfg})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Create() error = %v, want context.Canceled", err)
	}
	if n, writes := w.Calls("ServingEndpoints.Create"), w.Writes(); n != 0 || len(writes) != 0 {
		t.Errorf("cancelled call counted (%d) or logged (%v)", n, writes)
	}
}
