// Package deps holds the sharing side of xregion: [DiscoverDependencies]
// finds everything a model version needs in its source workspace,
// [EnsureShare] puts it in a Delta Sharing share granted to the target's
// recipient, and [EnsureSharedCatalog] mounts that share as a catalog in the
// target workspace.
//
// Each step takes the SDK services it calls as small interfaces declared in
// this package ([Shares], [Catalogs], ...), so the fields of a
// *databricks.WorkspaceClient or the fakes of
// [github.com/org/xregion-action/xregion/xregiontest] plug in unchanged:
//
//	w, _ := databricks.NewWorkspaceClient(&databricks.Config{...})
//	d, err := deps.DiscoverDependencies(ctx, deps.SourceClients{
//		ModelVersions: w.ModelVersions, Tables: w.Tables, Functions: w.Functions,
//	}, deps.DiscoverSpec{Model: "main.ml.fraud", Version: "@champion"})
//
// [Preflight] checks, reading only, that the target can take what a run is
// about to write there, and [WaitShareVisible] waits for share changes to
// reach the target, which takes about a minute. Lists of recipients and
// providers are filtered by permission: the steps report a recipient or
// provider the caller cannot see with the permissions that would show it.
//
// The Ensure steps are level-based: they read the real state, write only what
// differs, never remove objects or grants they did not add, and report what
// they did. Running one again on converged state makes no write. They are
// safe to run concurrently on the same share, as the legs of a matrix do.
//
// This package imports only [github.com/org/xregion-action/xregion] of
// xregion's own packages.
package deps
