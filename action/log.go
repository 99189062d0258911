package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"
)

// actionHandler is a slog.Handler that writes to the workflow log through
// the action's commands: one collapsible group per pipeline step, warnings
// and errors as annotations, debug records only when the runner debugs.
type actionHandler struct {
	a      *githubactions.Action
	redact func(string) string // keeps secrets out of every line
	state  *logState
	attrs  []slog.Attr
	group  string
}

type logState struct {
	mu   sync.Mutex
	step string // the step whose group is open
}

func newActionHandler(a *githubactions.Action, redact func(string) string) *actionHandler {
	return &actionHandler{a: a, redact: redact, state: &logState{}}
}

func (h *actionHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *actionHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	for _, a := range attrs {
		if h.group != "" {
			a.Key = h.group + "." + a.Key
		}
		h2.attrs = append(h2.attrs[:len(h2.attrs):len(h2.attrs)], a)
	}
	return &h2
}

func (h *actionHandler) WithGroup(name string) slog.Handler {
	h2 := *h
	h2.group = strings.TrimPrefix(h.group+"."+name, ".")
	return &h2
}

func (h *actionHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	step := ""
	write := func(a slog.Attr) {
		if a.Key == "step" {
			step = a.Value.String()
			return
		}
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		if h.group != "" {
			a.Key = h.group + "." + a.Key
		}
		write(a)
		return true
	})
	msg := h.redact(b.String())

	h.state.mu.Lock()
	defer h.state.mu.Unlock()
	if step != "" && step != h.state.step {
		if h.state.step != "" {
			h.a.EndGroup()
		}
		h.a.Group(step)
		h.state.step = step
	}
	switch {
	case r.Level >= slog.LevelError:
		h.a.Errorf("%s", msg)
	case r.Level >= slog.LevelWarn:
		h.a.Warningf("%s", msg)
	case r.Level >= slog.LevelInfo:
		// Plain lines are not escaped like commands: keep service text on
		// one line so that it can never start a workflow command.
		h.a.Infof("%s", strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
	default:
		h.a.Debugf("%s", msg)
	}
	return nil
}

// endGroup closes the group left open, if any.
func (h *actionHandler) endGroup() {
	h.state.mu.Lock()
	defer h.state.mu.Unlock()
	if h.state.step != "" {
		h.a.EndGroup()
		h.state.step = ""
	}
}
