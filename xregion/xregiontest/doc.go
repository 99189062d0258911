// Package xregiontest provides stateful, in-memory fakes of the Databricks
// services xregion uses. A [Workspace] is one fake workspace on its own Unity
// Catalog metastore, with the service fields of *databricks.WorkspaceClient
// (w.Shares, w.Catalogs, w.FeatureStore, w.Database, w.Postgres,
// w.ServingEndpoints, ...), and [Link] lets workspaces share data through
// D2D Delta Sharing.
// The fakes behave like the real service, not like xregion, and fail with
// the SDK's own *apierr.APIError values.
//
// Seed state with the Add methods, run code against the fields, then inspect
// the result with the same fields, the write log ([Workspace.Writes]) and
// the call counts ([Workspace.Calls]). [Workspace.Inject] makes calls fail,
// before or after they take effect. Online stores, online tables and
// serving endpoint updates change state as they are read, never with the
// wall clock: see [WithStoreStartup], [Workspace.ScriptTable] and
// [Workspace.ScriptDeployment]. [Workspace.EndpointHistory] records every
// state change of an endpoint. Every read returns a deep copy and every
// write stores one, so values never alias the fake's state. Workspaces are
// safe for concurrent use; linked workspaces share one lock. The package
// imports no xregion step package. [Workspace.Handler] serves a workspace
// over HTTP, for the real SDK (see the HTTP section below).
//
// # Quirks
//
// The fakes emulate these behaviours of the service; the ones marked as an
// assumption are not documented and may differ on a real workspace:
//
//   - Shares.Get returns no Objects unless IncludeSharedData is set.
//   - Share objects carry the output-only Status (ACTIVE), AddedAt and
//     AddedBy; sending them back in Shares.Update is rejected with 400
//     (assumption).
//   - Shares.Update takes at most 100 updates and is atomic; adding an object
//     already in the share, or one exposed under the same schema.name as
//     another, is a 409 RESOURCE_ALREADY_EXISTS.
//   - A FEATURE_SPEC share object must be a function of securable kind
//     FUNCTION_FEATURE_SPEC (assumption).
//   - Shares.SharePermissions is paginated (see [WithPageSize]) and callers
//     must loop on NextPageToken.
//   - ModelVersions.ListAll returns versions in string order (10 before 2),
//     without aliases and without dependencies.
//   - A D2D recipient for the provider's own metastore fails with 400 ("same
//     sharing identifier"), and a second D2D recipient for one metastore with
//     409 "already exists with same sharing identifier", which names no
//     recipient (the status is an assumption).
//   - Lists are filtered by permission (the SDK's doc comments): a
//     recipient list shows only the recipients the caller owns, unless it
//     is a metastore admin ([WithMetastoreAdmin]); reading a recipient
//     needs ownership, USE_RECIPIENT or admin; a provider list shows only
//     the providers the caller owns or holds USE_PROVIDER on
//     ([WithMetastorePrivileges]), unless admin; reading a provider or
//     listing its shares needs ownership or admin; creating a catalog from
//     a share needs what the list needs (assumption). Who owns the
//     provider that appears for a D2D share is undocumented; by default
//     the caller does ([WithProviderOwner]).
//   - A provider appears in the recipient workspace only once a share is
//     granted, possibly after a delay ([WithProviderLag]).
//   - Share changes reach a recipient late, by default: an object added
//     to a share by Shares.Update, or a version added to a shared model,
//     is left out of the first [DefaultShareLag] reads through a catalog
//     created from the share ([WithShareLag], [Workspace.LaggedReads]).
//   - Teardown (SDK doc comments of the sharing services;
//     docs.databricks.com/api/sharing/v1/update-share-permissions):
//     Shares.Delete and Recipients.Delete need ownership and are not
//     blocked by objects or grants; a deleted
//     recipient's grants stay listed with an empty principal. Revoking a
//     privilege not held, or adding and removing for one principal in one
//     change, is a 400 (assumption). Two updates of one object in one
//     Shares.Update are a 400; REMOVE of an object not in the share is a
//     400 (the code is unknown); UPDATE may not carry shared_as and resets
//     the fields it leaves out (assumption). A removal reaches recipients
//     after the share lag, as an addition does; a deleted share's catalog
//     stays and reads nothing. Catalogs.Delete refuses a catalog with
//     contents (a shared catalog's share objects count) unless Force is
//     set, with a 400 saying "is not empty" (the code is unknown), and a
//     catalog holding online tables even with Force. Catalogs.Update
//     refuses properties on a catalog created from a share (assumption).
//   - Deletes take time ([WithDeleteLag], 2 reads by default): a deleted
//     online store or synced table reports DELETING, then is gone; a
//     second delete meanwhile is a 400. A deleted serving endpoint stays
//     in its GET and in the list for two more reads. Deleting a store that
//     holds synced tables takes them with it (whether the service refuses
//     or cascades is unknown: the fake takes the more dangerous case).
//     Database.ListSyncedDatabaseTables is a 501, as its SDK doc says
//     ("currently unimplemented"), unless [WithSyncedTableList].
//   - The catalog list and a local schema's table list show a non-admin
//     only what it owns (SDK doc of CatalogsService.List and
//     TablesService.List; grants of USE_CATALOG and SELECT are not
//     modelled), as the recipient and provider lists do.
//   - Schemas.Get finds the default and information_schema schemas of
//     every catalog not created from a share, the schemas of seeded
//     objects and [Workspace.AddSchema]; a catalog created from a share
//     has the schemas its share objects are exposed under.
//   - [WithoutOnlineStores] places a workspace in a region without online
//     stores, where the online store calls fail with 400 FEATURE_DISABLED
//     (assumption).
//   - Catalogs created from a share are read-only views of it: their tables,
//     functions and models are read through the share, keep the source
//     TableId (assumption) and vanish when the grant is revoked.
//   - Dropping and recreating a table gives it a new TableId.
//   - An online store made by FeatureStore.CreateOnlineStore reports
//     STARTING until it has been read a few times ([WithStoreStartup]), and
//     publishing into a store that is not AVAILABLE fails with 400
//     INVALID_STATE (the code is an assumption).
//   - FeatureStore.PublishTable makes a synced table that is also a Unity
//     Catalog table of type FOREIGN (assumption). Its status goes through
//     the steps of a script ([Workspace.ScriptTable], [DefaultSyncScript]),
//     one read at a time; once a sync is done it reports its last sync
//     times.
//   - Online stores created from 2026-03-23 on ([AutoscalingSince]) are
//     Lakebase Autoscaling projects, the default, since the fake's clock
//     starts on 2026-06-01 ([WithStartTime]); older ones, and stores seeded
//     with an earlier CreationTime, are Lakebase Provisioned instances.
//     Postgres.GetSyncedTable serves the tables of Autoscaling stores and
//     answers 404 for the others; Database.GetSyncedDatabaseTable serves
//     the tables of Provisioned stores and refuses the others with 400
//     INVALID_PARAMETER_VALUE (the code is an assumption).
//   - A Postgres reply leaves out the input-only Spec (unless
//     [WithPostgresSpec]) and the Unity Catalog state ACTIVE.
//   - Linked workspaces share one logical clock, so that the times of one
//     compare with those of another.
//   - A table of a catalog created from a share publishes in SNAPSHOT mode
//     only; online tables cannot go into such a catalog (403, the code is
//     an assumption); a source needs a primary key unless FullFeatureName is
//     set.
//   - Publishing again from the same source into an existing online table
//     is a republish: it keeps the table and its pipeline, binds it to the
//     source's current TableId and syncs it again (assumption). From
//     another source or into another store it is a 409.
//   - An online table whose source table was dropped or re-created since
//     the publish reports SYNCED_TABLE_OFFLINE_FAILED (assumption).
//   - A serving endpoint always has its Name and State: the SDK's waiter
//     panics without State. The ServingEndpoints reads and replies are what
//     the SDK decodes from the service's JSON: every struct lists in
//     ForceSendFields the basic fields the reply had (compare them with
//     ForceSendFields ignored). Served entities list ScaleToZeroEnabled
//     even when false, but leave BurstScalingEnabled out at its server
//     default, true, so that it decodes as false (SDK doc of the field;
//     recorded real replies leave it out); the
//     workload type the request left out reads CPU. Routes are named by
//     served_model_name and served_entity_name, and served_entities are
//     mirrored into served_models (Azure Databricks "Manage model serving
//     endpoints" sample GET; a create reply recorded on Qiita;
//     [WithRouteNames]).
//     [Workspace.EndpointConfig] shows the config as the service holds it.
//     A request the SDK cannot encode, such as a
//     ServedEntityInput whose ForceSendFields name output-only fields,
//     fails with the SDK's own error before the call.
//   - A config update is IN_PROGRESS for a number of
//     ServingEndpoints.Get reads (2 by default, see
//     [Workspace.ScriptDeployment]), then NOT_UPDATING or UPDATE_FAILED;
//     Query and ListAll do not move it on. An update while one is
//     IN_PROGRESS is a 409 RESOURCE_CONFLICT (the code is an assumption).
//   - A new endpoint is NOT_READY, with no live config but a pending one,
//     until its first deployment completes. A completed update replaces
//     the live config and drops the pending one.
//   - A failed update leaves the live config serving, unchanged and READY
//     ("Ready (Update failed)"), or the endpoint NOT_READY when it had
//     none. The pending config stays, with DEPLOYMENT_FAILED and the
//     message on the failed entity and DEPLOYMENT_ABORTED on entities
//     still deploying (assumptions). The next config version is still the
//     live one plus one (assumption).
//   - An update deploys only the served entities it adds or changes: one
//     that only changes routes is IN_PROGRESS for one read, and still
//     bumps config_version.
//   - BurstScalingEnabled is true unless sent false, that is, unless
//     ForceSendFields names it; ScaleToZeroEnabled is false unless sent
//     true. A served entity's Name defaults to
//     "<entity_name>-<entity_version>", dots and all (assumption).
//   - A config serves 1 to 15 entities, each a READY model version this
//     workspace can read, shared catalogs included. Routes must name its
//     entities and add up to 100; one entity without routes gets 100%, and
//     several entities without routes are a 400 (assumption).
//   - Queries go to the live config only, routed at random by the route
//     percentages from a seeded source ([WithRoutingSeed];
//     [WithEvenRouting] for exact splits), and fail with 400 INVALID_STATE
//     when the endpoint is not READY (the code is an assumption).
//     ServedModelName names the served entity that answered
//     ([Workspace.ScriptQuery]). [ServingEndpoints.QueryServedEntity]
//     queries one entity directly, as the per-served-model invocation path
//     does ([WithoutEntityQueries] makes it a 404). Tags are patched with
//     [ServingEndpoints.Patch].
//   - Timestamps come from a logical clock and ids are derived from the
//     metastore id, so runs are reproducible.
//
// Requests the fakes do not model, such as foreign catalogs, VOLUME share
// objects, or serving external models, feature specs or served_models,
// fail with 501 NOT_IMPLEMENTED instead of pretending to work.
//
// # HTTP
//
// [Workspace.Handler] serves the same state over HTTP, at the paths, verbs
// and JSON of the REST API, so that a real *databricks.WorkspaceClient, with
// the real SDK's encoding, retries and auth, can talk to it through a
// [net/http/httptest.Server]. Serve each workspace from its own server;
// [Link] links them as usual. Give every client an explicit AuthType and
// Loaders that load nothing, so that DATABRICKS_* variables of the
// environment do not leak into it (SDK config/config.go: the default
// loaders fill every empty field from the environment). The handler serves:
//
//   - for client construction, GET /.well-known/databricks-config with every
//     field (oidc_endpoint on the server's own address, workspace_id, cloud,
//     host_type "workspace"), so that construction logs no warning; for
//     OAuth M2M, GET /oidc/.well-known/oauth-authorization-server and POST
//     /oidc/v1/token (client credentials, in a Basic header or the form);
//     GET /api/2.0/preview/scim/v2/Me, with the X-Databricks-Org-Id header
//     that CurrentWorkspaceID reads ([WithWorkspaceID]);
//   - under /api/2.1/unity-catalog: GET metastore_summary; GET
//     models/{name}/versions, models/{name}/versions/{version} and
//     models/{name}/aliases/{alias}; GET tables (the tables of a schema,
//     paged, after the share lag) and tables/{name}; GET connections/{name},
//     credentials/{name}, functions (the functions of a schema, paged,
//     after the share lag), and functions/{name} with the securable_kind
//     the typed SDK drops; POST shares, GET, PATCH and DELETE
//     shares/{name}, GET and PATCH shares/{name}/permissions; GET and POST
//     recipients, GET and DELETE recipients/{name}, GET
//     recipients/{name}/share-permissions; GET providers, providers/{name}
//     and providers/{name}/shares; GET and POST catalogs, GET, PATCH and
//     DELETE catalogs/{name}; GET and POST schemas, GET schemas/{name};
//   - under /api/2.0: GET and POST feature-store/online-stores (a bare
//     OnlineStore body), GET and DELETE feature-store/online-stores/{name},
//     POST feature-store/tables/{name}/publish (a {"publish_spec": ...}
//     body), DELETE feature-store/online-tables/{name}; GET and DELETE
//     database/synced_tables/{name}, GET
//     database/instances/{name}/synced_tables; GET and DELETE
//     postgres/synced_tables/{name} (w.Postgres.GetSyncedTable with the name
//     "synced_tables/{name}");
//     GET and POST serving-endpoints, GET and
//     DELETE serving-endpoints/{name}, PUT serving-endpoints/{name}/config;
//   - PATCH serving-endpoints/{name}/tags under /api/2.0;
//   - POST /serving-endpoints/{name}/invocations and
//     /serving-endpoints/{name}/served-models/{entity}/invocations, with no
//     /api/2.0 prefix,
//     and the served-model-name header the SDK reads ServedModelName from.
//
// Routes match r.URL.Path, where full names go unescaped, dots and all.
// Each request is one call of the fake's method it maps to, with the
// request's context, so the write log, call counts, [Workspace.Inject]
// faults, scripts and lags work as they do in memory: a list read in
// several pages is several calls of its ListAll method, and a GET of a
// function is a call of both Functions.Get and Functions.SecurableKind.
// Query parameters are decoded by the url tags of the SDK's request types,
// and bodies with the types' own UnmarshalJSON, whose ForceSendFields say
// which fields were sent (a burst_scaling_enabled sent false stays false);
// replies are the SDK's types encoded by their MarshalJSON, with numbers,
// never quoted integers. Unknown headers, such as Traceparent and
// X-Databricks-Workspace-Id, and unknown query parameters are ignored.
//
// Lists page with an opaque page_token and next_page_token: a max_results
// (page_size for online stores) of 0, which the SDK sends, is the server
// page length ([WithPageSize]), a larger one is capped by it, and the last
// page has no token, so that the SDK's iterators stop. The serving endpoint
// list has no pages, as on the service.
//
// Every failure is a JSON {"error_code", "message"} body with the status of
// the [*apierr.APIError] behind it, so errors.Is and [apierr.IsMissing]
// work on the SDK's side as they do on the fakes; any other error is a 500
// INTERNAL_ERROR. A path the handler does not serve is a 501
// NOT_IMPLEMENTED, never a 404, which the SDK would read as a missing
// resource (SDK apierr/error_mapping.go); so is a method the API has on a served path
// but the fake does not model, such as PATCH of an online store. A method the API
// does not have there is a 405 METHOD_NOT_ALLOWED, with an Allow header.
// Without [WithToken], [WithClientCredentials] or [WithFederatedClient] any
// non-empty bearer token is accepted; a request without one, or with a
// token not accepted, is a 401 UNAUTHENTICATED. The token endpoint serves
// OAuth M2M and the token exchange of GitHub OIDC federation, and answers
// errors as OAuth does (RFC 6749): a wrong client is a 401
// {"error": "invalid_client"}.
//
// [WithHTTPFault] adds faults at the transport level, counted per handler
// before a request reaches the fake: error replies, dropped connections,
// slow responses, and errors or drops after the request took effect.
// Against the SDK (databricks-sdk-go v0.182.0), a 429 or 503 is retried
// after about a second (1 to 1.75 s) whatever its Retry-After, so keep the
// Times of such faults small; a 500 surfaces at once. A dropped
// connection, a TCP reset, is retried by the SDK after the same wait, a
// POST included, body and all ("connection reset by peer"); a GET on a
// reused connection is even replayed at once by net/http itself. An
// orderly close would surface as EOF, which the SDK does not retry; the
// handler does not offer one. A response slower than the client's
// deadline fails with an error that matches [context.DeadlineExceeded].
package xregiontest
