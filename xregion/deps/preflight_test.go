package deps_test

import (
	"context"
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
)

// finder is an OnlineTableFinder that answers from a map and counts its
// calls.
type finder struct {
	found map[string]bool
	err   error
	calls int
}

func (f *finder) OnlineTableExists(_ context.Context, name string) (bool, error) {
	f.calls++
	return f.found[name], f.err
}

// TestPreflightOnlineTableSettlesSchema: once the shared catalog exists, a
// found online table settles the online checks and the schema is not read;
// in every other case the schema is read, and a missing schema is still
// reported.
func TestPreflightOnlineTableSettlesSchema(t *testing.T) {
	t.Parallel()
	const table = "serving.default.ml_features_online"
	tests := []struct {
		name          string
		mounted       bool   // the shared catalog exists
		schema        string // the online schema asked for
		onlineTable   string
		found         bool
		findErr       error
		wantFinds     int
		wantSchemaGet int
		wantErr       error
	}{
		{name: "rerun", mounted: true, schema: "default", onlineTable: table, found: true, wantFinds: 1},
		{name: "table_missing", mounted: true, schema: "default", onlineTable: table, wantFinds: 1, wantSchemaGet: 1},
		{name: "finder_fails", mounted: true, schema: "default", onlineTable: table, findErr: errors.New("boom"), wantFinds: 1, wantSchemaGet: 1},
		{name: "first_run", schema: "default", onlineTable: table, found: true, wantSchemaGet: 1},
		{name: "table_elsewhere", mounted: true, schema: "default", onlineTable: "serving.other.t_online", found: true, wantSchemaGet: 1},
		{name: "schema_missing", mounted: true, schema: "nope", onlineTable: table, found: true, wantSchemaGet: 1, wantErr: xregion.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, dst := sharedRegions(t)
			dst.AddCatalog(catalog.CatalogInfo{Name: "serving"})
			cs := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: src.GlobalMetastoreID()}
			if tc.mounted {
				if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), cs, noSleep); err != nil {
					t.Fatal(err)
				}
			}
			f := &finder{found: map[string]bool{tc.onlineTable: tc.found}, err: tc.findErr}
			before := dst.Calls("Schemas.Get")
			err := deps.Preflight(t.Context(),
				deps.PreflightClients{Catalogs: dst.Catalogs, Schemas: dst.Schemas, Providers: dst.Providers, OnlineTables: f},
				deps.PreflightSpec{Catalog: cs, OnlineCatalog: "serving", OnlineSchema: tc.schema, OnlineTable: tc.onlineTable})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("Preflight() error = %v, want %v", err, tc.wantErr)
			}
			if got := dst.Calls("Schemas.Get") - before; f.calls != tc.wantFinds || got != tc.wantSchemaGet {
				t.Errorf("%d online table reads and %d schema reads, want %d and %d", f.calls, got, tc.wantFinds, tc.wantSchemaGet)
			}
		})
	}
}
