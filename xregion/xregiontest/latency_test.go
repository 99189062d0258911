package xregiontest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestWithLatency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := xregiontest.NewWorkspace(xregiontest.WithLatency(40 * time.Millisecond))
		start := time.Now()
		if _, err := ws.Metastores.Summary(t.Context()); err != nil {
			t.Fatalf("Summary() error = %v", err)
		}
		if got := time.Since(start); got != 40*time.Millisecond {
			t.Errorf("Summary() took %v, want 40ms", got)
		}

		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		if _, err := ws.Metastores.Summary(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Summary() with a 10ms deadline error = %v, want DeadlineExceeded", err)
		}
		if n := ws.Calls("Metastores.Summary"); n != 1 {
			t.Errorf("Calls = %d, want 1: the call cut short never reached the workspace", n)
		}
	})
}
