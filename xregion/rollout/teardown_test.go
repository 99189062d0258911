package rollout_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

var confirmed = rollout.TeardownSpec{Confirm: "main.ml.fraud"}

// rolledOut is a world of the given regions with the model rolled out to
// every one of them.
func rolledOut(t *testing.T, regions ...string) world {
	t.Helper()
	w := newWorld(t, regions...)
	if _, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("rollout: %v", err)
	}
	w.resetWrites()
	return w
}

// removals flattens a fleet teardown into "region kind name op" lines.
func removals(ft *rollout.FleetTeardown) []string {
	var out []string
	for _, r := range append(ft.Regions, ft.Source) {
		if r == nil {
			continue
		}
		for _, rm := range r.Removals {
			out = append(out, r.Region+" "+string(rm.Kind)+" "+rm.Name+" "+string(rm.Op))
		}
	}
	return out
}

// onlineTableExists reads the table through both Lakebase APIs.
func onlineTableExists(t *testing.T, ws *xregiontest.Workspace, name string) bool {
	t.Helper()
	_, err1 := ws.Postgres.GetSyncedTable(t.Context(), postgres.GetSyncedTableRequest{Name: "synced_tables/" + name})
	_, err2 := ws.Database.GetSyncedDatabaseTable(t.Context(), database.GetSyncedDatabaseTableRequest{Name: name})
	return !(apierr.IsMissing(err1) && apierr.IsMissing(err2)) // a 400 from the API that does not own it is not "exists"
}

// TestTeardownFleet tears a two-region rollout down: the dry run lists
// what the run then does and writes nothing; without confirmation nothing
// is called at all; the run removes every object xregion made for the
// model (the store, unmarked and not provably empty, stays with a reason);
// a second run finds everything absent and writes nothing.
func TestTeardownFleet(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1", "ap-southeast-1")

	calls := w.src.TotalCalls()
	_, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.TeardownSpec{Confirm: "main.ml.other"}, rollout.Plan{}, noSleep)
	if !errors.Is(err, xregion.ErrInvalidInput) || !strings.Contains(err.Error(), "confirm") {
		t.Fatalf("teardown with a wrong confirmation: err = %v, want an input error naming confirm", err)
	}
	if n := w.src.TotalCalls() - calls; n != 0 || len(w.writes()) != 0 {
		t.Fatalf("an unconfirmed teardown made %d calls on the source and wrote %v", n, w.writes())
	}

	plan, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.TeardownSpec{}, rollout.Plan{}, noSleep, xregion.WithDryRun())
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Fatalf("the dry run wrote %v", got)
	}

	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	if diff := cmp.Diff(removals(plan), removals(ft)); diff != "" {
		t.Errorf("the dry run planned otherwise than the run did (-plan +run):\n%s", diff)
	}
	want := []string{
		"eu-west-1 endpoint fraud removed",
		"eu-west-1 online-table " + onlineTable + " removed",
		"eu-west-1 online-store serving-online-store kept",
		"eu-west-1 catalog xregion_main_ml_fraud removed",
		"ap-southeast-1 endpoint fraud removed",
		"ap-southeast-1 online-table " + onlineTable + " removed",
		"ap-southeast-1 online-store serving-online-store kept",
		"ap-southeast-1 catalog xregion_main_ml_fraud removed",
	}
	got := removals(ft)
	if diff := cmp.Diff(want, got[:min(len(got), len(want))]); diff != "" {
		t.Errorf("target side (-want +got):\n%s", diff)
	}
	src := strings.Join(got, "\n")
	for _, line := range []string{"source grant", "source recipient", "source share-object main.ml.fraud", "source share xregion_main_ml_fraud removed"} {
		if !strings.Contains(src, line) {
			t.Errorf("source side lacks %q:\n%s", line, src)
		}
	}
	if strings.Contains(src, " kept") && strings.Count(src, " kept") != 2 {
		t.Errorf("only the two stores may be kept:\n%s", src)
	}
	for _, ws := range w.targets {
		if _, err := ws.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud"}); !apierr.IsMissing(err) {
			t.Errorf("endpoint still there: %v", err)
		}
		if _, err := ws.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "xregion_main_ml_fraud"}); !apierr.IsMissing(err) {
			t.Errorf("shared catalog still there: %v", err)
		}
		if onlineTableExists(t, ws, onlineTable) {
			t.Errorf("online table still there")
		}
	}
	if _, err := w.src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "xregion_main_ml_fraud"}); !apierr.IsMissing(err) {
		t.Errorf("share still there: %v", err)
	}
	for _, r := range ft.Regions {
		if r.Count(xregion.OpKept) != 1 || !strings.Contains(r.Removals[2].Why, "adopt") {
			t.Errorf("region %s: the store must be kept with a reason that says how to remove it: %v", r.Region, r.Removals)
		}
	}

	w.resetWrites()
	again, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("second teardown: %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("the second teardown wrote %v", got)
	}
	for _, line := range removals(again) {
		if !strings.HasSuffix(line, " absent") && !strings.Contains(line, "online-store") {
			t.Errorf("second teardown: %q, want absent", line)
		}
	}
}

// TestTeardownLeavesWhatOthersUse: an object a user added to the share, a
// grant to another recipient, another model's endpoint and online table,
// and an endpoint xregion did not create that serves the model all survive
// a teardown; and while that endpoint serves the model, what it reads
// stays too.
func TestTeardownLeavesWhatOthersUse(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1")
	dst := w.targets[0]
	// A user's table in the model's share, and a grant to a partner.
	w.src.AddTable(catalog.TableInfo{FullName: "main.ml.partner_view"})
	if _, err := w.src.Shares.Update(t.Context(), sharing.UpdateShare{Name: "xregion_main_ml_fraud", Updates: []sharing.SharedDataObjectUpdate{{
		Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: "main.ml.partner_view", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
	}}}); err != nil {
		t.Fatal(err)
	}
	// Another model's endpoint in the region.
	dst.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "other", SchemaName: "ml", ModelName: "churn", Version: 1})
	dst.AddEndpoint(serving.ServingEndpointDetailed{Name: "churn", Config: &serving.EndpointCoreConfigOutput{
		ServedEntities: []serving.ServedEntityOutput{{Name: "churn-1", EntityName: "other.ml.churn", EntityVersion: "1", WorkloadSize: "Small"}},
	}})
	// An endpoint a user made that serves the model from the shared catalog.
	dst.AddEndpoint(serving.ServingEndpointDetailed{Name: "fraud-shadow", Config: &serving.EndpointCoreConfigOutput{
		ServedEntities: []serving.ServedEntityOutput{{Name: "fraud-1", EntityName: "xregion_main_ml_fraud.ml.fraud", EntityVersion: "1", WorkloadSize: "Small"}},
	}})
	w.resetWrites()

	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	// The model's own endpoint goes; the shadow keeps the rest in place.
	for _, line := range []string{"eu-west-1 endpoint fraud removed", "eu-west-1 catalog xregion_main_ml_fraud kept", "source share xregion_main_ml_fraud kept"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	if !strings.Contains(ft.Regions[0].Removals[len(ft.Regions[0].Removals)-1].Why, "fraud-shadow") {
		t.Errorf("the kept catalog must name the endpoint that still serves the model: %v", ft.Regions[0].Removals)
	}
	for _, name := range []string{"churn", "fraud-shadow"} {
		if _, err := dst.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: name}); err != nil {
			t.Errorf("endpoint %s: %v, want it left serving", name, err)
		}
	}
	if !onlineTableExists(t, dst, onlineTable) {
		t.Error("the online table the shadow endpoint reads was removed")
	}
	sh, err := w.src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "xregion_main_ml_fraud", IncludeSharedData: true})
	if err != nil {
		t.Fatalf("share: %v", err)
	}
	var objs []string
	for _, o := range sh.Objects {
		objs = append(objs, o.Name)
	}
	if !strings.Contains(strings.Join(objs, ","), "main.ml.partner_view") || !strings.Contains(strings.Join(objs, ","), "main.ml.fraud") {
		t.Errorf("share objects %v: the user's view and the model (still granted to the region) must stay", objs)
	}
	for _, wr := range w.writes() {
		if wr.Method != "ServingEndpoints.Delete" || wr.Resource != "fraud" {
			t.Errorf("unexpected write %v: only the model's own endpoint may go", wr)
		}
	}

	// Once the shadow is gone, a re-run removes the model's parts but
	// leaves the user's view, and so the share and the catalog it is read
	// through, in place.
	if err := dst.ServingEndpoints.Delete(t.Context(), serving.DeleteServingEndpointRequest{Name: "fraud-shadow"}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // let the deleted endpoint disappear
		_, _ = dst.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud-shadow"})
	}
	ft, err = rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("second teardown: %v", err)
	}
	got = strings.Join(removals(ft), "\n")
	// The share still serves the user's view: the region's catalog stays
	// (only the model's name leaves its mark), and so does its grant.
	for _, line := range []string{"eu-west-1 catalog xregion_main_ml_fraud updated", "source share-object main.ml.partner_view kept", "source share xregion_main_ml_fraud updated", "source grant SELECT on xregion_main_ml_fraud to xregion-eu-west-1-bb3de75d kept"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	if onlineTableExists(t, dst, onlineTable) {
		t.Error("the model's online table is still there")
	}
	if _, err := dst.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "churn"}); err != nil {
		t.Errorf("another model's endpoint: %v, want it left serving", err)
	}
}

// TestTeardownCrashThenRerun: a teardown that fails half-way (the shared
// catalog's delete fails in one region) keeps that region's grant and the
// share; the re-run finishes the job and the run after writes nothing.
func TestTeardownCrashThenRerun(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1", "ap-southeast-1")
	w.targets[1].Inject(xregiontest.Fault{Method: "Catalogs.Delete", Err: apierr.ErrInternalError, Times: 1})

	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err == nil || !strings.Contains(err.Error(), "ap-southeast-1") {
		t.Fatalf("teardown error = %v, want ap-southeast-1's failure", err)
	}
	if ft.Regions[1].Error == "" || ft.Regions[0].Error != "" {
		t.Errorf("errors by region: %q, %q", ft.Regions[0].Error, ft.Regions[1].Error)
	}
	if _, err := w.src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "xregion_main_ml_fraud"}); err != nil {
		t.Errorf("the share must stay while ap-southeast-1 still reads it: %v", err)
	}

	if _, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if _, err := w.src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "xregion_main_ml_fraud"}); !apierr.IsMissing(err) {
		t.Errorf("the re-run left the share: %v", err)
	}
	w.resetWrites()
	if _, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("the third run wrote %v", got)
	}
}

// TestTeardownOneRegionOfAFleet: tearing down one region of two removes that
// region's side and revokes its grant, but the share and its objects stay
// for the other region.
func TestTeardownOneRegionOfAFleet(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1", "ap-southeast-1")
	res, err := rollout.Teardown(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), confirmed, noSleep)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	got := make([]string, 0, len(res.Removals))
	for _, rm := range res.Removals {
		got = append(got, string(rm.Kind)+" "+string(rm.Op))
	}
	all := strings.Join(got, ",")
	for _, want := range []string{"endpoint removed", "catalog removed", "grant removed", "share-object kept", "share kept"} {
		if !strings.Contains(all, want) {
			t.Errorf("want %q in %v", want, res.Removals)
		}
	}
	// The other region still serves, and a rollout there is converged.
	w.resetWrites()
	if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[1], baseSpec(), noSleep); err != nil {
		t.Fatalf("rollout of the other region: %v", err)
	}
	if got := w.targets[1].Writes(); len(got) != 0 {
		t.Errorf("the other region was disturbed: its rollout wrote %v", got)
	}
}

// TestTeardownTwoModelsInOneShare: two models share a share, its shared
// catalog, a feature table and a FeatureSpec. Tearing the first down removes
// only what it alone uses and takes its name off the rest, after which the
// second model's rollout is still converged (no write) and its endpoint
// serves; tearing the second down then removes everything.
func TestTeardownTwoModelsInOneShare(t *testing.T) {
	t.Parallel()
	w, fraud, churn := twoModels(t, "ml_models", "")
	w.resetWrites()

	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), fraud, confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown of fraud: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	for _, line := range []string{
		"eu-west-1 endpoint fraud removed",
		"eu-west-1 catalog ml_models updated",
		"source share-object main.ml.fraud removed",
		"source share-object main.ml.customer_features updated",
		"source share-object main.ml.fraud_features updated",
		"source share ml_models updated",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	if strings.Contains(got, "main.ml.churn") || strings.Contains(got, "endpoint churn") {
		t.Errorf("the teardown of fraud touched churn's own objects:\n%s", got)
	}
	if !onlineTableExists(t, w.targets[0], onlineTable) {
		t.Error("the online table churn reads was removed")
	}
	w.resetWrites()
	res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], churn, noSleep)
	if err != nil {
		t.Fatalf("rollout of churn after fraud's teardown: %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("churn's rollout is no longer converged: it wrote %v", got)
	}
	if res.Endpoint == nil || res.Endpoint.After.Version == 0 {
		t.Errorf("churn's endpoint: %+v", res.Endpoint)
	}

	churnTD := rollout.TeardownSpec{Confirm: "main.ml.churn"}
	ft, err = rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), churn, churnTD, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown of churn: %v", err)
	}
	got = strings.Join(removals(ft), "\n")
	for _, line := range []string{"eu-west-1 endpoint churn removed", "eu-west-1 online-table " + onlineTable + " removed", "eu-west-1 catalog ml_models removed", "source share ml_models removed"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
}

// BenchmarkTeardownRegions reports the requests a teardown of a 10-region
// fleet costs (the dry run, the teardown, and a re-run that finds
// everything gone), per region and on the source; the fakes' delete lags
// add their polls.
func BenchmarkTeardownRegions(b *testing.B) {
	regions := make([]string, 10)
	for i := range regions {
		regions[i] = fmt.Sprintf("region-%02d", i)
	}
	type counts struct{ src, dst int }
	var dry, real, again counts
	runs := 0
	for b.Loop() {
		w := newWorld(b, regions...)
		if _, err := rollout.Regions(b.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep); err != nil {
			b.Fatal(err)
		}
		measure := func(c *counts, opts ...xregion.Option) {
			s0, d0 := w.src.TotalCalls(), 0
			for _, t := range w.targets {
				d0 += t.TotalCalls()
			}
			if _, err := rollout.TeardownRegions(b.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, append([]xregion.Option{noSleep}, opts...)...); err != nil {
				b.Fatal(err)
			}
			c.src += w.src.TotalCalls() - s0
			for _, t := range w.targets {
				c.dst += t.TotalCalls()
			}
			c.dst -= d0
		}
		measure(&dry, xregion.WithDryRun())
		measure(&real)
		measure(&again)
		runs++
	}
	for _, m := range []struct {
		name string
		c    counts
	}{{"dry", dry}, {"teardown", real}, {"rerun", again}} {
		b.ReportMetric(float64(m.c.src)/float64(runs), m.name+"-source-requests")
		b.ReportMetric(float64(m.c.dst)/float64(runs)/10, m.name+"-requests/region")
	}
}

// TestTeardownKeepsWhatAnotherShareFeeds: two models with shares of their
// own read the same feature table, and so one online table (its name does
// not say which shared catalog feeds it). Tearing one down keeps that table:
// the other shared catalog shows its source too. (That the second rollout
// takes a table fed from the first model's catalog at all is PublishOnline's
// doing, left as it is here.)
func TestTeardownKeepsWhatAnotherShareFeeds(t *testing.T) {
	t.Parallel()
	// Without a refresh, churn's rollout takes the online table it finds:
	// the Autoscaling reply does not say which catalog feeds it.
	w, _, _ := twoModels(t, "", online.RefreshNever)
	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	for _, line := range []string{"eu-west-1 online-table " + onlineTable + " kept", "eu-west-1 catalog xregion_main_ml_fraud removed", "source share xregion_main_ml_fraud removed"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	if !onlineTableExists(t, w.targets[0], onlineTable) {
		t.Error("the online table churn reads was removed")
	}
}

// TestTeardownKeepsWhatAUserServes: a user's endpoint serves the model's
// FeatureSpec from the shared catalog. The model's endpoint goes; the
// catalog, the online table and the grant stay.
func TestTeardownKeepsWhatAUserServes(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1")
	w.targets[0].AddEndpoint(serving.ServingEndpointDetailed{Name: "features", Config: &serving.EndpointCoreConfigOutput{
		ServedEntities: []serving.ServedEntityOutput{{Name: "fs", EntityName: "xregion_main_ml_fraud.ml.fraud_features", WorkloadSize: "Small"}},
	}})
	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("teardown: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	for _, line := range []string{"eu-west-1 endpoint fraud removed", "eu-west-1 catalog xregion_main_ml_fraud kept", "source share-object main.ml.fraud_features kept", "source share xregion_main_ml_fraud kept"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	if !onlineTableExists(t, w.targets[0], onlineTable) {
		t.Error("the online table the feature endpoint reads was removed")
	}
}

// TestTeardownShareAloneWaitsForTheRegions: the share phase alone removes
// nothing a region still reads (its shared catalog is there), and without
// the region's credentials it cannot tell, so it removes nothing either;
// once the region is torn down, the share phase finishes the job.
func TestTeardownShareAloneWaitsForTheRegions(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1")
	share := baseSpec()
	share.Phase = rollout.PhaseShare
	for name, target := range map[string]rollout.Target{"with credentials": w.regionTargets()[0], "without": {Region: "eu-west-1"}} {
		ft, err := rollout.TeardownRegions(t.Context(), w.source(), []rollout.Target{target}, share, confirmed, rollout.Plan{}, noSleep)
		if err != nil {
			t.Fatalf("%s: share-phase teardown: %v", name, err)
		}
		if got := w.writes(); len(got) != 0 {
			t.Errorf("%s: the share phase wrote %v while the region still reads the share\n%s", name, got, strings.Join(removals(ft), "\n"))
		}
	}
	deploy := baseSpec()
	deploy.Phase = rollout.PhaseDeploy
	deploy.Provider = "unused"
	if _, err := rollout.TeardownRegions(t.Context(), rollout.Workspace{}, w.regionTargets(), deploy, confirmed, rollout.Plan{}, noSleep); err != nil {
		t.Fatalf("deploy-phase teardown: %v", err)
	}
	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), share, confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("share-phase teardown after the region's: %v", err)
	}
	if got := strings.Join(removals(ft), "\n"); !strings.Contains(got, "source share xregion_main_ml_fraud removed") {
		t.Errorf("the share phase after the region's teardown:\n%s", got)
	}
}

// TestTeardownChecksEveryInputFirst: a bad online store, a region's bad
// online catalog, or no online catalog for a model with feature tables is
// an input error before any call writes.
func TestTeardownChecksEveryInputFirst(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1", "ap-southeast-1")
	badStore := baseSpec()
	badStore.OnlineStore = "Bad_Store"
	noOnline := baseSpec()
	noOnline.OnlineCatalog = ""
	badRegion := w.regionTargets()
	badRegion[1].OnlineCatalog = "bad catalog"
	for name, tc := range map[string]struct {
		spec    rollout.Spec
		targets []rollout.Target
	}{
		"online store":          {badStore, w.regionTargets()},
		"region online catalog": {baseSpec(), badRegion},
		"no online catalog":     {noOnline, w.regionTargets()},
	} {
		calls := w.src.TotalCalls()
		_, err := rollout.TeardownRegions(t.Context(), w.source(), tc.targets, tc.spec, confirmed, rollout.Plan{}, noSleep)
		if !errors.Is(err, xregion.ErrInvalidInput) || !strings.Contains(err.Error(), "online") {
			t.Errorf("%s: err = %v, want an input error naming it", name, err)
		}
		if got := w.writes(); len(got) != 0 {
			t.Errorf("%s: wrote %v before the error", name, got)
		}
		if name != "no online catalog" && w.src.TotalCalls() != calls {
			t.Errorf("%s: %d calls to the source before the error", name, w.src.TotalCalls()-calls)
		}
	}
}

// TestTeardownFinishesAfterAFailedSourceSide: the source side of a teardown
// of one of two models in a share fails once; the re-run (which finds the
// region's catalog no longer naming the model) still removes the model's
// objects.
func TestTeardownFinishesAfterAFailedSourceSide(t *testing.T) {
	t.Parallel()
	w, fraud, _ := twoModels(t, "ml_models", "")
	w.src.Inject(xregiontest.Fault{Method: "Shares.Update", Err: apierr.ErrInternalError, Times: 1})
	if _, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), fraud, confirmed, rollout.Plan{}, noSleep); err == nil {
		t.Fatal("the failed source side was not reported")
	}
	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), fraud, confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if got := strings.Join(removals(ft), "\n"); !strings.Contains(got, "source share-object main.ml.fraud removed") {
		t.Errorf("the re-run did not finish:\n%s", got)
	}
}

// TestTeardownFinishesWhenTheCatalogStaysForAUser: the share also holds a
// user's table, so the region's catalog stays; the source side fails once;
// the re-run finds the catalog no longer naming the model and finishes.
func TestTeardownFinishesWhenTheCatalogStaysForAUser(t *testing.T) {
	t.Parallel()
	w := rolledOut(t, "eu-west-1")
	w.src.AddTable(catalog.TableInfo{FullName: "main.ml.partner_view"})
	if _, err := w.src.Shares.Update(t.Context(), sharing.UpdateShare{Name: "xregion_main_ml_fraud", Updates: []sharing.SharedDataObjectUpdate{{
		Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: "main.ml.partner_view", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
	}}}); err != nil {
		t.Fatal(err)
	}
	w.src.Inject(xregiontest.Fault{Method: "Shares.Update", Err: apierr.ErrInternalError, Times: 1})
	if _, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep); err == nil {
		t.Fatal("the failed source side was not reported")
	}
	ft, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	for _, line := range []string{"source share-object main.ml.fraud removed", "source share-object main.ml.partner_view kept", "source share xregion_main_ml_fraud updated"} {
		if !strings.Contains(got, line) {
			t.Errorf("want %q in:\n%s", line, got)
		}
	}
	w.resetWrites()
	if _, err := rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), baseSpec(), confirmed, rollout.Plan{}, noSleep); err != nil {
		t.Fatal(err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("the third run wrote %v", got)
	}
}

// TestTeardownInTwoPhases: two models in one share; the deploy phase tears
// fraud down in the region (the catalog stays for churn, and the phase says
// it cannot tell fraud's own tables without the source), then the share
// phase removes fraud's objects.
func TestTeardownInTwoPhases(t *testing.T) {
	t.Parallel()
	w, fraud, _ := twoModels(t, "ml_models", "")
	deploy := fraud
	deploy.Phase, deploy.Provider = rollout.PhaseDeploy, "unused"
	ft, err := rollout.TeardownRegions(t.Context(), rollout.Workspace{}, w.regionTargets(), deploy, confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("deploy phase: %v", err)
	}
	got := strings.Join(removals(ft), "\n")
	for _, line := range []string{"eu-west-1 endpoint fraud removed", "eu-west-1 online-table serving.default.* kept", "eu-west-1 catalog ml_models updated"} {
		if !strings.Contains(got, line) {
			t.Errorf("deploy phase: want %q in:\n%s", line, got)
		}
	}
	share := fraud
	share.Phase = rollout.PhaseShare
	ft, err = rollout.TeardownRegions(t.Context(), w.source(), w.regionTargets(), share, confirmed, rollout.Plan{}, noSleep)
	if err != nil {
		t.Fatalf("share phase: %v", err)
	}
	if got := strings.Join(removals(ft), "\n"); !strings.Contains(got, "source share-object main.ml.fraud removed") {
		t.Errorf("share phase after the deploy phase:\n%s", got)
	}
}

// twoModels is a world of one region with fraud and churn rolled out, churn
// reading fraud's FeatureSpec and so its feature table: both through one
// share when share is given, else each through its own default share.
// churn's rollout uses the refresh policy given.
func twoModels(t *testing.T, share string, churnRefresh online.Refresh) (world, rollout.Spec, rollout.Spec) {
	t.Helper()
	w := newWorld(t, "eu-west-1")
	w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "churn", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
		}}})
	fraud := baseSpec()
	fraud.Share = share
	churn := fraud
	churn.Model, churn.Version, churn.OnlineRefresh = "main.ml.churn", "1", churnRefresh
	for _, spec := range []rollout.Spec{fraud, churn} {
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], spec, noSleep); err != nil {
			t.Fatalf("rollout of %s: %v", spec.Model, err)
		}
	}
	w.resetWrites()
	return w, fraud, churn
}
