package live

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	sdkclient "github.com/databricks/databricks-sdk-go/client"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
)

// meter counts the requests one workspace client sends, by kind.
type meter struct {
	mu     sync.Mutex
	reads  int
	writes []string // "METHOD path"
}

// isWrite tells a request that changes the workspace: not a GET, not a
// serving query (a read, though POSTed) and not the OAuth token exchange.
func isWrite(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	p := r.URL.Path
	return !strings.HasSuffix(p, "/invocations") && !strings.HasPrefix(p, "/oidc/")
}

func (m *meter) RoundTrip(r *http.Request) (*http.Response, error) {
	m.mu.Lock()
	if isWrite(r) {
		m.writes = append(m.writes, r.Method+" "+r.URL.Path)
	} else {
		m.reads++
	}
	m.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// take returns the writes counted so far and starts again.
func (m *meter) take() (reads int, writes []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	reads, writes = m.reads, m.writes
	m.reads, m.writes = 0, nil
	return reads, writes
}

// side is one workspace of a run.
type side struct {
	w     *databricks.WorkspaceClient
	raw   *sdkclient.DatabricksClient
	svc   rollout.Workspace
	meter *meter
}

func connect(t *testing.T, s client.Settings) side {
	t.Helper()
	m := &meter{}
	s.Transport = m
	w, err := client.New(t.Context(), s)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	raw, err := sdkclient.New(w.Config)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	svc, err := rollout.FromClient(w)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return side{w: w, raw: raw, svc: svc, meter: m}
}

// facts is the "facts observed" report: what the service answered where
// xregion's beliefs rest on indirect public evidence or none.
type facts struct {
	mu    sync.Mutex
	where string
	lines map[string]string // by fact
}

func (f *facts) note(fact, format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines[fact] = fmt.Sprintf(format, args...)
}

func (f *facts) report() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "xregion facts observed on %s:\n", f.where)
	keys := make([]string, 0, len(f.lines))
	for k := range f.lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, f.lines[k])
	}
	return b.String()
}

// run is one run of the suite: its unique prefix and what it made.
type run struct {
	cfg      Config
	prefix   string
	src, dst side
	spec     rollout.Spec
	facts    *facts
	opts     []xregion.Option
	result   *rollout.RegionResult
}

// newPrefix returns a run prefix unique enough that parallel runs and
// leftovers never collide: "xr" and 8 hex digits.
func newPrefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "xr" + hex.EncodeToString(b)
}

// suite runs every scenario against cfg and returns the facts report.
func suite(t *testing.T, cfg Config) string {
	r := &run{cfg: cfg, prefix: newPrefix(), facts: &facts{where: cfg.Where(), lines: map[string]string{}}}
	r.src, r.dst = connect(t, cfg.Source), connect(t, cfg.Target)
	if cfg.PollInterval > 0 {
		r.opts = append(r.opts, xregion.WithPollInterval(cfg.PollInterval))
	}
	timeout := cmp.Or(cfg.Timeout, 45*time.Minute)
	r.spec = rollout.Spec{
		Model: cfg.Model, Version: cfg.Version,
		Share: r.prefix + "_share", SharedCatalog: r.prefix + "_shared",
		OnlineStore: r.prefix + "-store", OnlineCatalog: cfg.Catalog, OnlineSchema: r.prefix,
		OnlineTimeout: timeout,
		Endpoint: endpoint.Spec{Name: r.prefix + "-ep", Timeout: timeout, RollbackTimeout: timeout,
			Tags: map[string]string{"xregion-acceptance": r.prefix}},
	}
	if cfg.Probes != "" {
		f, err := os.Open(cfg.Probes)
		if err != nil {
			t.Fatalf("probe file: %v", err)
		}
		probes, err := endpoint.LoadProbes(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		r.spec.Endpoint.Probes = probes
	}
	t.Logf("run prefix %s on %s", r.prefix, cfg.Where())
	t.Cleanup(func() {
		if cfg.Keep {
			t.Logf("XREGION_LIVE_KEEP=1: left in place everything named %s*", r.prefix)
			return
		}
		r.cleanup(t)
	})

	r.schema(t)
	ok := t.Run("rollout", r.rollout) &&
		t.Run("converged_rerun_writes_nothing", r.converged)
	if ok {
		ok = t.Run("status_shows_no_drift", r.status)
	}
	if ok {
		t.Run("bad_deployment_rolls_back_exactly", r.badDeployment)
		t.Run("facts", r.observe)
	}
	return r.facts.report()
}

// schema creates the run's own schema in the target catalog, so that
// online tables of parallel runs never collide.
func (r *run) schema(t *testing.T) {
	_, err := r.dst.w.Schemas.Create(t.Context(), catalog.CreateSchema{CatalogName: r.cfg.Catalog, Name: r.prefix,
		Comment: "xregion acceptance run " + r.prefix})
	if err != nil {
		t.Fatalf("create schema %s.%s: %v", r.cfg.Catalog, r.prefix, err)
	}
}

func (r *run) rollout(t *testing.T) {
	res, err := rollout.Region(t.Context(), r.src.svc, rollout.Target{Region: "target", Workspace: r.dst.svc}, r.spec, r.opts...)
	r.result = res
	if err != nil {
		t.Fatalf("rollout: %v", err)
	}
	if res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeDeployed {
		t.Fatalf("endpoint result = %+v, want deployed", res.Endpoint)
	}
	if len(res.Dependencies.Tables) == 0 {
		t.Errorf("the model %s has no feature table: the suite needs one to prove online tables", r.cfg.Model)
	}
	for _, s := range res.OnlineStatus {
		if s.Phase != "online" {
			t.Errorf("online table %s is %s (%s), want online", s.Name, s.Phase, s.State)
		}
	}
}

func (r *run) converged(t *testing.T) {
	r.src.meter.take()
	r.dst.meter.take()
	res, err := rollout.Region(t.Context(), r.src.svc, rollout.Target{Region: "target", Workspace: r.dst.svc}, r.spec, r.opts...)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	sr, sw := r.src.meter.take()
	dr, dw := r.dst.meter.take()
	t.Logf("converged re-run: %d reads and %d writes on the source, %d reads and %d writes on the target", sr, len(sw), dr, len(dw))
	if len(sw)+len(dw) != 0 {
		t.Errorf("a converged re-run wrote: source %v, target %v", sw, dw)
	}
	if res.Endpoint.Outcome != endpoint.OutcomeUnchanged {
		t.Errorf("endpoint outcome = %s, want unchanged", res.Endpoint.Outcome)
	}
}

// status observes the converged region: no drift, nothing stale, healthy,
// and not one write to find that out.
func (r *run) status(t *testing.T) {
	r.src.meter.take()
	r.dst.meter.take()
	st, err := rollout.Observe(t.Context(), r.src.svc, rollout.Target{Region: "target", Workspace: r.dst.svc}, r.spec, r.opts...)
	if err != nil {
		t.Fatalf("Observe() error = %v", err)
	}
	_, sw := r.src.meter.take()
	_, dw := r.dst.meter.take()
	if len(sw)+len(dw) != 0 {
		t.Errorf("status wrote: source %v, target %v", sw, dw)
	}
	if err := st.Err(); err != nil {
		t.Errorf("status of the converged region: %v", err)
	}
	if st.Endpoint == nil || !st.Endpoint.Serves(st.Want) {
		t.Errorf("status endpoint = %+v, want it serving version %d", st.Endpoint, st.Want)
	}
}

// liveConfig is the part of an endpoint's config a rollback restores, as
// the service's GET shows it.
type liveConfig struct {
	Entities []serving.ServedEntityOutput
	Routes   map[string]int
}

func (r *run) endpointConfig(t *testing.T) liveConfig {
	t.Helper()
	ep, err := r.dst.w.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: r.spec.Endpoint.Name})
	if err != nil {
		t.Fatalf("read endpoint: %v", err)
	}
	lc := liveConfig{Entities: ep.Config.ServedEntities, Routes: map[string]int{}}
	for _, rt := range ep.Config.TrafficConfig.Routes {
		lc.Routes[cmp.Or(rt.ServedEntityName, rt.ServedModelName)] = rt.TrafficPercentage
	}
	return lc
}

// badDeployment deploys the same version under another served entity name
// with a probe that must fail: the deployment is rolled back, exactly.
func (r *run) badDeployment(t *testing.T) {
	before := r.endpointConfig(t)
	spec := r.spec
	spec.Endpoint.Entity.Name = r.prefix + "-bad"
	spec.Endpoint.Probes = []endpoint.Probe{{
		Name:    "must-fail",
		Request: []byte(`{"dataframe_records": [{}]}`),
		Expect:  endpoint.Expect{Path: "xregion_acceptance_no_such_field"},
	}}
	res, err := rollout.Region(t.Context(), r.src.svc, rollout.Target{Region: "target", Workspace: r.dst.svc}, spec, r.opts...)
	if !errors.Is(err, endpoint.ErrUnhealthy) || res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeRolledBack {
		t.Fatalf("bad deployment: %v (result %+v), want rolled back for a failed probe", err, res.Endpoint)
	}
	opts := gocmp.Options{
		cmpopts.IgnoreFields(serving.ServedEntityOutput{}, "State", "CreationTimestamp", "Creator", "ForceSendFields"),
		cmpopts.EquateEmpty(),
	}
	if diff := gocmp.Diff(before, r.endpointConfig(t), opts); diff != "" {
		t.Errorf("endpoint after the rollback differs from before (-before +after):\n%s", diff)
	}
}

// observe records what the service answered where xregion's beliefs rest on
// indirect public evidence or none.
func (r *run) observe(t *testing.T) {
	ctx := t.Context()
	name := r.spec.Endpoint.Name
	var raw struct {
		Config struct {
			ServedEntities []map[string]any `json:"served_entities"`
			ServedModels   []map[string]any `json:"served_models"`
			TrafficConfig  struct {
				Routes []map[string]any `json:"routes"`
			} `json:"traffic_config"`
		} `json:"config"`
	}
	if err := r.dst.raw.Do(ctx, http.MethodGet, "/api/2.0/serving-endpoints/"+name, nil, nil, nil, &raw); err != nil {
		r.facts.note("route names in GET", "could not read: %v", err)
	} else {
		var keys []string
		for _, rt := range raw.Config.TrafficConfig.Routes {
			for k := range rt {
				if k != "traffic_percentage" {
					keys = append(keys, k)
				}
			}
		}
		slices.Sort(keys)
		r.facts.note("route names in GET", "routes carry %v; served_models mirrored: %d entries", slices.Compact(keys), len(raw.Config.ServedModels))
		if len(raw.Config.ServedEntities) > 0 {
			e := raw.Config.ServedEntities[0]
			_, burst := e["burst_scaling_enabled"]
			wt, ok := e["workload_type"]
			if !ok {
				wt = "absent"
			}
			r.facts.note("server defaults", "workload_type in GET: %v (not sent at creation); burst_scaling_enabled in GET: %t", wt, burst)
		}
	}
	if r.result != nil && r.result.Endpoint != nil {
		entity := endpoint.DefaultEntityName(r.cfg.Model, r.result.Version)
		q := serving.QueryEndpointInput{DataframeRecords: []any{map[string]any{}}}
		_, err := endpoint.EntityQuerier(mustEntityQuerier(t, r.dst.w)).QueryServedEntity(ctx, name, entity, q)
		switch {
		case err == nil:
			r.facts.note("per-entity invocations", "POST /serving-endpoints/%s/served-models/%s/invocations answered", name, entity)
		case apierr.IsMissing(err):
			r.facts.note("per-entity invocations", "404: %v", err)
		default:
			r.facts.note("per-entity invocations", "the path exists (the model refused an empty record: %v)", firstLine(err))
		}
	}
	if r.result != nil && r.result.Online != nil {
		for _, online := range r.result.Online.OnlineNames() {
			_, derr := r.dst.w.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: online})
			_, perr := r.dst.w.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/" + online})
			r.facts.note("synced-table API", "%s: Postgres (Autoscaling) API %s; Database (Provisioned) API %s", online, answer(perr), answer(derr))
			break
		}
		if st, err := r.dst.w.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: r.spec.OnlineStore}); err == nil {
			r.facts.note("online store", "state %s, capacity %s", st.State, st.Capacity)
		}
	}
	if r.result != nil && r.result.Dependencies != nil && len(r.result.Dependencies.Tables) > 0 {
		src := r.result.Dependencies.Tables[0]
		shared := strings.Replace(src.Name, strings.SplitN(src.Name, ".", 2)[0], r.spec.SharedCatalog, 1)
		st, serr := r.src.w.Tables.Get(ctx, catalog.GetTableRequest{FullName: src.Name})
		dt, derr := r.dst.w.Tables.Get(ctx, catalog.GetTableRequest{FullName: shared})
		if serr == nil && derr == nil {
			r.facts.note("table ids across a share", "source %s, shared %s: same: %t", st.TableId, dt.TableId, st.TableId == dt.TableId)
		}
	}
	if r.result != nil && r.result.Share != nil {
		r.facts.note("recipient", "%s (%s by this run)", r.result.Share.Recipient, r.result.Share.RecipientOp)
	}
}

func mustEntityQuerier(t *testing.T, w *databricks.WorkspaceClient) *endpoint.SDKEndpoints {
	t.Helper()
	e, err := endpoint.WithEntityQueries(w.ServingEndpoints, w.Config)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func answer(err error) string {
	if err == nil {
		return "answered"
	}
	var ae *apierr.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("refused %d %s", ae.StatusCode, ae.ErrorCode)
	}
	return "failed: " + firstLine(err)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// cleanup removes what the run made, in the order the service needs:
// endpoint, online tables, online store, shared catalog, schema, share,
// and the recipient only if this run created it. It runs even when a
// scenario failed, with its own deadline.
func (r *run) cleanup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 30*time.Minute)
	defer cancel()
	var failed []string
	try := func(what string, err error) {
		if err != nil && !apierr.IsMissing(err) {
			failed = append(failed, fmt.Sprintf("%s: %v", what, firstLine(err)))
		}
	}
	try("endpoint "+r.spec.Endpoint.Name, r.dst.w.ServingEndpoints.Delete(ctx, serving.DeleteServingEndpointRequest{Name: r.spec.Endpoint.Name}))
	if r.result != nil && r.result.Online != nil {
		for _, online := range r.result.Online.OnlineNames() {
			try("online table "+online, r.dst.w.FeatureStore.DeleteOnlineTable(ctx, ml.DeleteOnlineTableRequest{OnlineTableName: online}))
		}
	}
	try("online store "+r.spec.OnlineStore, r.dst.w.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: r.spec.OnlineStore}))
	try("shared catalog "+r.spec.SharedCatalog, r.dst.w.Catalogs.Delete(ctx, catalog.DeleteCatalogRequest{Name: r.spec.SharedCatalog, Force: true}))
	try("schema "+r.cfg.Catalog+"."+r.prefix, r.dst.w.Schemas.Delete(ctx, catalog.DeleteSchemaRequest{FullName: r.cfg.Catalog + "." + r.prefix, Force: true}))
	try("share "+r.spec.Share, r.src.w.Shares.Delete(ctx, sharing.DeleteShareRequest{Name: r.spec.Share}))
	if r.result != nil && r.result.Share != nil && r.result.Share.RecipientOp == xregion.OpCreated {
		try("recipient "+r.result.Share.Recipient, r.src.w.Recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: r.result.Share.Recipient}))
	}
	if len(failed) > 0 {
		msg := fmt.Sprintf("cleanup left things named %s* in place:\n  %s", r.prefix, strings.Join(failed, "\n  "))
		if r.cfg.Where() == "a real workspace" {
			t.Error(msg)
		} else {
			t.Log(msg) // the emulator does not model every delete
		}
	}
}
