package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const sharedModel = "xregion_main_ml_fraud.ml.fraud"

// A new endpoint whose first deployment fails is deleted: the summary must
// not claim that a previous config serves again.
func TestSummaryNewEndpointDeleted(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.dst.ScriptDeployment(sharedModel, "1", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	r := runAction(t, w, baseInputs())
	if r.err == nil {
		t.Fatal("run() error = nil, want the failed deployment to fail the step")
	}
	out := r.outputs(t)
	if out["rolled-back"] != "true" || out["served-version"] != "" || out["previous-version"] != "" || out["model-version"] != "1" {
		t.Errorf("outputs rolled-back=%q served-version=%q previous-version=%q model-version=%q, want true, empty, empty, 1",
			out["rolled-back"], out["served-version"], out["previous-version"], out["model-version"])
	}
	golden(t, "summary_new_endpoint_deleted", r.summary(t))
}

// A run interrupted while it waits for online tables says how many are
// online, as its result does.
func TestSummaryInterruptedDuringWaitOnline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newFakeWorld()
		w.dst.ScriptTable("serving.default.ml_customer_features_online", xregiontest.SyncStep{
			State:        database.SyncedTableStateSyncedTableProvisioningInitialSnapshot,
			Provisioning: database.ProvisioningInfoStateProvisioning,
		})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go func() {
			// Well into the wait, between two polls: the runner sends SIGINT.
			time.Sleep(62500 * time.Millisecond)
			cancel()
		}()
		r := runActionWith(t, ctx, w, baseInputs(), xregion.WithPollInterval(5*time.Second))
		if r.err == nil {
			t.Fatal("run() error = nil, want the interruption to fail the step")
		}
		if res := r.outputs(t)["result"]; !strings.Contains(res, `"phase":"pending"`) {
			t.Errorf("result output = %s, want the table pending", res)
		}
		golden(t, "summary_interrupted_wait_online", r.summary(t))
	})
}

// A run failing after discovery shows the version it resolved, in the
// summary and in model-version.
func TestSummaryFailureAfterDiscovery(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.dst.Inject(xregiontest.Fault{Method: "Metastores.Summary", Err: xregiontest.Unavailable("metastore service is down")})
	in := baseInputs()
	in["version"] = "latest"
	r := runAction(t, w, in)
	if r.err == nil {
		t.Fatal("run() error = nil, want the failed read to fail the step")
	}
	if got := r.outputs(t)["model-version"]; got != "2" {
		t.Errorf("model-version = %q, want the resolved version 2", got)
	}
	golden(t, "summary_failed_after_discovery", r.summary(t))
}

// Health checks: a probe name with a table separator stays in its cell,
// status and detail are apart, and latencies are rounded.
func TestSummaryHealthChecks(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newFakeWorld()
		w.dst.ScriptQuery(sharedModel, "1", xregiontest.QueryScript{Latency: 67515377 * time.Nanosecond})
		probes := filepath.Join(t.TempDir(), "probes.json")
		if err := os.WriteFile(probes, []byte(`{"probes": [
			{"name": "smoke | p50", "request": {"dataframe_records": [{"customer_id": 42}]}, "expect": {"path": "predictions.0"}},
			{"name": "latency", "request": {"dataframe_records": [{"customer_id": 42}]}, "expect": {"latency_p95": "300ms", "requests": 20}}
		]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		in := baseInputs()
		in["health-checks"] = probes
		r := runAction(t, w, in)
		if r.err != nil {
			t.Fatalf("run() error = %v\n%s", r.err, r.log.String())
		}
		golden(t, "summary_health_checks", r.summary(t))
	})
}

// A failed deployment left as it failed (on-failure: freeze) says so.
func TestSummaryFrozen(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("first run() error = %v", r.err)
	}
	w.dst.ScriptDeployment(sharedModel, "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	in := baseInputs()
	in["version"], in["on-failure"] = "2", "freeze"
	r := runAction(t, w, in)
	if r.err == nil {
		t.Fatal("run() error = nil, want the failed deployment to fail the step")
	}
	golden(t, "summary_frozen", r.summary(t))
}

// A plan against an endpoint with an update in progress says what it
// would do, with no failure row.
func TestSummaryPlanDuringUpdate(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("first run() error = %v", r.err)
	}
	// Someone starts an update, still in progress when the plan runs.
	w.dst.ScriptDeployment(sharedModel, "1", xregiontest.Deployment{Polls: 100})
	if _, err := w.dst.ServingEndpoints.UpdateConfig(t.Context(), serving.EndpointCoreConfigInput{Name: "fraud", ServedEntities: []serving.ServedEntityInput{
		{Name: "fraud-1b", EntityName: sharedModel, EntityVersion: "1", WorkloadSize: "Small"},
	}}); err != nil {
		t.Fatal(err)
	}
	in := baseInputs()
	in["version"], in["dry-run"] = "2", "true"
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v", r.err)
	}
	golden(t, "summary_plan_during_update", r.summary(t))
}
