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

// TestCommandStatusAndRefreshOfAFleet: status of a converged fleet finds no
// drift and writes nothing; after the version moves it finds drift in every
// region; refresh syncs every region's online table again.
func TestCommandStatusAndRefreshOfAFleet(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, regionsYAML)
	if r := runFleetAction(t, w, in); r.err != nil {
		t.Fatalf("rollout: %v\n%s", r.err, r.log.String())
	}
	w.resetWrites()
	in["command"], in["fail-on-drift"] = "status", "true"
	r := runFleetAction(t, w, in)
	if r.err != nil {
		t.Fatalf("status of a converged fleet: %v\n%s", r.err, r.log.String())
	}
	noSecrets(t, r, euToken, apSecret, usToken, srcToken)
	out := r.outputs(t)
	for _, region := range []string{"eu-west-1", "ap-southeast-1", "us-west-2"} {
		if !strings.Contains(out["status"], `"`+region+`":`) || !strings.Contains(r.summary(t), "→ "+region) {
			t.Errorf("status lacks region %s: %s", region, out["status"])
		}
	}
	if out["drift"] != "false" {
		t.Errorf("drift = %q, want false", out["drift"])
	}
	in["version"] = "2"
	if r = runFleetAction(t, w, in); r.err == nil || r.outputs(t)["drift"] != "true" {
		t.Errorf("status after the version moved: error %v, drift %q; want drift and a failure", r.err, r.outputs(t)["drift"])
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("status wrote %v", got)
	}

	in["command"], in["version"] = "refresh", "1"
	delete(in, "fail-on-drift")
	if r = runFleetAction(t, w, in); r.err != nil {
		t.Fatalf("refresh: %v\n%s", r.err, r.log.String())
	}
	publishes := 0
	for _, wr := range w.writes() {
		if wr.Method != "FeatureStore.PublishTable" {
			t.Errorf("refresh wrote %v", wr)
		}
		publishes++
	}
	if publishes != 3 {
		t.Errorf("refresh published %d tables, want one per region", publishes)
	}
}
