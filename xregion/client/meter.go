package client

import (
	"context"
	"maps"
	"strings"
	"sync"
)

// Counts are requests sent to a workspace. Reads, Writes and Queries
// count every attempt (retries included); Retries counts the attempts,
// among them, that repeated an earlier one.
type Counts struct {
	// Reads are GET (and HEAD) requests.
	Reads int `json:"reads"`
	// Writes are the other API requests, which may change state.
	Writes int `json:"writes"`
	// Queries are requests to serving endpoints' invocations (health
	// checks): POSTs that change nothing, counted apart.
	Queries int `json:"queries,omitempty"`
	Retries int `json:"retries"`
}

// Total is Reads + Writes + Queries: the requests sent.
func (c Counts) Total() int { return c.Reads + c.Writes + c.Queries }

func (c Counts) add(d Counts) Counts {
	return Counts{c.Reads + d.Reads, c.Writes + d.Writes, c.Queries + d.Queries, c.Retries + d.Retries}
}

func (c Counts) sub(d Counts) Counts {
	return Counts{c.Reads - d.Reads, c.Writes - d.Writes, c.Queries - d.Queries, c.Retries - d.Retries}
}

type stepKey struct{}

// WithStep returns a context whose requests a [Meter] counts under step,
// such as "EnsureShare".
func WithStep(ctx context.Context, step string) context.Context {
	return context.WithValue(ctx, stepKey{}, step)
}

// StepOf returns the step [WithStep] put in ctx, or "".
func StepOf(ctx context.Context) string {
	s, _ := ctx.Value(stepKey{}).(string)
	return s
}

// Meter counts the requests of a client by step ([WithStep]); give its
// Observe method to [Settings].Observe. Requests made outside any step,
// such as the first call after connecting, count under "". The zero value
// is ready to use; a Meter is safe for concurrent use.
type Meter struct {
	mu     sync.Mutex
	byStep map[string]Counts
}

// Observe counts one attempt.
func (m *Meter) Observe(a Attempt) {
	var c Counts
	switch {
	case strings.HasSuffix(a.Path, "/invocations"):
		c.Queries = 1
	case a.Write():
		c.Writes = 1
	default:
		c.Reads = 1
	}
	if a.Retry() {
		c.Retries = 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byStep == nil {
		m.byStep = map[string]Counts{}
	}
	m.byStep[a.Step] = m.byStep[a.Step].add(c)
}

// Snapshot returns the counts so far, by step.
func (m *Meter) Snapshot() map[string]Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.byStep)
}

// Since returns the counts by step made after the snapshot before was
// taken; steps without a request are left out.
func (m *Meter) Since(before map[string]Counts) map[string]Counts {
	out := map[string]Counts{}
	for step, c := range m.Snapshot() {
		if d := c.sub(before[step]); d != (Counts{}) {
			out[step] = d
		}
	}
	return out
}

// Sum adds up counts by step.
func Sum(byStep map[string]Counts) Counts {
	var t Counts
	for _, c := range byStep {
		t = t.add(c)
	}
	return t
}
