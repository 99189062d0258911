package rollout

import (
	"github.com/org/xregion-action/xregion/client"
)

// Requests are the API requests a rollout sent to its workspaces, counted
// by the [client.Meter] of each [Workspace] that has one: reads, writes
// and, among them, retries, in all and by step ("" for requests outside
// any step).
type Requests struct {
	Source *WorkspaceRequests `json:"source,omitempty"`
	Target *WorkspaceRequests `json:"target,omitempty"`
}

// WorkspaceRequests are the requests sent to one workspace.
type WorkspaceRequests struct {
	Total client.Counts            `json:"total"`
	Steps map[string]client.Counts `json:"steps,omitempty"`
}

// meterWindow counts the requests of the workspaces of one run: the
// difference between two snapshots of their meters.
type meterWindow struct {
	src, dst           *client.Meter
	srcStart, dstStart map[string]client.Counts
}

func startMeters(src *Workspace, dst Workspace) *meterWindow {
	m := &meterWindow{dst: dst.Requests}
	if src != nil {
		m.src = src.Requests
	}
	if m.src != nil {
		m.srcStart = m.src.Snapshot()
	}
	if m.dst != nil {
		m.dstStart = m.dst.Snapshot()
	}
	return m
}

// requests returns what the meters counted since the start, or nil
// without meters.
func (m *meterWindow) requests() *Requests {
	if m.src == nil && m.dst == nil {
		return nil
	}
	r := &Requests{}
	if m.src != nil {
		steps := m.src.Since(m.srcStart)
		r.Source = &WorkspaceRequests{Total: client.Sum(steps), Steps: steps}
	}
	if m.dst != nil {
		steps := m.dst.Since(m.dstStart)
		r.Target = &WorkspaceRequests{Total: client.Sum(steps), Steps: steps}
	}
	return r
}
