package rollout_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// latencyWorld is newWorld with emulated round trips: the source takes
// 20ms a call and target i takes 20ms + i×100µs, so the last region is the
// slowest. Real calls across regions take longer still; with much shorter
// latencies the benchmark measures the fakes' own CPU time (their JSON
// round trips) on this machine's two cores rather than the rollout.
func latencyWorld(b *testing.B, n int) world {
	w := world{src: xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"), xregiontest.WithLatency(20*time.Millisecond))}
	all := []*xregiontest.Workspace{w.src}
	for i := range n {
		ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", fmt.Sprintf("region-%02d", i)),
			xregiontest.WithLatency(20*time.Millisecond+time.Duration(i)*100*time.Microsecond))
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		w.targets = append(w.targets, ws)
		all = append(all, ws)
	}
	xregiontest.Link(all...)
	seedModel(w.src)
	return w
}

// BenchmarkRollout rolls out to N regions at once against fakes with
// emulated per-region latencies and reports the wall time divided by the
// time the slowest region takes alone (wall/slowest): 1.0 means the regions
// cost no more together than the slowest one alone.
func BenchmarkRollout(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("regions=%d", n), func(b *testing.B) {
			var all, solo time.Duration
			for b.Loop() {
				b.StopTimer()
				w := latencyWorld(b, n)
				alone := latencyWorld(b, n)
				b.StartTimer()
				start := time.Now()
				if _, err := rollout.Regions(b.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{Concurrency: n}, noSleep); err != nil {
					b.Fatal(err)
				}
				all += time.Since(start)
				b.StopTimer()
				// The slowest region, alone, in a world of its own.
				start = time.Now()
				if _, err := rollout.Regions(b.Context(), alone.source(), alone.regionTargets()[n-1:], baseSpec(), rollout.Plan{Concurrency: 1}, noSleep); err != nil {
					b.Fatal(err)
				}
				solo += time.Since(start)
				b.StartTimer()
			}
			b.ReportMetric(float64(all)/float64(solo), "wall/slowest")
		})
	}
}
