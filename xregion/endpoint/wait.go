package endpoint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

var (
	// ErrUpdateFailed is matched when the service reports an endpoint
	// update as failed or cancelled. The error is an [*UpdateFailedError].
	ErrUpdateFailed = errors.New("endpoint update failed")
	// ErrUnhealthy is matched when the deployed version fails a health
	// check.
	ErrUnhealthy = errors.New("health check failed")
	// ErrNotServing is matched when nothing healthy is serving: the
	// previous config is not ready either, which a rollback cannot fix.
	ErrNotServing = errors.New("nothing healthy is serving")
)

// maxConflictRetries bounds how often an update rejected because another
// update is in progress is retried.
const maxConflictRetries = 5

// UpdateFailedError reports an update the service gave up on, with the
// deployment messages of the entities that failed.
type UpdateFailedError struct {
	// State is UPDATE_FAILED or UPDATE_CANCELED.
	State serving.EndpointStateConfigUpdate
	// StillServing is true when the endpoint is still READY on its
	// previous config ("Ready (Update failed)"), false when nothing is
	// ("Not ready (Update failed)").
	StillServing bool
	// Messages are the failed entities' deployment messages, as
	// "entity: message".
	Messages []string
}

// Error says what failed and whether the old config still serves.
func (e *UpdateFailedError) Error() string {
	s := "update " + strings.ToLower(strings.TrimPrefix(string(e.State), "UPDATE_"))
	if len(e.Messages) > 0 {
		s += ": " + strings.Join(e.Messages, "; ")
	}
	if e.StillServing {
		return s + " (the previous config is still serving)"
	}
	return s + " (nothing healthy is serving)"
}

// Is makes errors.Is(err, ErrUpdateFailed) true.
func (e *UpdateFailedError) Is(target error) bool { return target == ErrUpdateFailed }

// waiter polls one endpoint.
type waiter struct {
	c    Endpoints
	name string
	s    settings.Settings
	log  *slog.Logger
	// last is the config update state of the last read; shared by copies.
	last *serving.EndpointStateConfigUpdate
}

// saw records the state of a read.
func (w waiter) saw(ep *serving.ServingEndpointDetailed) {
	if w.last != nil && ep != nil && ep.State != nil {
		*w.last = ep.State.ConfigUpdate
	}
}

// lastFailed reports whether the last read showed a failed or cancelled
// update.
func (w waiter) lastFailed() bool {
	return w.last != nil && (*w.last == serving.EndpointStateConfigUpdateUpdateFailed || *w.last == serving.EndpointStateConfigUpdateUpdateCanceled)
}

// idle waits until no update is in progress and returns the endpoint.
func (w waiter) idle(ctx context.Context, timeout time.Duration) (*serving.ServingEndpointDetailed, error) {
	var ep *serving.ServingEndpointDetailed
	err := w.poll(ctx, timeout, "an update in progress to finish", func(got *serving.ServingEndpointDetailed) (bool, error) {
		ep = got
		return got.State != nil && got.State.ConfigUpdate != serving.EndpointStateConfigUpdateInProgress, nil
	})
	return ep, err
}

// pending identifies the pending config an update or create started, from
// the service's reply to it; the zero value when the reply did not say.
type pending struct {
	version int   // pending_config.config_version
	start   int64 // pending_config.start_time
	// priorFailed is whether the endpoint's last update had failed when
	// this one was sent: only then can a failed state without a pending
	// config be an earlier update's.
	priorFailed bool
}

func (p pending) known() bool { return p.version > 0 }

// pendingOf reads the pending config from the reply of a create or update.
func pendingOf(wait *serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed]) pending {
	if wait == nil || wait.Response == nil || wait.Response.PendingConfig == nil {
		return pending{}
	}
	return pending{version: wait.Response.PendingConfig.ConfigVersion, start: wait.Response.PendingConfig.StartTime}
}

// ours reports whether a read that shows a failed update shows the failure
// of the update p identifies, given whether an earlier read already showed
// that update under way.
func (p pending) ours(got *serving.ServingEndpointDetailed, seen bool) bool {
	if !p.known() {
		return true // the reply did not say: as before, trust the read
	}
	if c := got.PendingConfig; c != nil {
		return c.ConfigVersion > p.version || c.ConfigVersion == p.version && c.StartTime >= p.start
	}
	// A failed update without a pending config may be an earlier update's
	// only if the endpoint showed one before ours was sent, and then only
	// until a read has shown ours under way. The service accepted ours, so
	// nothing else was in flight (one update at a time).
	return seen || !p.priorFailed
}

// updated waits until the update that made the pending config p finishes:
// NOT_UPDATING, READY, every live entity DEPLOYMENT_READY and a live config
// newer than version after (so that a read that does not show the update yet
// is not taken for its end). A failed or cancelled update counts as this
// one's only when the pending config says so (see [pending.ours]).
func (w waiter) updated(ctx context.Context, timeout time.Duration, after int64, p pending) (*serving.ServingEndpointDetailed, error) {
	var ep *serving.ServingEndpointDetailed
	seen := false
	err := w.poll(ctx, timeout, "the update to finish", func(got *serving.ServingEndpointDetailed) (bool, error) {
		ep = got
		if got.State == nil {
			return false, nil // the service always sends it; be safe anyway
		}
		if got.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress {
			seen = seen || !p.known() || got.PendingConfig == nil || got.PendingConfig.ConfigVersion >= p.version
		}
		switch got.State.ConfigUpdate {
		case serving.EndpointStateConfigUpdateUpdateFailed, serving.EndpointStateConfigUpdateUpdateCanceled:
			if c := got.PendingConfig; c != nil && int64(c.ConfigVersion) <= after {
				return false, nil // an earlier update's failure, read before ours shows
			}
			if !p.ours(got, seen) {
				return false, nil
			}
			return false, updateFailure(got)
		case serving.EndpointStateConfigUpdateNotUpdating:
			if got.State.Ready != serving.EndpointStateReadyReady {
				return false, nil
			}
			if msgs := failedEntities(got.Config); len(msgs) > 0 {
				return false, &UpdateFailedError{State: serving.EndpointStateConfigUpdateUpdateFailed, StillServing: true, Messages: msgs}
			}
			return got.Config != nil && got.Config.ConfigVersion > after && allReady(got.Config), nil
		}
		return false, nil
	})
	return ep, err
}

// poll reads the endpoint until done says so, under timeout.
func (w waiter) poll(ctx context.Context, timeout time.Duration, what string, done func(*serving.ServingEndpointDetailed) (bool, error)) error {
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errWaitTimeout)
	defer cancel()
	var last string
	start := time.Now()
	var mu sync.Mutex
	current := "unknown"
	stop := every(ctx, heartbeat, func() {
		mu.Lock()
		st := current
		mu.Unlock()
		w.log.InfoContext(ctx, "still waiting for "+what, "state", st, "elapsed", time.Since(start).Round(time.Second), "deadline", timeout)
	})
	defer stop()
	err := settings.Poll(wctx, w.s.NewBackOff(), func(ctx context.Context) (bool, error) {
		got, err := w.c.Get(ctx, serving.GetServingEndpointRequest{Name: w.name})
		if err != nil {
			return false, fmt.Errorf("read endpoint: %w", err)
		}
		w.saw(got)
		// Say what is happening on each change of state; the heartbeat
		// says it again while nothing changes: updates take 20 minutes
		// and more.
		st := describe(got)
		mu.Lock()
		current = st
		mu.Unlock()
		if st != last {
			w.log.InfoContext(ctx, "waiting for "+what, "state", st, "elapsed", time.Since(start).Round(time.Second), "deadline", timeout)
			last = st
		}
		return done(got)
	})
	if err != nil && ctx.Err() != nil {
		// The caller stopped the wait: say so plainly, not through the
		// SDK's message for the read it cut short.
		return fmt.Errorf("stopped waiting for %s (last state %s): %w", what, cmp.Or(last, "unknown"), context.Cause(ctx))
	}
	if errors.Is(err, errWaitTimeout) || errors.Is(err, xregion.ErrWaitStopped) {
		return fmt.Errorf("gave up waiting for %s after %s (last state %s): %w", what, timeout, last, errors.Join(context.DeadlineExceeded, err))
	}
	return err
}

var errWaitTimeout = errors.New("endpoint wait timed out")

// heartbeat is the longest a wait stays silent in the log.
const heartbeat = 30 * time.Second

// every calls f every d until the returned stop is called or ctx ends,
// then returns; stop waits for a call in progress.
func every(ctx context.Context, d time.Duration, f func()) (stop func()) {
	t := time.NewTicker(d)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			t.Stop()
			close(done)
			wg.Wait()
		})
	}
}

func describe(ep *serving.ServingEndpointDetailed) string {
	if ep.State == nil {
		return "unknown"
	}
	return string(ep.State.ConfigUpdate) + "/" + string(ep.State.Ready)
}

func updateFailure(ep *serving.ServingEndpointDetailed) error {
	e := &UpdateFailedError{State: ep.State.ConfigUpdate, StillServing: ep.State.Ready == serving.EndpointStateReadyReady}
	if p := ep.PendingConfig; p != nil {
		for _, se := range p.ServedEntities {
			if se.State != nil && se.State.Deployment != serving.ServedModelStateDeploymentDeploymentReady && se.State.DeploymentStateMessage != "" {
				e.Messages = append(e.Messages, se.Name+": "+se.State.DeploymentStateMessage)
			}
		}
	}
	return e
}

func failedEntities(c *serving.EndpointCoreConfigOutput) []string {
	var msgs []string
	if c == nil {
		return nil
	}
	for _, se := range c.ServedEntities {
		if se.State == nil {
			continue
		}
		switch se.State.Deployment {
		case serving.ServedModelStateDeploymentDeploymentFailed, serving.ServedModelStateDeploymentDeploymentAborted:
			msgs = append(msgs, se.Name+": "+cmp.Or(se.State.DeploymentStateMessage, string(se.State.Deployment)))
		}
	}
	return msgs
}

func allReady(c *serving.EndpointCoreConfigOutput) bool {
	if c == nil || len(c.ServedEntities)+len(c.ServedModels) == 0 {
		return false
	}
	for _, se := range c.ServedEntities {
		if se.State == nil || se.State.Deployment != serving.ServedModelStateDeploymentDeploymentReady {
			return false
		}
	}
	for _, sm := range c.ServedModels {
		if sm.State == nil || sm.State.Deployment != serving.ServedModelStateDeploymentDeploymentReady {
			return false
		}
	}
	return true
}

// ErrChangedMeanwhile is matched when the endpoint's live config changed
// under a deployment, by someone else's update: xregion stops rather than
// overwrite that change.
var ErrChangedMeanwhile = errors.New("endpoint config changed by someone else during the deployment")

// update sends a config update meant to follow live config version live. An
// update rejected because another one is in progress (409) waits for that
// one and tries again, a bounded number of times: if the other update
// changed the live config, or already made it what in asks (a retried
// request of ours that had landed), it stops there instead. Nothing else is
// retried here, since the SDK already retries throttling and unavailability.
func (w waiter) update(ctx context.Context, in serving.EndpointCoreConfigInput, live int64, timeout time.Duration) (pending, error) {
	for attempt := 1; ; attempt++ {
		prior := w.lastFailed()
		wait, err := w.c.UpdateConfig(ctx, in)
		if err == nil || !errors.Is(err, apierr.ErrResourceConflict) || attempt > maxConflictRetries {
			if err != nil {
				return pending{}, fmt.Errorf("update config: %w", err)
			}
			p := pendingOf(wait)
			p.priorFailed = prior
			return p, nil
		}
		w.log.InfoContext(ctx, "another update is in progress; waiting to retry", "attempt", attempt)
		ep, err := w.idle(ctx, timeout)
		if err != nil {
			return pending{}, err
		}
		if snap := snapshotOf(ep); snap != nil && snap.ConfigVersion != live {
			if matches(in, snap.Input(in.Name)) {
				return pending{}, nil // ours, landed despite the error
			}
			return pending{}, fmt.Errorf("live config went from version %d to %d while waiting to update: %w", live, snap.ConfigVersion, ErrChangedMeanwhile)
		}
	}
}
