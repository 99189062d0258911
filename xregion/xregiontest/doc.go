// Package xregiontest provides stateful, in-memory fakes of the Databricks
// services xregion uses. A [Workspace] is one fake workspace on its own Unity
// Catalog metastore, with the service fields of *databricks.WorkspaceClient
// (w.Shares, w.Catalogs, ...), and [Link] lets workspaces share data through
// D2D Delta Sharing. The fakes behave like the real service, not like
// xregion, and fail with the SDK's own *apierr.APIError values.
//
// Seed state with the Add methods, run code against the fields, then inspect
// the result with the same fields, the write log ([Workspace.Writes]) and
// the call counts ([Workspace.Calls]). [Workspace.Inject] makes calls fail,
// before or after they take effect. Every read returns a deep copy and every
// write stores one, so values never alias the fake's state. Workspaces are
// safe for concurrent use; linked workspaces share one lock. The package
// imports no xregion step package.
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
//     409.
//   - A provider appears in the recipient workspace only once a share is
//     granted, possibly after a delay ([WithProviderLag]).
//   - Catalogs created from a share are read-only views of it: their tables,
//     functions and models are read through the share, keep the source
//     TableId (assumption) and vanish when the grant is revoked.
//   - Dropping and recreating a table gives it a new TableId.
//   - Timestamps come from a logical clock and ids are derived from the
//     metastore id, so runs are reproducible.
//
// Requests the fakes do not model, such as foreign catalogs or VOLUME share
// objects, fail with 501 NOT_IMPLEMENTED instead of pretending to work.
package xregiontest
