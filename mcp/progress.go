package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion"
)

// progressHandler sends every record the library logs at Info or above
// (steps done, a wait's state: tables online, the endpoint's update) as a
// progress notification of one tool call, without the file's secrets, and
// passes every record on to the server's log.
type progressHandler struct {
	next   slog.Handler
	notify func(msg string)
	attrs  []slog.Attr
}

func (h *progressHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || h.next.Enabled(ctx, l)
}

func (h *progressHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		var b strings.Builder
		b.WriteString(r.Message)
		add := func(a slog.Attr) bool {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
			return true
		}
		for _, a := range h.attrs {
			add(a)
		}
		r.Attrs(add)
		h.notify(b.String())
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *progressHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &progressHandler{next: h.next.WithAttrs(attrs), notify: h.notify, attrs: append(append([]slog.Attr{}, h.attrs...), attrs...)}
}

func (h *progressHandler) WithGroup(name string) slog.Handler {
	return &progressHandler{next: h.next.WithGroup(name), notify: h.notify, attrs: h.attrs}
}

// callOpts are the library's options of a long tool call: when the client
// asked for progress, the library's log lines reach it as notifications.
func (s *server) callOpts(ctx context.Context, req *mcp.CallToolRequest, extra ...xregion.Option) []xregion.Option {
	token := req.Params.GetProgressToken()
	if token == nil || req.Session == nil {
		return s.opts(extra...)
	}
	var mu sync.Mutex
	n := 0
	notify := func(msg string) {
		// Sent under the lock, so that progress values arrive increasing
		// (regions of a fleet log concurrently). A client that went away
		// misses its progress; the call goes on until ctx ends.
		mu.Lock()
		defer mu.Unlock()
		n++
		p := &mcp.ProgressNotificationParams{ProgressToken: token, Progress: float64(n), Message: s.redact.Replace(msg)}
		_ = req.Session.NotifyProgress(ctx, p)
	}
	log := slog.New(&progressHandler{next: s.cfg.Log.Handler(), notify: notify})
	return append(s.opts(extra...), xregion.WithLogger(log))
}
