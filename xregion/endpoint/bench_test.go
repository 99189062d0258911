package endpoint_test

import (
	"testing"

	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// BenchmarkDeploy deploys version 5 onto an endpoint serving version 3 and
// reports the requests one deployment makes, by kind: reads (GET), writes
// (updates and tag patches) and queries (probes), with a direct update and
// with a 10,50,100 canary whose one-request probe goes to the new entity
// directly or, where the workspace has no per-entity path, through the
// routes.
func BenchmarkDeploy(b *testing.B) {
	for _, bc := range []struct {
		name   string
		canary []int
		opts   []xregiontest.Option
	}{
		{name: "direct"},
		{name: "canary", canary: []int{10, 50, 100}},
		{name: "canary_through_routes", canary: []int{10, 50, 100}, opts: []xregiontest.Option{xregiontest.WithoutEntityQueries()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var reads, writes, queries int
			for b.Loop() {
				b.StopTimer()
				ws := xregiontest.NewWorkspace(bc.opts...)
				seedTarget(ws, liveEntity())
				s := spec(5)
				s.Canary, s.Probes = bc.canary, []endpoint.Probe{smoke}
				b.StartTimer()
				if _, err := endpoint.DeployWithRollback(b.Context(), ws.ServingEndpoints, s, noSleep); err != nil {
					b.Fatal(err)
				}
				reads += ws.Calls("ServingEndpoints.Get")
				writes += len(ws.Writes())
				queries += ws.Calls("ServingEndpoints.Query") + ws.Calls("ServingEndpoints.QueryServedEntity")
			}
			b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
			b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
			b.ReportMetric(float64(queries)/float64(b.N), "queries/op")
		})
	}
}
