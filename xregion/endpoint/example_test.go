package endpoint_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// exampleTarget returns a workspace whose endpoint fraud-eu serves version 3
// of the model; version 4 answers badly.
func exampleTarget() *xregiontest.Workspace {
	ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	for v := 3; v <= 5; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "fraud_shared", SchemaName: "ml", ModelName: "fraud", Version: v})
	}
	ws.AddEndpoint(serving.ServingEndpointDetailed{Name: "fraud-eu", Config: &serving.EndpointCoreConfigOutput{
		ConfigVersion: 1,
		ServedEntities: []serving.ServedEntityOutput{
			{Name: "fraud-3", EntityName: "fraud_shared.ml.fraud", EntityVersion: "3", WorkloadSize: "Small"},
		},
	}})
	ws.ScriptQuery("fraud_shared.ml.fraud", "4", xregiontest.QueryScript{Predictions: []any{0.97}})
	return ws
}

// Deploy version 5 with a canary and a probe; then try version 4, which
// fails its probe and is rolled back. WithoutPause polls without pausing, as
// in tests; leave it out to poll every 1s to 30s.
func ExampleDeployWithRollback() {
	ctx := context.Background()
	ws := exampleTarget()
	poll := xregion.WithoutPause()
	smoke := endpoint.Probe{
		Name:    "smoke",
		Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42, "amount": 310.5}]}`),
		Expect:  endpoint.Expect{Path: "predictions.0", Equals: json.RawMessage(`0.5`), Tolerance: 0.1, Requests: 10},
	}

	for _, version := range []int{5, 4} {
		res, err := endpoint.DeployWithRollback(ctx, ws.ServingEndpoints, endpoint.Spec{
			Name:   "fraud-eu",
			Entity: endpoint.Entity{Model: "fraud_shared.ml.fraud", Version: version},
			Canary: []int{20, 100},
			Probes: []endpoint.Probe{smoke},
		}, poll)
		fmt.Printf("version %d: %s, config %d %v -> %d %v\n", version, res.Outcome, res.Before.Version, res.Before.Served, res.After.Version, res.After.Served)
		if err != nil {
			fmt.Println("  stage:", res.Stage)
		}
	}
	// Output:
	// version 5: deployed, config 1 [fraud-3=fraud_shared.ml.fraud@3] -> 3 [fraud-5=fraud_shared.ml.fraud@5]
	// version 4: rolled-back, config 3 [fraud-5=fraud_shared.ml.fraud@5] -> 5 [fraud-5=fraud_shared.ml.fraud@5]
	//   stage: canary 20%
}
