package rollout_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const onlineTable = "serving.default.ml_customer_features_online"

// published reports whether writes publish the online table.
func published(writes []xregiontest.Write) bool {
	return slices.Contains(writes, xregiontest.Write{Method: "FeatureStore.PublishTable", Resource: onlineTable})
}

// TestRegionOnAutoscalingStores: with the fake's defaults, online stores
// are Lakebase Autoscaling projects and the Provisioned API refuses their
// tables; a rollout succeeds, reads every table through the Autoscaling
// API, reports its last sync, and a re-run writes nothing.
func TestRegionOnAutoscalingStores(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	target := w.regionTargets()[0]
	res, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep)
	if err != nil {
		t.Fatalf("Region() = %v", err)
	}
	if len(res.OnlineStatus) != 1 || res.OnlineStatus[0].API != online.APIAutoscaling || res.OnlineStatus[0].LastSync.IsZero() {
		t.Errorf("OnlineStatus = %+v, want one table, online through the Autoscaling API, with its last sync", res.OnlineStatus)
	}
	w.resetWrites()
	res, err = rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep)
	if err != nil {
		t.Fatalf("second Region() = %v", err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("second Region() wrote %v, want nothing", got)
	}
	if res.Online.Tables[0].Op != xregion.OpUnchanged {
		t.Errorf("second Region() online table = %+v, want unchanged", res.Online.Tables[0])
	}
	if n := w.targets[0].Calls("Database.GetSyncedDatabaseTable"); n > 1 {
		// Once, for the table not yet published in the first run.
		t.Errorf("the Provisioned API was asked %d times, want at most 1", n)
	}
}

// TestRegionResyncsForANewVersion: a model version created after the
// online table's last sync re-syncs the table under the default policy,
// and not under never.
func TestRegionResyncsForANewVersion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		refresh online.Refresh
		want    bool
	}{{"", true}, {online.RefreshAuto, true}, {online.RefreshNever, false}} {
		t.Run(string(tt.refresh)+"_policy", func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, "eu-west-1")
			target := w.regionTargets()[0]
			spec := baseSpec()
			spec.OnlineRefresh = tt.refresh
			if _, err := rollout.Region(t.Context(), w.source(), target, spec, noSleep); err != nil {
				t.Fatal(err)
			}
			// A new version, trained after the table was synced.
			w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3,
				ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
					{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
				}}})
			spec.Version = "3"
			w.resetWrites()
			res, err := rollout.Region(t.Context(), w.source(), target, spec, noSleep)
			if err != nil {
				t.Fatalf("Region() of version 3 = %v", err)
			}
			if got := published(w.targets[0].Writes()); got != tt.want {
				t.Errorf("online table published again: %t, want %t (writes %v)", got, tt.want, w.targets[0].Writes())
			}
			if op := res.Online.Tables[0].Op; (op == xregion.OpUpdated) != tt.want {
				t.Errorf("online table op = %s, reason %q", op, res.Online.Tables[0].Reason)
			}
			if res.Endpoint == nil || res.Endpoint.Outcome != "deployed" {
				t.Errorf("endpoint = %+v, want version 3 deployed", res.Endpoint)
			}
		})
	}
}

// TestRegionHealsAFailedTable: an online table that failed (its source was
// dropped and re-created) is published again by the next run, which
// succeeds; the run after that writes nothing.
func TestRegionHealsAFailedTable(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1")
	target := w.regionTargets()[0]
	if _, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep); err != nil {
		t.Fatal(err)
	}
	w.src.RecreateTable("main.ml.customer_features")
	w.resetWrites()
	res, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep)
	if err != nil {
		t.Fatalf("Region() with a failed online table = %v, want it healed", err)
	}
	if !published(w.targets[0].Writes()) || res.Online.Tables[0].Op != xregion.OpUpdated {
		t.Errorf("online table = %+v, writes %v; want it published again", res.Online.Tables[0], w.targets[0].Writes())
	}
	w.resetWrites()
	if _, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep); err != nil {
		t.Fatal(err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("run after the heal wrote %v, want nothing", got)
	}
}

// TestRegionNoticesARepublishThatDoesNotSync: where publishing again is
// accepted but does not sync the table (WithRepublishWithoutSync, the
// unverified alternative), the wait does not take the table's old online
// state for fresh data: it fails at its deadline and says why.
func TestRegionNoticesARepublishThatDoesNotSync(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newWorldWith(t, []xregiontest.Option{xregiontest.WithRepublishWithoutSync()}, "eu-west-1")
		target := w.regionTargets()[0]
		if _, err := rollout.Region(t.Context(), w.source(), target, baseSpec(), noSleep); err != nil {
			t.Fatalf("Region() = %v", err)
		}
		spec := baseSpec()
		spec.OnlineRefresh, spec.OnlineTimeout = online.RefreshAlways, 10*time.Minute
		res, err := rollout.Region(t.Context(), w.source(), target, spec, xregion.WithPollInterval(10*time.Second))
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "publishing it again did not sync it again") {
			t.Fatalf("Region(refresh always) error = %v, want the wait to end saying the re-publish did not sync", err)
		}
		if res.Online == nil || res.Online.Tables[0].Op != xregion.OpUpdated {
			t.Errorf("online result = %+v, want the table published again", res.Online)
		}
	})
}
