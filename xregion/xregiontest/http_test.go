package xregiontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/client"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/logger"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/iam"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// noLoader loads no configuration, so that DATABRICKS_* variables of the
// environment do not leak into the clients of the tests (SDK config/config.go:
// the default loaders fill every empty field from the environment).
type noLoader struct{}

func (noLoader) Name() string                   { return "none" }
func (noLoader) Configure(*config.Config) error { return nil }

// hit is one request a test server answered.
type hit struct {
	Method, Path string
	Status       int // 0 when the connection was dropped
}

// hits records the requests a test server answered, in the order they
// arrived.
type hits struct {
	mu       sync.Mutex
	answered sync.Cond // signalled when inflight drops
	list     []hit
	inflight int
}

func newHits() *hits {
	h := &hits{}
	h.answered.L = &h.mu
	return h
}

// start records the arrival of a request and returns its index.
func (h *hits) start(method, path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inflight++
	h.list = append(h.list, hit{Method: method, Path: path})
	return len(h.list) - 1
}

// done records the status the request at index i was answered with.
func (h *hits) done(i, status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.list[i].Status = status
	h.inflight--
	h.answered.Broadcast()
}

// statuses returns the statuses of the requests for method and path, in
// order of arrival, once every request that arrived is answered.
func (h *hits) statuses(method, path string) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.inflight > 0 {
		h.answered.Wait()
	}
	var out []int
	for _, x := range h.list {
		if x.Method == method && x.Path == path {
			out = append(out, x.Status)
		}
	}
	return out
}

// statusWriter records the status a handler replied with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// serve starts a test server for the HTTP face of ws, closed when the test
// ends, and returns it with the record of the requests it answers.
func serve(t *testing.T, ws *xregiontest.Workspace, opts ...xregiontest.HandlerOption) (*httptest.Server, *hits) {
	t.Helper()
	rec := newHits()
	h := ws.Handler(opts...)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		i := rec.start(r.Method, r.URL.Path)
		sw := &statusWriter{ResponseWriter: rw}
		defer func() { rec.done(i, sw.status) }()
		h.ServeHTTP(sw, r)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

// newClient returns a real SDK client of the workspace at host, with
// personal access token "t" unless edit says otherwise.
func newClient(t *testing.T, host string, edit ...func(*databricks.Config)) *databricks.WorkspaceClient {
	t.Helper()
	cfg := &databricks.Config{
		Host: host, Token: "t", AuthType: "pat",
		Loaders: []config.Loader{noLoader{}},
		// Enough calls per second that the SDK's rate limiter never waits,
		// and a retry budget that bounds a test that goes wrong.
		RateLimitPerSecond:  10000,
		RetryTimeoutSeconds: 20,
	}
	for _, e := range edit {
		e(cfg)
	}
	w, err := databricks.NewWorkspaceClient(cfg)
	if err != nil {
		t.Fatalf("NewWorkspaceClient: %v", err)
	}
	return w
}

// rawClient returns a client for raw calls, built from the config of w.
func rawClient(t *testing.T, w *databricks.WorkspaceClient) *client.DatabricksClient {
	t.Helper()
	c, err := client.New(w.Config)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

// ignoreForceSend ignores ForceSendFields, which differ between values the
// SDK decoded and values built by hand (SDK marshal: decoding records every
// field it saw in ForceSendFields).
var ignoreForceSend = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".ForceSendFields"
}, cmp.Ignore())

// warnLogger records the warnings and errors the SDK logs.
type warnLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *warnLogger) Enabled(_ context.Context, level logger.Level) bool {
	return level >= logger.LevelWarn
}
func (l *warnLogger) Tracef(context.Context, string, ...any) {}
func (l *warnLogger) Debugf(context.Context, string, ...any) {}
func (l *warnLogger) Infof(context.Context, string, ...any)  {}
func (l *warnLogger) Warnf(_ context.Context, format string, v ...any) {
	l.add("WARN " + fmt.Sprintf(format, v...))
}
func (l *warnLogger) Errorf(_ context.Context, format string, v ...any) {
	l.add("ERROR " + fmt.Sprintf(format, v...))
}
func (l *warnLogger) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *warnLogger) logged() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// TestHTTPConstruction is not parallel: it swaps the SDK's process-wide
// logger, which the SDK logs the host metadata warning to (SDK
// config/host_metadata.go).
// Parallel tests wait until the sequential ones are done.
func TestHTTPConstruction(t *testing.T) {
	log := &warnLogger{}
	prev := logger.DefaultLogger
	logger.DefaultLogger = log
	t.Cleanup(func() { logger.DefaultLogger = prev })

	ws := xregiontest.NewWorkspace(xregiontest.WithRegion("azure", "westeurope"), xregiontest.WithWorkspaceID(1234567890123456))
	srv, rec := serve(t, ws, xregiontest.WithToken("t"))
	w := newClient(t, srv.URL)

	if lines := log.logged(); lines != nil {
		t.Errorf("client construction logged %q, want nothing", lines)
	}
	if diff := cmp.Diff([]int{http.StatusOK}, rec.statuses("GET", "/.well-known/databricks-config")); diff != "" {
		t.Errorf("host metadata statuses mismatch (-want +got):\n%s", diff)
	}
	// The metadata filled the config as a real workspace's does.
	got := []string{w.Config.WorkspaceID, string(w.Config.Cloud), w.Config.DiscoveryURL, w.Config.TokenAudience}
	want := []string{"1234567890123456", "Azure", srv.URL + "/oidc/.well-known/oauth-authorization-server", srv.URL + "/oidc/v1/token"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved config mismatch (-want +got):\n%s", diff)
	}

	id, err := w.CurrentWorkspaceID(t.Context())
	if err != nil || id != ws.WorkspaceID() {
		t.Errorf("CurrentWorkspaceID() = %d, %v; want %d", id, err, ws.WorkspaceID())
	}
	me, err := w.CurrentUser.Me(t.Context(), iam.MeRequest{})
	if err != nil || me.UserName != "xregion-test@example.com" {
		t.Errorf("CurrentUser.Me() = %+v, %v; want user xregion-test@example.com", me, err)
	}
	if lines := log.logged(); lines != nil {
		t.Errorf("calls logged %q, want nothing", lines)
	}
}

func TestHTTPPATAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []xregiontest.HandlerOption
		token   string
		wantErr error
	}{
		{name: "accepted_token", opts: []xregiontest.HandlerOption{xregiontest.WithToken("t")}, token: "t"},
		{name: "second_token", opts: []xregiontest.HandlerOption{xregiontest.WithToken("t"), xregiontest.WithToken("u")}, token: "u"},
		{name: "wrong_token", opts: []xregiontest.HandlerOption{xregiontest.WithToken("t")}, token: "nope", wantErr: apierr.ErrUnauthenticated},
		{name: "open_handler_any_token", token: "anything"},
		// Only tokens issued by the token endpoint go with client
		// credentials alone.
		{name: "client_credentials_only", opts: []xregiontest.HandlerOption{xregiontest.WithClientCredentials("id", "secret")}, token: "t", wantErr: apierr.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			srv, _ := serve(t, ws, tt.opts...)
			w := newClient(t, srv.URL, func(c *databricks.Config) { c.Token = tt.token })
			_, err := w.Metastores.Summary(t.Context())
			checkErr(t, "Metastores.Summary", err, tt.wantErr)
			wantCalls := 1
			if tt.wantErr != nil {
				wantCalls = 0
			}
			if n := ws.Calls("Metastores.Summary"); n != wantCalls {
				t.Errorf("Calls(Metastores.Summary) = %d, want %d", n, wantCalls)
			}
		})
	}
}

// TestHTTPNoToken checks the raw reply to a request without a bearer
// token: 401 with the service's JSON error body.
func TestHTTPNoToken(t *testing.T) {
	t.Parallel()
	srv, _ := serve(t, xregiontest.NewWorkspace())
	resp, err := http.Get(srv.URL + "/api/2.1/unity-catalog/metastore_summary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decoding the error body: %v", err)
	}
	if resp.StatusCode != http.StatusUnauthorized || body["error_code"] != "UNAUTHENTICATED" || body["message"] == "" {
		t.Errorf("reply = %d %v, want 401 with error_code UNAUTHENTICATED and a message", resp.StatusCode, body)
	}
}

func TestHTTPOAuthM2M(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secret  string
		wantErr error
	}{
		{name: "right_secret", secret: "s3cret"},
		{name: "wrong_secret", secret: "guess", wantErr: apierr.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			srv, rec := serve(t, ws, xregiontest.WithClientCredentials("sp-1", "s3cret"), xregiontest.WithToken("pat"))
			w := newClient(t, srv.URL, func(c *databricks.Config) {
				c.Token, c.AuthType, c.ClientID, c.ClientSecret = "", "oauth-m2m", "sp-1", tt.secret
			})
			for range 2 { // the second call reuses the token
				_, err := w.Metastores.Summary(t.Context())
				checkErr(t, "Metastores.Summary", err, tt.wantErr)
			}
			wantToken := []int{http.StatusOK}
			if tt.wantErr != nil {
				// why: the SDK does not retry HTTP errors of the token
				// endpoint; each call asks again (seen with the SDK against a local server).
				wantToken = []int{http.StatusUnauthorized, http.StatusUnauthorized}
			}
			if diff := cmp.Diff(wantToken, rec.statuses("POST", "/oidc/v1/token")); diff != "" {
				t.Errorf("token endpoint statuses mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{http.StatusOK}, rec.statuses("GET", "/oidc/.well-known/oauth-authorization-server")); diff != "" {
				t.Errorf("OAuth discovery statuses mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	ws.AddShare(sharing.ShareInfo{Name: "s1"})
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
	ws.Inject(xregiontest.Fault{Method: "Catalogs.Get", Err: xregiontest.PermissionDenied("no USE CATALOG on main")})
	srv, _ := serve(t, ws)
	w := newClient(t, srv.URL)
	raw := rawClient(t, w)
	ctx := t.Context()
	tests := []struct {
		name    string
		call    func() error
		wantErr error
		// wantStatus is checked when set, for replies no sentinel maps.
		wantStatus int
	}{
		{name: "missing_table_404", wantErr: apierr.ErrResourceDoesNotExist, call: func() error {
			_, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.nope"})
			return err
		}},
		{name: "existing_share_409", wantErr: apierr.ErrResourceAlreadyExists, call: func() error {
			_, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
			return err
		}},
		{name: "invalid_name_400", wantErr: apierr.ErrInvalidParameterValue, call: func() error {
			_, err := w.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.features"})
			return err
		}},
		{name: "injected_fault_keeps_working", wantErr: apierr.ErrPermissionDenied, call: func() error {
			_, err := w.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: "main"})
			return err
		}},
		{name: "unknown_route_501", wantErr: apierr.ErrNotImplemented, call: func() error {
			_, err := w.Volumes.ReadByName(ctx, "main.ml.vol")
			return err
		}},
		{name: "unmodelled_method_501", wantErr: apierr.ErrNotImplemented, call: func() error {
			_, err := w.Recipients.Update(ctx, sharing.UpdateRecipient{Name: "r1", Comment: "c"})
			return err
		}},
		{name: "unmodelled_list_501", wantErr: apierr.ErrNotImplemented, call: func() error {
			_, err := w.Connections.ListAll(ctx, catalog.ListConnectionsRequest{})
			return err
		}},
		{name: "wrong_method_405", wantStatus: http.StatusMethodNotAllowed, call: func() error {
			return raw.Do(ctx, http.MethodPut, "/api/2.1/unity-catalog/shares/s1", nil, nil, map[string]any{}, nil)
		}},
		{name: "bad_query_value_400", wantErr: apierr.ErrInvalidParameterValue, call: func() error {
			return raw.Do(ctx, http.MethodGet, "/api/2.1/unity-catalog/shares/s1", nil, map[string]any{"include_shared_data": "maybe"}, nil, nil)
		}},
		{name: "bad_page_token_400", wantErr: apierr.ErrInvalidParameterValue, call: func() error {
			return raw.Do(ctx, http.MethodGet, "/api/2.1/unity-catalog/recipients", nil, map[string]any{"page_token": "junk"}, nil, nil)
		}},
		{name: "bad_body_400", wantErr: apierr.ErrBadRequest, call: func() error {
			return raw.Do(ctx, http.MethodPost, "/api/2.1/unity-catalog/shares", nil, nil, strings.NewReader(`{"name":`), nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil {
				checkErr(t, tt.name, err, tt.wantErr)
			}
			var ae *apierr.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T) is not an *apierr.APIError", err, err)
			}
			if tt.wantStatus != 0 && ae.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", ae.StatusCode, tt.wantStatus)
			}
			// A route that does not exist must never read as a missing
			// resource.
			if strings.HasSuffix(tt.name, "_501") || strings.HasSuffix(tt.name, "_405") {
				if apierr.IsMissing(err) {
					t.Errorf("IsMissing(%v) = true, want false", err)
				}
			}
		})
	}
}

func TestHTTPFaults(t *testing.T) {
	t.Parallel()
	const shares = "/api/2.1/unity-catalog/shares"
	get := func(ctx context.Context, w *databricks.WorkspaceClient) error {
		_, err := w.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
		return err
	}
	create := func(ctx context.Context, w *databricks.WorkspaceClient) error {
		_, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "s2"})
		return err
	}
	tests := []struct {
		name    string
		fault   xregiontest.HTTPFault
		call    func(context.Context, *databricks.WorkspaceClient) error
		timeout time.Duration // of the call's context, when set
		wantErr error
		// wantStatuses are the statuses the server answered the requests
		// of the fault's method and path with, in order.
		wantStatuses []int
		wantWrites   []xregiontest.Write
	}{
		// The SDK retries 429 and 503 after about a second, and ignores
		// Retry-After (SDK httpclient/api_client.go, retries/retries.go).
		// Real time: keep such cases few.
		{
			name:  "429_with_retry_after_is_retried",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Status: 429, RetryAfter: "1", Times: 1},
			call:  get, wantStatuses: []int{429, 200},
		},
		{
			name:  "503_is_retried",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Status: 503, Times: 1},
			call:  get, wantStatuses: []int{503, 200},
		},
		{
			name:  "500_surfaces",
			fault: xregiontest.HTTPFault{Method: "POST", Path: shares, Status: 500, Times: 1},
			call:  create, wantErr: apierr.ErrInternalError, wantStatuses: []int{500},
		},
		{
			name:  "skip_lets_requests_through",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Skip: 1, Status: 500},
			call: func(ctx context.Context, w *databricks.WorkspaceClient) error {
				if err := get(ctx, w); err != nil {
					return fmt.Errorf("first call: %w", err)
				}
				return get(ctx, w)
			},
			wantErr: apierr.ErrInternalError, wantStatuses: []int{200, 500},
		},
		// A reset connection: the SDK retries the POST, body and all
		// (httpclient/errors.go: "connection reset by peer").
		{
			name:  "dropped_post_is_retried",
			fault: xregiontest.HTTPFault{Method: "POST", Path: shares, Drop: true, Times: 1},
			call:  create, wantStatuses: []int{0, 200},
			wantWrites: []xregiontest.Write{{Method: "Shares.Create", Resource: "s2"}},
		},
		// A GET on a reused connection is replayed by net/http itself,
		// before the SDK sees an error; on a new connection the SDK
		// retries it as above.
		{
			name:  "dropped_get_is_replayed",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Drop: true, Times: 1},
			call:  get, wantStatuses: []int{0, 200},
		},
		{
			name:  "after_commit_error_hides_the_change",
			fault: xregiontest.HTTPFault{Method: "POST", Path: shares, Status: 500, Times: 1, AfterCommit: true},
			call:  create, wantErr: apierr.ErrInternalError, wantStatuses: []int{500},
			wantWrites: []xregiontest.Write{{Method: "Shares.Create", Resource: "s2"}},
		},
		// The SDK's retry of a create that landed finds the share it made.
		{
			name:  "after_commit_drop_retry_finds_own_create",
			fault: xregiontest.HTTPFault{Method: "POST", Path: shares, Drop: true, Times: 1, AfterCommit: true},
			call:  create, wantErr: apierr.ErrResourceAlreadyExists, wantStatuses: []int{0, 409},
			wantWrites: []xregiontest.Write{{Method: "Shares.Create", Resource: "s2"}},
		},
		{
			name:  "slow_response_past_the_deadline",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Delay: time.Minute},
			call:  get, timeout: 50 * time.Millisecond, wantErr: context.DeadlineExceeded,
			wantStatuses: []int{0},
		},
		{
			name:  "slow_response_in_time",
			fault: xregiontest.HTTPFault{Method: "GET", Path: shares + "/s1", Delay: 10 * time.Millisecond},
			call:  get, wantStatuses: []int{200},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			ws.AddShare(sharing.ShareInfo{Name: "s1"})
			srv, rec := serve(t, ws, xregiontest.WithHTTPFault(tt.fault))
			w := newClient(t, srv.URL)
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			err := tt.call(ctx, w)
			checkErr(t, "call", err, tt.wantErr)
			if tt.timeout > 0 && time.Since(start) > tt.timeout+time.Second {
				t.Errorf("call took %v, want about %v", time.Since(start), tt.timeout)
			}
			if diff := cmp.Diff(tt.wantStatuses, rec.statuses(tt.fault.Method, tt.fault.Path)); diff != "" {
				t.Errorf("statuses mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWrites, ws.Writes()); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHTTPFaultFirstRuleDecides checks that every matching rule counts a
// request and the first one added decides.
func TestHTTPFaultFirstRuleDecides(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	ws.AddShare(sharing.ShareInfo{Name: "s1"})
	srv, _ := serve(t, ws,
		xregiontest.WithHTTPFault(xregiontest.HTTPFault{Path: "/api/2.1/unity-catalog/shares/s1", Status: 500, Times: 1}),
		xregiontest.WithHTTPFault(xregiontest.HTTPFault{Path: "/api/2.1/unity-catalog/shares", Status: 501, Times: 2}),
	)
	w := newClient(t, srv.URL)
	var got []int
	for range 3 {
		_, err := w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s1"})
		status := http.StatusOK
		var ae *apierr.APIError
		if errors.As(err, &ae) {
			status = ae.StatusCode
		} else if err != nil {
			t.Fatalf("Shares.Get: %v", err)
		}
		got = append(got, status)
	}
	if diff := cmp.Diff([]int{500, 501, 200}, got); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
}

func TestWithHTTPFaultPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault xregiontest.HTTPFault
	}{
		{name: "nothing_to_do", fault: xregiontest.HTTPFault{Path: "/api/"}},
		{name: "negative_skip", fault: xregiontest.HTTPFault{Status: 500, Skip: -1}},
		{name: "negative_times", fault: xregiontest.HTTPFault{Status: 500, Times: -1}},
		{name: "negative_delay", fault: xregiontest.HTTPFault{Delay: -time.Second}},
		{name: "success_status", fault: xregiontest.HTTPFault{Status: 200}},
		{name: "status_and_drop", fault: xregiontest.HTTPFault{Status: 500, Drop: true}},
		{name: "after_commit_delay_only", fault: xregiontest.HTTPFault{Delay: time.Second, AfterCommit: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mustPanic(t, func() { xregiontest.WithHTTPFault(tt.fault) })
		})
	}
	mustPanic(t, func() { xregiontest.WithToken("") })
	mustPanic(t, func() { xregiontest.WithClientCredentials("id", "") })
	mustPanic(t, func() { xregiontest.WithWorkspaceID(0) })
}

// TestHTTPConcurrent runs calls through one handler from many goroutines,
// for the race detector.
func TestHTTPConcurrent(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	srv, _ := serve(t, ws, xregiontest.WithClientCredentials("sp", "s"),
		xregiontest.WithHTTPFault(xregiontest.HTTPFault{Path: "/api/2.1/unity-catalog/catalogs/", Status: 500, Times: 5}))
	w := newClient(t, srv.URL, func(c *databricks.Config) {
		c.Token, c.AuthType, c.ClientID, c.ClientSecret = "", "oauth-m2m", "sp", "s"
	})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			name := fmt.Sprintf("s%d", i)
			if _, err := w.Shares.Create(t.Context(), sharing.CreateShare{Name: name}); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = w.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "none"})
		})
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, apierr.ErrInternalError):
			failed++
		case !apierr.IsMissing(err):
			t.Errorf("unexpected error %v", err)
		}
	}
	if failed != 5 {
		t.Errorf("%d calls hit the HTTP fault, want 5", failed)
	}
	if n := len(ws.Writes()); n != len(errs) {
		t.Errorf("len(Writes()) = %d, want %d", n, len(errs))
	}
}

// TestHTTPHeaders checks the raw host metadata, with unknown request
// headers, which are ignored. (The SDK sends both on every call of the
// other tests too.)
func TestHTTPHeaders(t *testing.T) {
	t.Parallel()
	ws := xregiontest.NewWorkspace()
	srv, _ := serve(t, ws)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/.well-known/databricks-config", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	req.Header.Set("X-Databricks-Workspace-Id", "42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var meta map[string]any
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	want := map[string]any{
		"oidc_endpoint": srv.URL + "/oidc", "host_type": "workspace", "cloud": "AWS",
		"workspace_id": fmt.Sprint(ws.WorkspaceID()),
	}
	for k, v := range want {
		if meta[k] != v {
			t.Errorf("%s = %v, want %v", k, meta[k], v)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
}
