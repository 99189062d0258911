package xregiontest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// query sends one query of one record to endpoint e1.
func query(t *testing.T, w *xregiontest.Workspace) *serving.QueryEndpointResponse {
	t.Helper()
	r, err := w.ServingEndpoints.Query(t.Context(), serving.QueryEndpointInput{Name: "e1", DataframeRecords: []any{map[string]any{"x": 1}}})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	return r
}

// TestServingQueryEvenRouting counts where single queries go under
// WithEvenRouting.
func TestServingQueryEvenRouting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     serving.EndpointCoreConfigInput
		queries int
		want    map[string]int // queries answered, by served entity name
		warmups int            // queries sent first, not counted
	}{
		{
			name:    "single_entity",
			cfg:     configIn("e1", nil, entityIn("1")),
			queries: 10, want: map[string]int{"fraud-1": 10},
		},
		{
			name:    "canary_90_10",
			cfg:     configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")),
			queries: 100, want: map[string]int{"fraud-1": 90, "fraud-2": 10},
		},
		{
			// The split is even: 20 queries in a row hold 2 canary ones.
			name:    "canary_90_10_over_20",
			cfg:     configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")),
			warmups: 3, queries: 20, want: map[string]int{"fraud-1": 18, "fraud-2": 2},
		},
		{
			// Any 100 queries in a row split exactly.
			name:    "canary_90_10_after_a_probe",
			cfg:     configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")),
			warmups: 7, queries: 100, want: map[string]int{"fraud-1": 90, "fraud-2": 10},
		},
		{
			name:    "zero_percent_gets_nothing",
			cfg:     configIn("e1", traffic("fraud-1", 0, "fraud-2", 100), entityIn("1"), entityIn("2")),
			queries: 150, want: map[string]int{"fraud-2": 150},
		},
		{
			name:    "three_way",
			cfg:     configIn("e1", traffic("fraud-1", 50, "fraud-2", 30, "fraud-3", 20), entityIn("1"), entityIn("2"), entityIn("3")),
			queries: 200, want: map[string]int{"fraud-1": 100, "fraud-2": 60, "fraud-3": 40},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace(xregiontest.WithEvenRouting())
			liveEndpoint(t, w, tt.cfg)
			for range tt.warmups {
				query(t, w)
			}
			got := map[string]int{}
			for range tt.queries {
				got[query(t, w).ServedModelName]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("queries by served entity mismatch (-want +got):\n%s", diff)
			}
			if n := w.Calls("ServingEndpoints.Query"); n != tt.warmups+tt.queries {
				t.Errorf("Calls(Query) = %d, want %d", n, tt.warmups+tt.queries)
			}
		})
	}
}

// TestServingQueryRandomRouting routes at random, as the service does:
// reproducible for one seed, different for another, and close to the
// percentages over many queries.
func TestServingQueryRandomRouting(t *testing.T) {
	t.Parallel()
	canary := configIn("e1", traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2"))
	run := func(seed uint64, n int) []string {
		w := servingWorkspace(xregiontest.WithRoutingSeed(seed))
		liveEndpoint(t, w, canary)
		var got []string
		for range n {
			got = append(got, query(t, w).ServedModelName)
		}
		return got
	}
	a, b, c := run(7, 1000), run(7, 1000), run(8, 1000)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two runs with seed 7 differ (-first +second):\n%s", diff)
	}
	if cmp.Equal(a, c) {
		t.Errorf("seeds 7 and 8 routed 1000 queries alike")
	}
	n := 0
	for _, s := range a {
		if s == "fraud-2" {
			n++
		}
	}
	// 10% of 1000 is 100, with a standard deviation of about 9.5.
	if n < 60 || n > 140 {
		t.Errorf("fraud-2 answered %d of 1000 queries at 10%%, want about 100", n)
	}
	// The first ten queries are not a fixed pattern: at 10%, a run of ten
	// misses the canary about a third of the time (0.9^10).
	misses := 0
	for seed := range uint64(50) {
		if !slices.Contains(run(seed, 10), "fraud-2") {
			misses++
		}
	}
	if misses < 5 || misses > 30 {
		t.Errorf("%d of 50 seeds sent no query of 10 to the 10%% entity, want about 17", misses)
	}
}

func TestServingQueryPredictions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script *xregiontest.QueryScript
		req    serving.QueryEndpointInput
		want   []any
	}{
		{name: "dataframe_records", req: serving.QueryEndpointInput{DataframeRecords: []any{1, 2, 3}}, want: []any{0.5, 0.5, 0.5}},
		{name: "dataframe_split", req: serving.QueryEndpointInput{DataframeSplit: &serving.DataframeSplitInput{Columns: []any{"x"}, Data: []any{[]any{1}, []any{2}}}}, want: []any{0.5, 0.5}},
		{name: "instances", req: serving.QueryEndpointInput{Instances: []any{[]any{1, 2}}}, want: []any{0.5}},
		{name: "inputs", req: serving.QueryEndpointInput{Inputs: map[string]any{"x": []any{1, 2}}}, want: []any{0.5}},
		{
			name:   "scripted",
			script: &xregiontest.QueryScript{Predictions: []any{"fraud", "ok"}},
			req:    serving.QueryEndpointInput{Instances: []any{1}}, want: []any{"fraud", "ok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
			if tt.script != nil {
				w.ScriptQuery(fraud, "1", *tt.script)
			}
			tt.req.Name = "e1"
			got, err := w.ServingEndpoints.Query(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			want := &serving.QueryEndpointResponse{Predictions: tt.want, ServedModelName: "fraud-1"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Query() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServingQueryErrors(t *testing.T) {
	t.Parallel()
	modelErr := xregiontest.InvalidParameter("model raised: KeyError 'amount'")
	tests := []struct {
		name    string
		setup   func(t *testing.T, w *xregiontest.Workspace)
		req     serving.QueryEndpointInput
		wantErr error
	}{
		{name: "missing_endpoint", req: serving.QueryEndpointInput{Name: "nope", Instances: []any{1}}, wantErr: apierr.ErrResourceDoesNotExist},
		{
			name: "not_ready_yet",
			setup: func(t *testing.T, w *xregiontest.Workspace) {
				cfg := configIn("", nil, entityIn("1"))
				if _, err := w.ServingEndpoints.Create(t.Context(), serving.CreateServingEndpoint{Name: "new", Config: &cfg}); err != nil {
					t.Fatal(err)
				}
			},
			req: serving.QueryEndpointInput{Name: "new", Instances: []any{1}}, wantErr: apierr.ErrInvalidState,
		},
		{name: "no_input", req: serving.QueryEndpointInput{Name: "e1"}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_records_are_no_input", req: serving.QueryEndpointInput{Name: "e1", DataframeRecords: []any{}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "two_inputs", req: serving.QueryEndpointInput{Name: "e1", Instances: []any{1}, Inputs: []any{1}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "empty_split", req: serving.QueryEndpointInput{Name: "e1", DataframeSplit: &serving.DataframeSplitInput{}}, wantErr: apierr.ErrInvalidParameterValue},
		{name: "chat", req: serving.QueryEndpointInput{Name: "e1", Messages: []serving.ChatMessage{{Content: "hi"}}}, wantErr: apierr.ErrNotImplemented},
		{
			name: "model_error",
			setup: func(_ *testing.T, w *xregiontest.Workspace) {
				w.ScriptQuery(fraud, "1", xregiontest.QueryScript{Err: modelErr})
			},
			req: serving.QueryEndpointInput{Name: "e1", Instances: []any{1}}, wantErr: modelErr,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := servingWorkspace()
			liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
			if tt.setup != nil {
				tt.setup(t, w)
			}
			got, err := w.ServingEndpoints.Query(t.Context(), tt.req)
			checkErr(t, "Query", err, tt.wantErr)
			if got != nil {
				t.Errorf("Query() returned %+v with an error", got)
			}
		})
	}
}

// TestServingQueryDuringUpdate queries an endpoint while its update runs
// and after it fails: the live config answers throughout, and queries do
// not move the update on.
func TestServingQueryDuringUpdate(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
	w.ScriptDeployment(fraud, "2", xregiontest.Deployment{Polls: 1, Fail: true, Message: "oom"})
	if _, err := w.ServingEndpoints.UpdateConfig(t.Context(), configIn("e1", nil, entityIn("2"))); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if got := query(t, w).ServedModelName; got != "fraud-1" {
			t.Fatalf("query during the update served by %s, want fraud-1", got)
		}
	}
	if diff := cmp.Diff([]serving.EndpointStateConfigUpdate{inProgress, updFailed}, updateStates(t, w, "e1", 2)); diff != "" {
		t.Errorf("states mismatch (-want +got):\n%s", diff)
	}
	if got := query(t, w).ServedModelName; got != "fraud-1" {
		t.Errorf("query after the failed update served by %s, want fraud-1", got)
	}
}

// TestServingQueryLatency runs in a synctest bubble, where the latency
// passes on the fake clock at once.
func TestServingQueryLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   xregiontest.QueryScript
		deadline time.Duration // 0 for none
		wantErr  error
		wantTook time.Duration
	}{
		{name: "latency", script: xregiontest.QueryScript{Latency: 3 * time.Second}, wantTook: 3 * time.Second},
		{name: "latency_then_error", script: xregiontest.QueryScript{Latency: time.Second, Err: xregiontest.Internal("crash")}, wantErr: apierr.ErrInternalError, wantTook: time.Second},
		{name: "deadline_first", script: xregiontest.QueryScript{Latency: time.Minute}, deadline: 2 * time.Second, wantErr: context.DeadlineExceeded, wantTook: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				w := servingWorkspace()
				liveEndpoint(t, w, configIn("e1", nil, entityIn("1")))
				w.ScriptQuery(fraud, "1", tt.script)
				ctx := t.Context()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				start := time.Now()
				_, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "e1", Instances: []any{1}})
				checkErr(t, "Query", err, tt.wantErr)
				if took := time.Since(start); took != tt.wantTook {
					t.Errorf("Query() took %v, want %v", took, tt.wantTook)
				}
				// The latency is spent outside the lock: other calls go on.
				done := make(chan error, 1)
				go func() {
					_, err := w.ServingEndpoints.Query(t.Context(), serving.QueryEndpointInput{Name: "e1", Instances: []any{1}})
					done <- err
				}()
				synctest.Wait()
				if _, err := w.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "e1"}); err != nil {
					t.Errorf("Get during a slow query: %v", err)
				}
				if err := <-done; err != nil && !errors.Is(err, tt.script.Err) {
					t.Errorf("second query: %v", err)
				}
			})
		})
	}
}
