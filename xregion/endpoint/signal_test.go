package endpoint_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// logRecords is a slog handler that keeps each record's message, time and
// attributes.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

func (l *logRecords) find(prefix string) []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []slog.Record
	for _, r := range l.recs {
		if strings.HasPrefix(strings.TrimPrefix(r.Message, "still "), prefix) {
			out = append(out, r)
		}
	}
	return out
}

// TestDeployWithRollbackInterrupts cancels a deployment mid-update (a first
// interrupt): it says what it rolls back and starts; a second interrupt
// (the stop channel) ends the rollback's wait, saying what state the
// endpoint is in.
func TestDeployWithRollbackInterrupts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 100})
		ctx, cancel := context.WithCancel(t.Context())
		stop := make(chan struct{})
		time.AfterFunc(3*time.Minute, cancel)                 // first interrupt, mid-update
		time.AfterFunc(5*time.Minute, func() { close(stop) }) // second, during the rollback's wait
		logs := &logRecords{}
		start := time.Now()
		got, err := endpoint.DeployWithRollback(ctx, ws.ServingEndpoints, spec(5),
			xregion.WithPollInterval(10*time.Second), xregion.WithStop(stop), xregion.WithLogger(slog.New(logs)))
		if took := time.Since(start); took > 5*time.Minute+20*time.Second {
			t.Errorf("returned %v after the start, want soon after the second interrupt at 5m", took)
		}
		if !errors.Is(err, context.Canceled) || got.Outcome != endpoint.OutcomeFailed {
			t.Fatalf("DeployWithRollback() = %s, %v; want failed after a cancellation", got.Outcome, err)
		}
		if !strings.Contains(err.Error(), "stopped waiting for the update to finish (last state IN_PROGRESS") {
			t.Errorf("error %q does not say plainly which wait the cancellation stopped", err)
		}
		if !strings.Contains(err.Error(), "second interrupt") || !strings.Contains(err.Error(), "IN_PROGRESS") {
			t.Errorf("error %q does not say the wait stopped and the endpoint's state", err)
		}
		rolling := logs.find("interrupted: rolling back")
		if len(rolling) != 1 {
			t.Fatalf("%d 'interrupted: rolling back' records, want 1", len(rolling))
		}
		var to string
		rolling[0].Attrs(func(a slog.Attr) bool {
			if a.Key == "to" {
				to = a.Value.String()
			}
			return true
		})
		if !strings.Contains(to, "config version 7") || !strings.Contains(to, "fraud-3") {
			t.Errorf("rollback record says it restores %q, want config version 7 with fraud-3", to)
		}
		if len(logs.find("stopped waiting")) != 1 {
			t.Errorf("no record says the wait stopped")
		}
	})
}

// TestDeployWithRollbackHeartbeat checks that a long wait logs at least
// every 30 seconds while the state does not change, with the default
// backoff, whose jittered intervals reach 45 seconds.
func TestDeployWithRollbackHeartbeat(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ws := target(t)
		ws.ScriptDeployment(model, "5", xregiontest.Deployment{Polls: 40}) // about 15 minutes
		logs := &logRecords{}
		got, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, spec(5), xregion.WithLogger(slog.New(logs)))
		if err != nil || got.Outcome != endpoint.OutcomeDeployed {
			t.Fatalf("DeployWithRollback() = %s, %v", got.Outcome, err)
		}
		waits := logs.find("waiting for the update to finish")
		if len(waits) < 2 {
			t.Fatalf("%d wait records, want many", len(waits))
		}
		for i := 1; i < len(waits); i++ {
			if gap := waits[i].Time.Sub(waits[i-1].Time); gap > 30*time.Second {
				t.Errorf("%v between wait records %d and %d, want at most 30s", gap, i-1, i)
			}
		}
		if last := waits[len(waits)-1].Time.Sub(waits[0].Time); last < 10*time.Minute {
			t.Errorf("wait records span %v, want the whole update", last)
		}
	})
}

// TestDeployWithRollbackLogsNoSecrets: the entity's environment variables
// may hold secrets; the log shows their names, never their values.
func TestDeployWithRollbackLogsNoSecrets(t *testing.T) {
	t.Parallel()
	ws := target(t)
	logs := &logRecords{}
	s := spec(5)
	s.Entity.EnvironmentVars = map[string]string{"DB_PASSWORD": "hunter2-s3cret"}
	if _, err := endpoint.DeployWithRollback(t.Context(), ws.ServingEndpoints, s, noSleep, xregion.WithLogger(slog.New(logs))); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	h := slog.NewTextHandler(&all, nil)
	for _, r := range logs.recs {
		if err := h.Handle(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Contains(all.String(), "hunter2") {
		t.Errorf("the log shows an environment variable's value:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "DB_PASSWORD") {
		t.Errorf("the log does not name the entity's environment variables:\n%s", all.String())
	}
}
