// Package settings holds the resolved options every step of xregion reads,
// and the polling loop its waits share. It is plumbing: users set these
// through the options of package xregion.
package settings

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Settings is the resolved form of a list of xregion.Options. Steps call
// [New] once on entry.
type Settings struct {
	// Logger receives the step's progress records. It is never nil after
	// NewSettings; the default discards everything.
	Logger *slog.Logger
	// NewBackOff returns a fresh backoff for each wait a step runs. It is
	// never nil after New; the default is [DefaultBackOff].
	NewBackOff func() backoff.BackOff
	// DryRun makes steps read the real state and report what they would
	// do, without any write or wait.
	DryRun bool
	// Stop, when closed, ends even the waits that outlive ctx, such as a
	// rollback's (see xregion.WithStop). Nil never stops.
	Stop <-chan struct{}
	// Now returns the current time, for steps that compare the service's
	// timestamps with it (such as how stale an online table is). It is
	// never nil after New; the default is [time.Now].
	Now func() time.Time
}

// New applies opts over the defaults. Nil options are skipped.
func New(opts ...func(*Settings)) Settings {
	s := Settings{
		Logger:     slog.New(slog.DiscardHandler),
		NewBackOff: DefaultBackOff,
		Now:        time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// DefaultBackOff returns the polling backoff steps use unless told otherwise:
// exponential from 1s to 30s with jitter and no elapsed-time limit of its
// own (each wait has its own timeout).
func DefaultBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = time.Second
	b.MaxInterval = 30 * time.Second
	b.MaxElapsedTime = 0
	b.Reset()
	return b
}

// ErrWaitStopped is returned by [Poll] when its backoff gives up.
var ErrWaitStopped = backoffStopped{}

type backoffStopped struct{}

func (backoffStopped) Error() string { return "gave up waiting: backoff stopped" }

// Poll calls check until it reports done or fails, sleeping between calls for
// the intervals b returns. It returns check's error (joined with ctx's cause
// if ctx ended meanwhile), ctx's cause when ctx ends first, or
// [ErrWaitStopped] when b returns [backoff.Stop].
// check is called at once, before any sleep.
func Poll(ctx context.Context, b backoff.BackOff, check func(context.Context) (done bool, err error)) error {
	b.Reset()
	for {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		done, err := check(ctx)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
				// ctx ended during the check, which then failed with
				// something else (the SDK reports its last API error):
				// the wait still ended because of ctx.
				return errors.Join(err, cause)
			}
			return err
		}
		if done {
			return nil
		}
		d := b.NextBackOff()
		if d == backoff.Stop {
			return ErrWaitStopped
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
			if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
				// The deadline fell on this very instant: end as the
				// deadline says rather than race it with one more check.
				<-ctx.Done()
				return context.Cause(ctx)
			}
		}
	}
}
