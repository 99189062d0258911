package main

import (
	"strings"
	"testing"
)

// TestCommandStatus reports a converged target, then one serving an older
// version than the inputs ask for: with fail-on-drift the step fails, and
// neither run writes.
func TestCommandStatus(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("rollout: %v", r.err)
	}
	in := baseInputs()
	in["command"], in["fail-on-drift"] = "Status", "true"
	w.resetWrites()
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("status of a converged target: %v\n%s", r.err, r.log.String())
	}
	out := r.outputs(t)
	if out["drift"] != "false" || !strings.Contains(out["status"], `"want":1`) {
		t.Errorf("outputs drift=%q status=%s, want no drift and version 1 wanted", out["drift"], out["status"])
	}
	if !strings.Contains(r.summary(t), "| Drift | none |") {
		t.Errorf("summary does not say there is no drift:\n%s", r.summary(t))
	}
	golden(t, "summary_status", r.summary(t))

	in["version"] = "2"
	r = runAction(t, w, in)
	if r.err == nil {
		t.Fatal("status with drift and fail-on-drift: no error")
	}
	if got := r.outputs(t)["drift"]; got != "true" || !strings.Contains(r.summary(t), "serves version 1 (100%), not version 2") {
		t.Errorf("drift=%q, summary:\n%s", got, r.summary(t))
	}
	if !strings.Contains(r.log.String(), "::error title=xregion%3A drift::") {
		t.Errorf("log has no drift annotation:\n%s", r.log.String())
	}
	in["fail-on-drift"] = "false"
	if r = runAction(t, w, in); r.err != nil {
		t.Errorf("status with drift, without fail-on-drift: %v", r.err)
	}
	if n := len(w.writes()); n != 0 {
		t.Errorf("status wrote %v", w.writes())
	}
}

// TestCommandRefresh syncs the online table again and leaves the endpoint.
func TestCommandRefresh(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("rollout: %v", r.err)
	}
	in := baseInputs()
	in["command"] = "refresh"
	w.resetWrites()
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("refresh: %v\n%s", r.err, r.log.String())
	}
	writes := w.writes()
	if len(writes) != 1 || writes[0].Method != "FeatureStore.PublishTable" {
		t.Errorf("refresh wrote %v, want one publish", writes)
	}
	if !strings.Contains(r.summary(t), "Online tables") {
		t.Errorf("summary has no online tables:\n%s", r.summary(t))
	}
}

// TestCommandRefused: an unknown command, and status of a fleet, are input
// errors before any connection.
func TestCommandRefused(t *testing.T) {
	t.Parallel()
	in := baseInputs()
	in["command"] = "teardown"
	w := newFakeWorld()
	r := runAction(t, w, in)
	if r.err == nil || !strings.Contains(r.err.Error(), `invalid command "teardown"`) {
		t.Errorf("run(command teardown) error = %v", r.err)
	}
	if len(w.writes()) != 0 {
		t.Errorf("wrote %v", w.writes())
	}
}
