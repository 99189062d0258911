package rollout_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

var (
	stormSeeds = flag.Int("storm.seeds", 12, "seeds of TestFaultStorm; the issue's figure needs 200 or more")
	stormSDK   = flag.Bool("storm.sdk", false, "TestFaultStorm with the SDK's own retries only, as before RetryingTransport (reports, checks convergence only)")
)

// stormRate is the share of API requests the storm fails.
const stormRate = 0.15

// endState is what a rollout leaves behind, in the terms a user checks:
// no ids or times, so that two worlds compare.
type endState struct {
	ShareObjects []string // name and type of each shared object
	Recipients   []string
	Grants       []string // recipient: privileges
	Catalog      string   // provider/share of the shared catalog
	Stores       []string
	Online       []string // online tables that exist
	Served       []string // entity name, model and version
	Traffic      []string
	Tags         []string
}

func stateOf(t *testing.T, w *wireWorld, res *rollout.RegionResult) endState {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	var s endState
	share := rollout.DefaultShareName(wideSpec().Model)
	si, err := w.src.Shares.Get(ctx, sharing.GetShareRequest{Name: share, IncludeSharedData: true})
	if err != nil {
		t.Fatalf("read share: %v", err)
	}
	for _, o := range si.Objects {
		s.ShareObjects = append(s.ShareObjects, o.Name+" "+string(o.DataObjectType))
	}
	rs, err := w.src.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{})
	if err != nil {
		t.Fatalf("list recipients: %v", err)
	}
	for _, r := range rs {
		s.Recipients = append(s.Recipients, r.Name)
	}
	perms, err := w.src.Shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: share})
	if err != nil {
		t.Fatalf("share permissions: %v", err)
	}
	for _, p := range perms.PrivilegeAssignments {
		s.Grants = append(s.Grants, fmt.Sprint(p.Principal, ": ", p.Privileges))
	}
	c, err := w.dst.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: share})
	if err != nil {
		t.Fatalf("read shared catalog: %v", err)
	}
	s.Catalog = c.ProviderName + "/" + c.ShareName
	stores, err := w.dst.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
	if err != nil {
		t.Fatalf("list stores: %v", err)
	}
	for _, st := range stores {
		s.Stores = append(s.Stores, st.Name)
	}
	if res != nil && res.Online != nil {
		s.Online = res.Online.OnlineNames()
	}
	name := rollout.DefaultEndpointName(wideSpec().Model)
	if cfg := w.dst.EndpointConfig(name); cfg != nil {
		for _, e := range cfg.ServedEntities {
			s.Served = append(s.Served, e.Name+" "+e.EntityName+" "+e.EntityVersion)
		}
		if cfg.TrafficConfig != nil {
			for _, r := range cfg.TrafficConfig.Routes {
				s.Traffic = append(s.Traffic, fmt.Sprint(r.ServedEntityName, " ", r.TrafficPercentage))
			}
		}
	}
	for _, tg := range w.dst.EndpointTags(name) {
		s.Tags = append(s.Tags, tg.Key+"="+tg.Value)
	}
	for _, l := range [][]string{s.ShareObjects, s.Recipients, s.Grants, s.Stores, s.Online, s.Served, s.Traffic, s.Tags} {
		slices.Sort(l)
	}
	return s
}

// TestFaultStorm rolls out the one-table, one-function model to one region
// under a storm of faults on 15% of API requests of both workspaces (429,
// 503, 500, resets, and writes that took effect but answered 500 or a
// reset), each seed a replayable storm, with the real SDK over the HTTP
// faces in memory and fake time. It reports how many first tries
// succeeded, and checks that re-runs under the same storm always converge
// to the end state of a fault-free rollout, with no duplicate object.
// Run the figure with -storm.seeds=200.
func TestFaultStorm(t *testing.T) { stormRuns(t, false) }

// TestFaultStormUpgrade is TestFaultStorm for an upgrade: version 1 rolls
// out without faults, then version 2 under the storm, through the
// endpoint's config update (writes of unknown outcome included).
func TestFaultStormUpgrade(t *testing.T) { stormRuns(t, true) }

func stormRuns(t *testing.T, upgrade bool) {
	// roll is the run under test: the first rollout, or the upgrade after
	// a fault-free first rollout.
	roll := func(t *testing.T, w *wireWorld, first bool) (*rollout.RegionResult, int, error) {
		if !upgrade {
			return w.roll(t)
		}
		if first {
			if _, _, err := w.roll(t); err != nil {
				t.Fatalf("fault-free rollout of version 1: %v", err)
			}
			w.addVersion2(t)
			w.stormOn.Store(true)
		}
		return w.rollVersion(t, "2")
	}
	var want endState
	synctest.Test(t, func(t *testing.T) {
		w := newWireWorld(t, wireOpts{tables: 1, functions: 1})
		res, _, err := roll(t, w, true)
		if err != nil {
			t.Fatalf("fault-free rollout: %v", err)
		}
		want = stateOf(t, w, res)
	})
	first, requests, faults, writeFaults := 0, 0, 0, 0
	for seed := range *stormSeeds {
		synctest.Test(t, func(t *testing.T) {
			w := newWireWorld(t, wireOpts{tables: 1, functions: 1, storm: &xregiontest.HTTPStorm{Seed: uint64(seed), Rate: stormRate},
				noRetry: *stormSDK, stormLater: upgrade})
			res, n, err := roll(t, w, true)
			requests += n
			faults += w.srcCount.failures + w.dstCnt.failures
			writeFaults += w.srcCount.writeFailures + w.dstCnt.writeFailures
			if err == nil {
				first++
			} else if testing.Verbose() {
				t.Logf("seed %d: first try failed: %v", seed, err)
			}
			for run := 2; err != nil; run++ {
				if run > 40 {
					t.Fatalf("seed %d: still failing after %d runs: %v", seed, run-1, err)
				}
				res, _, err = roll(t, w, false)
			}
			got := stateOf(t, w, res)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seed %d: end state mismatch (-fault-free +storm):\n%s", seed, diff)
			}
		})
	}
	rate := float64(first) / float64(*stormSeeds)
	t.Logf("fault storm at %.0f%%: %d of %d first tries succeeded (%.1f%%); per first try %.1f requests, %.1f faults met, %.2f of them on writes",
		stormRate*100, first, *stormSeeds, rate*100, float64(requests)/float64(*stormSeeds),
		float64(faults)/float64(*stormSeeds), float64(writeFaults)/float64(*stormSeeds))
	if *stormSeeds >= 200 && rate < 0.95 && !*stormSDK {
		t.Errorf("first-try success %.1f%%, want at least 95%%", rate*100)
	}
}
