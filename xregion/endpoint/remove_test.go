package endpoint_test

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestRemove walks the rules of Remove: only an endpoint xregion created for
// the model, serving only the model and not being changed, is deleted; every
// other endpoint keeps serving and no write reaches it.
func TestRemove(t *testing.T) {
	owned := []serving.EndpointTag{{Key: endpoint.OwnerTag, Value: model}}
	foreign := serving.ServedEntityOutput{Name: "churn-1", EntityName: "fraud_shared.ml.churn", EntityVersion: "1", WorkloadSize: "Small"}
	for _, tc := range []struct {
		name    string
		tags    []serving.EndpointTag
		extra   *serving.ServedEntityOutput
		state   serving.EndpointStateConfigUpdate
		adopt   bool
		wantOp  xregion.Op
		deleted bool
	}{
		{name: "made by xregion for the model", tags: owned, wantOp: xregion.OpRemoved, deleted: true},
		{name: "owner tag in another case", tags: []serving.EndpointTag{{Key: endpoint.OwnerTag, Value: "FRAUD_SHARED.ml.fraud"}}, wantOp: xregion.OpRemoved, deleted: true},
		{name: "not made by xregion", wantOp: xregion.OpKept},
		{name: "not made by xregion, adopted", adopt: true, wantOp: xregion.OpRemoved, deleted: true},
		{name: "made for another model", tags: []serving.EndpointTag{{Key: endpoint.OwnerTag, Value: "fraud_shared.ml.churn"}}, adopt: true, wantOp: xregion.OpKept},
		{name: "serves another model too", tags: owned, extra: &foreign, wantOp: xregion.OpKept},
		{name: "adopted but serves another model too", adopt: true, extra: &foreign, wantOp: xregion.OpKept},
		{name: "update in progress", tags: owned, state: serving.EndpointStateConfigUpdateInProgress, wantOp: xregion.OpKept},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := xregiontest.NewWorkspace()
			seedVersions(ws)
			live := []serving.ServedEntityOutput{liveEntity()}
			routes := []serving.Route{{ServedEntityName: "fraud-3", TrafficPercentage: 100}}
			if tc.extra != nil {
				live = append(live, *tc.extra)
				routes = []serving.Route{{ServedEntityName: "fraud-3", TrafficPercentage: 50}, {ServedEntityName: tc.extra.Name, TrafficPercentage: 50}}
			}
			ep := serving.ServingEndpointDetailed{Name: name, Tags: tc.tags, Config: &serving.EndpointCoreConfigOutput{
				ConfigVersion: 7, ServedEntities: live, TrafficConfig: &serving.TrafficConfig{Routes: routes},
			}}
			if tc.state != "" {
				ep.State = &serving.EndpointState{ConfigUpdate: tc.state, Ready: serving.EndpointStateReadyReady}
				ep.PendingConfig = &serving.EndpointPendingConfig{ConfigVersion: 8, ServedEntities: live, TrafficConfig: &serving.TrafficConfig{Routes: routes}}
			}
			ws.AddEndpoint(ep)

			plan, err := endpoint.Remove(t.Context(), ws.ServingEndpoints, name, model, tc.adopt, xregion.WithDryRun())
			if err != nil {
				t.Fatalf("dry run: %v", err)
			}
			if n := len(ws.Writes()); n != 0 {
				t.Fatalf("the dry run wrote %d times", n)
			}
			got, err := endpoint.Remove(t.Context(), ws.ServingEndpoints, name, model, tc.adopt)
			if err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if *got != *plan {
				t.Errorf("the dry run planned %v, the run did %v", plan, got)
			}
			if got.Op != tc.wantOp || got.Kind != xregion.KindEndpoint || got.Name != name {
				t.Errorf("Remove = %v, want op %s", got, tc.wantOp)
			}
			if (got.Op == xregion.OpKept) != (got.Why != "") {
				t.Errorf("a kept endpoint says why, a removed one does not: %v", got)
			}
			_, err = ws.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: name})
			if gone := apierr.IsMissing(err); gone != tc.deleted {
				t.Errorf("endpoint gone = %v, want %v (err %v)", gone, tc.deleted, err)
			}
			if !tc.deleted && len(ws.Writes()) != 0 {
				t.Errorf("a kept endpoint was written to: %v", ws.Writes())
			}
		})
	}
}

// TestRemoveIsIdempotent: a missing endpoint is absent, and a delete that
// finds it already gone (a run that crashed after the delete landed) is
// absent too, not an error.
func TestRemoveIsIdempotent(t *testing.T) {
	ws := xregiontest.NewWorkspace()
	got, err := endpoint.Remove(t.Context(), ws.ServingEndpoints, name, model, false)
	if err != nil || got.Op != xregion.OpAbsent {
		t.Fatalf("Remove of a missing endpoint = %v, %v; want absent", got, err)
	}

	seedTarget(ws, liveEntity())
	ws.Inject(xregiontest.Fault{Method: "ServingEndpoints.Delete", Err: apierr.ErrInternalError, AfterCommit: true})
	if _, err := endpoint.Remove(t.Context(), ws.ServingEndpoints, name, model, true); err == nil {
		t.Fatal("a failed delete was not reported")
	}
	got, err = endpoint.Remove(t.Context(), ws.ServingEndpoints, name, model, true)
	if err != nil || got.Op != xregion.OpAbsent {
		t.Fatalf("the re-run = %v, %v; want absent", got, err)
	}
}
