package rollout_test

import (
	"context"
	"fmt"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// ExampleRegions rolls a model version out to three regions in two waves,
// all-or-nothing: the canary region eu-west-1 first, then the others. The
// new version fails to load in us-west-2, so eu-west-1 and ap-southeast-1,
// which shipped, are restored to what they served before.
func ExampleRegions() {
	ctx := context.Background()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1})
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 2})
	all := []*xregiontest.Workspace{src}
	var targets []rollout.Target
	for _, r := range []string{"eu-west-1", "ap-southeast-1", "us-west-2"} {
		ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", r))
		all = append(all, ws)
		targets = append(targets, rollout.Target{Region: r, Workspace: rollouttest.Workspace(ws)})
	}
	xregiontest.Link(all...)
	source := rollouttest.Workspace(src)
	fast := xregion.WithoutPause() // the fakes settle at once

	// Version 1 everywhere, in one wave.
	if _, err := rollout.Regions(ctx, source, targets, rollout.Spec{Model: "main.ml.fraud", Version: "1"}, rollout.Plan{}, fast); err != nil {
		fmt.Println(err)
		return
	}
	// Version 2 in two waves; it fails to load in us-west-2.
	all[3].ScriptDeployment("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	plan := rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}, AllOrNothing: true}
	results, _ := rollout.Regions(ctx, source, targets, rollout.Spec{Model: "main.ml.fraud", Version: "2"}, plan, fast)
	for _, r := range results {
		after := r.Endpoint.After.Served
		if r.Restored != nil {
			after = r.Restored.Endpoint.After.Served
		}
		fmt.Printf("%s: wave %d, %s, serves %v\n", r.Region, r.Wave, r.Status, after)
	}
	// Output:
	// eu-west-1: wave 1, restored, serves [fraud-1=xregion_main_ml_fraud.ml.fraud@1]
	// ap-southeast-1: wave 2, restored, serves [fraud-1=xregion_main_ml_fraud.ml.fraud@1]
	// us-west-2: wave 2, failed, serves [fraud-1=xregion_main_ml_fraud.ml.fraud@1]
}
