package online_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const (
	featuresOnline = "serving.features.ml_features_online"
	historyOnline  = "serving.features.ml_history_online"
)

func TestPublishOnline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []xregiontest.Option
		seed     func(dst *xregiontest.Workspace)
		spec     func() online.PublishSpec
		want     *online.PublishResult
		wantSrcs map[string]string // online table -> source it is fed from
	}{
		{
			name: "creates_store_waits_and_publishes",
			opts: []xregiontest.Option{xregiontest.WithStoreStartup(3)},
			want: &online.PublishResult{Store: "serving-online-store", StoreOp: xregion.OpCreated, Tables: []online.PublishedTable{
				{Source: "fraud_shared.ml.features", Online: featuresOnline, Op: xregion.OpCreated},
				{Source: "fraud_shared.ml.history", Online: historyOnline, Op: xregion.OpCreated},
			}},
		},
		{
			name: "reuses_store_and_existing_online_table",
			seed: func(dst *xregiontest.Workspace) {
				dst.AddOnlineStore(ml.OnlineStore{Name: "serving-online-store", Capacity: "CU_2", State: ml.OnlineStoreStateAvailable})
				dst.AddSyncedTable(database.SyncedDatabaseTable{Name: featuresOnline, Spec: &database.SyncedTableSpec{SourceTableFullName: "fraud_shared.ml.features"}})
			},
			want: &online.PublishResult{Store: "serving-online-store", StoreOp: xregion.OpUnchanged, Tables: []online.PublishedTable{
				{Source: "fraud_shared.ml.features", Online: featuresOnline, Op: xregion.OpUnchanged, API: online.APIAutoscaling},
				{Source: "fraud_shared.ml.history", Online: historyOnline, Op: xregion.OpCreated},
			}},
		},
		{
			name: "names_and_store_from_the_caller",
			spec: func() online.PublishSpec {
				s := publishSpec()
				s.Store, s.Capacity = "eu-features", "CU_4"
				s.Names = map[string]string{"MAIN.ml.History": "serving.features.customer_history"} // names are case-insensitive
				return s
			},
			want: &online.PublishResult{Store: "eu-features", StoreOp: xregion.OpCreated, Tables: []online.PublishedTable{
				{Source: "fraud_shared.ml.features", Online: featuresOnline, Op: xregion.OpCreated},
				{Source: "fraud_shared.ml.history", Online: "serving.features.customer_history", Op: xregion.OpCreated},
			}},
		},
		{
			name: "no_feature_tables",
			spec: func() online.PublishSpec {
				return online.PublishSpec{SharedCatalog: sharedCatalog, Catalog: onlineCatalog, Schema: onlineSchema}
			},
			want: &online.PublishResult{StoreOp: xregion.OpUnchanged},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The Autoscaling replies name the source only with WithPostgresSpec.
			_, dst := sharedTables(t, append(tt.opts, xregiontest.WithPostgresSpec())...)
			if tt.seed != nil {
				tt.seed(dst)
			}
			spec := publishSpec()
			if tt.spec != nil {
				spec = tt.spec()
			}
			dst.ResetWrites()
			got, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
			if err != nil {
				t.Fatalf("PublishOnline() error = %v", err)
			}
			ignorePipeline := cmpopts.IgnoreFields(online.PublishedTable{}, "PipelineID")
			if diff := cmp.Diff(tt.want, got, cmpOpts, ignorePipeline); diff != "" {
				t.Errorf("PublishOnline() mismatch (-want +got):\n%s", diff)
			}
			for _, pt := range got.Tables {
				st, err := dst.Postgres.GetSyncedTable(t.Context(), postgres.GetSyncedTableRequest{Name: "synced_tables/" + pt.Online})
				if err != nil {
					t.Fatalf("read online table %s: %v", pt.Online, err)
				}
				if st.Spec == nil || st.Spec.SourceTableFullName != pt.Source {
					t.Errorf("online table %s is fed from %+v, want %s", pt.Online, st.Spec, pt.Source)
				}
				if pt.Op == xregion.OpCreated && (pt.PipelineID == "" || st.Spec.SchedulingPolicy != postgres.SyncedTableSyncedTableSpecSyncedTableSchedulingPolicySnapshot) {
					t.Errorf("published %s with pipeline %q and policy %s, want a pipeline id and SNAPSHOT", pt.Online, pt.PipelineID, st.Spec.SchedulingPolicy)
				}
			}
			if len(spec.Tables) == 0 {
				if n := dst.Calls("FeatureStore.GetOnlineStore") + dst.Calls("Tables.Get"); n != 0 {
					t.Errorf("PublishOnline() made %d calls with nothing to publish, want 0", n)
				}
			}

			// Converged: a second run writes nothing and reports no change.
			dst.ResetWrites()
			again, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
			if err != nil {
				t.Fatalf("second PublishOnline() error = %v", err)
			}
			if w := dst.Writes(); len(w) != 0 {
				t.Errorf("second PublishOnline() wrote %v, want no write", w)
			}
			if again.StoreOp.Wrote() || len(again.Tables) != len(got.Tables) {
				t.Errorf("second PublishOnline() = %+v, want no change", again)
			}
			for _, pt := range again.Tables {
				if pt.Op != xregion.OpUnchanged {
					t.Errorf("second PublishOnline() %s: %s, want unchanged", pt.Online, pt.Op)
				}
			}
		})
	}
}

func TestPublishOnlineRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seed    func(src, dst *xregiontest.Workspace)
		spec    func() online.PublishSpec
		opts    []xregion.Option
		wantErr error
		// wantWrites are the writes expected before the failure.
		wantWrites []xregiontest.Write
	}{
		{
			name:    "online_catalog_is_the_shared_catalog",
			spec:    func() online.PublishSpec { s := publishSpec(); s.Catalog = sharedCatalog; return s },
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "table_without_primary_key",
			spec: func() online.PublishSpec {
				s := publishSpec()
				s.Tables[1].PrimaryKeys = nil
				return s
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name:    "bad_capacity",
			spec:    func() online.PublishSpec { s := publishSpec(); s.Capacity = "CU_3"; return s },
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name:    "store_name_not_dns_safe",
			spec:    func() online.PublishSpec { s := publishSpec(); s.Store = "Serving_Store"; return s },
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "two_tables_one_online_name",
			spec: func() online.PublishSpec {
				s := publishSpec()
				s.Names = map[string]string{history: featuresOnline}
				return s
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "online_table_fed_from_another_source",
			seed: func(_, dst *xregiontest.Workspace) {
				// A Lakebase Provisioned store, whose replies name the source.
				dst.AddOnlineStore(ml.OnlineStore{Name: "legacy", CreationTime: "2025-06-01T00:00:00Z"})
				dst.AddSyncedTable(database.SyncedDatabaseTable{Name: featuresOnline, DatabaseInstanceName: "legacy", Spec: &database.SyncedTableSpec{SourceTableFullName: "main.ml.features"}})
			},
			wantErr: xregion.ErrConflict,
		},
		{
			name: "source_table_recreated",
			seed: func(src, _ *xregiontest.Workspace) {
				src.RecreateTable(features)
			},
			spec:    func() online.PublishSpec { s := publishSpec(); s.CheckTableIDs = true; return s },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "table_not_in_share",
			spec: func() online.PublishSpec {
				s := publishSpec()
				s.Tables = append(s.Tables, online.Table{Name: "main.ml.unshared", PrimaryKeys: []string{"id"}})
				return s
			},
			wantErr: apierr.ErrNotFound,
		},
		{
			name: "store_stopped",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddOnlineStore(ml.OnlineStore{Name: "serving-online-store", Capacity: "CU_1", State: ml.OnlineStoreStateStopped})
			},
			wantErr: xregion.ErrNotReady,
		},
		{
			name: "store_deleting",
			seed: func(_, dst *xregiontest.Workspace) {
				dst.AddOnlineStore(ml.OnlineStore{Name: "serving-online-store", Capacity: "CU_1", State: ml.OnlineStoreStateDeleting})
			},
			wantErr: xregion.ErrNotReady,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedTables(t)
			if tt.seed != nil {
				tt.seed(src, dst)
			}
			spec := publishSpec()
			if tt.spec != nil {
				spec = tt.spec()
			}
			dst.ResetWrites()
			_, err := online.PublishOnline(t.Context(), clients(dst), spec, append([]xregion.Option{noSleep}, tt.opts...)...)
			var se *xregion.StepError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &se) || se.Step != online.StepPublish {
				t.Fatalf("PublishOnline() error = %v, want a PublishOnline StepError matching %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantWrites, dst.Writes(), cmpOpts); diff != "" {
				t.Errorf("writes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPublishOnlineStoreNeverAvailable(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t, xregiontest.WithStoreStartup(1000))
	_, err := online.PublishOnline(t.Context(), clients(dst), publishSpec(), giveUpAfter(5))
	if !errors.Is(err, xregion.ErrNotReady) {
		t.Fatalf("PublishOnline() error = %v, want ErrNotReady", err)
	}
	want := []xregiontest.Write{{Method: "FeatureStore.CreateOnlineStore", Resource: "serving-online-store"}}
	if diff := cmp.Diff(want, dst.Writes()); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
}

// TestPublishListsOnceForMissingTables: with several tables, online tables
// the Autoscaling API does not know are looked for in one list of their
// schema, not through the Provisioned API one by one; one that the list
// shows is still read there (see online_table_fed_from_another_source).
func TestPublishListsOnceForMissingTables(t *testing.T) {
	t.Parallel()
	_, dst := sharedTables(t)
	dst.AddSchema(onlineCatalog + "." + onlineSchema)
	if _, err := online.PublishOnline(t.Context(), clients(dst), publishSpec(), noSleep); err != nil {
		t.Fatalf("PublishOnline() error = %v", err)
	}
	got := map[string]int{}
	for _, m := range []string{"Postgres.GetSyncedTable", "Database.GetSyncedDatabaseTable", "Tables.ListAll"} {
		got[m] = dst.Calls(m)
	}
	want := map[string]int{"Postgres.GetSyncedTable": 2, "Database.GetSyncedDatabaseTable": 0, "Tables.ListAll": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reads of a first publish mismatch (-want +got):\n%s", diff)
	}
}

// TestPublishListFirst: with ListFirst, each online schema is listed before
// any online table is read, and only the tables it shows are read; a list
// that fails leaves every table to the reads.
func TestPublishListFirst(t *testing.T) {
	t.Parallel()
	reads := []string{"Postgres.GetSyncedTable", "Database.GetSyncedDatabaseTable", "Tables.ListAll"}
	tests := []struct {
		name    string
		seed    func(t *testing.T, dst *xregiontest.Workspace)
		want    map[string]int
		wantOps map[string]xregion.Op
	}{
		{
			name:    "all_new",
			want:    map[string]int{"Postgres.GetSyncedTable": 0, "Database.GetSyncedDatabaseTable": 0, "Tables.ListAll": 1},
			wantOps: map[string]xregion.Op{features: xregion.OpCreated, history: xregion.OpCreated},
		},
		{
			name: "one_published",
			seed: func(t *testing.T, dst *xregiontest.Workspace) {
				spec := publishSpec()
				spec.Tables = spec.Tables[:1]
				if _, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep); err != nil {
					t.Fatal(err)
				}
				if _, err := online.WaitOnline(t.Context(), status(dst), online.WaitSpec{Tables: []string{online.DefaultOnlineName(onlineCatalog, onlineSchema, features)}}, noSleep); err != nil {
					t.Fatal(err)
				}
			},
			want:    map[string]int{"Postgres.GetSyncedTable": 1, "Database.GetSyncedDatabaseTable": 0, "Tables.ListAll": 1},
			wantOps: map[string]xregion.Op{features: xregion.OpUnchanged, history: xregion.OpCreated},
		},
		{
			name: "list_fails",
			seed: func(_ *testing.T, dst *xregiontest.Workspace) {
				dst.Inject(xregiontest.Fault{Method: "Tables.ListAll", Err: xregiontest.Unavailable("try again")})
			},
			want:    map[string]int{"Postgres.GetSyncedTable": 2, "Database.GetSyncedDatabaseTable": 2, "Tables.ListAll": 1},
			wantOps: map[string]xregion.Op{features: xregion.OpCreated, history: xregion.OpCreated},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, dst := sharedTables(t)
			dst.AddSchema(onlineCatalog + "." + onlineSchema)
			if tc.seed != nil {
				tc.seed(t, dst)
			}
			before := map[string]int{}
			for _, m := range reads {
				before[m] = dst.Calls(m)
			}
			spec := publishSpec()
			spec.ListFirst = true
			res, err := online.PublishOnline(t.Context(), clients(dst), spec, noSleep)
			if err != nil {
				t.Fatalf("PublishOnline() error = %v", err)
			}
			got := map[string]int{}
			for _, m := range reads {
				got[m] = dst.Calls(m) - before[m]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("reads mismatch (-want +got):\n%s", diff)
			}
			ops := map[string]xregion.Op{}
			for _, p := range res.Tables {
				ops[strings.Replace(p.Source, sharedCatalog+".", "main.", 1)] = p.Op
			}
			if diff := cmp.Diff(tc.wantOps, ops); diff != "" {
				t.Errorf("tables mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
