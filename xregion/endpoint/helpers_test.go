package endpoint_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// noSleep polls without waiting, so tests never sleep for real.
var noSleep = xregion.WithoutPause()

const (
	model = "fraud_shared.ml.fraud"
	name  = "fraud-eu"
)

// liveEntity is the served entity of version 3, as the endpoint serves it
// before a deployment: with false booleans and settings a rollback must
// bring back exactly.
func liveEntity() serving.ServedEntityOutput {
	return serving.ServedEntityOutput{
		Name: "fraud-3", EntityName: model, EntityVersion: "3",
		WorkloadSize: "Medium", WorkloadType: serving.ServingModelWorkloadTypeCpu,
		ScaleToZeroEnabled: false, BurstScalingEnabled: false,
		EnvironmentVars: map[string]string{"FEATURE_FLAG": "on", "API_KEY": "{{secrets/fraud/api_key}}"},
	}
}

// target returns a workspace holding versions 3, 4 and 5 of the model and an
// endpoint serving version 3 at config version 7.
func target(t *testing.T) *xregiontest.Workspace {
	t.Helper()
	return targetWith(t)
}

// targetWith is target made with more workspace options.
func targetWith(t *testing.T, opts ...xregiontest.Option) *xregiontest.Workspace {
	t.Helper()
	ws := xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", "eu-west-1")}, opts...)...)
	seedTarget(ws, liveEntity())
	return ws
}

// seedVersions adds versions 3, 4 and 5 of the model.
func seedVersions(ws *xregiontest.Workspace) {
	for v := 3; v <= 5; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "fraud_shared", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
}

// seedTarget adds versions 3, 4 and 5 of the model and an endpoint serving
// live (version 3) at config version 7.
func seedTarget(ws *xregiontest.Workspace, live serving.ServedEntityOutput) {
	seedVersions(ws)
	ws.AddEndpoint(serving.ServingEndpointDetailed{
		Name: name,
		Config: &serving.EndpointCoreConfigOutput{
			ConfigVersion:  7,
			ServedEntities: []serving.ServedEntityOutput{live},
			TrafficConfig:  &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: live.Name, TrafficPercentage: 100}}},
			AutoCaptureConfig: &serving.AutoCaptureConfigOutput{
				CatalogName: "ops", SchemaName: "inference", TableNamePrefix: "fraud_eu", Enabled: true,
			},
		},
	})
}

func spec(version int) endpoint.Spec {
	return endpoint.Spec{Name: name, Entity: endpoint.Entity{Model: model, Version: version, WorkloadSize: "Small"}}
}

func read(t *testing.T, ws *xregiontest.Workspace) *serving.ServingEndpointDetailed {
	t.Helper()
	ep, err := ws.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: name})
	if err != nil {
		t.Fatalf("read endpoint: %v", err)
	}
	return ep
}

// liveConfig is the part of an endpoint's config a rollback restores.
type liveConfig struct {
	Entities    []serving.ServedEntityOutput
	Routes      []serving.Route
	AutoCapture *serving.AutoCaptureConfigOutput
}

// configOf takes the live config as the service holds it
// (ws.EndpointConfig), not as its GET shows it.
func configOf(c *serving.EndpointCoreConfigOutput) liveConfig {
	lc := liveConfig{Entities: c.ServedEntities, AutoCapture: c.AutoCaptureConfig}
	if c.TrafficConfig != nil {
		lc.Routes = c.TrafficConfig.Routes
	}
	return lc
}

// restoredOpts compare configs as a rollback must restore them: output-only
// fields aside, every field equal, false booleans included.
var restoredOpts = cmp.Options{
	cmpopts.IgnoreFields(serving.ServedEntityOutput{}, "State", "CreationTimestamp", "Creator", "ForceSendFields"),
	cmpopts.IgnoreFields(serving.Route{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.AutoCaptureConfigOutput{}, "State", "ForceSendFields"),
	cmpopts.EquateEmpty(),
}

// wantSnapshot is the config of target before any deployment.
func wantSnapshot() liveConfig {
	return liveConfig{
		Entities:    []serving.ServedEntityOutput{liveEntity()},
		Routes:      []serving.Route{{ServedEntityName: "fraud-3", TrafficPercentage: 100}},
		AutoCapture: &serving.AutoCaptureConfigOutput{CatalogName: "ops", SchemaName: "inference", TableNamePrefix: "fraud_eu", Enabled: true},
	}
}

// alwaysServing fails the test if the endpoint's history shows a moment
// without a ready config.
func alwaysServing(t *testing.T, ws *xregiontest.Workspace) {
	t.Helper()
	for _, ev := range ws.EndpointHistory(name) {
		if !ev.Ready {
			t.Errorf("at tick %d the endpoint had no ready config: %+v", ev.Tick, ev)
		}
	}
}
