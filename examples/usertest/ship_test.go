package usertest_test

import (
	"encoding/json"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/examples/usertest"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestShipChampion ships version 2 to two regions; in one of them the new
// version answers badly and must be rolled back to version 1.
func TestShipChampion(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	ap := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-southeast-1"))
	xregiontest.Link(src, eu, ap)
	for v := 1; v <= 2; v++ {
		src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	smoke := endpoint.Probe{
		Name:    "smoke",
		Request: json.RawMessage(`{"dataframe_records": [{"amount": 10}]}`),
		Expect:  endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.1, Requests: 20},
	}
	noSleep := xregion.WithoutPause()
	s := rollouttest.Workspace(src)
	regions := []rollout.Target{{Workspace: rollouttest.Workspace(eu)}, {Workspace: rollouttest.Workspace(ap)}}

	// Version 1 is the champion and ships everywhere.
	src.SetAlias("main.ml.fraud", "champion", 1)
	if _, err := usertest.ShipChampion(t.Context(), s, regions, "main.ml.fraud", smoke, noSleep); err != nil {
		t.Fatalf("ShipChampion(v1) error = %v", err)
	}

	// Version 2 becomes champion; in ap-southeast-1 it answers badly.
	src.SetAlias("main.ml.fraud", "champion", 2)
	ap.ScriptQuery("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.QueryScript{Predictions: []any{0.97}})
	got, err := usertest.ShipChampion(t.Context(), s, regions, "main.ml.fraud", smoke, noSleep)
	if err != nil {
		t.Fatalf("ShipChampion(v2) error = %v", err)
	}
	want := &usertest.Report{Version: 2, Shipped: []string{"eu-west-1"}, RolledBack: []string{"ap-southeast-1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ShipChampion(v2) mismatch (-want +got):\n%s", diff)
	}
	// ap-southeast-1 serves version 1 again.
	ep, err := ap.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud"})
	if err != nil {
		t.Fatal(err)
	}
	if v := ep.Config.ServedEntities[0].EntityVersion; v != "1" || len(ep.Config.ServedEntities) != 1 {
		t.Errorf("ap-southeast-1 serves %+v, want version 1 only", ep.Config.ServedEntities)
	}
}
