package endpoint_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// deployed deploys version 5 onto target, as a fleet's first wave would.
func deployed(t *testing.T, ws *xregiontest.Workspace, s endpoint.Spec) *endpoint.Result {
	t.Helper()
	res, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || res.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("DeployWithRollback() = %v, %v; want deployed", res.Outcome, err)
	}
	return res
}

func TestRestoreDeployed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec func() endpoint.Spec
	}{
		{name: "direct_update", spec: func() endpoint.Spec { return spec(5) }},
		{name: "canary", spec: func() endpoint.Spec { s := spec(5); s.Canary = []int{10, 100}; return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := target(t)
			res := deployed(t, ws, tt.spec())
			got, err := res.Restore(t.Context(), ws.ServingEndpoints, noSleep)
			if err != nil {
				t.Fatalf("Restore() error = %v", err)
			}
			if got.Outcome != endpoint.OutcomeRolledBack {
				t.Errorf("Restore() Outcome = %s, want %s", got.Outcome, endpoint.OutcomeRolledBack)
			}
			if diff := cmp.Diff(wantSnapshot(), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
				t.Errorf("restored config mismatch (-want +got):\n%s", diff)
			}
			for _, tag := range ws.EndpointTags(name) {
				if tag.Key == endpoint.CanaryTag {
					t.Errorf("the canary mark %s=%s is left after the restore", tag.Key, tag.Value)
				}
			}
			alwaysServing(t, ws)

			// A second restore finds the snapshot live and writes nothing.
			ws.ResetWrites()
			again, err := endpoint.Restore(t.Context(), ws.ServingEndpoints, endpoint.RestoreSpec{Name: name, Snapshot: res.Snapshot}, noSleep)
			if err != nil || again.Outcome != endpoint.OutcomeRolledBack {
				t.Fatalf("second Restore() = %v, %v", again.Outcome, err)
			}
			if w := ws.Writes(); len(w) != 0 {
				t.Errorf("second Restore() wrote %v, want nothing", w)
			}
		})
	}
}

func TestRestoreCreatedDeletes(t *testing.T) {
	t.Parallel()
	ws := target(t)
	s := spec(5)
	s.Name = "fraud-new"
	res := deployed(t, ws, s)
	if !res.Created || res.Snapshot != nil {
		t.Fatalf("DeployWithRollback() Created = %v, Snapshot = %v; want a created endpoint without snapshot", res.Created, res.Snapshot)
	}
	if _, err := res.Restore(t.Context(), ws.ServingEndpoints, noSleep); err != nil {
		t.Fatalf("Restore() error = %v", err)
	}
	if c := ws.EndpointConfig("fraud-new"); c != nil {
		t.Errorf("the endpoint the deployment created is still there: %+v", c)
	}
}

func TestRestoreRefuses(t *testing.T) {
	t.Parallel()
	t.Run("changed_meanwhile", func(t *testing.T) {
		t.Parallel()
		ws := target(t)
		res := deployed(t, ws, spec(5))
		// Someone else deploys version 4 after the deployment ended.
		deployed(t, ws, spec(4))
		before := ws.EndpointConfig(name)
		got, err := res.Restore(t.Context(), ws.ServingEndpoints, noSleep)
		if !errors.Is(err, endpoint.ErrChangedMeanwhile) || got.Outcome != endpoint.OutcomeAborted {
			t.Fatalf("Restore() = %s, %v; want aborted, ErrChangedMeanwhile", got.Outcome, err)
		}
		if diff := cmp.Diff(configOf(before), configOf(ws.EndpointConfig(name)), restoredOpts); diff != "" {
			t.Errorf("Restore() changed the endpoint someone else changed (-before +after):\n%s", diff)
		}
	})
	t.Run("foreign_endpoint_to_delete", func(t *testing.T) {
		t.Parallel()
		ws := target(t)
		_, err := endpoint.Restore(t.Context(), ws.ServingEndpoints, endpoint.RestoreSpec{Name: name}, noSleep)
		if !errors.Is(err, xregion.ErrConflict) {
			t.Fatalf("Restore() of an endpoint xregion did not create error = %v, want ErrConflict", err)
		}
		if ws.EndpointConfig(name) == nil {
			t.Error("Restore() deleted an endpoint xregion did not create")
		}
	})
	t.Run("nothing_written", func(t *testing.T) {
		t.Parallel()
		ws := target(t)
		deployed(t, ws, spec(5))
		res, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, spec(5), noSleep)
		if err != nil || res.Outcome != endpoint.OutcomeUnchanged {
			t.Fatalf("second DeployWithRollback() = %v, %v; want unchanged", res.Outcome, err)
		}
		ws.ResetWrites()
		got, err := res.Restore(t.Context(), ws.ServingEndpoints, noSleep)
		if err != nil || got.Outcome != endpoint.OutcomeUnchanged {
			t.Errorf("Restore() of an unchanged deployment = %v, %v; want unchanged", got.Outcome, err)
		}
		if w := ws.Writes(); len(w) != 0 {
			t.Errorf("Restore() of an unchanged deployment wrote %v", w)
		}
	})
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ws := target(t)
	s := spec(5)
	s.Probes = []endpoint.Probe{smoke}
	deployed(t, ws, s)
	ws.ResetWrites()
	got, err := endpoint.Check(t.Context(), ws.ServingEndpoints, s, noSleep)
	if err != nil || got.Outcome != endpoint.OutcomeUnchanged {
		t.Fatalf("Check() = %v, %v; want unchanged", got.Outcome, err)
	}
	var names []string
	for _, c := range got.Checks {
		names = append(names, c.Name+"="+string(c.Status))
	}
	if diff := cmp.Diff([]string{"recheck: readiness=pass", "recheck: smoke=pass"}, names); diff != "" {
		t.Errorf("Check() checks mismatch (-want +got):\n%s", diff)
	}
	if w := ws.Writes(); len(w) != 0 {
		t.Errorf("Check() wrote %v", w)
	}
	// Another version serving fails the check without a write.
	if _, err := endpoint.Check(t.Context(), ws.ServingEndpoints, spec(4), noSleep); !errors.Is(err, endpoint.ErrChangedMeanwhile) {
		t.Errorf("Check() of a version not served error = %v, want ErrChangedMeanwhile", err)
	}
	// A failing probe fails the check.
	ws.ScriptQuery(model, "5", xregiontest.QueryScript{Predictions: []any{0.9}})
	if _, err := endpoint.Check(t.Context(), ws.ServingEndpoints, s, noSleep); !errors.Is(err, endpoint.ErrUnhealthy) {
		t.Errorf("Check() with a failing probe error = %v, want ErrUnhealthy", err)
	}
}

// TestRestoreRefusesASettingsChange: someone changed only the deployed
// entity's settings after the deployment (same entities, same routes): the
// config version moved, so the restore would undo their change and is
// refused.
func TestRestoreRefusesASettingsChange(t *testing.T) {
	t.Parallel()
	ws := target(t)
	res := deployed(t, ws, spec(5))
	ep := read(t, ws)
	in := ep.Config.ServedEntities[0]
	// Their update: the same entity on a Large size.
	change := spec(5)
	change.Entity.WorkloadSize = "Large"
	if _, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, change, noSleep); err != nil {
		t.Fatalf("their update: %v", err)
	}
	if got := ws.EndpointConfig(name).ServedEntities[0]; got.Name != in.Name || got.WorkloadSize != "Large" {
		t.Fatalf("their update left %+v", got)
	}
	ws.ResetWrites()
	got, err := res.Restore(t.Context(), ws.ServingEndpoints, noSleep)
	if !errors.Is(err, endpoint.ErrChangedMeanwhile) || got.Outcome != endpoint.OutcomeAborted {
		t.Fatalf("Restore() = %s, %v; want aborted: the config changed since the deployment", got.Outcome, err)
	}
	if w := ws.Writes(); len(w) != 0 {
		t.Errorf("Restore() wrote %v", w)
	}
}
