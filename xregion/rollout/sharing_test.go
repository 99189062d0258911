package rollout_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// probeMethods are the reads WaitShareVisible makes (a list of a schema
// stands for reads of its tables): the only calls that may
// meet an object the share lag still hides.
var probeMethods = map[string]bool{"ModelVersions.Get": true, "Tables.Get": true, "Tables.ListAll": true, "Functions.Get": true, "Functions.ListAll": true}

// checkLaggedReads fails unless the share lag hid something from ws (so
// that the test could catch an early read) and every read it hid was a
// probe of the wait.
func checkLaggedReads(t *testing.T, ws *xregiontest.Workspace, wantHidden string) {
	t.Helper()
	lagged := ws.LaggedReads()
	hidden := false
	for _, r := range lagged {
		if !probeMethods[r.Method] {
			t.Errorf("%s read %s before the share showed it", r.Method, r.Object)
		}
		hidden = hidden || r.Object == wantHidden
	}
	if !hidden {
		t.Errorf("the share lag never hid %s (lagged reads %v): the test cannot tell an early read", wantHidden, lagged)
	}
}

// TestShareLag rolls out with the fake's default share lag: the pipeline
// waits for the share to reach the target, reports progress, and reads
// nothing through the shared catalog before the target sees it; then a new
// version with a new feature table does the same on a re-run.
func TestShareLag(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, "eu-west-1")
		eu := w.targets[0]
		var logs bytes.Buffer
		opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second), xregion.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}

		res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), opts...)
		if err != nil {
			t.Fatalf("Region() error = %v", err)
		}
		if res.Endpoint == nil || res.Version != 1 {
			t.Fatalf("Region() = %+v, want version 1 deployed", res)
		}
		checkLaggedReads(t, eu, "xregion_main_ml_fraud.ml.customer_features")
		for _, want := range []string{"0 of 3 shared objects visible in eu-west-1", "3 of 3 shared objects visible in eu-west-1"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, logs.String())
			}
		}

		// Version 3 looks up a new feature table; the share gets both, and
		// the target sees them only after the lag.
		w.src.AddTable(catalog.TableInfo{FullName: "main.ml.merchant_features", TableConstraints: []catalog.TableConstraint{
			{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"merchant_id"}}},
		}})
		w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
				{Table: &catalog.TableDependency{TableFullName: "main.ml.merchant_features"}},
			}}})
		w.src.SetAlias("main.ml.fraud", "champion", 3)
		before := len(eu.LaggedReads())
		res, err = rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), opts...)
		if err != nil {
			t.Fatalf("second Region() error = %v", err)
		}
		if res.Version != 3 {
			t.Errorf("second Region() version = %d, want 3", res.Version)
		}
		if len(eu.LaggedReads()) == before {
			t.Error("the share lag hid nothing on the re-run")
		}
		checkLaggedReads(t, eu, "xregion_main_ml_fraud.ml.fraud@3")
		checkLaggedReads(t, eu, "xregion_main_ml_fraud.ml.merchant_features")
		ep, err := eu.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud"})
		if err != nil {
			t.Fatal(err)
		}
		if v := ep.Config.ServedEntities[0].EntityVersion; v != "3" {
			t.Errorf("endpoint serves version %s, want 3", v)
		}
	})
}

// TestShareLagDeployPhase deploys from the target side alone while the
// share does not show the new version yet: discovery waits for it.
func TestShareLagDeployPhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, "eu-west-1")
		eu := w.targets[0]
		opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second)}
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), opts...); err != nil {
			t.Fatalf("Region() error = %v", err)
		}
		// Version 2 is added to the share by the share phase; the deploy
		// phase then runs at once, from the target side only.
		share := baseSpec()
		share.Version, share.Phase = "2", rollout.PhaseShare
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], share, opts...); err != nil {
			t.Fatalf("Region(share) error = %v", err)
		}
		w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
		deploy := baseSpec()
		deploy.Version, deploy.Phase, deploy.Provider = "3", rollout.PhaseDeploy, "org-us-east-1"
		res, err := rollout.Region(t.Context(), rollout.Workspace{}, w.regionTargets()[0], deploy, opts...)
		if err != nil {
			t.Fatalf("Region(deploy) error = %v", err)
		}
		if res.Version != 3 {
			t.Errorf("Region(deploy) version = %d, want 3", res.Version)
		}
		var hid3 bool
		for _, r := range eu.LaggedReads() {
			if strings.HasPrefix(r.Method, "ServingEndpoints.") || strings.HasPrefix(r.Method, "FeatureStore.") {
				t.Errorf("%s read %s before the share showed it", r.Method, r.Object)
			}
			hid3 = hid3 || r.Object == "xregion_main_ml_fraud.ml.fraud@3"
		}
		if !hid3 {
			t.Error("the share lag never hid version 3")
		}
	})
}

// TestShareLagDeployPhaseLatest deploys "latest" from the target side, with
// the source given, right after a new version was shared: it deploys the
// new version, resolved on the source, not the newest one the lagging
// share shows.
func TestShareLagDeployPhaseLatest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, "eu-west-1")
		opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second)}
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], baseSpec(), opts...); err != nil {
			t.Fatalf("Region() error = %v", err)
		}
		w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
		share := baseSpec()
		share.Version, share.Phase = "3", rollout.PhaseShare
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], share, opts...); err != nil {
			t.Fatalf("Region(share) error = %v", err)
		}
		deploy := baseSpec()
		deploy.Version, deploy.Phase = "latest", rollout.PhaseDeploy
		res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], deploy, opts...)
		if err != nil {
			t.Fatalf("Region(deploy) error = %v", err)
		}
		if res.Version != 3 || res.Endpoint == nil || res.Endpoint.After.Served[0] != "fraud-3=xregion_main_ml_fraud.ml.fraud@3" {
			t.Errorf("Region(deploy latest) version %d, endpoint %+v; want version 3 deployed", res.Version, res.Endpoint)
		}
	})
}

// TestShareLagTimeout fails a share that never shows its objects within
// the configured bound, naming what is missing.
func TestShareLagTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
		eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithShareLag(1_000_000))
		eu.AddCatalog(catalog.CatalogInfo{Name: "serving"})
		xregiontest.Link(src, eu)
		seedModel(src)
		spec := baseSpec()
		spec.ShareTimeout = 2 * time.Minute
		s := rollouttest.Workspace(src)
		start := time.Now()
		_, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: rollouttest.Workspace(eu)}, spec, xregion.WithPollInterval(10*time.Second))
		elapsed := time.Since(start)
		var se *xregion.StepError
		if !errors.As(err, &se) || se.Step != deps.StepShareVisible || !errors.Is(err, xregion.ErrNotReady) {
			t.Fatalf("Region() error = %v, want a %s step error matching ErrNotReady", err, deps.StepShareVisible)
		}
		if !strings.Contains(err.Error(), "table xregion_main_ml_fraud.ml.customer_features") {
			t.Errorf("error %q does not name the missing table", err)
		}
		if elapsed < spec.ShareTimeout || elapsed > spec.ShareTimeout+10*time.Second {
			t.Errorf("failed after %v, want the configured %v (plus at most one poll)", elapsed, spec.ShareTimeout)
		}
	})
}

// TestInvisibleRecipient: the target's metastore has a recipient the caller
// does not own, so the list does not show it and the create is refused.
// The rollout fails at once, with no write, saying what to do.
func TestInvisibleRecipient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, "eu-west-1")
		w.src.AddRecipient(sharing.RecipientInfo{Name: "eu-by-platform-team", Owner: "platform-team",
			DataRecipientGlobalMetastoreId: w.targets[0].GlobalMetastoreID()})
		spec := baseSpec()
		spec.ProviderTimeout = 3 * time.Minute
		start := time.Now()
		_, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], spec, xregion.WithPollInterval(10*time.Second))
		elapsed := time.Since(start)
		if !errors.Is(err, xregion.ErrPrecondition) || !strings.Contains(err.Error(), "exists but is not visible to you: name it with `recipient`") {
			t.Fatalf("Region() error = %v, want the invisible-recipient hint", err)
		}
		if elapsed >= spec.ProviderTimeout || elapsed > 0 {
			t.Errorf("failed after %v, want at once (nothing to wait for; provider timeout %v)", elapsed, spec.ProviderTimeout)
		}
		if writes := w.writes(); len(writes) != 0 {
			t.Errorf("Region() wrote %v, want no write", writes)
		}

		// Named, it is used; reading it by name needs USE_RECIPIENT.
		spec.Recipient = "eu-by-platform-team"
		_, err = rollout.Region(t.Context(), w.source(), w.regionTargets()[0], spec, xregion.WithPollInterval(10*time.Second))
		if !errors.Is(err, xregion.ErrPrecondition) || !strings.Contains(err.Error(), "USE_RECIPIENT") {
			t.Errorf("Region(recipient named, no USE_RECIPIENT) error = %v, want the USE_RECIPIENT hint", err)
		}
	})
}

// TestInvisibleProvider: the caller may not see the providers of the
// target's metastore. An existing grant fails at once; a new one within
// the configured grace; a named provider at once too.
func TestInvisibleProvider(t *testing.T) {
	for _, tt := range []struct {
		name       string
		preGranted bool
		provider   string
		wantMin    time.Duration
		wantMax    time.Duration
	}{
		// The provider of a new grant gets the grace to appear, and a
		// poll more.
		{name: "just_granted", wantMin: deps.DefaultProviderListGrace, wantMax: deps.DefaultProviderListGrace + 5*time.Second},
		{name: "granted_before", preGranted: true},
		// A named provider is read again after one poll: the target sees it a
		// read late (the provider lag).
		{name: "named", preGranted: true, provider: "org-us-east-1", wantMax: 5 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
				eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithProviderOwner("metastore-admins"))
				eu.AddCatalog(catalog.CatalogInfo{Name: "serving"})
				xregiontest.Link(src, eu)
				seedModel(src)
				s := rollouttest.Workspace(src)
				spec := baseSpec()
				spec.Provider = tt.provider
				spec.ProviderTimeout = 4 * time.Minute
				opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second)}
				if tt.preGranted {
					share := baseSpec()
					share.Phase = rollout.PhaseShare
					if _, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: rollouttest.Workspace(eu)}, share, opts...); err != nil {
						t.Fatalf("Region(share) error = %v", err)
					}
				}
				start := time.Now()
				_, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: rollouttest.Workspace(eu)}, spec, opts...)
				elapsed := time.Since(start)
				if !errors.Is(err, xregion.ErrPrecondition) || !strings.Contains(err.Error(), "visible to you") {
					t.Fatalf("Region() error = %v, want the invisible-provider hint", err)
				}
				if tt.provider == "" && !strings.Contains(err.Error(), "USE_PROVIDER") {
					t.Errorf("error %q does not say which privilege shows providers", err)
				}
				if elapsed < tt.wantMin || elapsed > tt.wantMax || elapsed >= spec.ProviderTimeout {
					t.Errorf("failed after %v, want within [%v, %v] (provider timeout %v)", elapsed, tt.wantMin, tt.wantMax, spec.ProviderTimeout)
				}
			})
		})
	}
}

// TestUseProviderSuffices: the hint says to ask for USE_PROVIDER; a caller
// with just that (not the provider's owner, not an admin) may list the
// provider but neither read it nor list its shares, and the rollout still
// goes through and converges, with the provider found or named.
func TestUseProviderSuffices(t *testing.T) {
	for _, provider := range []string{"", "org-us-east-1"} {
		t.Run("provider="+provider, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
				eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"),
					xregiontest.WithProviderOwner("metastore-admins"), xregiontest.WithMetastorePrivileges("USE_PROVIDER"))
				eu.AddCatalog(catalog.CatalogInfo{Name: "serving"})
				xregiontest.Link(src, eu)
				seedModel(src)
				// The share reaches the target after its provider: the
				// first create does not find it, and the provider's
				// shares cannot be listed with USE_PROVIDER alone.
				eu.Inject(xregiontest.Fault{Method: "Catalogs.Create", Times: 1, Err: xregiontest.NotFound("Share '%s' does not exist.", rollout.DefaultShareName(baseSpec().Model))})
				s := rollouttest.Workspace(src)
				spec := baseSpec()
				spec.Provider = provider
				opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second)}
				for run := range 2 {
					src.ResetWrites()
					eu.ResetWrites()
					res, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: rollouttest.Workspace(eu)}, spec, opts...)
					if err != nil {
						t.Fatalf("Region() run %d error = %v", run+1, err)
					}
					if res.Catalog == nil || res.Catalog.Provider != "org-us-east-1" {
						t.Errorf("run %d catalog = %+v, want it mounted from org-us-east-1", run+1, res.Catalog)
					}
				}
				if w := append(src.Writes(), eu.Writes()...); len(w) != 0 {
					t.Errorf("second Region() wrote %v, want no write", w)
				}
				if eu.Calls("Providers.ListSharesAll") == 0 || eu.Calls("Catalogs.Create") < 2 {
					t.Error("the provider's shares were never listed or the catalog created only once: the test does not exercise the refusal")
				}
			})
		})
	}
}

// TestNamedRecipientWithUseRecipient: following the hint (name the
// recipient, with USE_RECIPIENT to read it) the rollout goes through.
func TestNamedRecipientWithUseRecipient(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"), xregiontest.WithMetastorePrivileges("USE_RECIPIENT"))
	eu := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	eu.AddCatalog(catalog.CatalogInfo{Name: "serving"})
	xregiontest.Link(src, eu)
	seedModel(src)
	src.AddRecipient(sharing.RecipientInfo{Name: "eu-by-platform-team", Owner: "platform-team", DataRecipientGlobalMetastoreId: eu.GlobalMetastoreID()})
	s := rollouttest.Workspace(src)
	spec := baseSpec()
	spec.Recipient = "eu-by-platform-team"
	res, err := rollout.Region(t.Context(), s, rollout.Target{Workspace: rollouttest.Workspace(eu)}, spec, noSleep)
	if err != nil {
		t.Fatalf("Region() error = %v", err)
	}
	if res.Share.Recipient != "eu-by-platform-team" || res.Share.RecipientOp != xregion.OpUnchanged {
		t.Errorf("share recipient = %s (%s), want the named one, reused", res.Share.Recipient, res.Share.RecipientOp)
	}
}

// TestDeployPhaseRightAfterFirstShare runs the deploy phase at once after a
// share phase that created the recipient, in a target whose provider shows
// up a few reads late: the empty provider list is waited on for the grace,
// not blamed on permissions.
func TestDeployPhaseRightAfterFirstShare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorldWith(t, []xregiontest.Option{xregiontest.WithProviderLag(2)}, "eu-west-1")
		opts := []xregion.Option{xregion.WithPollInterval(5 * time.Second)}
		share := baseSpec()
		share.Version, share.Phase = "1", rollout.PhaseShare
		if _, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], share, opts...); err != nil {
			t.Fatalf("Region(share) error = %v", err)
		}
		deploy := baseSpec()
		deploy.Version, deploy.Phase = "1", rollout.PhaseDeploy
		res, err := rollout.Region(t.Context(), w.source(), w.regionTargets()[0], deploy, opts...)
		if err != nil || res.Endpoint == nil || res.Endpoint.Outcome != endpoint.OutcomeDeployed {
			t.Fatalf("Region(deploy) = %+v, %v; want deployed once the provider appears", res, err)
		}
	})
}
