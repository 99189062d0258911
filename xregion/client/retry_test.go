package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion/client"
)

// reply is one scripted answer of a scripted transport: a status (with a
// service-shaped error body) or, with status 0, a connection reset after
// the request was sent.
type reply struct {
	status     int
	retryAfter string
}

// scripted answers the requests to each method in turn from a script, and
// 200 with {} once the script is spent; it records when each came.
type scripted struct {
	mu     sync.Mutex
	script []reply
	times  []time.Time
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	s.times = append(s.times, time.Now())
	rp := reply{status: http.StatusOK}
	if len(s.script) > 0 {
		rp, s.script = s.script[0], s.script[1:]
	}
	if rp.status == 0 {
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	}
	body := `{}`
	if rp.status >= 400 {
		body = `{"error_code":"` + map[int]string{429: "REQUEST_LIMIT_EXCEEDED", 503: "TEMPORARILY_UNAVAILABLE", 500: "INTERNAL_ERROR", 502: "BAD_GATEWAY", 504: "DEADLINE_EXCEEDED", 404: "RESOURCE_DOES_NOT_EXIST"}[rp.status] + `","message":"scripted"}`
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if rp.retryAfter != "" {
		h.Set("Retry-After", rp.retryAfter)
	}
	return &http.Response{StatusCode: rp.status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func (s *scripted) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times)
}

// TestRetryPolicy drives a real SDK client through RetryingTransport over
// scripted replies, in fake time: what is retried, how often, and what the
// caller gets. Reads are Shares.Get, writes Shares.Create.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		write, query bool
		script       []reply
		wantAttempts int
		wantErr      error // nil: success
		wantUnknown  bool
	}{
		{name: "read/503_then_ok", script: []reply{{status: 503}, {status: 503}}, wantAttempts: 3},
		{name: "read/500_502_504_reset_then_ok", script: []reply{{status: 500}, {status: 502}, {status: 504}, {}}, wantAttempts: 5},
		{name: "read/404_not_retried", script: []reply{{status: 404}}, wantAttempts: 1, wantErr: apierr.ErrResourceDoesNotExist},
		{name: "read/503_gives_up_and_sdk_does_not_retry", script: slicesRepeat(reply{status: 503}, 20),
			wantAttempts: client.DefaultMaxAttempts, wantErr: apierr.ErrTemporarilyUnavailable},
		{name: "write/429_retried", write: true, script: []reply{{status: 429}}, wantAttempts: 2},
		{name: "write/503_not_repeated", write: true, script: []reply{{status: 503}}, wantAttempts: 1,
			wantErr: apierr.ErrTemporarilyUnavailable, wantUnknown: true},
		{name: "write/500_not_repeated", write: true, script: []reply{{status: 500}}, wantAttempts: 1,
			wantErr: apierr.ErrInternalError, wantUnknown: true},
		{name: "write/reset_not_repeated", write: true, script: []reply{{}}, wantAttempts: 1,
			wantErr: syscall.ECONNRESET, wantUnknown: true},
		{name: "query/503_retried", query: true, script: []reply{{status: 503}}, wantAttempts: 2},
		{name: "query/500_is_the_answer", query: true, script: []reply{{status: 500}}, wantAttempts: 1,
			wantErr: apierr.ErrInternalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				base := &scripted{}
				w, err := client.New(t.Context(), client.Settings{Host: "http://ws.invalid", Token: "t", Transport: base})
				if err != nil {
					t.Fatal(err)
				}
				base.mu.Lock()
				base.script, base.times = tt.script, nil
				base.mu.Unlock()
				switch {
				case tt.query:
					_, err = w.ServingEndpoints.Query(t.Context(), serving.QueryEndpointInput{Name: "e"})
				case tt.write:
					_, err = w.Shares.Create(t.Context(), sharing.CreateShare{Name: "s"})
				default:
					_, err = w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s"})
				}
				if got := base.attempts(); got != tt.wantAttempts {
					t.Errorf("attempts = %d, want %d", got, tt.wantAttempts)
				}
				switch {
				case tt.wantErr == nil && err != nil:
					t.Errorf("error = %v, want success", err)
				case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
					t.Errorf("error = %v, want errors.Is %v", err, tt.wantErr)
				}
				var ce *client.Error
				if got := errors.As(err, &ce) && ce.OutcomeUnknown(); got != tt.wantUnknown {
					t.Errorf("OutcomeUnknown = %v, want %v (error %v)", got, tt.wantUnknown, err)
				}
			})
		})
	}
}

func slicesRepeat(r reply, n int) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// TestRetryAfter: a 429's Retry-After lengthens the wait beyond the
// backoff's, and a wait that would outlast the caller's deadline is not
// begun.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		base := &scripted{}
		w, err := client.New(t.Context(), client.Settings{Host: "http://ws.invalid", Token: "t", Transport: base})
		if err != nil {
			t.Fatal(err)
		}
		base.mu.Lock()
		base.script, base.times = []reply{{status: 429, retryAfter: "20"}}, nil
		base.mu.Unlock()
		if _, err := w.Metastores.Summary(t.Context()); err != nil {
			t.Fatalf("Summary() error = %v", err)
		}
		if gap := base.times[1].Sub(base.times[0]); gap < 20*time.Second {
			t.Errorf("retried after %v, want at least the 20s Retry-After asks", gap)
		}

		base.mu.Lock()
		base.script, base.times = []reply{{status: 429, retryAfter: "30"}}, nil
		base.mu.Unlock()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err = w.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: "c"})
		if !errors.Is(err, apierr.ErrTooManyRequests) {
			t.Errorf("error = %v, want the 429", err)
		}
		if base.attempts() != 1 || time.Since(start) >= 10*time.Second {
			t.Errorf("%d attempts in %v, want 1 and an answer before the 10s deadline", base.attempts(), time.Since(start))
		}
	})
}

// TestMeter counts the attempts of a real SDK client by step: reads,
// writes and the retry of a 503, and only those since a snapshot.
func TestMeter(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		base := &scripted{}
		m := &client.Meter{}
		w, err := client.New(t.Context(), client.Settings{Host: "http://ws.invalid", Token: "t", Transport: base, Observe: m.Observe})
		if err != nil {
			t.Fatal(err)
		}
		before := m.Snapshot()
		base.mu.Lock()
		base.script = []reply{{status: 503}}
		base.mu.Unlock()
		ctx := client.WithStep(t.Context(), "EnsureShare")
		if _, err := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "s"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Metastores.Summary(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := map[string]client.Counts{"EnsureShare": {Reads: 2, Writes: 1, Retries: 1}, "": {Reads: 1}}
		if diff := cmp.Diff(want, m.Since(before)); diff != "" {
			t.Errorf("Since() mismatch (-want +got):\n%s", diff)
		}
	})
}
