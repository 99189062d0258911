package online_test

import (
	"testing"

	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// BenchmarkWaitOnline waits for 200 tables with staggered readiness: table i
// comes online at poll i%20+1. It reports the status reads per table and
// per poll, and checks the two requirements: readiness is seen at the first
// poll after the last table is online, and online tables are never read
// again.
func BenchmarkWaitOnline(b *testing.B) {
	const n, spread = 200, 20
	b.ReportAllocs()
	var calls, polls int
	for b.Loop() {
		b.StopTimer()
		ws := xregiontest.NewWorkspace()
		names := onlineTables(ws, n, func(i int) []xregiontest.SyncStep {
			if i%spread == 0 {
				return []xregiontest.SyncStep{ready}
			}
			return []xregiontest.SyncStep{provisioningFor(i % spread), ready}
		})
		polls = 0
		b.StartTimer()
		if _, err := online.WaitOnline(b.Context(), status(ws), online.WaitSpec{Tables: names, OnProgress: func(online.Progress) { polls++ }}, noSleep); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		calls = ws.Calls("Postgres.GetSyncedTable")
		b.StartTimer()
	}
	// Table i is read i%spread+1 times: exactly until it is online.
	want := 0
	for i := range n {
		want += i%spread + 1
	}
	if calls != want {
		b.Fatalf("status reads = %d, want %d: an online table was read again", calls, want)
	}
	if polls != spread {
		b.Fatalf("polls = %d, want %d: readiness was not seen at the poll after the last table came online", polls, spread)
	}
	b.ReportMetric(float64(calls)/n, "reads/table")
	b.ReportMetric(float64(calls)/float64(polls), "reads/poll")
	b.ReportMetric(float64(polls), "polls")
}
