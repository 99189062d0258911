package xregiontest_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// The conformance suite runs one set of behaviour checks twice: against the
// in-memory fake's services directly, and through a real SDK client talking
// to the fake's HTTP face. Each check asserts what the service does and
// returns what it observed; the two runs must observe the same things. This
// keeps the HTTP face and the in-memory fake in lockstep as they grow.

// overHTTP returns the services of ws as a real SDK client sees them.
func overHTTP(t *testing.T, ws *xregiontest.Workspace) rollout.Workspace {
	t.Helper()
	srv, _ := serve(t, ws)
	svc, err := rollout.FromClient(newClient(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// class names the error family a check observed.
func class(err error) string {
	for _, c := range []struct {
		name string
		err  error
	}{
		{"not-found", apierr.ErrNotFound}, {"conflict", apierr.ErrResourceConflict}, {"bad-request", apierr.ErrBadRequest},
		{"permission-denied", apierr.ErrPermissionDenied}, {"not-implemented", apierr.ErrNotImplemented},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return "ok"
}

type check func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string

var conformance = map[string]check{
	"shares": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		ws.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
		var obs []string
		_, err := svc.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
		obs = append(obs, "get missing: "+class(err))
		_, err = svc.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
		obs = append(obs, "create: "+class(err))
		_, err = svc.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
		obs = append(obs, "create again: "+class(err))
		add := sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{{Action: sharing.SharedDataObjectUpdateActionAdd,
			DataObject: &sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}}}
		_, err = svc.Shares.Update(ctx, add)
		obs = append(obs, "add: "+class(err))
		_, err = svc.Shares.Update(ctx, add)
		obs = append(obs, "add again: "+class(err))
		without, _ := svc.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1"})
		with, _ := svc.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
		obs = append(obs, fmt.Sprintf("objects without/with include_shared_data: %d/%d", len(without.Objects), len(with.Objects)))
		if len(with.Objects) == 1 {
			obs = append(obs, "object status: "+string(with.Objects[0].Status))
		}
		var many []sharing.SharedDataObjectUpdate
		for i := range 101 {
			many = append(many, sharing.SharedDataObjectUpdate{Action: sharing.SharedDataObjectUpdateActionAdd,
				DataObject: &sharing.SharedDataObject{Name: fmt.Sprintf("main.ml.t%d", i), DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}})
		}
		_, err = svc.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: many})
		obs = append(obs, "101 updates: "+class(err))
		return obs
	},
	"teardown": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		ws.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
		ws.AddTable(catalog.TableInfo{FullName: "local.s.t"})
		ws.AddRecipient(sharing.RecipientInfo{Name: "r1", AuthenticationType: sharing.AuthenticationTypeToken})
		ws.AddShare(sharing.ShareInfo{Name: "s1", Objects: []sharing.SharedDataObject{{Name: "main.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}})
		ws.Grant("s1", "r1")
		shares, recipients := svc.Shares.(deps.ShareDeleter), svc.Recipients.(deps.RecipientRemover)
		catalogs := svc.Catalogs.(deps.CatalogEditor)
		var obs []string
		remove := func(name string) error {
			_, err := svc.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{{Action: sharing.SharedDataObjectUpdateActionRemove,
				DataObject: &sharing.SharedDataObject{Name: name, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}}})
			return err
		}
		obs = append(obs, "remove missing object: "+class(remove("main.ml.nope")))
		obs = append(obs, "remove object: "+class(remove("main.ml.features")))
		revoke := func() error {
			_, err := svc.Shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{Name: "s1", Changes: []sharing.PermissionsChange{{Principal: "r1", Remove: []string{"SELECT"}}}})
			return err
		}
		p, err := recipients.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "r1"})
		obs = append(obs, fmt.Sprintf("recipient's shares: %d %s", len(p.PermissionsOut), class(err)))
		obs = append(obs, "revoke: "+class(revoke()), "revoke again: "+class(revoke()))
		ws.Grant("s1", "r1")
		obs = append(obs, "delete recipient with a grant: "+class(recipients.Delete(ctx, sharing.DeleteRecipientRequest{Name: "r1"})))
		g, _ := svc.Shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "s1"})
		for _, pa := range g.PrivilegeAssignments {
			obs = append(obs, fmt.Sprintf("grant left: %q %v", pa.Principal, pa.Privileges))
		}
		obs = append(obs, "delete share: "+class(shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"})))
		obs = append(obs, "delete share again: "+class(shares.Delete(ctx, sharing.DeleteShareRequest{Name: "s1"})))
		_, err = catalogs.Update(ctx, catalog.UpdateCatalog{Name: "local", Comment: "c"})
		obs = append(obs, "catalog comment: "+class(err))
		obs = append(obs, "delete catalog without force: "+class(catalogs.Delete(ctx, catalog.DeleteCatalogRequest{Name: "local"})))
		obs = append(obs, "delete catalog with force: "+class(catalogs.Delete(ctx, catalog.DeleteCatalogRequest{Name: "local", Force: true})))
		return obs
	},
	"grants_paginate": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		ws.AddShare(sharing.ShareInfo{Name: "s1"})
		for i := range 5 {
			ws.AddRecipient(sharing.RecipientInfo{Name: fmt.Sprintf("r%d", i), AuthenticationType: sharing.AuthenticationTypeToken})
			ws.Grant("s1", fmt.Sprintf("r%d", i), sharing.PrivilegeSelect)
		}
		var principals []string
		pages := 0
		for token := ""; ; pages++ {
			p, err := svc.Shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: "s1", PageToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, pa := range p.PrivilegeAssignments {
				principals = append(principals, pa.Principal)
			}
			if token = p.NextPageToken; token == "" {
				break
			}
		}
		return []string{fmt.Sprintf("principals %v over %d pages", principals, pages+1)}
	},
	"recipients_and_providers": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-west-2"))
		xregiontest.Link(src, ws)
		src.AddTable(catalog.TableInfo{FullName: "main.ml.features", TableId: "0000aaaa-0000-0000-0000-000000000001"})
		var obs []string
		self, _ := svc.Metastores.Summary(ctx)
		_, err := svc.Recipients.Create(ctx, sharing.CreateRecipient{Name: "me", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: self.GlobalMetastoreId})
		obs = append(obs, "recipient for own metastore: "+class(err))
		ps, err := svc.Providers.ListAll(ctx, sharing.ListProvidersRequest{})
		obs = append(obs, fmt.Sprintf("providers before grant: %d %s", len(ps), class(err)))
		src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: self.GlobalMetastoreId})
		src.AddShare(sharing.ShareInfo{Name: "s1", Objects: []sharing.SharedDataObject{{Name: "main.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}})
		src.Grant("s1", "eu", sharing.PrivilegeSelect)
		// why: providers appear on their own after a grant (Databricks docs,
		// "manage providers"), a little late: the first list may not show it yet.
		for range xregiontest.DefaultProviderLag + 1 {
			ps, _ = svc.Providers.ListAll(ctx, sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: src.GlobalMetastoreID()})
			obs = append(obs, fmt.Sprintf("providers after grant: %d", len(ps)))
		}
		if len(ps) == 1 {
			shares, err := svc.Providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: ps[0].Name})
			obs = append(obs, fmt.Sprintf("provider shares: %d %s", len(shares), class(err)))
			_, err = svc.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: ps[0].Name, ShareName: "s1"})
			obs = append(obs, "catalog from share: "+class(err))
			tbl, err := svc.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
			obs = append(obs, "shared table: "+class(err))
			if err == nil {
				obs = append(obs, "shared table id: "+tbl.TableId)
			}
		}
		return obs
	},
	"share_lag_schemas_and_filtered_lists": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-west-2"))
		xregiontest.Link(src, ws)
		src.AddTable(catalog.TableInfo{FullName: "main.ml.features"})
		src.AddRecipient(sharing.RecipientInfo{Name: "eu", DataRecipientGlobalMetastoreId: ws.GlobalMetastoreID()})
		if _, err := src.Shares.Create(ctx, sharing.CreateShare{Name: "s1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Shares.Update(ctx, sharing.UpdateShare{Name: "s1", Updates: []sharing.SharedDataObjectUpdate{{Action: sharing.SharedDataObjectUpdateActionAdd,
			DataObject: &sharing.SharedDataObject{Name: "main.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable}}}}); err != nil {
			t.Fatal(err)
		}
		src.Grant("s1", "eu")
		var obs []string
		// The provider of a new grant shows up a read late (the provider
		// lag): a consumer lists providers until it does, then mounts.
		for range xregiontest.DefaultProviderLag + 1 {
			ps, err := svc.Providers.ListAll(ctx, sharing.ListProvidersRequest{})
			obs = append(obs, fmt.Sprintf("providers after grant: %d %s", len(ps), class(err)))
		}
		_, err := svc.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-west-2", ShareName: "s1"})
		obs = append(obs, "catalog from share: "+class(err))
		for range xregiontest.DefaultShareLag + 1 {
			_, err := svc.Tables.Get(ctx, catalog.GetTableRequest{FullName: "shared.ml.features"})
			obs = append(obs, "shared table just added: "+class(err))
		}
		for _, name := range []string{"shared.ml", "shared.default", "main.default"} {
			_, err := svc.Schemas.Get(ctx, catalog.GetSchemaRequest{FullName: name})
			obs = append(obs, "schema "+name+": "+class(err))
		}
		ws.AddRecipient(sharing.RecipientInfo{Name: "theirs", Owner: "platform-team", AuthenticationType: sharing.AuthenticationTypeToken})
		ws.AddRecipient(sharing.RecipientInfo{Name: "mine", AuthenticationType: sharing.AuthenticationTypeToken})
		rs, err := svc.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{})
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		obs = append(obs, fmt.Sprintf("recipients listed: %v %s", names, class(err)))
		_, err = svc.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: "theirs"})
		obs = append(obs, "another's recipient: "+class(err))
		return obs
	},
	"model_versions": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		for v := 1; v <= 11; v++ {
			ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "m", Version: v,
				ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{{Table: &catalog.TableDependency{TableFullName: "main.ml.t"}}}}})
		}
		ws.SetAlias("main.ml.m", "champion", 3)
		ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.spec"}, "FUNCTION_FEATURE_SPEC")
		all, err := svc.ModelVersions.ListAll(ctx, catalog.ListModelVersionsRequest{FullName: "main.ml.m"})
		var order []int
		deps := 0
		for _, v := range all {
			order = append(order, v.Version)
			if v.ModelVersionDependencies != nil {
				deps++
			}
		}
		byAlias, aerr := svc.ModelVersions.GetByAlias(ctx, catalog.GetByAliasRequest{FullName: "main.ml.m", Alias: "champion"})
		_, merr := svc.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: "main.ml.m", Version: 99})
		kind, kerr := svc.FunctionKinds.SecurableKind(ctx, "main.ml.spec")
		return []string{
			fmt.Sprintf("list: %v, with dependencies: %d, %s", order, deps, class(err)),
			fmt.Sprintf("alias: version %d, %s", byAlias.Version, class(aerr)),
			"missing version: " + class(merr),
			fmt.Sprintf("securable kind: %s %s", kind, class(kerr)),
		}
	},
	"online": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		ws.AddTable(catalog.TableInfo{FullName: "main.ml.features", TableConstraints: []catalog.TableConstraint{
			{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"id"}}}}})
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		var obs []string
		_, err := svc.FeatureStore.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: "os1", Capacity: "CU_1"}})
		obs = append(obs, "create store: "+class(err))
		publish := ml.PublishTableRequest{SourceTableName: "main.ml.features", PublishSpec: ml.PublishSpec{OnlineStore: "os1", OnlineTableName: "serving.s.features_online", PublishMode: ml.PublishSpecPublishModeSnapshot}}
		_, err = svc.FeatureStore.PublishTable(ctx, publish)
		obs = append(obs, "publish into a starting store: "+class(err))
		for range 3 {
			s, err := svc.FeatureStore.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: "os1"})
			obs = append(obs, fmt.Sprintf("store: %s %s", s.State, class(err)))
		}
		_, err = svc.FeatureStore.PublishTable(ctx, publish)
		obs = append(obs, "publish: "+class(err))
		// os1 is a Lakebase Autoscaling project (Databricks online feature store docs).
		_, err = svc.Database.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: "serving.s.features_online"})
		obs = append(obs, "provisioned API: "+class(err))
		for range 3 {
			st, err := svc.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/serving.s.features_online"})
			if err != nil {
				obs = append(obs, "autoscaling API: "+class(err))
				continue
			}
			obs = append(obs, fmt.Sprintf("synced: %s/%s spec %t, last sync %t", st.Status.UnityCatalogProvisioningState, st.Status.DetailedState,
				st.Spec != nil, st.Status.LastSyncTime != nil))
		}
		return obs
	},
	"serving": func(t *testing.T, ws *xregiontest.Workspace, svc rollout.Workspace) []string {
		ctx := t.Context()
		for v := 1; v <= 2; v++ {
			ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "m", Version: v})
		}
		var obs []string
		entity := func(v string, forceFalse bool) serving.ServedEntityInput {
			e := serving.ServedEntityInput{Name: "m-" + v, EntityName: "main.ml.m", EntityVersion: v, WorkloadSize: "Small"}
			if forceFalse {
				e.ForceSendFields = []string{"BurstScalingEnabled"}
			}
			return e
		}
		_, err := svc.ServingEndpoints.Create(ctx, serving.CreateServingEndpoint{Name: "e1", Config: &serving.EndpointCoreConfigInput{ServedEntities: []serving.ServedEntityInput{entity("1", false)}}})
		obs = append(obs, "create: "+class(err))
		_, err = svc.ServingEndpoints.UpdateConfig(ctx, serving.EndpointCoreConfigInput{Name: "e1", ServedEntities: []serving.ServedEntityInput{entity("2", true)}})
		obs = append(obs, "update while in progress: "+class(err))
		for range 3 {
			ep, err := svc.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"})
			obs = append(obs, fmt.Sprintf("state: %s/%s %s", ep.State.ConfigUpdate, ep.State.Ready, class(err)))
		}
		ep, _ := svc.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"})
		obs = append(obs, "burst scaling when not sent: "+boolField(ep.Config.ServedEntities[0], "BurstScalingEnabled"),
			fmt.Sprintf("workload type when not sent: %s", ep.Config.ServedEntities[0].WorkloadType))
		_, err = svc.ServingEndpoints.UpdateConfig(ctx, serving.EndpointCoreConfigInput{Name: "e1", ServedEntities: []serving.ServedEntityInput{entity("1", false), entity("2", true)},
			TrafficConfig: &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: "m-1", TrafficPercentage: 80}, {ServedEntityName: "m-2", TrafficPercentage: 20}}}})
		obs = append(obs, "canary update: "+class(err))
		for range 3 {
			ep, _ = svc.ServingEndpoints.Get(ctx, serving.GetServingEndpointRequest{Name: "e1"})
		}
		for _, se := range ep.Config.ServedEntities {
			obs = append(obs, fmt.Sprintf("%s burst scaling: %s", se.Name, boolField(se, "BurstScalingEnabled")))
		}
		for _, r := range ep.Config.TrafficConfig.Routes {
			obs = append(obs, fmt.Sprintf("route: entity %q model %q %d%%", r.ServedEntityName, r.ServedModelName, r.TrafficPercentage))
		}
		obs = append(obs, fmt.Sprintf("served models mirrored: %d", len(ep.Config.ServedModels)))
		served := map[string]int{}
		q := serving.QueryEndpointInput{Name: "e1", DataframeRecords: []any{map[string]any{"x": 1}}}
		for range 400 {
			r, err := svc.ServingEndpoints.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			served[r.ServedModelName]++
		}
		// At random, 20% of 400 is 80 with a standard deviation of 8.
		obs = append(obs, fmt.Sprintf("400 queries, m-2 within 20%% ± 6 sd: %t", served["m-2"] > 32 && served["m-2"] < 128 && served["m-1"]+served["m-2"] == 400))
		direct := svc.ServingEndpoints.(endpoint.EntityQuerier)
		var by string
		r, err := direct.QueryServedEntity(ctx, "e1", "m-2", q)
		if err == nil {
			by = r.ServedModelName
		}
		obs = append(obs, fmt.Sprintf("query m-2 directly: served by %q %s", by, class(err)))
		_, err = direct.QueryServedEntity(ctx, "e1", "m-3", q)
		obs = append(obs, "query a missing entity directly: "+class(err))
		return obs
	},
}

// wantConformance is what the service does, per the SDK and the public API docs: both
// runs must observe exactly this.
var wantConformance = map[string][]string{
	"shares": {"get missing: not-found", "create: ok", "create again: conflict", "add: ok", "add again: conflict",
		"objects without/with include_shared_data: 0/1", "object status: ACTIVE", "101 updates: bad-request"},
	"grants_paginate": {"principals [r0 r1 r2 r3 r4] over 3 pages"},
	"teardown": {
		"remove missing object: bad-request", "remove object: ok",
		"recipient's shares: 1 ok", "revoke: ok", "revoke again: bad-request",
		"delete recipient with a grant: ok", `grant left: "" [SELECT]`,
		"delete share: ok", "delete share again: not-found", "catalog comment: ok",
		"delete catalog without force: bad-request", "delete catalog with force: ok",
	},
	"recipients_and_providers": {"recipient for own metastore: bad-request", "providers before grant: 0 ok", "providers after grant: 0", "providers after grant: 1",
		"provider shares: 1 ok", "catalog from share: ok", "shared table: ok", "shared table id: 0000aaaa-0000-0000-0000-000000000001"},
	"share_lag_schemas_and_filtered_lists": {"providers after grant: 0 ok", "providers after grant: 1 ok", "catalog from share: ok",
		"shared table just added: not-found", "shared table just added: not-found", "shared table just added: not-found", "shared table just added: ok",
		"schema shared.ml: ok", "schema shared.default: not-found", "schema main.default: not-found",
		"recipients listed: [mine] ok", "another's recipient: permission-denied"},
	"model_versions": {"list: [1 10 11 2 3 4 5 6 7 8 9], with dependencies: 0, ok", "alias: version 3, ok", "missing version: not-found",
		"securable kind: FUNCTION_FEATURE_SPEC ok"},
	"online": {"create store: ok", "publish into a starting store: bad-request", "store: STARTING ok", "store: STARTING ok", "store: AVAILABLE ok",
		"publish: ok", "provisioned API: bad-request", "synced: PROVISIONING/SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT spec false, last sync false",
		"synced: /SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE spec false, last sync true", "synced: /SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE spec false, last sync true"},
	"serving": {"create: ok", "update while in progress: conflict", "state: IN_PROGRESS/NOT_READY ok", "state: IN_PROGRESS/NOT_READY ok",
		"state: NOT_UPDATING/READY ok", "burst scaling when not sent: absent", "workload type when not sent: ", "canary update: ok",
		"m-1 burst scaling: absent", "m-2 burst scaling: false", `route: entity "m-1" model "m-1" 80%`, `route: entity "m-2" model "m-2" 20%`,
		"served models mirrored: 2", "400 queries, m-2 within 20% ± 6 sd: true", `query m-2 directly: served by "m-2" ok`,
		"query a missing entity directly: not-found"},
}

// boolField says whether the reply had a boolean field: "absent" when the
// SDK's decoder did not see it, else its value.
func boolField(se serving.ServedEntityOutput, field string) string {
	if !slices.Contains(se.ForceSendFields, field) {
		return "absent"
	}
	return fmt.Sprint(reflect.ValueOf(se).FieldByName(field).Bool())
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for name, c := range conformance {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var direct0, http0 []string
			t.Run("in_memory", func(t *testing.T) {
				ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithPageSize(2))
				direct0 = c(t, ws, rollouttest.Workspace(ws))
			})
			t.Run("sdk_over_http", func(t *testing.T) {
				ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"), xregiontest.WithPageSize(2))
				http0 = c(t, ws, overHTTP(t, ws))
			})
			if diff := cmp.Diff(direct0, http0); diff != "" {
				t.Errorf("in-memory and SDK-over-HTTP runs disagree (-in-memory +http):\n%s", diff)
			}
			if diff := cmp.Diff(wantConformance[name], direct0); diff != "" {
				t.Errorf("the fake does not behave as the service does (-want +got):\n%s", diff)
			}
		})
	}
}
