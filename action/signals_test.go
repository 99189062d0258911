package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
)

func TestInterrupts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var said []string
		warn := func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			said = append(said, fmt.Sprintf(format, args...))
		}
		sigs := make(chan os.Signal, 2)
		ctx, stop, release := interrupts(t.Context(), sigs, warn)
		defer release()

		synctest.Wait()
		if ctx.Err() != nil || isClosed(stop) {
			t.Fatal("stopped before any signal")
		}
		sigs <- os.Interrupt
		synctest.Wait()
		if ctx.Err() == nil {
			t.Fatal("the first signal did not cancel the run")
		}
		if !errors.Is(context.Cause(ctx), context.Canceled) {
			t.Errorf("cause %v is not a context.Canceled: code that checks for cancellation would miss it", context.Cause(ctx))
		}
		if isClosed(stop) {
			t.Fatal("the first signal closed the stop channel: the rollback would not run")
		}
		sigs <- syscall.SIGTERM
		synctest.Wait()
		if !isClosed(stop) {
			t.Fatal("the second signal did not close the stop channel")
		}
		mu.Lock()
		defer mu.Unlock()
		if len(said) != 2 || !strings.Contains(said[0], "rolled back") || !strings.Contains(said[1], "no longer waiting") {
			t.Errorf("announcements = %q, want one per signal saying what happens", said)
		}
	})
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
