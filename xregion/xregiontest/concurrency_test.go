package xregiontest_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"

	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestConcurrentUse runs seeding, writes and cross-workspace reads from many
// goroutines at once; run it with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	src, dst := regions(t)
	shareTo(t, src, dst, allObjects()...)
	if _, err := dst.Catalogs.Create(t.Context(), catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Go(func() {
			table := fmt.Sprintf("main.ml.t%d", i)
			share := fmt.Sprintf("s_%d", i)
			src.AddTable(catalog.TableInfo{FullName: table})
			if _, err := src.Shares.Create(ctx, sharing.CreateShare{Name: share}); err != nil {
				errs <- err
				return
			}
			if _, err := src.Shares.Update(ctx, sharing.UpdateShare{Name: share, Updates: []sharing.SharedDataObjectUpdate{add(table, typeTable)}}); err != nil {
				errs <- err
			}
			if _, err := src.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{
				Name: share, Changes: []sharing.PermissionsChange{{Principal: "eu", Add: []string{"SELECT"}}},
			}); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			if _, err := dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "org-us-east-1"}); err != nil {
				errs <- err
			}
			if _, err := dst.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"}); err != nil {
				errs <- err
			}
			_ = src.Writes()
			_ = dst.Calls("Tables.Get")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	shares, err := dst.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: "org-us-east-1"})
	if err != nil || len(shares) != n+1 {
		t.Errorf("ListSharesAll() = %d shares, %v; want %d", len(shares), err, n+1)
	}
	if got := len(src.Writes()); got != 4+3*n {
		t.Errorf("len(Writes()) = %d, want %d", got, 4+3*n)
	}
}

// TestConcurrentOnline creates stores, publishes tables and reads their
// status from many goroutines at once, across two linked workspaces; run it
// with -race.
func TestConcurrentOnline(t *testing.T) {
	t.Parallel()
	src, dst := sharedOnline(t)
	ctx := t.Context()
	dst.ResetWrites()
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, 8*n)
	for i := range n {
		online := fmt.Sprintf("oc.ml.t%d", i)
		wg.Go(func() {
			if _, err := dst.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: fmt.Sprintf("os-%d", i), Capacity: "CU_1"}}); err != nil {
				errs <- err
			}
			if _, err := dst.FeatureStore.PublishTable(ctx, publishReq("shared.ml.keyed", online)); err != nil {
				errs <- err
				return
			}
			if i%2 == 0 {
				dst.ScriptTable(online, xregiontest.SyncStep{State: stOnline, Provisioning: ucActive})
			}
			if _, err := dst.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: online}); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			if _, err := dst.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"}); err != nil {
				errs <- err
			}
			if _, err := dst.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{}); err != nil {
				errs <- err
			}
			if _, err := src.Tables.Get(ctx, catalog.GetTableRequest{FullName: "main.ml.keyed"}); err != nil {
				errs <- err
			}
			_ = dst.Writes()
			_ = dst.Calls("Database.GetSyncedDatabaseTable")
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	stores, err := dst.FeatureStore.ListOnlineStoresAll(ctx, ml.ListOnlineStoresRequest{})
	if err != nil || len(stores) != n+1 {
		t.Errorf("ListOnlineStoresAll() = %d stores, %v; want %d", len(stores), err, n+1)
	}
	if got := len(dst.Writes()); got != 2*n {
		t.Errorf("len(Writes()) = %d, want %d", got, 2*n)
	}
	// Every online table is bound to the source; re-creating it breaks all.
	src.RecreateTable("main.ml.keyed")
	for i := range n {
		name := fmt.Sprintf("oc.ml.t%d", i)
		if s := readStatuses(t, dst, name, 1)[0]; s.State != stFailed {
			t.Errorf("%s after RecreateTable: %+v, want SYNCED_TABLE_OFFLINE_FAILED", name, s)
		}
	}
}

// TestConcurrentServing creates, updates, waits for, queries and lists
// serving endpoints from many goroutines at once, while others fight over
// the updates of one shared endpoint; run it with -race.
func TestConcurrentServing(t *testing.T) {
	t.Parallel()
	w := servingWorkspace()
	ctx := t.Context()
	liveEndpoint(t, w, configIn("shared", nil, entityIn("1")))
	w.ResetWrites()
	const n = 32
	var wg sync.WaitGroup
	errs := make(chan error, 8*n)
	var mu sync.Mutex
	updates := 0 // accepted updates of "shared"
	for i := range n {
		name := fmt.Sprintf("e-%d", i)
		wg.Go(func() {
			cfg := configIn(name, nil, entityIn("1"))
			wait, err := w.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: name, Config: &cfg})
			if err != nil {
				errs <- err
				return
			}
			if _, err := wait.Get(); err != nil {
				errs <- err
				return
			}
			wait, err = w.ServingEndpoints.UpdateConfig(ctx, configIn(name, traffic("fraud-1", 90, "fraud-2", 10), entityIn("1"), entityIn("2")))
			if err != nil {
				errs <- err
				return
			}
			if _, err := wait.Get(); err != nil {
				errs <- err
			}
			if _, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: name, Instances: []any{1}}); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			v := fmt.Sprint(1 + i%3)
			_, err := w.ServingEndpoints.UpdateConfig(ctx, configIn("shared", nil, entityIn(v)))
			switch {
			case err == nil:
				mu.Lock()
				updates++
				mu.Unlock()
			case !errors.Is(err, apierr.ErrResourceConflict):
				errs <- err
			}
			if _, err := w.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "shared"}); err != nil {
				errs <- err
			}
			if _, err := w.ServingEndpoints.Query(ctx, serving.QueryEndpointInput{Name: "shared", Instances: []any{1}}); err != nil {
				errs <- err
			}
			if _, err := w.ServingEndpoints.ListAll(ctx); err != nil {
				errs <- err
			}
			_ = w.EndpointHistory("shared")
			_ = w.Writes()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %v", err)
	}
	list, err := w.ServingEndpoints.ListAll(ctx)
	if err != nil || len(list) != n+1 {
		t.Errorf("ListAll() = %d endpoints, %v; want %d", len(list), err, n+1)
	}
	if got, want := len(w.Writes()), 2*n+updates; got != want {
		t.Errorf("len(Writes()) = %d, want %d", got, want)
	}
	for i := range n {
		e := getEndpoint(t, w, fmt.Sprintf("e-%d", i))
		if e.Config.ConfigVersion != 2 || e.State.ConfigUpdate != notUpdating {
			t.Errorf("endpoint e-%d: config version %d, %s; want 2, NOT_UPDATING", i, e.Config.ConfigVersion, e.State.ConfigUpdate)
		}
	}
}
