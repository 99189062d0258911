package rollout_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestRegions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1", "ap-southeast-1")
	results, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("Regions() error = %v", err)
	}
	for i, r := range results {
		if r.Error != "" || r.Endpoint == nil || r.Endpoint.Outcome != endpoint.OutcomeDeployed {
			t.Fatalf("region %d: %+v, want deployed", i, r)
		}
		if want := []string{"fraud-1=xregion_main_ml_fraud.ml.fraud@1"}; strings.Join(r.Endpoint.After.Served, ",") != want[0] {
			t.Errorf("region %s serves %v, want %v", r.Region, r.Endpoint.After.Served, want)
		}
		if len(r.OnlineStatus) != 1 || r.OnlineStatus[0].Name != "serving.default.ml_customer_features_online" {
			t.Errorf("region %s online tables %+v, want the feature table online", r.Region, r.OnlineStatus)
		}
	}
	if results[0].Region != "eu-west-1" || results[1].Region != "ap-southeast-1" {
		t.Errorf("regions = %s, %s; want them labelled from the metastores, in order", results[0].Region, results[1].Region)
	}
	// The endpoint in each region serves the model from the shared catalog.
	ep, err := w.targets[1].ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud"})
	if err != nil || ep.State.Ready != serving.EndpointStateReadyReady {
		t.Fatalf("endpoint in ap-southeast-1: %+v, %v; want ready", ep, err)
	}

	// Converged: a second rollout writes nothing anywhere.
	w.resetWrites()
	results, err = rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("second Regions() error = %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("second Regions() wrote %v, want no write", got)
	}
	for _, r := range results {
		if r.Endpoint.Outcome != endpoint.OutcomeUnchanged || r.Share.Op != xregion.OpUnchanged || r.Catalog.Op != xregion.OpUnchanged {
			t.Errorf("region %s second run: share %s, catalog %s, endpoint %s; want all unchanged", r.Region, r.Share.Op, r.Catalog.Op, r.Endpoint.Outcome)
		}
	}
}

func TestRegionsOneFailureDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1", "ap-southeast-1", "us-west-2")
	w.targets[1].ScriptDeployment("xregion_main_ml_fraud.ml.fraud", "1", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	results, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{Concurrency: 2}, noSleep)
	if !errors.Is(err, endpoint.ErrUpdateFailed) {
		t.Fatalf("Regions() error = %v, want the failed region's update error", err)
	}
	if !strings.Contains(err.Error(), "region ap-southeast-1:") || strings.Contains(err.Error(), "eu-west-1") {
		t.Errorf("Regions() error = %q, want it to name ap-southeast-1 only", err)
	}
	for i, r := range results {
		failed := i == 1
		if (r.Error != "") != failed {
			t.Errorf("region %s: error %q, want failed = %t", r.Region, r.Error, failed)
		}
	}
}

func TestPhases(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	share := baseSpec()
	share.Phase = rollout.PhaseShare
	res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], share, noSleep)
	if err != nil {
		t.Fatalf("Region(share) error = %v", err)
	}
	if res.Share == nil || res.Catalog != nil || res.Endpoint != nil {
		t.Fatalf("Region(share) = %+v, want the share step only", res)
	}
	if n := len(w.targets[0].Writes()); n != 0 {
		t.Errorf("share phase wrote %d times in the target, want 0", n)
	}

	// The deploy phase writes nothing in the source, even with access to it.
	deploy := baseSpec()
	deploy.Phase = rollout.PhaseDeploy
	w.resetWrites()
	res, err = rollout.Region(t.Context(), w.source(), w.regionTargets()[0], deploy, noSleep)
	if err != nil {
		t.Fatalf("Region(deploy) error = %v", err)
	}
	if res.Share != nil || res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeDeployed || res.Version != 1 {
		t.Fatalf("Region(deploy) = %+v, want catalog, online and endpoint for version 1", res)
	}
	if n := len(w.src.Writes()); n != 0 {
		t.Errorf("deploy phase wrote %d times in the source, want 0", n)
	}

	// And it runs with target credentials only, given the source metastore
	// and a version number: an alias would resolve through the shared
	// catalog, which shows new versions late.
	deploy.SourceMetastoreID = w.src.GlobalMetastoreID()
	if _, err = rollout.Region(t.Context(), rollout.Workspace{}, w.regionTargets()[0], deploy, noSleep); !errors.Is(err, xregion.ErrInvalidInput) {
		t.Fatalf("Region(deploy, no source, version %q) error = %v, want the version refused", deploy.Version, err)
	}
	deploy.Version = "1"
	if res, err = rollout.Region(t.Context(), rollout.Workspace{}, w.regionTargets()[0], deploy, noSleep); err != nil || res.Endpoint.Outcome != endpoint.OutcomeUnchanged {
		t.Fatalf("Region(deploy, no source) = %+v, %v; want the endpoint unchanged", res, err)
	}
}

func TestRegionsRejectBadInputBeforeWriting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec func() rollout.Spec
		src  bool
	}{
		{name: "model_not_three_parts", spec: func() rollout.Spec { s := baseSpec(); s.Model = "fraud"; return s }, src: true},
		{name: "bad_version", spec: func() rollout.Spec { s := baseSpec(); s.Version = "v2"; return s }, src: true},
		{name: "unknown_phase", spec: func() rollout.Spec { s := baseSpec(); s.Phase = "everything"; return s }, src: true},
		{name: "online_catalog_is_shared_catalog", spec: func() rollout.Spec { s := baseSpec(); s.OnlineCatalog = "xregion_main_ml_fraud"; return s }, src: true},
		{name: "feature_tables_without_online_catalog", spec: func() rollout.Spec { s := baseSpec(); s.OnlineCatalog = ""; return s }, src: true},
		{name: "bad_canary", spec: func() rollout.Spec { s := baseSpec(); s.Endpoint.Canary = []int{10, 5}; return s }, src: true},
		{name: "share_phase_without_source", spec: func() rollout.Spec { s := baseSpec(); s.Phase = rollout.PhaseShare; return s }},
		{name: "deploy_without_source_or_provider", spec: func() rollout.Spec { s := baseSpec(); s.Phase = rollout.PhaseDeploy; return s }},
		{name: "bad_endpoint_name", spec: func() rollout.Spec { s := baseSpec(); s.Endpoint.Name = "fraud endpoint"; return s }, src: true},
		{name: "bad_recipient", spec: func() rollout.Spec { s := baseSpec(); s.Recipient = "bad.name"; return s }, src: true},
		{name: "bad_provider", spec: func() rollout.Spec { s := baseSpec(); s.Provider = "bad name"; return s }, src: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "eu-west-1")
			var src rollout.Workspace
			if tt.src {
				src = w.source()
			}
			_, err := rollout.Regions(t.Context(), src, w.regionTargets(), tt.spec(), rollout.Plan{}, noSleep)
			if !errors.Is(err, xregion.ErrInvalidInput) {
				t.Fatalf("Regions() error = %v, want ErrInvalidInput", err)
			}
			if got := w.writes(); len(got) != 0 {
				t.Errorf("Regions() wrote %v before rejecting its input", got)
			}
		})
	}
}

// neverWait fails the test if a step asks to wait.
type neverWait struct{ t *testing.T }

func (n neverWait) NextBackOff() time.Duration {
	n.t.Error("a dry run waited")
	return backoff.Stop
}
func (neverWait) Reset() {}

func TestDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1", "ap-southeast-1")
	noWait := xregion.WithBackOff(func() backoff.BackOff { return neverWait{t} })
	plan, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noWait, xregion.WithDryRun())
	if err != nil {
		t.Fatalf("Regions(dry run) error = %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
	for _, r := range plan {
		if r.Share.Op != xregion.OpCreated || len(r.Share.Added) != 3 || r.Share.RecipientOp != xregion.OpCreated || r.Share.GrantOp != xregion.OpCreated {
			t.Errorf("region %s share plan = %+v, want the share, 3 objects, a recipient and a grant created", r.Region, r.Share)
		}
		if r.Catalog.Op != xregion.OpCreated {
			t.Errorf("region %s catalog plan = %s, want created", r.Region, r.Catalog.Op)
		}
		if r.Online == nil || r.Online.StoreOp != xregion.OpCreated || len(r.Online.Tables) != 1 || r.Online.Tables[0].Op != xregion.OpCreated {
			t.Errorf("region %s online plan = %+v, want a store and a table created", r.Region, r.Online)
		}
		if r.Endpoint == nil || r.Endpoint.Outcome != endpoint.OutcomePlanned || !r.Endpoint.Created {
			t.Errorf("region %s endpoint plan = %+v, want it planned for creation", r.Region, r.Endpoint)
		}
	}

	// After a real rollout, the plan is all unchanged.
	if _, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("Regions() error = %v", err)
	}
	w.resetWrites()
	plan, err = rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noWait, xregion.WithDryRun())
	if err != nil {
		t.Fatalf("Regions(dry run) after rollout error = %v", err)
	}
	for _, r := range plan {
		if r.Share.Op.Wrote() || r.Catalog.Op.Wrote() || r.Online.StoreOp.Wrote() || r.Online.Tables[0].Op.Wrote() || r.Endpoint.Outcome != endpoint.OutcomeUnchanged {
			t.Errorf("region %s plan after rollout = share %s, catalog %s, store %s, table %s, endpoint %s; want nothing to do",
				r.Region, r.Share.Op, r.Catalog.Op, r.Online.StoreOp, r.Online.Tables[0].Op, r.Endpoint.Outcome)
		}
	}
	if got := w.writes(); len(got) != 0 {
		t.Fatalf("dry run wrote %v", got)
	}
}
