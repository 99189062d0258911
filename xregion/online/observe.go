package online

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/org/xregion-action/xregion"
	"golang.org/x/sync/errgroup"
)

// StepObserve is the step name [ObserveTables] reports in errors.
const StepObserve = "ObserveOnline"

// ObserveTables reads each online table once, through the Lakebase API
// that owns it, concurrently, and returns their statuses sorted by name: a
// table not found is [PhaseMissing], not an error. It writes nothing and
// waits for nothing.
func ObserveTables(ctx context.Context, c StatusClients, names []string, opts ...xregion.Option) ([]TableStatus, error) {
	r, err := newStatusReader(c)
	if err != nil {
		return nil, err
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	out := make([]TableStatus, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pollConcurrency)
	for i, name := range names {
		if _, err := xregion.ParseFullName("online table", name); err != nil {
			return nil, err
		}
		g.Go(func() (err error) {
			out[i], err = readStatus(gctx, r, name)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return out, &xregion.StepError{Step: StepObserve, Resource: tablesLabel(len(names)), Err: err}
	}
	return out, nil
}

// Stale reports whether the table's data is older than maxStaleness at
// now: its last sync ended longer ago. A table whose last sync is unknown
// is not called stale; maxStaleness 0 means no bound.
func (s TableStatus) Stale(now time.Time, maxStaleness time.Duration) bool {
	return maxStaleness > 0 && !s.LastSync.IsZero() && now.Sub(s.LastSync) > maxStaleness
}

// tablesLabel names the tables a step was at in its error, such as
// "(of 2 tables)": not to be read as a count of tables that are online.
func tablesLabel(n int) string {
	if n == 1 {
		return "(of 1 table)"
	}
	return fmt.Sprintf("(of %d tables)", n)
}
