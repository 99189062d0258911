package rollout_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
)

// regionCounter is a slog.Handler that counts records per "region"
// attribute.
type regionCounter struct {
	mu     *sync.Mutex
	counts map[string]int
	region string
}

func (h regionCounter) Enabled(context.Context, slog.Level) bool { return true }

func (h regionCounter) Handle(_ context.Context, r slog.Record) error {
	region := h.region
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "region" {
			region = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[region]++
	return nil
}

func (h regionCounter) WithAttrs(attrs []slog.Attr) slog.Handler {
	for _, a := range attrs {
		if a.Key == "region" {
			h.region = a.Value.String()
		}
	}
	return h
}

func (h regionCounter) WithGroup(string) slog.Handler { return h }

// TestRegionsOptionsWithSpareCapacity passes options in a slice with room
// to grow: the regions run concurrently and must not append into it (run
// under -race), and each region logs under its own name.
func TestRegionsOptionsWithSpareCapacity(t *testing.T) {
	t.Parallel()
	regions := []string{"eu-west-1", "ap-southeast-1", "us-west-2", "eu-central-1"}
	w := newWorld(t, regions...)
	h := regionCounter{mu: &sync.Mutex{}, counts: map[string]int{}}
	opts := make([]xregion.Option, 0, 16)
	opts = append(opts, noSleep, xregion.WithLogger(slog.New(h)))
	if _, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{Concurrency: len(regions)}, opts...); err != nil {
		t.Fatalf("Regions() error = %v", err)
	}
	if len(opts) != 2 {
		t.Errorf("Regions() changed the caller's slice to %d options", len(opts))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// Every region runs the same steps on the same state, so each logs as
	// many records as the others; a region logging under another's name
	// would skew the counts.
	want := map[string]int{}
	for _, r := range regions {
		want[r] = h.counts[regions[0]]
	}
	want[""] = h.counts[""] // records of the shared discovery and share
	if want[regions[0]] == 0 {
		t.Fatalf("no record logged under region %s: %v", regions[0], h.counts)
	}
	if diff := cmp.Diff(want, h.counts); diff != "" {
		t.Errorf("records per region mismatch (-want +got):\n%s", diff)
	}
}
