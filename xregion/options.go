package xregion

import (
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/org/xregion-action/internal/settings"
)

// Option sets a cross-cutting knob of a step: its logger or its polling
// backoff. Desired state goes in each step's spec struct, never in options.
type Option = func(*settings.Settings)

// WithLogger sends the step's progress records to l. A nil l keeps the
// default, which discards them.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings.Settings) {
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
	return func(s *settings.Settings) {
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
	return func(s *settings.Settings) { s.DryRun = true }
}

// WithStop gives steps a channel whose closing ends even the waits that run
// on after ctx is cancelled: a deployment rolls back under its own deadline
// when ctx ends, and stops waiting for that rollback only when stop is
// closed. The action closes it on a second interrupt. A nil stop keeps the
// default, which never stops.
func WithStop(stop <-chan struct{}) Option {
	return func(s *settings.Settings) {
		if stop != nil {
			s.Stop = stop
		}
	}
}

// DefaultBackOff returns the polling backoff steps use unless told otherwise:
// exponential from 1s to 30s with jitter and no elapsed-time limit of its
// own (each wait has its own timeout).
func DefaultBackOff() backoff.BackOff { return settings.DefaultBackOff() }

// ErrWaitStopped ends a wait whose backoff gave up (see [WithBackOff]).
var ErrWaitStopped = settings.ErrWaitStopped

// WithClock makes steps read the current time from now instead of
// [time.Now], for tests whose fakes keep their own time. A nil now keeps
// the default.
func WithClock(now func() time.Time) Option {
	return func(s *settings.Settings) {
		if now != nil {
			s.Now = now
		}
	}
}
