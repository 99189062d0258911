package xregion

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Option sets a cross-cutting knob of a step: its logger or its polling
// backoff. Desired state goes in each step's spec struct, never in options.
type Option func(*Settings)

// Settings is the resolved form of a list of [Option]s. Steps call
// [NewSettings] once on entry.
type Settings struct {
	// Logger receives the step's progress records. It is never nil after
	// NewSettings; the default discards everything.
	Logger *slog.Logger
	// NewBackOff returns a fresh backoff for each wait a step runs. It is
	// never nil after NewSettings; the default is [DefaultBackOff].
	NewBackOff func() backoff.BackOff
	// DryRun makes steps read the real state and report what they would
	// do, without any write or wait.
	DryRun bool
	// Stop, when closed, ends even the waits that outlive ctx, such as a
	// rollback's (see [WithStop]). Nil never stops.
	Stop <-chan struct{}
	// Now returns the current time, for steps that compare the service's
	// timestamps with it (such as how stale an online table is). It is
	// never nil after NewSettings; the default is [time.Now].
	Now func() time.Time
}

// NewSettings applies opts over the defaults. Nil options are skipped.
func NewSettings(opts ...Option) Settings {
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

// WithLogger sends the step's progress records to l. A nil l keeps the
// default, which discards them.
func WithLogger(l *slog.Logger) Option {
	return func(s *Settings) {
		if l != nil {
			s.Logger = l
		}
	}
}

// WithBackOff makes every wait of the step poll on the intervals of a backoff
// returned by newBackOff, called once per wait. Tests pass a zero or
// nanosecond interval so that they never sleep for real. A backoff that
// returns [backoff.Stop] ends the wait with [ErrWaitStopped]. A nil
// newBackOff keeps the default.
func WithBackOff(newBackOff func() backoff.BackOff) Option {
	return func(s *Settings) {
		if newBackOff != nil {
			s.NewBackOff = newBackOff
		}
	}
}

// WithPollInterval makes every wait poll at the fixed interval d instead of
// backing off. Emulated workspaces, such as the fakes of xregiontest,
// settle in moments: demos against them use a short interval. A d <= 0,
// such as an unset setting, keeps the default backoff: it never means
// polling without a pause, which against a real workspace would spend its
// request budget in a busy loop (tests that want that ask for
// [WithoutPause]).
func WithPollInterval(d time.Duration) Option {
	if d <= 0 {
		return nil
	}
	return WithBackOff(func() backoff.BackOff { return backoff.NewConstantBackOff(d) })
}

// WithoutPause makes every wait poll again at once, with no pause between
// reads: for tests against fakes that move on with each read, never for a
// real workspace.
func WithoutPause() Option {
	return WithBackOff(func() backoff.BackOff { return &backoff.ZeroBackOff{} })
}

// WithDryRun makes steps plan instead of act: they read the real state and
// report the operations they would perform (OpCreated, OpUpdated, ...), but
// write nothing and wait for nothing. What a step cannot know before an
// earlier step has written (such as a provider that appears only after the
// grant) is reported as it would be planned.
func WithDryRun() Option {
	return func(s *Settings) { s.DryRun = true }
}

// WithStop gives steps a channel whose closing ends even the waits that run
// on after ctx is cancelled: a deployment rolls back under its own deadline
// when ctx ends, and stops waiting for that rollback only when stop is
// closed. The action closes it on a second interrupt. A nil stop keeps the
// default, which never stops.
func WithStop(stop <-chan struct{}) Option {
	return func(s *Settings) {
		if stop != nil {
			s.Stop = stop
		}
	}
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

// WithClock makes steps read the current time from now instead of
// [time.Now], for tests whose fakes keep their own time. A nil now keeps
// the default.
func WithClock(now func() time.Time) Option {
	return func(s *Settings) {
		if now != nil {
			s.Now = now
		}
	}
}
