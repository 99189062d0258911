package online_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const (
	store          = "serving-online-store"
	featuresShared = sharedCatalog + ".ml.features"
	historyShared  = sharedCatalog + ".ml.history"
)

// removeClients returns every service of ws that Remove calls.
func removeClients(ws *xregiontest.Workspace) online.Clients {
	c := clients(ws)
	c.StoreRemover, c.ProvisionedRemover, c.AutoscalingRemover = ws.FeatureStore, ws.Database, ws.Postgres
	return c
}

// provisionedStore seeds the default store of the online catalog as a
// Lakebase Provisioned instance, created before Autoscaling projects were.
func provisionedStore(dst *xregiontest.Workspace) {
	dst.AddOnlineStore(ml.OnlineStore{Name: store, CreationTime: "2025-06-01T00:00:00Z"})
}

// publishOnline publishes the given feature tables of the source into dst,
// as one model's rollout does, and waits until they are online.
func publishOnline(t *testing.T, dst *xregiontest.Workspace, tables ...string) {
	t.Helper()
	spec := publishSpec()
	spec.Tables = nil
	for _, name := range tables {
		for _, tbl := range publishSpec().Tables {
			if tbl.Name == name {
				spec.Tables = append(spec.Tables, tbl)
			}
		}
	}
	res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
	if err != nil {
		t.Fatalf("PublishOnline(%v) error = %v", tables, err)
	}
	if _, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: res.OnlineNames()}, noSleep); err != nil {
		t.Fatalf("WaitOnline(%v) error = %v", tables, err)
	}
}

// modelSpec is the removal of the model served by the features table only.
func modelSpec(adopt bool) online.RemoveSpec {
	return online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, Tables: []string{featuresShared}, AdoptStore: adopt}
}

func removal(kind xregion.Kind, name string, op xregion.Op, why string) xregion.Removal {
	return xregion.Removal{Kind: kind, Name: name, Op: op, Why: why}
}

const (
	whyNoMark     = "online stores carry no mark; adopt: online-store removes it once empty"
	whyAutoscale  = "cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking"
	whyNoListImpl = "cannot list the store's tables (the Lakebase Provisioned API does not implement the list), so it cannot be proven empty; delete it in the Lakebase UI after checking"
)

// onlineTableNames returns the online tables dst still shows, of the two
// a test may publish.
func onlineTableNames(t *testing.T, dst *xregiontest.Workspace) []string {
	t.Helper()
	var out []string
	for _, name := range []string{featuresOnline, historyOnline} {
		_, err := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: name})
		switch {
		case err == nil:
			out = append(out, name)
		case !apierr.IsMissing(err):
			t.Fatalf("Tables.Get(%s) error = %v", name, err)
		}
	}
	return out
}

func storeExists(t *testing.T, dst *xregiontest.Workspace) bool {
	t.Helper()
	st, err := dst.FeatureStore.ListOnlineStoresAll(t.Context(), ml.ListOnlineStoresRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Name == store {
			return true
		}
	}
	return false
}

func TestRemove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []xregiontest.Option
		// seed sets the target up; publishing runs after it.
		seed    func(dst *xregiontest.Workspace)
		publish []string // feature tables published, by one or two models
		spec    online.RemoveSpec
		want    []xregion.Removal
		// wantTables are the online tables left; wantStore whether the
		// store is left.
		wantTables []string
		wantStore  bool
		wantWrites []xregiontest.Write
	}{
		{
			name:    "autoscaling/other_models_table_stays_store_not_adopted",
			publish: []string{features, history},
			spec:    modelSpec(false),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, whyNoMark),
			},
			wantTables: []string{historyOnline}, wantStore: true,
			wantWrites: []xregiontest.Write{{Method: "Postgres.DeleteSyncedTable", Resource: featuresOnline}},
		},
		{
			name:    "autoscaling/adopted_store_kept_as_it_cannot_be_listed",
			publish: []string{features},
			spec:    modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, whyAutoscale),
			},
			wantStore:  true,
			wantWrites: []xregiontest.Write{{Method: "Postgres.DeleteSyncedTable", Resource: featuresOnline}},
		},
		{
			// Created after 2026-03-23: an Autoscaling project, even with
			// no table to tell.
			name: "autoscaling/empty_adopted_store_kept",
			seed: func(dst *xregiontest.Workspace) { dst.AddOnlineStore(ml.OnlineStore{Name: store}) },
			spec: modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpAbsent, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, whyAutoscale),
			},
			wantStore: true,
		},
		{
			name:    "provisioned/adopted_and_empty_store_removed",
			opts:    []xregiontest.Option{xregiontest.WithSyncedTableList()},
			seed:    provisionedStore,
			publish: []string{features, history},
			spec: online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, AdoptStore: true,
				Tables: []string{historyShared, featuresShared, featuresShared}}, // duplicates are removed once
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineTable, historyOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpRemoved, ""),
			},
			wantWrites: []xregiontest.Write{
				{Method: "Database.DeleteSyncedDatabaseTable", Resource: featuresOnline},
				{Method: "Database.DeleteSyncedDatabaseTable", Resource: historyOnline},
				{Method: "FeatureStore.DeleteOnlineStore", Resource: store},
			},
		},
		{
			name:    "provisioned/adopted_store_kept_while_it_holds_another_models_table",
			opts:    []xregiontest.Option{xregiontest.WithSyncedTableList()},
			seed:    provisionedStore,
			publish: []string{features, history},
			spec:    modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, "still holds tables: "+historyOnline),
			},
			wantTables: []string{historyOnline}, wantStore: true,
			wantWrites: []xregiontest.Write{{Method: "Database.DeleteSyncedDatabaseTable", Resource: featuresOnline}},
		},
		{
			name:    "provisioned/adopted_store_kept_when_the_list_is_not_implemented",
			seed:    provisionedStore,
			publish: []string{features},
			spec:    modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, whyNoListImpl),
			},
			wantStore:  true,
			wantWrites: []xregiontest.Write{{Method: "Database.DeleteSyncedDatabaseTable", Resource: featuresOnline}},
		},
		{
			name: "provisioned/table_fed_from_another_source_kept",
			opts: []xregiontest.Option{xregiontest.WithSyncedTableList()},
			seed: func(dst *xregiontest.Workspace) {
				provisionedStore(dst)
				dst.AddSyncedTable(database.SyncedDatabaseTable{Name: featuresOnline, DatabaseInstanceName: store,
					Spec: &database.SyncedTableSpec{SourceTableFullName: "other_shared.ml.features"}})
			},
			spec: modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpKept,
					"fed from other_shared.ml.features, not fraud_shared.ml.features: not this model's online table"),
				removal(xregion.KindOnlineStore, store, xregion.OpKept, "still holds tables: "+featuresOnline),
			},
			wantTables: []string{featuresOnline}, wantStore: true,
		},
		{
			name: "nothing_there",
			spec: modelSpec(true),
			want: []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpAbsent, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpAbsent, ""),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, dst := sharedTables(t, tt.opts...)
			if tt.seed != nil {
				tt.seed(dst)
			}
			if len(tt.publish) > 0 {
				publishOnline(t, dst, tt.publish...)
			}
			dst.ResetWrites()

			// A dry run reports the same, and writes nothing.
			dry, err := online.Remove(t.Context(), removeClients(dst), tt.spec, noSleep, xregion.WithDryRun())
			if err != nil {
				t.Fatalf("Remove(dry run) error = %v", err)
			}
			if w := dst.Writes(); len(w) != 0 {
				t.Fatalf("dry run wrote %v", w)
			}

			got, err := online.Remove(t.Context(), removeClients(dst), tt.spec, noSleep)
			if err != nil {
				t.Fatalf("Remove() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got.Removals, cmpOpts); diff != "" {
				t.Errorf("Remove() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(got.Removals, dry.Removals, cmpOpts); diff != "" {
				t.Errorf("dry run reported otherwise (-real +dry):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWrites, dst.Writes(), cmpOpts); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
			// Remove waited until the deleted objects were gone.
			if diff := cmp.Diff(tt.wantTables, onlineTableNames(t, dst), cmpOpts); diff != "" {
				t.Errorf("online tables left mismatch (-want +got):\n%s", diff)
			}
			if got := storeExists(t, dst); got != tt.wantStore {
				t.Errorf("store left = %v, want %v", got, tt.wantStore)
			}

			// Converged: a second run writes nothing.
			dst.ResetWrites()
			if _, err := online.Remove(t.Context(), removeClients(dst), tt.spec, noSleep); err != nil {
				t.Fatalf("Remove() again error = %v", err)
			}
			if w := dst.Writes(); len(w) != 0 {
				t.Errorf("second Remove() wrote %v", w)
			}
		})
	}
}

// TestRemoveCrash fails a delete in the middle of a removal: the run fails
// with what it did so far, a re-run finishes the job, and the run after
// that writes nothing.
func TestRemoveCrash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault xregiontest.Fault
	}{
		{name: "second_table_delete_fails", fault: xregiontest.Fault{Method: "Database.DeleteSyncedDatabaseTable", Skip: 1, Times: 1, Err: xregiontest.Internal("boom")}},
		{name: "store_delete_lands_then_fails", fault: xregiontest.Fault{Method: "FeatureStore.DeleteOnlineStore", Times: 1, AfterCommit: true, Err: xregiontest.Unavailable("lost reply")}},
		{name: "wait_fails", fault: xregiontest.Fault{Method: "Database.GetSyncedDatabaseTable", Skip: 2, Times: 1, Err: xregiontest.Internal("boom")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, dst := sharedTables(t, xregiontest.WithSyncedTableList())
			provisionedStore(dst)
			publishOnline(t, dst, features, history)
			spec := online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, Tables: []string{featuresShared, historyShared}, AdoptStore: true}
			dst.ResetWrites()
			dst.Inject(tt.fault)

			_, err := online.Remove(t.Context(), removeClients(dst), spec, noSleep)
			var se *xregion.StepError
			if !errors.As(err, &se) || se.Step != online.StepRemove {
				t.Fatalf("Remove() error = %v, want a StepError of %s", err, online.StepRemove)
			}

			got, err := online.Remove(t.Context(), removeClients(dst), spec, noSleep)
			if err != nil {
				t.Fatalf("Remove() again error = %v", err)
			}
			for _, r := range got.Removals {
				if r.Op != xregion.OpRemoved && r.Op != xregion.OpAbsent {
					t.Errorf("re-run: %s, want removed or absent", r)
				}
			}
			if left := onlineTableNames(t, dst); len(left) > 0 || storeExists(t, dst) {
				t.Errorf("after the re-run: tables %v left, store left %v; want nothing", left, storeExists(t, dst))
			}

			dst.ResetWrites()
			got, err = online.Remove(t.Context(), removeClients(dst), spec, noSleep)
			if err != nil {
				t.Fatalf("Remove() a third time error = %v", err)
			}
			want := []xregion.Removal{
				removal(xregion.KindOnlineTable, featuresOnline, xregion.OpAbsent, ""),
				removal(xregion.KindOnlineTable, historyOnline, xregion.OpAbsent, ""),
				removal(xregion.KindOnlineStore, store, xregion.OpAbsent, ""),
			}
			if diff := cmp.Diff(want, got.Removals, cmpOpts); diff != "" {
				t.Errorf("converged Remove() mismatch (-want +got):\n%s", diff)
			}
			if w := dst.Writes(); len(w) != 0 {
				t.Errorf("converged Remove() wrote %v", w)
			}
		})
	}
}

// TestRemoveResumes re-runs a teardown whose deletes had all been sent:
// the table and the store are DELETING, counted removed, and waited for
// without deleting them again.
func TestRemoveResumes(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t, xregiontest.WithDeleteLag(5))
	publishOnline(t, dst, features)
	ctx := t.Context()
	if _, err := dst.Postgres.DeleteSyncedTable(ctx, postgresDelete(featuresOnline)); err != nil {
		t.Fatal(err)
	}
	if err := dst.FeatureStore.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: store}); err != nil {
		t.Fatal(err)
	}
	dst.ResetWrites()
	got, err := online.Remove(ctx, removeClients(dst), modelSpec(false), noSleep)
	if err != nil {
		t.Fatalf("Remove() error = %v", err)
	}
	want := []xregion.Removal{
		removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
		removal(xregion.KindOnlineStore, store, xregion.OpRemoved, ""),
	}
	if diff := cmp.Diff(want, got.Removals, cmpOpts); diff != "" {
		t.Errorf("Remove() mismatch (-want +got):\n%s", diff)
	}
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("Remove() wrote %v, want only waits", w)
	}
	if left := onlineTableNames(t, dst); len(left) > 0 || storeExists(t, dst) {
		t.Errorf("tables %v left, store left %v; want nothing", left, storeExists(t, dst))
	}
}

// TestRemoveStoreRefused keeps a store whose delete the service refuses,
// with its reason.
func TestRemoveStoreRefused(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t, xregiontest.WithSyncedTableList())
	provisionedStore(dst)
	publishOnline(t, dst, features)
	dst.Inject(xregiontest.Fault{Method: "FeatureStore.DeleteOnlineStore", Err: xregiontest.InvalidParameter("Online store '%s' still has online tables.", store)})
	got, err := online.Remove(t.Context(), removeClients(dst), modelSpec(true), noSleep)
	if err != nil {
		t.Fatalf("Remove() error = %v", err)
	}
	want := []xregion.Removal{
		removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
		removal(xregion.KindOnlineStore, store, xregion.OpKept, "the service refused to delete it: Online store 'serving-online-store' still has online tables."),
	}
	if diff := cmp.Diff(want, got.Removals, cmpOpts); diff != "" {
		t.Errorf("Remove() mismatch (-want +got):\n%s", diff)
	}
}

// TestRemoveRechecksStore keeps the store when a table is published into
// it while the model's tables are being deleted.
func TestRemoveRechecksStore(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t, xregiontest.WithSyncedTableList())
	provisionedStore(dst)
	publishOnline(t, dst, features)
	c := removeClients(dst)
	c.ProvisionedRemover = &publishOnDelete{ProvisionedRemover: dst.Database, publish: func(ctx context.Context) error {
		_, err := dst.FeatureStore.PublishTable(ctx, ml.PublishTableRequest{SourceTableName: historyShared, PublishSpec: ml.PublishSpec{
			OnlineStore: store, OnlineTableName: historyOnline, PublishMode: ml.PublishSpecPublishModeSnapshot,
		}})
		return err
	}}
	got, err := online.Remove(t.Context(), c, modelSpec(true), noSleep)
	if err != nil {
		t.Fatalf("Remove() error = %v", err)
	}
	want := []xregion.Removal{
		removal(xregion.KindOnlineTable, featuresOnline, xregion.OpRemoved, ""),
		removal(xregion.KindOnlineStore, store, xregion.OpKept, "still holds tables: "+historyOnline),
	}
	if diff := cmp.Diff(want, got.Removals, cmpOpts); diff != "" {
		t.Errorf("Remove() mismatch (-want +got):\n%s", diff)
	}
	if n := dst.Calls("FeatureStore.DeleteOnlineStore"); n != 0 {
		t.Errorf("DeleteOnlineStore called %d times, want 0", n)
	}
}

// publishOnDelete publishes a table right after the first synced-table
// delete, as another model's rollout might.
type publishOnDelete struct {
	online.ProvisionedRemover
	once    sync.Once
	publish func(context.Context) error
}

func (p *publishOnDelete) DeleteSyncedDatabaseTable(ctx context.Context, req database.DeleteSyncedDatabaseTableRequest) error {
	err := p.ProvisionedRemover.DeleteSyncedDatabaseTable(ctx, req)
	p.once.Do(func() {
		if perr := p.publish(ctx); perr != nil {
			err = errors.Join(err, perr)
		}
	})
	return err
}

// TestRemoveWaits waits through DELETING on the default backoff under
// synctest: it logs progress at least every 30 s, and a wait longer than
// the timeout fails naming what is left.
func TestRemoveWaits(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, dst := sharedTables(t, xregiontest.WithDeleteLag(40))
		publishOnline(t, dst, features)
		rec := &records{}
		start := time.Now()
		got, err := online.Remove(t.Context(), removeClients(dst), modelSpec(false), xregion.WithLogger(slog.New(rec)))
		if err != nil {
			t.Fatalf("Remove() error = %v", err)
		}
		if got.Removals[0].Op != xregion.OpRemoved {
			t.Errorf("Remove() = %v, want the table removed", got.Removals)
		}
		if left := onlineTableNames(t, dst); len(left) > 0 {
			t.Errorf("tables %v left after the wait", left)
		}
		times := rec.times("waiting for the deletion")
		if len(times) < 2 {
			t.Fatalf("logged %d progress records over %s, want several", len(times), time.Since(start))
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap > 30*time.Second {
				t.Errorf("progress records %d and %d are %s apart, want at most 30s", i-1, i, gap)
			}
		}
		if n := len(rec.times("deleted")); n != 1 {
			t.Errorf("logged %d 'deleted' records, want 1", n)
		}
	})
}

func TestRemoveTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		_, dst := sharedTables(t, xregiontest.WithDeleteLag(1000))
		publishOnline(t, dst, features)
		spec := modelSpec(false)
		spec.Timeout = 5 * time.Minute
		start := time.Now()
		_, err := online.Remove(t.Context(), removeClients(dst), spec)
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, xregion.ErrNotReady) || !strings.Contains(err.Error(), "DELETING") {
			t.Fatalf("Remove() error = %v, want a timeout naming the DELETING table", err)
		}
		if d := time.Since(start); d < spec.Timeout || d > spec.Timeout+time.Minute {
			t.Errorf("Remove() gave up after %s, want about %s", d, spec.Timeout)
		}
	})
}

func TestRemoveInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec online.RemoveSpec
	}{
		{name: "no_catalog", spec: online.RemoveSpec{Schema: onlineSchema, Tables: []string{featuresShared}}},
		{name: "bad_schema", spec: online.RemoveSpec{Catalog: onlineCatalog, Schema: "a.b", Tables: []string{featuresShared}}},
		{name: "bad_table", spec: online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, Tables: []string{"ml.features"}}},
		{name: "bad_store", spec: online.RemoveSpec{Catalog: onlineCatalog, Store: "Bad_Store"}},
		{name: "negative_timeout", spec: online.RemoveSpec{Catalog: onlineCatalog, Timeout: -time.Second}},
		{name: "name_for_no_table", spec: online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, Tables: []string{featuresShared},
			Names: map[string]string{historyShared: "serving.features.h"}}},
		{name: "two_tables_one_name", spec: online.RemoveSpec{Catalog: onlineCatalog, Schema: onlineSchema, Tables: []string{featuresShared, historyShared},
			Names: map[string]string{historyShared: featuresOnline}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := xregiontest.NewWorkspace()
			_, err := online.Remove(t.Context(), removeClients(ws), tt.spec, noSleep)
			if !errors.Is(err, xregion.ErrInvalidInput) {
				t.Errorf("Remove() error = %v, want ErrInvalidInput", err)
			}
			if n := ws.TotalCalls(); n != 0 {
				t.Errorf("Remove() made %d calls with bad input, want 0", n)
			}
		})
	}
}

// TestRemoveNeedsItsClients fails before any write when a table to delete
// has no client that deletes it.
func TestRemoveNeedsItsClients(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	publishOnline(t, dst, features)
	c := removeClients(dst)
	c.AutoscalingRemover = nil
	dst.ResetWrites()
	_, err := online.Remove(t.Context(), c, modelSpec(false), noSleep)
	if err == nil || !strings.Contains(err.Error(), "AutoscalingRemover") {
		t.Errorf("Remove() error = %v, want one naming Clients.AutoscalingRemover", err)
	}
	if w := dst.Writes(); len(w) != 0 {
		t.Errorf("Remove() wrote %v before failing", w)
	}
}

// records is a slog.Handler that keeps each record's message and time.
type records struct {
	mu   sync.Mutex
	msgs []string
	at   []time.Time
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs, r.at = append(r.msgs, rec.Message), append(r.at, rec.Time)
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// times returns when each record with message msg was logged.
func (r *records) times(msg string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for i, m := range r.msgs {
		if m == msg {
			out = append(out, r.at[i])
		}
	}
	return out
}

func postgresDelete(name string) postgres.DeleteSyncedTableRequest {
	return postgres.DeleteSyncedTableRequest{Name: "synced_tables/" + name}
}

// TestRemovePurgesData deletes a Provisioned store's table with
// purge_data=true, so that its Postgres table goes too.
func TestRemovePurgesData(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	provisionedStore(dst)
	publishOnline(t, dst, features)
	rec := &recordDeletes{ProvisionedRemover: dst.Database}
	c := removeClients(dst)
	c.ProvisionedRemover = rec
	if _, err := online.Remove(t.Context(), c, modelSpec(false), noSleep); err != nil {
		t.Fatalf("Remove() error = %v", err)
	}
	want := []database.DeleteSyncedDatabaseTableRequest{{Name: featuresOnline, PurgeData: true}}
	if diff := cmp.Diff(want, rec.reqs); diff != "" {
		t.Errorf("delete requests mismatch (-want +got):\n%s", diff)
	}
}

type recordDeletes struct {
	online.ProvisionedRemover
	reqs []database.DeleteSyncedDatabaseTableRequest
}

func (r *recordDeletes) DeleteSyncedDatabaseTable(ctx context.Context, req database.DeleteSyncedDatabaseTableRequest) error {
	r.reqs = append(r.reqs, req)
	return r.ProvisionedRemover.DeleteSyncedDatabaseTable(ctx, req)
}
