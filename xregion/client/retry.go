package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/common"
)

// Defaults of [RetryingTransport].
const (
	// DefaultMaxAttempts is how many times one request is sent at most.
	DefaultMaxAttempts = 6
	// DefaultMaxElapsed bounds the time one request may spend in retries:
	// within the SDK's 60s inactivity timeout of one request
	// (Config.HTTPTimeoutSeconds), which also bounds the waits here, as
	// they happen inside one of the SDK's attempts.
	DefaultMaxElapsed = 45 * time.Second
	// DefaultMaxRetryAfter caps a wait a Retry-After header asks for.
	DefaultMaxRetryAfter = 30 * time.Second
)

// DefaultBackOff returns the backoff between attempts of one request:
// exponential from 500ms, doubling up to 10s, randomized by ±50%, for at
// most [DefaultMaxElapsed].
func DefaultBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 500 * time.Millisecond
	b.Multiplier = 2
	b.MaxInterval = 10 * time.Second
	b.RandomizationFactor = 0.5
	b.MaxElapsedTime = DefaultMaxElapsed
	b.Reset()
	return b
}

// Attempt describes one attempt of a request, for [RetryingTransport.Observe].
type Attempt struct {
	// Method and Path are those of the request, such as "GET" and
	// "/api/2.1/unity-catalog/shares/s".
	Method, Path string
	// N is the attempt's number: 1 for the first, 2 for the first retry.
	N int
	// Status is the reply's status, 0 when no reply came (Err is set).
	Status int
	// Err is the transport's error, if no reply came.
	Err error
	// Step is the step of the request's context ([WithStep]), or "".
	Step string
}

// Write reports whether the attempt's request may change state: any
// method other than GET, HEAD and OPTIONS.
func (a Attempt) Write() bool { return !safeMethod(a.Method) }

// Retry reports whether the attempt repeats an earlier one.
func (a Attempt) Retry() bool { return a.N > 1 }

// RetryingTransport is the one place where xregion retries requests. It sits
// under the SDK's client (as its config's HTTPTransport; [New] puts it
// there), sees every attempt, and applies this policy:
//
//   - Reads (GET, HEAD, OPTIONS) are retried on 429, 500, 502, 503 and 504
//     replies and on dropped connections (reset, refused, cut short, timed
//     out).
//   - Queries of serving endpoints (POST .../invocations, health checks),
//     which change nothing, are retried on 429 and 503; any other 5xx is
//     the model's answer and is returned.
//   - Writes (every other method) are retried only when they certainly did
//     not take effect: a 429 (the service refused the request before
//     handling it) or a connection that could not be made (nothing was
//     sent). A write answered with a 5xx, or whose connection dropped after
//     it was sent, has an unknown outcome and is never repeated: the caller
//     gets an [*Error] whose OutcomeUnknown reports true, re-reads the state
//     and decides (xregion's steps are level-based: a re-run of the step
//     finds the write done, or makes it once more).
//   - Between attempts it waits a randomized exponential backoff
//     ([DefaultBackOff]), or longer when a Retry-After header asks (up to
//     MaxRetryAfter), at most MaxAttempts attempts and never past the
//     request context's deadline: a wait that would end after it is not
//     begun.
//
// The SDK (v0.182.0, httpclient/api_client.go isRetriable) would retry on
// its own, for up to 5 minutes and on writes too, every reply with status
// 429 or 503, error code REQUEST_LIMIT_EXCEEDED or RESOURCE_EXHAUSTED, or a
// message matching its transient patterns, and every transport error whose
// text holds "connection reset by peer", "connection refused", "i/o timeout"
// and the like. Its retry budget (Config.RetryTimeoutSeconds) cannot turn
// that off: 0 means 5 minutes, and a short one also bounds the first
// attempt. So once this transport has decided to stop, it answers the SDK in
// a way the SDK does not retry: a reply the SDK would retry becomes an
// [*Error] (which the SDK sees as a transport error whose text holds none
// of its patterns), and so does every transport error. Replies the SDK does
// not retry (404, 409, 400, 500 to a read, ...) pass through as they are,
// so callers keep the SDK's *apierr.APIError. An [*Error] still matches the
// apierr sentinels of its status and error code with errors.Is, such as
// apierr.ErrTemporarilyUnavailable for a 503.
//
// The OAuth and discovery endpoints outside /api/ get the same retries, but
// their last reply passes through, for the SDK's token client to read.
//
// A RetryingTransport is safe for concurrent use; its zero value uses
// http.DefaultTransport and the defaults above.
type RetryingTransport struct {
	// Base carries each attempt. Default: http.DefaultTransport.
	Base http.RoundTripper
	// NewBackOff returns the backoff of one request. Default:
	// [DefaultBackOff].
	NewBackOff func() backoff.BackOff
	// MaxAttempts bounds the attempts of one request. Default:
	// [DefaultMaxAttempts].
	MaxAttempts int
	// MaxRetryAfter caps the wait a Retry-After header asks for. Default:
	// [DefaultMaxRetryAfter].
	MaxRetryAfter time.Duration
	// Observe, if set, is called after every attempt, from the goroutine
	// of the request; it must be safe for concurrent use.
	Observe func(Attempt)
}

// Error is a request [RetryingTransport] gave up on: the last reply the SDK
// would otherwise have retried, or a connection that failed. Its text never
// holds the phrases on which the SDK retries.
type Error struct {
	// Method and Path are those of the request.
	Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	// Status, Code and Message are those of the last reply, if any.
	Status        int
	Code, Message string
	// Err is the transport's error of the last attempt, if no reply came.
	Err error
	// Unknown is set when a write may have taken effect: it was sent and
	// answered with a 5xx or no answer came.
	Unknown bool

	hideDetail bool // the code or message holds a phrase the SDK retries on
}

// OutcomeUnknown reports whether the request was a write that may have
// taken effect. The caller should re-read the state before deciding to
// write again.
func (e *Error) OutcomeUnknown() bool { return e.Unknown }

func (e *Error) Error() string {
	tries := "1 attempt"
	if e.Attempts != 1 {
		tries = fmt.Sprintf("%d attempts", e.Attempts)
	}
	var what string
	if e.Status != 0 {
		what = fmt.Sprintf("answered %d %s", e.Status, http.StatusText(e.Status))
	} else {
		what = "the connection failed (" + connectionFault(e.Err) + ")"
	}
	unknown := ""
	if e.Unknown {
		unknown = "; the write may have taken effect"
	}
	full := fmt.Sprintf("%s %s: %s after %s%s", e.Method, e.Path, what, tries, unknown)
	detail := strings.TrimSpace(strings.Trim(e.Code+": "+e.Message, ": "))
	if detail != "" && !e.hideDetail {
		full += ": " + detail
	}
	return full
}

// Unwrap returns the transport's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the apierr sentinel of e's status and error
// code, as for an *apierr.APIError with them.
func (e *Error) Is(target error) bool {
	if e.Status == 0 {
		return false
	}
	return errors.Is(&apierr.APIError{StatusCode: e.Status, ErrorCode: e.Code, Message: e.Message}, target)
}

// connectionFault names a transport error in words the SDK does not match.
func connectionFault(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		return "reset by the peer"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed before the reply"
	case isTimeout(err):
		return "timed out"
	case err == nil:
		return "no reply"
	}
	return "no reply"
}

// sdkRetriesText reports whether the SDK's API client would retry an error
// whose text holds s (httpclient: TransientErrors and the url.Error list;
// apierr: the transient message patterns).
func sdkRetriesText(ctx context.Context, s string) bool {
	for _, p := range []string{"REQUEST_LIMIT_EXCEEDED", "connection reset by peer", "TLS handshake timeout",
		"connection refused", "Unexpected error", "i/o timeout"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return (&apierr.APIError{StatusCode: http.StatusBadRequest, Message: s}).IsRetriable(ctx)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// notSent reports whether err shows that the request never left: the
// connection could not be made.
func notSent(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// droppedConnection reports whether err is a connection that failed in a
// way a later attempt may not meet.
func droppedConnection(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isTimeout(err) || notSent(err)
}

// isQuery reports whether path is a serving endpoint's invocations: a POST
// that changes no state (a health check's query).
func isQuery(path string) bool { return strings.HasSuffix(path, "/invocations") }

func retryableStatus(status int, write, query bool) bool {
	if query {
		// A query changes nothing, so one the service refused can be sent
		// again; a 5xx other than 503 is the model's answer, for the
		// health check to judge.
		return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
	}
	if write {
		return status == http.StatusTooManyRequests
	}
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RoundTrip sends req under the policy of [RetryingTransport].
func (t *RetryingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx := req.Context()
	query := isQuery(req.URL.Path)
	write := !safeMethod(req.Method) && !query
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	maxAttempts := t.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	var b backoff.BackOff
	for n := 1; ; n++ {
		r := req
		if n > 1 {
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := base.RoundTrip(r)
		status := 0
		if err == nil {
			status = resp.StatusCode
		}
		if t.Observe != nil {
			t.Observe(Attempt{Method: req.Method, Path: req.URL.Path, N: n, Status: status, Err: err, Step: StepOf(ctx)})
		}
		var again bool
		if err != nil {
			again = ctx.Err() == nil && droppedConnection(err) && (!write && !query || notSent(err))
		} else {
			again = retryableStatus(status, write, query)
		}
		var wait time.Duration
		if again && n < maxAttempts && rewindable {
			if b == nil {
				b = t.backOff(ctx)
			}
			wait = b.NextBackOff()
			if ra := retryAfter(resp, t.maxRetryAfter()); ra > wait && wait != backoff.Stop {
				wait = ra
			}
			if dl, ok := ctx.Deadline(); ok && wait != backoff.Stop && time.Until(dl) < wait {
				wait = backoff.Stop // the wait would outlast the caller
			}
		} else {
			wait = backoff.Stop
		}
		if wait == backoff.Stop {
			return t.final(req, n, resp, err, write)
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (t *RetryingTransport) backOff(ctx context.Context) backoff.BackOff {
	if t.NewBackOff != nil {
		return backoff.WithContext(t.NewBackOff(), ctx)
	}
	return backoff.WithContext(DefaultBackOff(), ctx)
}

func (t *RetryingTransport) maxRetryAfter() time.Duration {
	if t.MaxRetryAfter > 0 {
		return t.MaxRetryAfter
	}
	return DefaultMaxRetryAfter
}

// retryAfter returns the wait the reply's Retry-After header asks for, in
// seconds or as an HTTP date, capped by limit; 0 without one.
func retryAfter(resp *http.Response, limit time.Duration) time.Duration {
	if resp == nil {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(v); err == nil {
		d = time.Duration(s) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = time.Until(at)
	}
	return max(0, min(d, limit))
}

// final answers the SDK after the last attempt, in a way it does not
// retry.
func (t *RetryingTransport) final(req *http.Request, n int, resp *http.Response, err error, write bool) (*http.Response, error) {
	api := strings.HasPrefix(req.URL.Path, "/api/")
	if err != nil {
		if req.Context().Err() != nil {
			return nil, err
		}
		if !api {
			return nil, err
		}
		return nil, &Error{Method: req.Method, Path: req.URL.Path, Attempts: n, Err: err, Unknown: write && !notSent(err)}
	}
	if !api || resp.StatusCode < 400 {
		return resp, nil
	}
	unknown := write && resp.StatusCode >= 500
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if rerr != nil {
		return nil, &Error{Method: req.Method, Path: req.URL.Path, Attempts: n, Err: rerr, Unknown: write}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ae := parseAPIError(req, resp, body)
	if !unknown && !ae.IsRetriable(req.Context()) && !sdkRetriesText(req.Context(), ae.Message) {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil // the SDK reads it as it is and does not retry
	}
	return nil, &Error{Method: req.Method, Path: req.URL.Path, Attempts: n,
		Status: resp.StatusCode, Code: ae.ErrorCode, Message: ae.Message, Unknown: unknown,
		hideDetail: sdkRetriesText(req.Context(), ae.ErrorCode+": "+ae.Message)}
}

// parseAPIError reads an error reply as the SDK does.
func parseAPIError(req *http.Request, resp *http.Response, body []byte) *apierr.APIError {
	r := *resp
	r.Request = req
	r.Body = io.NopCloser(bytes.NewReader(body))
	rw, err := common.NewResponseWrapper(&r, common.RequestBody{})
	if err == nil {
		var ae *apierr.APIError
		if errors.As(apierr.GetAPIError(req.Context(), rw), &ae) {
			return ae
		}
	}
	return &apierr.APIError{StatusCode: resp.StatusCode, Message: http.StatusText(resp.StatusCode)}
}
