package rollout_test

import (
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestPreflightRefusesBeforeAnyWrite: a run the target cannot take fails
// before its first write, in a real run and in a dry run alike, naming the
// input to change.
func TestPreflightRefusesBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []xregiontest.Option
		seed       func(w world)
		spec       func(*rollout.Spec)
		wantInput  string // the InputError's input, or "" for another error
		wantErr    error
		notWantErr error
	}{
		{
			name:      "online_catalog_typo",
			spec:      func(s *rollout.Spec) { s.OnlineCatalog = "servng" },
			wantInput: "online catalog",
		},
		{
			name:      "online_schema_missing",
			spec:      func(s *rollout.Spec) { s.OnlineSchema = "features" },
			wantInput: "online schema",
		},
		{
			name: "online_catalog_is_a_shared_catalog",
			seed: func(w world) {
				w.targets[0].AddCatalog(catalog.CatalogInfo{Name: "mounted", ProviderName: "someone", ShareName: "theirs"})
			},
			spec:      func(s *rollout.Spec) { s.OnlineCatalog = "mounted" },
			wantInput: "online catalog",
		},
		{
			name:      "use_existing_catalog_missing",
			spec:      func(s *rollout.Spec) { s.UseExistingCatalog = true },
			wantInput: "shared catalog",
		},
		{
			name: "shared_catalog_name_taken",
			seed: func(w world) {
				w.targets[0].AddCatalog(catalog.CatalogInfo{Name: "xregion_main_ml_fraud"})
			},
			wantErr: xregion.ErrConflict,
		},
		{
			name: "existing_catalog_from_another_share",
			seed: func(w world) {
				w.targets[0].AddCatalog(catalog.CatalogInfo{Name: "xregion_main_ml_fraud", ProviderName: "org-us-east-1", ShareName: "other"})
			},
			spec:    func(s *rollout.Spec) { s.UseExistingCatalog = true },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "online_store_being_deleted",
			seed: func(w world) {
				w.targets[0].AddOnlineStore(ml.OnlineStore{Name: "fraud-store", State: ml.OnlineStoreStateDeleting})
			},
			spec:      func(s *rollout.Spec) { s.OnlineStore = "fraud-store" },
			wantInput: "online store",
		},
		{
			name: "online_store_stopped",
			seed: func(w world) {
				w.targets[0].AddOnlineStore(ml.OnlineStore{Name: "fraud-store", State: ml.OnlineStoreStateStopped})
			},
			spec:      func(s *rollout.Spec) { s.OnlineStore = "fraud-store" },
			wantInput: "online store",
		},
		{
			// A server error is not a region without online stores.
			name: "online_store_api_fails",
			seed: func(w world) {
				w.targets[0].Inject(xregiontest.Fault{Method: "FeatureStore.GetOnlineStore", Err: xregiontest.Internal("boom")})
			},
			spec:       func(s *rollout.Spec) { s.OnlineStore = "fraud-store" },
			notWantErr: xregion.ErrPrecondition,
		},
		{
			name:    "region_without_online_stores",
			opts:    []xregiontest.Option{xregiontest.WithoutOnlineStores()},
			wantErr: xregion.ErrPrecondition,
		},
	}
	for _, tt := range tests {
		for _, dry := range []bool{false, true} {
			name := tt.name
			if dry {
				name += "/dry_run"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w := newWorldWith(t, tt.opts, "eu-west-1")
				if tt.seed != nil {
					tt.seed(w)
				}
				spec := baseSpec()
				if tt.spec != nil {
					tt.spec(&spec)
				}
				opts := []xregion.Option{noSleep}
				if dry {
					opts = append(opts, xregion.WithDryRun())
				}
				res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], spec, opts...)
				var se *xregion.StepError
				if !errors.As(err, &se) || se.Step != deps.StepPreflight {
					t.Fatalf("Region() error = %v, want a %s step error", err, deps.StepPreflight)
				}
				var ie *xregion.InputError
				switch {
				case tt.wantInput != "" && (!errors.As(err, &ie) || ie.Input != tt.wantInput):
					t.Errorf("Region() error = %v, want an input error naming %q", err, tt.wantInput)
				case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
					t.Errorf("Region() error = %v, want errors.Is %v", err, tt.wantErr)
				case tt.notWantErr != nil && errors.Is(err, tt.notWantErr):
					t.Errorf("Region() error = %v, want it not to be %v", err, tt.notWantErr)
				}
				if res.Error == "" || res.Share != nil {
					t.Errorf("result = %+v, want an error and no share step", res)
				}
				if writes := w.writes(); len(writes) != 0 {
					t.Errorf("Region() wrote %v before failing, want no write", writes)
				}
			})
		}
	}
}

// TestPreflightInRegions: a region the target cannot take fails before the
// share is written for all of them; the others go on.
func TestPreflightInRegions(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "eu-west-1", "ap-southeast-1")
	w.targets[1] = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-southeast-1")) // no "serving" catalog
	xregiontest.Link(w.src, w.targets[1])
	results, err := rollout.Regions(t.Context(), w.source(), w.regionTargets(), baseSpec(), rollout.Plan{}, noSleep)
	if !errors.Is(err, xregion.ErrInvalidInput) {
		t.Fatalf("Regions() error = %v, want the ap-southeast-1 preflight error", err)
	}
	if results[0].Error != "" || results[0].Endpoint == nil {
		t.Errorf("eu-west-1 = %+v, want it deployed", results[0])
	}
	if results[1].Error == "" || results[1].Region != "ap-southeast-1" {
		t.Errorf("ap-southeast-1 = %+v, want its preflight error", results[1])
	}
	if writes := w.targets[1].Writes(); len(writes) != 0 {
		t.Errorf("ap-southeast-1 wrote %v, want no write", writes)
	}

	// With every region failing its checks, nothing is written at all.
	w2 := newWorld(t, "eu-west-1", "ap-southeast-1")
	spec := baseSpec()
	spec.OnlineCatalog = "servng"
	if _, err := rollout.Regions(t.Context(), w2.source(), w2.regionTargets(), spec, rollout.Plan{}, noSleep); !errors.Is(err, xregion.ErrInvalidInput) {
		t.Fatalf("Regions(servng) error = %v, want preflight errors", err)
	}
	if writes := w2.writes(); len(writes) != 0 {
		t.Errorf("Regions(servng) wrote %v, want no write", writes)
	}
}

// TestCustomWorkloadSizePassesThrough: workload sizes may be custom per
// workspace, so the client does not judge them.
func TestCustomWorkloadSizePassesThrough(t *testing.T) {
	t.Parallel()
	spec := baseSpec()
	spec.Endpoint.Entity.WorkloadSize = "Huge"
	if err := spec.Validate(rollout.WithSource); err != nil {
		t.Errorf("Validate(workload size Huge) = %v, want it passed to the service", err)
	}
}

// newWorldWith is newWorld with options for the target workspaces.
func newWorldWith(t testing.TB, opts []xregiontest.Option, regions ...string) world {
	t.Helper()
	if len(opts) == 0 {
		return newWorld(t, regions...)
	}
	w := world{src: xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))}
	all := []*xregiontest.Workspace{w.src}
	for _, r := range regions {
		ws := xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", r)}, opts...)...)
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		w.targets = append(w.targets, ws)
		all = append(all, ws)
	}
	xregiontest.Link(all...)
	seedModel(w.src)
	return w
}

// TestPreflightRefusedEndpoint: an endpoint the deployment would refuse
// (it serves another model) is found before the first write, in one region
// and in the last wave of a fleet.
func TestPreflightRefusedEndpoint(t *testing.T) {
	t.Parallel()
	foreign := func(ws *xregiontest.Workspace) {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "other", SchemaName: "ml", ModelName: "churn", Version: 1})
		ws.AddEndpoint(serving.ServingEndpointDetailed{Name: "fraud", Config: &serving.EndpointCoreConfigOutput{
			ServedEntities: []serving.ServedEntityOutput{{Name: "churn-1", EntityName: "other.ml.churn", EntityVersion: "1", WorkloadSize: "Small"}},
		}})
	}
	t.Run("one_region", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "eu-west-1")
		foreign(w.targets[0])
		_, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), noSleep)
		if !errors.Is(err, xregion.ErrConflict) {
			t.Fatalf("Region() error = %v, want the endpoint refused", err)
		}
		if writes := w.writes(); len(writes) != 0 {
			t.Errorf("Region() wrote %v before refusing the endpoint", writes)
		}
	})
	t.Run("last_wave", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, "eu-west-1", "ap-southeast-1")
		foreign(w.targets[1])
		targets := w.regionTargets()
		targets[0].Region, targets[1].Region = "eu-west-1", "ap-southeast-1"
		_, err := rollout.Regions(t.Context(), w.source(), targets, baseSpec(),
			rollout.Plan{Waves: [][]string{{"eu-west-1"}, {"ap-southeast-1"}}}, noSleep)
		if !errors.Is(err, xregion.ErrConflict) {
			t.Fatalf("Regions() error = %v, want the endpoint refused", err)
		}
		if writes := w.writes(); len(writes) != 0 {
			t.Errorf("Regions() wrote %v before the whole fleet was known to be valid", writes)
		}
	})
}
