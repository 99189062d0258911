package xregion_test

import (
	"context"
	"errors"
	"github.com/org/xregion-action/internal/settings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/org/xregion-action/xregion"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		backoff   backoff.BackOff
		doneAt    int // check reports done on this call; 0 never
		failAt    int // check fails on this call; 0 never
		timeout   time.Duration
		wantCalls int
		wantErr   error
	}{
		{name: "done_at_once", backoff: backoff.NewConstantBackOff(time.Second), doneAt: 1, wantCalls: 1},
		{name: "done_after_polls", backoff: backoff.NewConstantBackOff(time.Second), doneAt: 4, wantCalls: 4},
		{name: "check_error_stops", backoff: backoff.NewConstantBackOff(time.Second), failAt: 2, wantCalls: 2, wantErr: errBoom},
		{name: "backoff_gives_up", backoff: backoff.WithMaxRetries(backoff.NewConstantBackOff(time.Second), 2), wantCalls: 3, wantErr: xregion.ErrWaitStopped},
		{name: "deadline", backoff: backoff.NewConstantBackOff(time.Second), timeout: 3500 * time.Millisecond, wantCalls: 4, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				calls := 0
				start := time.Now()
				err := settings.Poll(ctx, tt.backoff, func(context.Context) (bool, error) {
					calls++
					if calls == tt.failAt {
						return false, errBoom
					}
					return calls == tt.doneAt, nil
				})
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("Poll() error = %v, want %v", err, tt.wantErr)
				}
				if calls != tt.wantCalls {
					t.Errorf("Poll() called check %d times, want %d", calls, tt.wantCalls)
				}
				// The fake clock shows Poll slept one interval between calls
				// and returned at the deadline, not after another interval.
				want := time.Duration(calls-1) * time.Second
				if tt.timeout > 0 {
					want = tt.timeout
				}
				if got := time.Since(start); got != want {
					t.Errorf("Poll() took %v of fake time, want %v", got, want)
				}
			})
		})
	}
}

func TestSettingsDefaults(t *testing.T) {
	t.Parallel()
	s := settings.New(nil, xregion.WithLogger(nil), xregion.WithBackOff(nil))
	if s.Logger == nil || s.NewBackOff == nil {
		t.Fatalf("settings.New() left nil fields: %+v", s)
	}
	if d := s.NewBackOff().NextBackOff(); d <= 0 || d > 2*time.Second {
		t.Errorf("default backoff first interval = %v, want about 1s", d)
	}
}

// A check that fails because ctx ended while it ran (the SDK then reports
// its last API error, not the context's) still ends the wait as ctx says.
func TestPollCheckFailsAfterDeadline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		cause := errors.New("wait timed out")
		ctx, cancel := context.WithTimeoutCause(t.Context(), time.Minute, cause)
		defer cancel()
		apiErr := errors.New("last API error")
		err := settings.Poll(ctx, backoff.NewConstantBackOff(time.Second), func(ctx context.Context) (bool, error) {
			<-ctx.Done()
			return false, apiErr
		})
		if !errors.Is(err, apiErr) || !errors.Is(err, cause) {
			t.Errorf("Poll() error = %v, want both the check's error and the deadline's cause", err)
		}
	})
}

// TestWithPollIntervalZeroKeepsTheDefault: a zero interval, as from an
// unset setting, must not turn polling into a busy loop.
func TestWithPollIntervalZeroKeepsTheDefault(t *testing.T) {
	t.Parallel()
	for _, d := range []time.Duration{0, -time.Second} {
		b := settings.New(xregion.WithPollInterval(d)).NewBackOff()
		if next := b.NextBackOff(); next <= 0 {
			t.Errorf("WithPollInterval(%v): first pause %v, want the default backoff's", d, next)
		}
	}
	if next := settings.New(xregion.WithoutPause()).NewBackOff().NextBackOff(); next != 0 {
		t.Errorf("WithoutPause(): first pause %v, want none", next)
	}
	if next := settings.New(xregion.WithPollInterval(time.Second)).NewBackOff().NextBackOff(); next != time.Second {
		t.Errorf("WithPollInterval(1s): first pause %v, want 1s", next)
	}
}
