package xregiontest

import (
	"encoding/binary"
	"hash/fnv"
	"net/http"
	"strings"
)

// HTTPStorm makes a seeded, replayable share of a handler's API requests
// (paths under /api/) fail the ways a busy service fails them: 429 with
// Retry-After, 503, 500, a connection reset, and, on writes, a 500 or a
// reset after the write took effect. Add it with [WithHTTPStorm].
//
// Whether a request fails, and how, depends only on Seed, its method, its
// path and how many requests with that method and path came before it, so
// the same seed replays the same storm whatever order concurrent requests
// of different objects arrive in.
type HTTPStorm struct {
	// Seed picks the storm.
	Seed uint64
	// Rate is the share of requests that fail, such as 0.15.
	Rate float64
}

// StormKind is one way a request fails in an [HTTPStorm].
type StormKind int

// The ways a request fails in an [HTTPStorm].
const (
	StormThrottled           StormKind = iota // 429 REQUEST_LIMIT_EXCEEDED, Retry-After: 1
	StormUnavailable                          // 503 TEMPORARILY_UNAVAILABLE
	StormInternal                             // 500 INTERNAL_ERROR, nothing done
	StormReset                                // the connection reset, nothing done
	StormInternalAfterCommit                  // a write done, then answered 500
	StormResetAfterCommit                     // a write done, then the connection reset
)

// WithHTTPStorm adds a fault storm to the handler. Faults of
// [WithHTTPFault] that fire on a request take precedence over it.
//
// It panics if s.Rate is not between 0 and 1.
func WithHTTPStorm(s HTTPStorm) HandlerOption {
	if s.Rate < 0 || s.Rate > 1 {
		panic("xregiontest: WithHTTPStorm: Rate not between 0 and 1")
	}
	return func(c *handlerConfig) { c.storm = &s }
}

// stormKind returns the fault the storm has for the n-th request (from 0)
// with method and path, if any.
func (s *HTTPStorm) kind(method, path string, n int) (StormKind, bool) {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], s.Seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte(method + " " + path))
	x := h.Sum64()
	if float64(x>>11)/float64(1<<53) >= s.Rate {
		return 0, false
	}
	kinds := 4
	if method != http.MethodGet && method != http.MethodHead {
		kinds = 6
	}
	// A second draw from the same hash, independent enough of the first.
	return StormKind((x * 0x9E3779B97F4A7C15 >> 32) % uint64(kinds)), true
}

// stormFault counts r against the storm and returns the fault it has for
// r, if any. The caller holds h.mu.
func (h *handler) stormFault(r *http.Request) *HTTPFault {
	if h.storm == nil || !strings.HasPrefix(r.URL.Path, "/api/") {
		return nil
	}
	key := r.Method + " " + r.URL.Path
	n := h.stormSeen[key]
	h.stormSeen[key] = n + 1
	k, ok := h.storm.kind(r.Method, r.URL.Path, n)
	if !ok {
		return nil
	}
	h.stormFired[k]++
	// why: the failures a rollout meets on a busy workspace: throttling
	// (SDK apierr/error_mapping.go, httpclient/api_client.go), gateways and
	// restarts (503, dropped connections), internal errors, and writes that
	// landed while the answer was lost (the SDK re-sends a create after a
	// 429 or 503, so it can meet its own earlier success).
	switch k {
	case StormThrottled:
		return &HTTPFault{Status: http.StatusTooManyRequests, RetryAfter: "1"}
	case StormUnavailable:
		return &HTTPFault{Status: http.StatusServiceUnavailable}
	case StormInternal:
		return &HTTPFault{Status: http.StatusInternalServerError}
	case StormReset:
		return &HTTPFault{Drop: true}
	case StormInternalAfterCommit:
		return &HTTPFault{Status: http.StatusInternalServerError, AfterCommit: true}
	default:
		return &HTTPFault{Drop: true, AfterCommit: true}
	}
}
