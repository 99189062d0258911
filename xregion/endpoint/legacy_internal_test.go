package endpoint

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestDesiredFromServedModels checks that an endpoint configured through the
// deprecated served_models field is moved to served_entities, the new
// entity inheriting the served model's settings.
func TestDesiredFromServedModels(t *testing.T) {
	t.Parallel()
	ep := &serving.ServingEndpointDetailed{Name: "e", Config: &serving.EndpointCoreConfigOutput{
		ConfigVersion: 3,
		ServedModels: []serving.ServedModelOutput{{
			Name: "fraud-3", ModelName: "c.s.fraud", ModelVersion: "3", WorkloadSize: "Large",
			WorkloadType: serving.ServingModelWorkloadTypeGpuSmall, EnvironmentVars: map[string]string{"A": "1"},
			ForceSendFields: []string{"ScaleToZeroEnabled"},
		}},
		TrafficConfig: &serving.TrafficConfig{Routes: []serving.Route{{ServedModelName: "fraud-3", TrafficPercentage: 100}}},
	}}
	d := &deployer{spec: Spec{Name: "e", Entity: Entity{Name: "fraud-4", Model: "c.s.fraud", Version: 4}}}
	snap := snapshotOf(ep)
	if len(snap.ServedModels) != 1 || snap.TrafficConfig.Routes[0].ServedEntityName != "fraud-3" {
		t.Fatalf("snapshot = %+v, want the served model and a route by entity name", snap)
	}
	got := d.desired(snap)
	want := serving.EndpointCoreConfigInput{
		Name: "e",
		ServedEntities: []serving.ServedEntityInput{{
			Name: "fraud-4", EntityName: "c.s.fraud", EntityVersion: "4", WorkloadSize: "Large",
			WorkloadType: serving.ServingModelWorkloadTypeGpuSmall, EnvironmentVars: map[string]string{"A": "1"},
			ForceSendFields: []string{"ScaleToZeroEnabled"},
		}},
		TrafficConfig: &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: "fraud-4", TrafficPercentage: 100}}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("desired() mismatch (-want +got):\n%s", diff)
	}
	if d.assess(ep) != stateLegacy {
		t.Errorf("assess() = %d, want stateLegacy", d.assess(ep))
	}
}

// TestRequestsFor checks the requests a probe sends through the routes.
func TestRequestsFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ k, weight, want int }{
		{1, 100, 1}, {20, 100, 20}, {1, 10, 44}, {1, 50, 7}, {5, 0, 5},
	}
	for _, tt := range tests {
		if got := requestsFor(tt.k, tt.weight); got != tt.want {
			t.Errorf("requestsFor(%d, %d) = %d, want %d", tt.k, tt.weight, got, tt.want)
		}
	}
	// 20 answers at 10%: enough requests that P(at least 20) >= 0.99, and
	// one fewer is not enough.
	n := requestsFor(20, 10)
	if atLeast(n, 20, 0.1) < 0.99 || atLeast(n-1, 20, 0.1) >= 0.99 {
		t.Errorf("requestsFor(20, 10) = %d: P = %.4f, P(n-1) = %.4f", n, atLeast(n, 20, 0.1), atLeast(n-1, 20, 0.1))
	}
}

// TestAssessServedModelsSplit checks that a split over served models, which
// xregion did not set up, is refused rather than collapsed.
func TestAssessServedModelsSplit(t *testing.T) {
	t.Parallel()
	ep := &serving.ServingEndpointDetailed{Name: "e", State: &serving.EndpointState{}, Config: &serving.EndpointCoreConfigOutput{
		ServedModels: []serving.ServedModelOutput{
			{Name: "a", ModelName: "c.s.fraud", ModelVersion: "3", WorkloadSize: "Small"},
			{Name: "b", ModelName: "c.s.fraud", ModelVersion: "4", WorkloadSize: "Small"},
		},
		TrafficConfig: &serving.TrafficConfig{Routes: []serving.Route{{ServedModelName: "a", TrafficPercentage: 50}, {ServedModelName: "b", TrafficPercentage: 50}}},
	}}
	d := &deployer{spec: Spec{Name: "e", Entity: Entity{Name: "fraud-5", Model: "c.s.fraud", Version: 5}}}
	if got := d.assess(ep); got != stateForeignSplit {
		t.Errorf("assess() = %d, want stateForeignSplit", got)
	}
}
