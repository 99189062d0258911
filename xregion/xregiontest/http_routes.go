package xregiontest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/iam"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// uc is the prefix of the Unity Catalog API.
const uc = "/api/2.1/unity-catalog"

// routeTable returns the routes the handler serves. Each path and method
// is the one in the SDK's service/*/impl.go.
func (h *handler) routeTable() []route {
	type m = map[string]routeFunc
	const (
		get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	)
	r := func(path string, methods m, others ...string) route {
		return route{segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), methods: methods, others: others}
	}
	public := func(rt route) route { rt.public = true; return rt }
	return []route{
		// Client construction and auth (SDK config/host_metadata.go, config/auth_*.go).
		public(r("/.well-known/databricks-config", m{get: h.hostMetadata})),
		public(r("/oidc/.well-known/oauth-authorization-server", m{get: h.oauthServer})),
		public(r("/oidc/v1/token", m{post: h.token})),
		r("/api/2.0/preview/scim/v2/Me", m{get: h.me}, put, patch),

		// Dependencies (SDK service/catalog).
		r(uc+"/metastore_summary", m{get: h.metastoreSummary}),
		r(uc+"/models/*/versions", m{get: h.listModelVersions}),
		r(uc+"/models/*/versions/*", m{get: h.getModelVersion}, patch, del),
		r(uc+"/models/*/aliases/*", m{get: h.getByAlias}, put, del),
		r(uc+"/tables", m{get: h.listTables}),
		r(uc+"/tables/*", m{get: h.getTable}, patch, del),
		r(uc+"/functions", m{get: h.listFunctions}, post),
		r(uc+"/functions/*", m{get: h.getFunction}, patch, del),
		r(uc+"/connections/*", m{get: h.getConnection}, patch, del),
		r(uc+"/credentials/*", m{get: h.getCredential}, patch, del),

		// Sharing (SDK service/sharing, service/catalog).
		r(uc+"/shares", m{get: h.listShares, post: h.createShare}),
		r(uc+"/shares/*", m{get: h.getShare, patch: h.updateShare, del: h.deleteShare}),
		r(uc+"/shares/*/permissions", m{get: h.sharePermissions, patch: h.updateSharePermissions}),
		r(uc+"/recipients", m{get: h.listRecipients, post: h.createRecipient}),
		r(uc+"/recipients/*", m{get: h.getRecipient, del: h.deleteRecipient}, patch),
		r(uc+"/recipients/*/share-permissions", m{get: h.recipientSharePermissions}),
		r(uc+"/providers", m{get: h.listProviders}, post),
		r(uc+"/providers/*", m{get: h.getProvider}, patch, del),
		r(uc+"/providers/*/shares", m{get: h.listProviderShares}),
		r(uc+"/catalogs", m{get: h.listCatalogs, post: h.createCatalog}),
		r(uc+"/catalogs/*", m{get: h.getCatalog, patch: h.updateCatalog, del: h.deleteCatalog}),
		r(uc+"/schemas", m{get: h.listSchemas, post: h.createSchema}),
		r(uc+"/schemas/*", m{get: h.getSchema}, patch, del),

		// Online stores and tables (SDK service/ml, service/database).
		r("/api/2.0/feature-store/online-stores", m{get: h.listOnlineStores, post: h.createOnlineStore}),
		r("/api/2.0/feature-store/online-stores/*", m{get: h.getOnlineStore, del: h.deleteOnlineStore}, patch),
		r("/api/2.0/feature-store/tables/*/publish", m{post: h.publishTable}),
		r("/api/2.0/feature-store/online-tables/*", m{del: h.deleteOnlineTable}),
		r("/api/2.0/database/synced_tables", m{}, post),
		r("/api/2.0/database/synced_tables/*", m{get: h.getSyncedTable, del: h.deleteSyncedTable}, patch),
		r("/api/2.0/database/instances/*/synced_tables", m{get: h.listSyncedTables}),
		// Lakebase Autoscaling (online feature store docs: stores created
		// after 2026-03-23 are Autoscaling projects): the SDK puts the
		// resource name "synced_tables/{full name}" after /api/2.0/postgres/.
		r("/api/2.0/postgres/synced_tables", m{}, post),
		r("/api/2.0/postgres/synced_tables/*", m{get: h.getPostgresSyncedTable, del: h.deletePostgresSyncedTable}, patch),

		// Serving (SDK service/serving).
		r("/api/2.0/serving-endpoints", m{get: h.listEndpoints, post: h.createEndpoint}),
		r("/api/2.0/serving-endpoints/*", m{get: h.getEndpoint, del: h.deleteEndpoint}),
		r("/api/2.0/serving-endpoints/*/config", m{put: h.updateConfig}),
		r("/api/2.0/serving-endpoints/*/tags", m{patch: h.patchEndpointTags}),
		r("/serving-endpoints/*/invocations", m{post: h.query}),
		r("/serving-endpoints/*/served-models/*/invocations", m{post: h.queryServedEntity}),
		// Provisioned throughput endpoints are not modelled; without these
		// routes their paths would match the ones above.
		r("/api/2.0/serving-endpoints/pt", m{}, post),
		r("/api/2.0/serving-endpoints/pt/*/config", m{}, put),
	}
}

// hostMetadata serves the host metadata that client construction reads.
func (h *handler) hostMetadata(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	base := baseURL(r)
	// why: every field is served, oidc_endpoint above all, since a reply
	// without it makes the SDK log a warning at construction; the SDK
	// derives the OAuth discovery URL from it, so it is this server's own
	// address (SDK config/host_metadata.go and its test fixtures). host_type
	// and cloud are matched case-insensitively. workspace_id fills
	// Config.WorkspaceID, which the SDK then sends as
	// X-Databricks-Workspace-Id on every call.
	return struct {
		OIDCEndpoint   string   `json:"oidc_endpoint"`
		AccountID      string   `json:"account_id"`
		WorkspaceID    string   `json:"workspace_id"`
		Cloud          string   `json:"cloud"`
		HostType       string   `json:"host_type"`
		TokenAudiences []string `json:"token_federation_default_oidc_audiences"`
	}{
		OIDCEndpoint: base + "/oidc",
		// why: the fakes stand for the workspaces of one account, which
		// has one metastore per region (see WithMetastoreID).
		AccountID:      uuidOf("account"),
		WorkspaceID:    strconv.FormatInt(h.w.cfg.workspaceID, 10),
		Cloud:          strings.ToUpper(h.w.cfg.cloud),
		HostType:       "workspace",
		TokenAudiences: []string{base + "/oidc/v1/token"},
	}, nil
}

// oauthServer serves the OAuth discovery document.
func (h *handler) oauthServer(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	base := baseURL(r)
	return map[string]string{
		"authorization_endpoint": base + "/oidc/v1/authorize",
		"token_endpoint":         base + "/oidc/v1/token",
	}, nil
}

// me serves SCIM Me, the caller's user.
func (h *handler) me(rw http.ResponseWriter, _ *http.Request, _ []string) (any, error) {
	// why: WorkspaceClient.CurrentWorkspaceID reads the workspace id from
	// this response header, with strconv.ParseInt (SDK workspace_functions.go).
	rw.Header().Set("X-Databricks-Org-Id", strconv.FormatInt(h.w.cfg.workspaceID, 10))
	c := h.w.cfg
	return iam.User{
		Id:          strconv.FormatInt(numericID("user", c.metastoreID, c.user), 10),
		UserName:    c.user,
		DisplayName: c.user,
		Active:      true,
		Emails:      []iam.ComplexValue{{Value: c.user, Primary: true}},
		Schemas:     []iam.UserSchema{iam.UserSchemaUrnIetfParamsScimSchemasCore20User},
	}, nil
}

func (h *handler) metastoreSummary(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	return result(h.w.Metastores.Summary(r.Context()))
}

func (h *handler) listModelVersions(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.ListModelVersionsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.ModelVersions.ListAll(r.Context(), catalog.ListModelVersionsRequest{FullName: p[0], IncludeBrowse: req.IncludeBrowse})
	if err != nil {
		return nil, err
	}
	// why: ListAll sorts versions as strings ("10" before "2"), which is
	// the order of the page keys too.
	items, next := page(pg, all, func(v catalog.ModelVersionInfo) string { return strconv.Itoa(v.Version) })
	return catalog.ListModelVersionsResponse{ModelVersions: items, NextPageToken: next}, nil
}

func (h *handler) getModelVersion(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetModelVersionRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	v, err := strconv.Atoi(p[1])
	if err != nil {
		return nil, InvalidParameter("invalid version %q: want a number", p[1])
	}
	req.FullName, req.Version = p[0], v
	return result(h.w.ModelVersions.Get(r.Context(), req))
}

func (h *handler) getByAlias(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetByAliasRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.FullName, req.Alias = p[0], p[1]
	return result(h.w.ModelVersions.GetByAlias(r.Context(), req))
}

func (h *handler) getTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetTableRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.FullName = p[0]
	return result(h.w.Tables.Get(r.Context(), req))
}

// listTables serves a page of the tables of a schema.
func (h *handler) listTables(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.ListTablesRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	// why: the share lag counts one list as one read of each table, on its
	// first page (see ListAll).
	all, err := h.w.Tables.ListAll(r.Context(), catalog.ListTablesRequest{CatalogName: req.CatalogName, SchemaName: req.SchemaName, PageToken: req.PageToken})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x catalog.TableInfo) string { return x.FullName })
	return catalog.ListTablesResponse{Tables: items, NextPageToken: next}, nil
}

// listFunctions serves a page of the functions of a schema.
func (h *handler) listFunctions(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.ListFunctionsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Functions.ListAll(r.Context(), catalog.ListFunctionsRequest{CatalogName: req.CatalogName, SchemaName: req.SchemaName, PageToken: req.PageToken})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x catalog.FunctionInfo) string { return x.FullName })
	return catalog.ListFunctionsResponse{Functions: items, NextPageToken: next}, nil
}

// getFunction serves a function, with the securable_kind the typed SDK
// drops. A request is a call of both Functions.Get and
// Functions.SecurableKind.
func (h *handler) getFunction(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetFunctionRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	f, err := h.w.Functions.Get(r.Context(), req)
	if err != nil {
		return nil, err
	}
	kind, err := h.w.Functions.SecurableKind(r.Context(), req.Name)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	// why: the service reports the kind in "securable_kind" (the
	// feature-engineering Python client reads it; unverified), which
	// deps.SDKFunctionKinds reads with a raw GET of this path.
	if kind != "" {
		out["securable_kind"], _ = json.Marshal(kind)
	}
	return out, nil
}

func (h *handler) getConnection(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Connections.Get(r.Context(), catalog.GetConnectionRequest{Name: p[0]}))
}

func (h *handler) getCredential(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Credentials.GetCredential(r.Context(), catalog.GetCredentialRequest{NameArg: p[0]}))
}

func (h *handler) createShare(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req sharing.CreateShare
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	return result(h.w.Shares.Create(r.Context(), req))
}

func (h *handler) getShare(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.GetShareRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Shares.Get(r.Context(), req))
}

func (h *handler) updateShare(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.UpdateShare
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Shares.Update(r.Context(), req))
}

func (h *handler) deleteShare(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return struct{}{}, h.w.Shares.Delete(r.Context(), sharing.DeleteShareRequest{Name: p[0]})
}

func (h *handler) sharePermissions(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.SharePermissionsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Shares.SharePermissions(r.Context(), req))
}

func (h *handler) updateSharePermissions(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.UpdateSharePermissions
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Shares.UpdatePermissions(r.Context(), req))
}

func (h *handler) listShares(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req sharing.SharesListRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Shares.ListSharesAll(r.Context(), sharing.SharesListRequest{})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x sharing.ShareInfo) string { return x.Name })
	return sharing.ListSharesResponse{Shares: items, NextPageToken: next}, nil
}

func (h *handler) listRecipients(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req sharing.ListRecipientsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Recipients.ListAll(r.Context(), sharing.ListRecipientsRequest{DataRecipientGlobalMetastoreId: req.DataRecipientGlobalMetastoreId})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x sharing.RecipientInfo) string { return x.Name })
	return sharing.ListRecipientsResponse{Recipients: items, NextPageToken: next}, nil
}

func (h *handler) createRecipient(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req sharing.CreateRecipient
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	return result(h.w.Recipients.Create(r.Context(), req))
}

func (h *handler) getRecipient(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Recipients.Get(r.Context(), sharing.GetRecipientRequest{Name: p[0]}))
}

func (h *handler) deleteRecipient(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return struct{}{}, h.w.Recipients.Delete(r.Context(), sharing.DeleteRecipientRequest{Name: p[0]})
}

func (h *handler) recipientSharePermissions(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.SharePermissionsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Recipients.SharePermissions(r.Context(), req))
}

func (h *handler) listProviders(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req sharing.ListProvidersRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Providers.ListAll(r.Context(), sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: req.DataProviderGlobalMetastoreId})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x sharing.ProviderInfo) string { return x.Name })
	return sharing.ListProvidersResponse{Providers: items, NextPageToken: next}, nil
}

func (h *handler) getProvider(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Providers.Get(r.Context(), sharing.GetProviderRequest{Name: p[0]}))
}

func (h *handler) listProviderShares(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req sharing.ListSharesRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Providers.ListSharesAll(r.Context(), sharing.ListSharesRequest{Name: p[0]})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x sharing.ProviderShare) string { return x.Name })
	return sharing.ListProviderSharesResponse{Shares: items, NextPageToken: next}, nil
}

func (h *handler) createCatalog(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.CreateCatalog
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	return result(h.w.Catalogs.Create(r.Context(), req))
}

func (h *handler) getCatalog(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetCatalogRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Catalogs.Get(r.Context(), req))
}

func (h *handler) updateCatalog(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.UpdateCatalog
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.Catalogs.Update(r.Context(), req))
}

func (h *handler) deleteCatalog(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.DeleteCatalogRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return struct{}{}, h.w.Catalogs.Delete(r.Context(), req)
}

func (h *handler) createSchema(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.CreateSchema
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	return result(h.w.Schemas.Create(r.Context(), req))
}

func (h *handler) getSchema(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req catalog.GetSchemaRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.FullName = p[0]
	return result(h.w.Schemas.Get(r.Context(), req))
}

func (h *handler) listOnlineStores(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req ml.ListOnlineStoresRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("page_size", req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.FeatureStore.ListOnlineStoresAll(r.Context(), ml.ListOnlineStoresRequest{})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x ml.OnlineStore) string { return x.Name })
	return ml.ListOnlineStoresResponse{OnlineStores: items, NextPageToken: next}, nil
}

func (h *handler) createOnlineStore(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	// why: the SDK sends the OnlineStore itself as the body, with no
	// wrapper (SDK service/ml/impl.go, CreateOnlineStore).
	var store ml.OnlineStore
	if err := decodeBody(rw, r, &store); err != nil {
		return nil, err
	}
	return result(h.w.FeatureStore.CreateOnlineStore(r.Context(), ml.CreateOnlineStoreRequest{OnlineStore: store}))
}

func (h *handler) getOnlineStore(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.FeatureStore.GetOnlineStore(r.Context(), ml.GetOnlineStoreRequest{Name: p[0]}))
}

func (h *handler) deleteOnlineStore(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return struct{}{}, h.w.FeatureStore.DeleteOnlineStore(r.Context(), ml.DeleteOnlineStoreRequest{Name: p[0]})
}

func (h *handler) publishTable(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	// why: unlike the online store create, publish wraps its payload as
	// {"publish_spec": {...}} (SDK service/ml/impl.go, PublishTable).
	var req ml.PublishTableRequest
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.SourceTableName = p[0]
	return result(h.w.FeatureStore.PublishTable(r.Context(), req))
}

func (h *handler) deleteOnlineTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return struct{}{}, h.w.FeatureStore.DeleteOnlineTable(r.Context(), ml.DeleteOnlineTableRequest{OnlineTableName: p[0]})
}

func (h *handler) getSyncedTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Database.GetSyncedDatabaseTable(r.Context(), database.GetSyncedDatabaseTableRequest{Name: p[0]}))
}

func (h *handler) deleteSyncedTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req database.DeleteSyncedDatabaseTableRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return struct{}{}, h.w.Database.DeleteSyncedDatabaseTable(r.Context(), req)
}

func (h *handler) listSyncedTables(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req database.ListSyncedDatabaseTablesRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("page_size", req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Database.ListSyncedDatabaseTablesAll(r.Context(), database.ListSyncedDatabaseTablesRequest{InstanceName: p[0]})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x database.SyncedDatabaseTable) string { return x.Name })
	return database.ListSyncedDatabaseTablesResponse{SyncedTables: items, NextPageToken: next}, nil
}

func (h *handler) listEndpoints(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	// why: the serving endpoint list has no pagination (SDK
	// ServingEndpoints.List takes no request).
	all, err := h.w.ServingEndpoints.ListAll(r.Context())
	if err != nil {
		return nil, err
	}
	return serving.ListEndpointsResponse{Endpoints: all}, nil
}

func (h *handler) createEndpoint(rw http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req serving.CreateServingEndpoint
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	// why: the reply is the endpoint, with its name and state: the SDK
	// builds its waiter from the name, and the waiter panics without a
	// state (SDK service/serving/api.go; seen with the SDK against a local server).
	wait, err := h.w.ServingEndpoints.Create(r.Context(), req)
	if err != nil {
		return nil, err
	}
	return wait.Response, nil
}

func (h *handler) getEndpoint(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.ServingEndpoints.Get(r.Context(), serving.GetServingEndpointRequest{Name: p[0]}))
}

func (h *handler) deleteEndpoint(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return struct{}{}, h.w.ServingEndpoints.Delete(r.Context(), serving.DeleteServingEndpointRequest{Name: p[0]})
}

func (h *handler) updateConfig(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req serving.EndpointCoreConfigInput
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	wait, err := h.w.ServingEndpoints.UpdateConfig(r.Context(), req)
	if err != nil {
		return nil, err
	}
	return wait.Response, nil
}

func (h *handler) patchEndpointTags(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req serving.PatchServingEndpointTags
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	return result(h.w.ServingEndpoints.Patch(r.Context(), req))
}

func (h *handler) queryServedEntity(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req serving.QueryEndpointInput
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	resp, err := h.w.ServingEndpoints.QueryServedEntity(r.Context(), p[0], p[1], req)
	if err != nil {
		return nil, err
	}
	// why: the shared invocation path names the answering entity in this
	// header (SDK QueryEndpointResponse.ServedModelName); the per-entity
	// path is assumed to as well.
	rw.Header().Set("served-model-name", resp.ServedModelName)
	return resp, nil
}

func (h *handler) query(rw http.ResponseWriter, r *http.Request, p []string) (any, error) {
	var req serving.QueryEndpointInput
	if err := decodeBody(rw, r, &req); err != nil {
		return nil, err
	}
	req.Name = p[0]
	resp, err := h.w.ServingEndpoints.Query(r.Context(), req)
	if err != nil {
		return nil, err
	}
	// why: the SDK fills ServedModelName from this response header
	// (SDK serving/model.go, header tag); the field itself is not in the JSON.
	rw.Header().Set("served-model-name", resp.ServedModelName)
	return resp, nil
}

func (h *handler) getPostgresSyncedTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	return result(h.w.Postgres.GetSyncedTable(r.Context(), postgres.GetSyncedTableRequest{Name: syncedTablesPrefix + p[0]}))
}

func (h *handler) deletePostgresSyncedTable(_ http.ResponseWriter, r *http.Request, p []string) (any, error) {
	op, err := h.w.Postgres.DeleteSyncedTable(r.Context(), postgres.DeleteSyncedTableRequest{Name: syncedTablesPrefix + p[0]})
	if err != nil {
		return nil, err
	}
	// why: the reply is a long-running operation, not done yet (the SDK's
	// DeleteSyncedTable decodes a postgres.Operation).
	return postgres.Operation{Name: op.Name()}, nil
}
