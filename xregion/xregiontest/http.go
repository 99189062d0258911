package xregiontest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
)

// HandlerOption configures the HTTP face made by [Workspace.Handler].
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	tokens    map[string]bool
	clients   map[string]string // OAuth client id -> secret
	federated map[string]string // OAuth client id -> subject token it exchanges
	faults    []HTTPFault
	storm     *HTTPStorm
}

// WithToken makes the handler accept token as a bearer token, as a
// personal access token (AuthType "pat"). It may be given several times.
// Once any WithToken or [WithClientCredentials] is given, other bearer
// tokens are refused with 401 UNAUTHENTICATED. It panics if token is
// empty.
func WithToken(token string) HandlerOption {
	if token == "" {
		panic("xregiontest: WithToken: empty token")
	}
	return func(c *handlerConfig) { c.tokens[token] = true }
}

// WithClientCredentials makes the handler's OAuth token endpoint issue
// tokens to the client id with secret (AuthType "oauth-m2m"), and accept
// the tokens it issued as bearer tokens. It may be given several times.
// It panics if id or secret is empty.
func WithClientCredentials(id, secret string) HandlerOption {
	if id == "" || secret == "" {
		panic("xregiontest: WithClientCredentials: empty client id or secret")
	}
	return func(c *handlerConfig) { c.clients[id] = secret }
}

// WithFederatedClient makes the handler's OAuth token endpoint exchange the
// subject token for an access token for the client id, as workload identity
// federation does for GitHub OIDC (AuthType "github-oidc": the SDK fetches
// an ID token from the runner and sends it in an RFC 8693 token exchange),
// and accept the tokens it issued as bearer tokens. The subject token is
// compared as given: the fake checks no signature. It may be given several
// times. It panics if id or subjectToken is empty.
func WithFederatedClient(id, subjectToken string) HandlerOption {
	if id == "" || subjectToken == "" {
		panic("xregiontest: WithFederatedClient: empty client id or subject token")
	}
	return func(c *handlerConfig) { c.federated[id] = subjectToken }
}

// HTTPFault is a transport-level fault of a handler made by
// [Workspace.Handler]: a reply with an error status, a dropped connection
// or a slow response. Add it with [WithHTTPFault].
//
// HTTP faults are counted and fire before the request reaches the fake's
// state, and are independent of the faults of [Workspace.Inject], which
// still apply to the requests that get through.
type HTTPFault struct {
	// Method is the HTTP method to match, such as "POST"; "" matches any.
	Method string
	// Path is a prefix of the request's URL path to match, such as
	// "/api/2.1/unity-catalog/shares"; "" matches any path, the discovery
	// and OAuth endpoints that client construction calls included.
	Path string
	// Skip lets this many matching requests through before the fault
	// starts.
	Skip int
	// Times is how many matching requests fail after the skipped ones; 0
	// means every one.
	Times int
	// Status is the status of the reply, such as 429, 503 or 500, with a
	// JSON error body shaped as the service's: an error_code that goes
	// with the status (REQUEST_LIMIT_EXCEEDED, TEMPORARILY_UNAVAILABLE,
	// INTERNAL_ERROR, ...) and a message.
	Status int
	// RetryAfter is the value of the Retry-After header of the reply, if
	// any, such as "1". The SDK ignores it on API calls (SDK source:
	// httpclient/api_client.go; seen with the SDK against a local server).
	RetryAfter string
	// Drop closes the connection without a reply, with a TCP reset, as a
	// load balancer or a crashed server would.
	Drop bool
	// Delay makes the handler wait this long before it handles the request
	// (a slow response), or before it fails it when Status or Drop is set
	// too. The wait is on a real timer and ends early, with no reply, when
	// the request's context is done (the client gave up).
	Delay time.Duration
	// AfterCommit, with Status or Drop, handles the request first, so that
	// its changes take effect, and then answers with the fault instead of
	// the reply: the caller cannot tell whether the call landed.
	AfterCommit bool
}

// WithHTTPFault adds a transport-level fault. Every request is counted by
// every fault whose Method and Path match it; when several would fire on
// the same request, the one added first decides. Counting is per handler.
//
// It panics if Skip, Times or Delay is negative, if Status is set and not
// an error status (400 to 599), if both Status and Drop are set, if none
// of Status, Drop and Delay is set, or if AfterCommit is set without
// Status or Drop.
func WithHTTPFault(f HTTPFault) HandlerOption {
	switch {
	case f.Skip < 0 || f.Times < 0:
		panic("xregiontest: WithHTTPFault: negative Skip or Times")
	case f.Delay < 0:
		panic(fmt.Sprintf("xregiontest: WithHTTPFault: negative Delay %v", f.Delay))
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		panic(fmt.Sprintf("xregiontest: WithHTTPFault: Status %d is not an error status", f.Status))
	case f.Status != 0 && f.Drop:
		panic("xregiontest: WithHTTPFault: both Status and Drop")
	case f.Status == 0 && !f.Drop && f.Delay == 0:
		panic("xregiontest: WithHTTPFault: none of Status, Drop and Delay")
	case f.AfterCommit && f.Status == 0 && !f.Drop:
		panic("xregiontest: WithHTTPFault: AfterCommit without Status or Drop")
	}
	f.Method = strings.ToUpper(f.Method)
	return func(c *handlerConfig) { c.faults = append(c.faults, f) }
}

// Handler returns the workspace's HTTP face: an [http.Handler] that serves
// the fake's state over the Databricks REST API, at the paths and with the
// JSON of the real service, so that a real *databricks.WorkspaceClient can
// be pointed at it, typically through an [net/http/httptest.Server] and
// [github.com/org/xregion-action/xregion/client.New], which reads no
// environment:
//
//	srv := httptest.NewServer(ws.Handler(xregiontest.WithToken("t")))
//	defer srv.Close()
//	w, err := client.New(ctx, client.Settings{Host: srv.URL, Token: "t"})
//
// Every request goes through the same methods as calls of the fake's
// fields do, so the write log, call counts, faults, scripts and links of
// the workspace apply; see the HTTP section of the package documentation
// for the routes served and the rules of the face.
//
// With no [WithToken] and no [WithClientCredentials], any non-empty bearer
// token is accepted and the token endpoint issues tokens to any client.
// A request without a bearer token, or with one not accepted, gets 401
// UNAUTHENTICATED.
//
// The handler is safe for concurrent use; several handlers may serve one
// workspace, each with its own credentials and faults.
func (w *Workspace) Handler(opts ...HandlerOption) http.Handler {
	cfg := handlerConfig{tokens: map[string]bool{}, clients: map[string]string{}, federated: map[string]string{}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	h := &handler{
		w:         w,
		open:      len(cfg.tokens) == 0 && len(cfg.clients) == 0 && len(cfg.federated) == 0,
		tokens:    cfg.tokens,
		clients:   cfg.clients,
		federated: cfg.federated,
		issued:    map[string]bool{},
		storm:     cfg.storm,
		stormSeen: map[string]int{}, stormFired: map[StormKind]int{},
	}
	for _, f := range cfg.faults {
		h.faults = append(h.faults, &httpFaultRule{HTTPFault: f})
	}
	h.routes = h.routeTable()
	return h
}

type handler struct {
	w *Workspace
	// open, tokens, clients and routes are read-only after construction.
	open      bool
	tokens    map[string]bool
	clients   map[string]string
	federated map[string]string
	routes    []route

	storm *HTTPStorm // nil without a storm

	mu         sync.Mutex // guards the fields below
	faults     []*httpFaultRule
	stormSeen  map[string]int // requests seen per method and path
	stormFired map[StormKind]int
	issued     map[string]bool // OAuth access tokens issued
	seq        int             // tokens issued so far
}

type httpFaultRule struct {
	HTTPFault
	seen int // matching requests since the handler was made
}

// routeFunc serves one method of one route: p holds the values of the
// route's wildcard segments. It returns the reply to encode as JSON, or an
// error to send as the service's error reply.
type routeFunc func(rw http.ResponseWriter, r *http.Request, p []string) (any, error)

// route is a path of the REST API, with the methods the fake serves on it.
type route struct {
	segs    []string // path segments; "*" is one non-empty segment
	methods map[string]routeFunc
	// others are methods the real API has on this path but the fake does
	// not model: they fail with 501 rather than 405.
	others []string
	// public routes need no bearer token: the discovery and OAuth
	// endpoints a client calls before it has one.
	public bool
}

func (h *handler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	f := h.fault(r)
	if f != nil && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return // the client is gone: nobody to answer
		case <-t.C:
		}
	}
	switch {
	case f == nil || (f.Status == 0 && !f.Drop): // no fault, or only a delay
		h.serve(rw, r)
	case f.AfterCommit:
		h.serve(&discardWriter{header: http.Header{}}, r)
		h.failRequest(rw, r, f)
	default:
		h.failRequest(rw, r, f)
	}
}

// fault counts r against every HTTP fault and returns a copy of the one
// that fires for it, if any.
func (h *handler) fault(r *http.Request) *HTTPFault {
	h.mu.Lock()
	defer h.mu.Unlock()
	var fired *HTTPFault
	for _, rule := range h.faults {
		if rule.Method != "" && rule.Method != r.Method || !strings.HasPrefix(r.URL.Path, rule.Path) {
			continue
		}
		rule.seen++
		n := rule.seen - rule.Skip // 1-based index among the requests past Skip
		if n >= 1 && (rule.Times == 0 || n <= rule.Times) && fired == nil {
			f := rule.HTTPFault
			fired = &f
		}
	}
	if storm := h.stormFault(r); fired == nil {
		fired = storm
	}
	return fired
}

// failRequest answers r with the fault f: an error reply or a dropped
// connection.
func (h *handler) failRequest(rw http.ResponseWriter, r *http.Request, f *HTTPFault) {
	if f.Drop {
		drop(rw, r)
		return
	}
	if f.RetryAfter != "" {
		rw.Header().Set("Retry-After", f.RetryAfter)
	}
	// why: the message names the status in words only: the SDK's token and
	// discovery client retries errors whose text holds "429", "rate limit"
	// or "too many requests", and its API client those holding "deadline
	// exceeded" (SDK config/config.go, apierr/error_overrides.go), which
	// would make a fault mean something else on those paths.
	writeError(rw, &apierr.APIError{
		StatusCode: f.Status,
		ErrorCode:  codeForStatus(f.Status),
		Message:    "xregiontest: injected HTTP fault: " + http.StatusText(f.Status),
	})
}

// codeForStatus returns the error code the service sends with status.
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BAD_REQUEST"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return codePermissionDenied
	case http.StatusNotFound:
		return "NOT_FOUND"
	case http.StatusConflict:
		return codeConflict
	case http.StatusTooManyRequests:
		// why: the service's throttling reply (error code in SDK apierr/error_mapping.go).
		return "REQUEST_LIMIT_EXCEEDED"
	case http.StatusNotImplemented:
		return codeNotImplemented
	case http.StatusServiceUnavailable:
		return codeUnavailable
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	if status < 500 {
		return "BAD_REQUEST"
	}
	return codeInternal
}

// drop closes the connection of r without a reply.
func drop(rw http.ResponseWriter, r *http.Request) {
	// Let the client finish sending, so that it is waiting for the reply
	// when the connection goes.
	_, _ = io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(rw).Hijack()
	if err != nil {
		// HTTP/2 has no connection to hijack; aborting the handler resets
		// the stream instead.
		panic(http.ErrAbortHandler)
	}
	// why: a connection dropped by a load balancer or a crashed server
	// reaches the client as a reset; a linger of 0 makes Close send one.
	// The SDK retries "connection reset by peer" (httpclient/errors.go
	// isRetriableUrlError), but not the EOF of an orderly close.
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// discardWriter is a ResponseWriter that drops the reply, for AfterCommit
// faults.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// serve authenticates and routes r.
func (h *handler) serve(rw http.ResponseWriter, r *http.Request) {
	rt, params := h.match(r.URL.Path)
	if rt == nil || !rt.public {
		if err := h.authenticate(r); err != nil {
			writeError(rw, err)
			return
		}
	}
	if rt == nil {
		// why: an unknown route must not look like a missing resource:
		// the SDK reads a 404 with a JSON error body as ErrNotFound,
		// "absent, create it" (SDK apierr/error_mapping.go), so the fake sends 501,
		// which maps to ErrNotImplemented.
		writeError(rw, apiError(http.StatusNotImplemented, codeNotImplemented,
			"xregiontest: no route for %s %s", r.Method, r.URL.Path))
		return
	}
	serveMethod := rt.methods[r.Method]
	if serveMethod == nil && r.Method == http.MethodHead {
		serveMethod = rt.methods[http.MethodGet]
	}
	if serveMethod == nil {
		if slices.Contains(rt.others, r.Method) {
			writeError(rw, notImplemented("%s %s", r.Method, r.URL.Path))
			return
		}
		// why: a method the API does not have on a known path is a
		// caller's bug. 405 is what HTTP calls it; the SDK maps no
		// sentinel to 405 and does not retry it, so it cannot pass for a
		// missing resource or a transient failure.
		allowed := slices.Sorted(maps.Keys(rt.methods))
		api := slices.Sorted(slices.Values(slices.Concat(allowed, rt.others)))
		rw.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(rw, apiError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
			"xregiontest: the API has no %s %s, only %s", r.Method, r.URL.Path, strings.Join(api, ", ")))
		return
	}
	res, err := serveMethod(rw, r, params)
	if err != nil {
		if r.Context().Err() != nil {
			return // the client is gone
		}
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, res)
}

// match returns the route of path and the values of its wildcard
// segments, or nil. A route with more literal segments wins over one with
// wildcards where they would match alike.
func (h *handler) match(path string) (*route, []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best *route
	var bestParams []string
	bestLiterals := -1
	for i := range h.routes {
		rt := &h.routes[i]
		if len(rt.segs) != len(segs) {
			continue
		}
		var params []string
		literals := 0
		ok := true
		for j, s := range rt.segs {
			switch {
			case s == "*" && segs[j] != "":
				params = append(params, segs[j])
			case s == segs[j]:
				literals++
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && literals > bestLiterals {
			best, bestParams, bestLiterals = rt, params, literals
		}
	}
	return best, bestParams
}

// authenticate checks the bearer token of r.
func (h *handler) authenticate(r *http.Request) error {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return apiError(http.StatusUnauthorized, "UNAUTHENTICATED", "xregiontest: no bearer token in the Authorization header")
	}
	if h.open || h.tokens[tok] {
		return nil
	}
	h.mu.Lock()
	issued := h.issued[tok]
	h.mu.Unlock()
	if issued {
		return nil
	}
	return apiError(http.StatusUnauthorized, "UNAUTHENTICATED", "xregiontest: invalid access token")
}

// oauthError is an error reply of the OAuth token endpoint, which speaks
// RFC 6749 (section 5.2) rather than the REST API's error format.
type oauthError struct {
	status      int
	code        string
	description string
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

// writeError sends err as the service does: an *apierr.APIError as a JSON
// {"error_code", "message"} body with its status, an OAuth error as RFC
// 6749 says, and any other error as a 500 INTERNAL_ERROR.
func writeError(rw http.ResponseWriter, err error) {
	var oe *oauthError
	if errors.As(err, &oe) {
		writeJSON(rw, oe.status, map[string]string{"error": oe.code, "error_description": oe.description})
		return
	}
	var ae *apierr.APIError
	if !errors.As(err, &ae) {
		ae = &apierr.APIError{StatusCode: http.StatusInternalServerError, ErrorCode: codeInternal, Message: err.Error()}
	}
	status, code, msg := ae.StatusCode, ae.ErrorCode, ae.Message
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	// An APIError built by hand, such as one given to Inject, may lack a
	// code or a message; the service always sends both.
	if code == "" {
		code = codeForStatus(status)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeJSON(rw, status, map[string]string{"error_code": code, "message": msg})
}

// writeJSON sends v encoded as JSON with status. SDK types encode through
// their own MarshalJSON, that is, the SDK's marshal package, which honours
// ForceSendFields.
func writeJSON(rw http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error_code": codeInternal, "message": fmt.Sprintf("xregiontest: encoding %T: %v", v, err)})
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = rw.Write(b)
}

// maxBody is the largest request body the handler reads.
const maxBody = 16 << 20

// decodeBody decodes the JSON body of r into v, an SDK request type whose
// UnmarshalJSON records the fields sent in its ForceSendFields, as the
// service tells a false that was sent from none. An empty body is {}.
func decodeBody(rw http.ResponseWriter, r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxBody))
	if err != nil {
		if r.Context().Err() != nil {
			return r.Context().Err()
		}
		return apiError(http.StatusBadRequest, "MALFORMED_REQUEST", "xregiontest: reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apiError(http.StatusBadRequest, "MALFORMED_REQUEST", "Invalid JSON in the request body: %v", err)
	}
	return nil
}

// decodeQuery sets the fields of *v, an SDK request struct, that have a
// url tag from the query of r, as the SDK encodes them (go-querystring).
// A field given explicitly is listed in ForceSendFields, if v has one.
// Unknown parameters are ignored.
func decodeQuery(r *http.Request, v any) error {
	q := r.URL.Query()
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	force := rv.FieldByName("ForceSendFields")
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("url"), ",")
		vals := q[name]
		if name == "" || name == "-" || len(vals) == 0 {
			continue
		}
		s, fv := vals[0], rv.Field(i)
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(s)
		case reflect.Bool:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return InvalidParameter("invalid %s %q: want true or false", name, s)
			}
			fv.SetBool(b)
		case reflect.Int, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(s, 10, fv.Type().Bits())
			if err != nil {
				return InvalidParameter("invalid %s %q: want an integer", name, s)
			}
			fv.SetInt(n)
		default:
			return notImplemented("query parameter %s of kind %s", name, fv.Kind())
		}
		if force.IsValid() {
			force.Set(reflect.Append(force, reflect.ValueOf(f.Name)))
		}
	}
	return nil
}

// baseURL returns the URL at which the client reached the handler.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// pager is one page request of a paginated list.
type pager struct {
	size  int
	after string // the key after which the page starts; "" is the start
}

// newPager checks the page size (sizeParam, such as max_results) and the
// page token of a list request, with UC list semantics: a size of 0 is
// the server page length (see [WithPageSize]), a larger one is capped by
// it, and a negative one is invalid.
func (h *handler) newPager(sizeParam string, size int, token string) (pager, error) {
	// why: UC semantics for max_results, and "only an absent token ends
	// the list" (SDK doc of MaxResults on the UC list requests); the SDK
	// always sends max_results=0 and relies on the server's page length.
	if size < 0 {
		return pager{}, InvalidParameter("%s must not be negative", sizeParam)
	}
	p := pager{size: h.w.cfg.pageSize}
	if size > 0 && size < p.size {
		p.size = size
	}
	if token != "" {
		after, ok := decodePageToken(token)
		if !ok || after == "" {
			return pager{}, InvalidParameter("invalid page_token")
		}
		p.after = after
	}
	return p, nil
}

// page returns the page of items, sorted by key, that p asks for, and the
// token of the next page, "" on the last one.
func page[T any](p pager, items []T, key func(T) string) ([]T, string) {
	start := 0
	if p.after != "" {
		start = len(items)
		if i := slices.IndexFunc(items, func(t T) bool { return key(t) > p.after }); i >= 0 {
			start = i
		}
	}
	end := min(start+p.size, len(items))
	if end < len(items) {
		return items[start:end], encodePageToken(key(items[end-1]))
	}
	return items[start:end], ""
}

// result adapts a typed call result to an endpoint's.
func result[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

// issue returns a new OAuth access token for client id.
func (h *handler) issue(id string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	sum := sha256.Sum256([]byte(fmt.Sprintf("token\x00%s\x00%s\x00%d", h.w.cfg.metastoreID, id, h.seq)))
	tok := fmt.Sprintf("xrt-%x", sum[:16])
	h.issued[tok] = true
	return tok
}

// clientOK reports whether id and secret are the credentials of an OAuth
// client the handler accepts.
func (h *handler) clientOK(id, secret string) bool {
	if h.open {
		return id != ""
	}
	want, ok := h.clients[id]
	return ok && want == secret
}

// token serves the OAuth token endpoint: the client credentials grant (M2M)
// and the token exchange of workload identity federation (GitHub OIDC).
func (h *handler) token(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return nil, &oauthError{http.StatusBadRequest, "invalid_request", "malformed form body"}
	}
	// why: golang.org/x/oauth2 sends the client credentials in a Basic
	// header, each query-escaped first (RFC 6749 section 2.3.1), or in
	// the form.
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch g := r.PostForm.Get("grant_type"); g {
	case "client_credentials":
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		// why: GitHub OIDC federation exchanges the runner's ID token,
		// sent with the client id and no secret (SDK config/experimental/auth/oidc).
		id = r.PostForm.Get("client_id")
		want, known := h.federated[id]
		switch {
		case r.PostForm.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt":
			return nil, &oauthError{http.StatusBadRequest, "invalid_request", "subject_token_type must be a JWT"}
		case !h.open && !known:
			return nil, &oauthError{http.StatusUnauthorized, "invalid_client", "no federation policy for this client"}
		case !h.open && r.PostForm.Get("subject_token") != want:
			return nil, &oauthError{http.StatusBadRequest, "invalid_grant", "the subject token does not match the federation policy"}
		}
		return h.accessToken(id, r.PostForm.Get("scope")), nil
	default:
		return nil, &oauthError{http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant type %q is not supported by xregiontest", g)}
	}
	if !h.clientOK(id, secret) {
		// why: RFC 6749 section 5.2 says 401 invalid_client; the SDK reads
		// the status, and its token error unwraps to ErrUnauthenticated.
		return nil, &oauthError{http.StatusUnauthorized, "invalid_client", "client authentication failed"}
	}
	// why: x/oauth2 parses the reply as JSON only with this content type,
	// which writeJSON sets (seen with the SDK against a local server);
	// expires_in is long enough for no refresh to happen in a test.
	return h.accessToken(id, r.PostForm.Get("scope")), nil
}

// tokenReply is the token endpoint's answer.
type tokenReply struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

func (h *handler) accessToken(id, scope string) tokenReply {
	return tokenReply{h.issue(id), "Bearer", 3600, scope}
}
