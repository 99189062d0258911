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

// BenchmarkFleet rolls out to 10 regions in 3 waves (3, 4 and 3 regions)
// against fakes with emulated per-region latencies, and compares the wall
// time with the sum of each wave's slowest region rolled out alone (in a
// world of its own): wall/sum-slowest near 1.0 means waves cost no more
// than running their slowest regions one after another. Each solo run
// repeats the shared work (discovery, share) that the fleet does once.
func BenchmarkFleet(b *testing.B) {
	const n = 10
	waves := [][]int{{0, 1, 2}, {3, 4, 5, 6}, {7, 8, 9}}
	label := func(i int) string { return fmt.Sprintf("region-%02d", i) }
	var plan rollout.Plan
	for _, w := range waves {
		var names []string
		for _, i := range w {
			names = append(names, label(i))
		}
		plan.Waves = append(plan.Waves, names)
	}
	var all, sum time.Duration
	for b.Loop() {
		b.StopTimer()
		w := latencyWorld(b, n)
		targets := w.regionTargets()
		for i := range targets {
			targets[i].Region = label(i)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := rollout.Regions(b.Context(), w.source(), targets, baseSpec(), plan, noSleep); err != nil {
			b.Fatal(err)
		}
		all += time.Since(start)
		b.StopTimer()
		for _, wave := range waves {
			slowest := wave[len(wave)-1] // latencies grow with the index
			alone := latencyWorld(b, n)
			start = time.Now()
			if _, err := rollout.Regions(b.Context(), alone.source(), alone.regionTargets()[slowest:slowest+1], baseSpec(), rollout.Plan{}, noSleep); err != nil {
				b.Fatal(err)
			}
			sum += time.Since(start)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(all.Milliseconds())/float64(b.N), "wall-ms/op")
	b.ReportMetric(float64(sum.Milliseconds())/float64(b.N), "sum-slowest-ms/op")
	b.ReportMetric(float64(all)/float64(sum), "wall/sum-slowest")
}
