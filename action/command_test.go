package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
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

// TestCommandRefused: an unknown command is an input error before any
// connection.
func TestCommandRefused(t *testing.T) {
	t.Parallel()
	in := baseInputs()
	in["command"] = "destroy"
	w := newFakeWorld()
	r := runAction(t, w, in)
	if r.err == nil || !strings.Contains(r.err.Error(), `invalid command "destroy"`) {
		t.Errorf("run(command destroy) error = %v", r.err)
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

// TestCommandTeardown: without confirm a teardown is an input error naming
// confirm and calls nothing; a dry run lists the objects and writes
// nothing; with confirm it removes them and a second run writes nothing.
func TestCommandTeardown(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("rollout: %v\n%s", r.err, r.log.String())
	}
	w.resetWrites()
	in := baseInputs()
	in["command"] = "teardown"
	calls := w.src.TotalCalls() + w.dst.TotalCalls()
	r := runAction(t, w, in)
	if r.err == nil || !strings.Contains(r.err.Error(), "confirm") {
		t.Fatalf("teardown without confirm: error %v, want one naming confirm", r.err)
	}
	if n := w.src.TotalCalls() + w.dst.TotalCalls() - calls; n != 0 {
		t.Errorf("an unconfirmed teardown made %d calls", n)
	}

	in["dry-run"] = "true"
	r = runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("dry run: %v\n%s", r.err, r.log.String())
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("the dry run wrote %v", got)
	}
	sum := r.summary(t)
	for _, want := range []string{"dry run", "| endpoint | `fraud` | would be removed |", "| share | `xregion_main_ml_fraud` | would be removed |", "| online-store | `serving-online-store` | kept: "} {
		if !strings.Contains(sum, want) {
			t.Errorf("dry-run summary lacks %q:\n%s", want, sum)
		}
	}

	in["dry-run"], in["confirm"] = "false", "main.ml.fraud"
	r = runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("teardown: %v\n%s", r.err, r.log.String())
	}
	var res rollout.TeardownResult
	if err := json.Unmarshal([]byte(r.outputs(t)["teardown"]), &res); err != nil {
		t.Fatalf("teardown output: %v", err)
	}
	if res.Count(xregion.OpRemoved) < 5 || res.Count(xregion.OpKept) != 1 {
		t.Errorf("teardown output %+v: want the endpoint, table, catalog, grant, recipient, objects and share removed, the store kept", res.Removals)
	}
	noSecrets(t, r, srcToken, dstSecret)
	w.resetWrites()
	if r = runAction(t, w, in); r.err != nil {
		t.Fatalf("second teardown: %v", r.err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("the second teardown wrote %v", got)
	}
}

// TestCommandTeardownOfAFleet tears a three-region fleet down: every region
// and the source once.
func TestCommandTeardownOfAFleet(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, regionsYAML)
	if r := runFleetAction(t, w, in); r.err != nil {
		t.Fatalf("rollout: %v\n%s", r.err, r.log.String())
	}
	in["command"], in["confirm"] = "teardown", "main.ml.fraud"
	r := runFleetAction(t, w, in)
	if r.err != nil {
		t.Fatalf("teardown: %v\n%s", r.err, r.log.String())
	}
	noSecrets(t, r, euToken, apSecret, usToken, srcToken)
	var ft rollout.FleetTeardown
	if err := json.Unmarshal([]byte(r.outputs(t)["teardown"]), &ft); err != nil {
		t.Fatalf("teardown output: %v", err)
	}
	if len(ft.Regions) != 3 || ft.Source == nil {
		t.Fatalf("teardown output: %d regions, source %v; want 3 and the source", len(ft.Regions), ft.Source)
	}
	for _, reg := range ft.Regions {
		if reg.Removals[0].Kind != xregion.KindEndpoint || reg.Removals[0].Op != xregion.OpRemoved {
			t.Errorf("region %s: %v, want its endpoint removed first", reg.Region, reg.Removals)
		}
	}
	if got := ft.Source.Removals[len(ft.Source.Removals)-1]; got.Kind != xregion.KindShare || got.Op != xregion.OpRemoved {
		t.Errorf("source ends with %v, want the share removed", got)
	}
	if !strings.Contains(r.summary(t), "| us-west-2 | catalog |") {
		t.Errorf("summary lacks us-west-2:\n%s", r.summary(t))
	}
}
