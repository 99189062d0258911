package rollout

import (
	"context"
	"errors"
	"github.com/org/xregion-action/internal/settings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
)

// MaxReentries is how many times the pipeline runs a step again after one
// of its writes ended with an unknown outcome.
const MaxReentries = 3

// outcomeUnknown reports whether err ends on a write that may have taken
// effect: an answer lost after the request was sent, or a 5xx. The client
// package's RetryingTransport marks such errors; it never repeats the write
// itself.
func outcomeUnknown(err error) bool {
	var u interface{ OutcomeUnknown() bool }
	return errors.As(err, &u) && u.OutcomeUnknown()
}

// reenter runs a level-based step, and runs it again, up to MaxReentries
// times, while it fails on a write whose outcome is unknown. A step reads
// the real state first, so its next run finds the write done and carries
// on, or makes it once more: the write is decided on what was read, never
// repeated blindly. This is the pipeline's only retry of a step; requests
// are retried, where safe, by the client's transport alone.
//
// The requests of run's context count under step ([client.WithStep]).
func reenter[T any](ctx context.Context, opts []xregion.Option, step string, run func(context.Context) (T, error)) (T, error) {
	ctx = client.WithStep(ctx, step)
	v, err := run(ctx)
	for i := 0; i < MaxReentries && err != nil && outcomeUnknown(err) && ctx.Err() == nil; i++ {
		settings.New(opts...).Logger.WarnContext(ctx, "a write's outcome is unknown: reading the state again", "step", step, "error", err)
		v, err = run(ctx)
	}
	return v, err
}
