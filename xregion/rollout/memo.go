package rollout

import (
	"context"
	"strings"
	"sync"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
)

// onceSummary reads a workspace's metastore summary once per run and hands
// the same answer to every step that asks: the metastore a workspace is
// attached to does not change during a run. A failed read is not kept.
type onceSummary struct {
	m  deps.Metastores
	mu sync.Mutex
	v  *catalog.GetMetastoreSummaryResponse
}

func (o *onceSummary) Summary(ctx context.Context) (*catalog.GetMetastoreSummaryResponse, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.v == nil {
		v, err := o.m.Summary(ctx)
		if err != nil {
			return nil, err
		}
		o.v = v
	}
	v := *o.v
	return &v, nil
}

// withOnceSummary returns a copy of w that reads its metastore summary once.
func withOnceSummary(w *Workspace) *Workspace {
	if w == nil || w.Metastores == nil {
		return w
	}
	if _, ok := w.Metastores.(*onceSummary); ok {
		return w
	}
	c := *w
	c.Metastores = &onceSummary{m: w.Metastores}
	return &c
}

// handoff passes the objects one phase of a run reads (the preflight, the
// wait for the share) to the step that reads them next, so that each is
// read once: a read made while recording is kept, and the next read of the
// same object takes it instead of asking the service; later reads ask the
// service again. A read that found the object missing is kept too, as that
// answer. Nothing is written to the target between the two reads of a
// hand-off but the step that takes it, which reads before it writes; a read
// meant for a step that wrote without taking it is dropped after that
// step (the online tables' reads after PublishOnline).
type handoff struct {
	mu        sync.Mutex
	recording bool
	got       map[string]kept
}

// kept is one read kept for the next reader: the object, or the error
// that said it is missing.
type kept struct {
	v   any
	err error
}

func (h *handoff) record(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recording = on
}

// keep records v (or the missing error err) under key.
func (h *handoff) keep(key string, v any, err error) {
	if h.got == nil {
		h.got = map[string]kept{}
	}
	h.got[key] = kept{v, err}
}

// drop forgets what was kept under key.
func (h *handoff) drop(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.got, key)
}

// read returns the kept object of key, if any, or reads it with get,
// keeping it (or its absence) while recording.
func read[T any](ctx context.Context, h *handoff, key string, get func(context.Context) (*T, error)) (*T, error) {
	h.mu.Lock()
	if k, ok := h.got[key]; ok && !h.recording {
		delete(h.got, key)
		h.mu.Unlock()
		if k.err != nil {
			return nil, k.err
		}
		return k.v.(*T), nil
	}
	h.mu.Unlock()
	v, err := get(ctx)
	if err != nil {
		if apierr.IsMissing(err) {
			h.mu.Lock()
			if h.recording {
				h.keep(key, nil, err)
			}
			h.mu.Unlock()
		}
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.recording {
		c := *v
		h.keep(key, &c, nil)
	}
	return v, nil
}

type handoffCatalogs struct {
	deps.Catalogs
	h *handoff
}

func (c handoffCatalogs) Get(ctx context.Context, r catalog.GetCatalogRequest) (*catalog.CatalogInfo, error) {
	return read(ctx, c.h, "catalog\x00"+strings.ToLower(r.Name), func(ctx context.Context) (*catalog.CatalogInfo, error) { return c.Catalogs.Get(ctx, r) })
}

type handoffProviders struct {
	deps.Providers
	h *handoff
}

func (p handoffProviders) Get(ctx context.Context, r sharing.GetProviderRequest) (*sharing.ProviderInfo, error) {
	return read(ctx, p.h, "provider\x00"+strings.ToLower(r.Name), func(ctx context.Context) (*sharing.ProviderInfo, error) { return p.Providers.Get(ctx, r) })
}

type handoffStores struct {
	online.FeatureStore
	h *handoff
}

func (s handoffStores) GetOnlineStore(ctx context.Context, r ml.GetOnlineStoreRequest) (*ml.OnlineStore, error) {
	return read(ctx, s.h, "store\x00"+r.Name, func(ctx context.Context) (*ml.OnlineStore, error) { return s.FeatureStore.GetOnlineStore(ctx, r) })
}

type handoffTables struct {
	online.Tables
	h *handoff
}

func (t handoffTables) Get(ctx context.Context, r catalog.GetTableRequest) (*catalog.TableInfo, error) {
	if r.IncludeBrowse || r.IncludeDeltaMetadata || r.IncludeManifestCapabilities || len(r.ForceSendFields) > 0 {
		return t.Tables.Get(ctx, r) // a read with options is not handed off
	}
	return read(ctx, t.h, "table\x00"+strings.ToLower(r.FullName), func(ctx context.Context) (*catalog.TableInfo, error) { return t.Tables.Get(ctx, r) })
}

// handoffListingTables is handoffTables over a client that lists tables:
// while recording, each listed table is kept as if read by itself.
type handoffListingTables struct {
	handoffTables
	l deps.TableLister
}

func (t handoffListingTables) ListAll(ctx context.Context, r catalog.ListTablesRequest) ([]catalog.TableInfo, error) {
	all, err := t.l.ListAll(ctx, r)
	if err != nil {
		return nil, err
	}
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	if t.h.recording {
		for _, ti := range all {
			c := ti
			t.h.keep("table\x00"+strings.ToLower(ti.FullName), &c, nil)
		}
	}
	return all, nil
}

type handoffPostgres struct {
	online.PostgresSyncedTables
	h *handoff
}

func (p handoffPostgres) GetSyncedTable(ctx context.Context, r postgres.GetSyncedTableRequest) (*postgres.SyncedTable, error) {
	return read(ctx, p.h, syncedPrefix+"autoscaling\x00"+strings.ToLower(r.Name), func(ctx context.Context) (*postgres.SyncedTable, error) {
		return p.PostgresSyncedTables.GetSyncedTable(ctx, r)
	})
}

type handoffDatabase struct {
	online.SyncedTables
	h *handoff
}

func (d handoffDatabase) GetSyncedDatabaseTable(ctx context.Context, r database.GetSyncedDatabaseTableRequest) (*database.SyncedDatabaseTable, error) {
	return read(ctx, d.h, syncedPrefix+"provisioned\x00"+strings.ToLower(r.Name), func(ctx context.Context) (*database.SyncedDatabaseTable, error) {
		return d.SyncedTables.GetSyncedDatabaseTable(ctx, r)
	})
}

// endpointKey is the hand-off key of the serving endpoint called name.
func endpointKey(name string) string { return "endpoint\x00" + name }

// dropPrefix forgets the reads kept under keys that start with prefix.
func (h *handoff) dropPrefix(prefix string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range h.got {
		if strings.HasPrefix(k, prefix) {
			delete(h.got, k)
		}
	}
}

// syncedPrefix starts the hand-off keys of online tables' reads.
const syncedPrefix = "synced-"

// dropAll forgets every read kept.
func (h *handoff) dropAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.got)
}

type handoffEndpoints struct {
	endpoint.Endpoints
	h *handoff
}

func (e handoffEndpoints) Get(ctx context.Context, r serving.GetServingEndpointRequest) (*serving.ServingEndpointDetailed, error) {
	return read(ctx, e.h, endpointKey(r.Name), func(ctx context.Context) (*serving.ServingEndpointDetailed, error) { return e.Endpoints.Get(ctx, r) })
}

// handoffQueryingEndpoints is handoffEndpoints over a client that queries
// served entities directly, which the deployment's probes use.
type handoffQueryingEndpoints struct {
	handoffEndpoints
	endpoint.EntityQuerier
}

// withHandoff returns a copy of w whose catalog, provider, online store,
// online table, table and serving endpoint reads go through h. The copy's
// Lakebase clients read only: it serves runs, never removals.
func withHandoff(w Workspace, h *handoff) Workspace {
	if w.Catalogs != nil {
		w.Catalogs = handoffCatalogs{w.Catalogs, h}
	}
	if w.Providers != nil {
		w.Providers = handoffProviders{w.Providers, h}
	}
	if w.FeatureStore != nil {
		w.FeatureStore = handoffStores{w.FeatureStore, h}
	}
	if w.ServingEndpoints != nil {
		he := handoffEndpoints{w.ServingEndpoints, h}
		if q, ok := w.ServingEndpoints.(endpoint.EntityQuerier); ok {
			w.ServingEndpoints = handoffQueryingEndpoints{he, q}
		} else {
			w.ServingEndpoints = he
		}
	}
	if w.Postgres != nil {
		w.Postgres = handoffPostgres{w.Postgres, h}
	}
	if w.Database != nil {
		w.Database = handoffDatabase{w.Database, h}
	}
	if w.Tables != nil {
		ht := handoffTables{w.Tables, h}
		if l, ok := w.Tables.(deps.TableLister); ok {
			w.Tables = handoffListingTables{ht, l}
		} else {
			w.Tables = ht
		}
	}
	return w
}
