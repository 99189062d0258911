package main

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// errInterrupted is the cause of the context an interrupt cancels; it is a
// context.Canceled, as code that checks for cancellation expects.
var errInterrupted = fmt.Errorf("interrupted by a signal: %w", context.Canceled)

// interrupts turns signals into the two ways a run stops. The first signal
// cancels the returned context: steps stop, and a deployment in progress
// rolls back under its own deadline. The second closes the returned stop
// channel ([xregion.WithStop]): even the rollback stops waiting, and the
// endpoint is left as the service has it (its updates are atomic, so the
// live config keeps serving). Each is announced through warn. release stops
// watching sigs; call it when the run ends.
func interrupts(parent context.Context, sigs <-chan os.Signal, warn func(format string, args ...any)) (context.Context, <-chan struct{}, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	stop := make(chan struct{})
	done := make(chan struct{})
	var once sync.Once
	go func() {
		n := 0
		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				n++
				switch n {
				case 1:
					warn("%v received: stopping. A deployment in progress is rolled back under its rollback deadline; the log says what is restored. Interrupt again to stop waiting.", s)
					cancel(errInterrupted)
				case 2:
					warn("%v received again: no longer waiting. An update in flight still completes and then serves its config unverified; run again with the previous version to undo it, or with this version to verify it.", s)
					close(stop)
					return
				}
			}
		}
	}()
	return ctx, stop, func() { once.Do(func() { close(done); cancel(nil) }) }
}
