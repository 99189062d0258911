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
//	w, _ := client.New(ctx, client.Settings{Host: host, Token: token}) // xregion/client
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
// What they create carries an ownership mark ([xregion.MarkKey]) naming the
// model, and the teardown steps, [RemoveSharedCatalog] on each target and
// then [RemoveShare] on the source, remove only what the mark (or an
// explicit adopt) makes the model's, and only once nothing else uses it:
// objects two models share lose one name from their mark, and a share or
// recipient still granted elsewhere stays. They report each object as
// removed, updated, kept (with why) or absent, and a re-run after a crash
// finishes the job.
//
// This package imports only [github.com/org/xregion-action/xregion] of
// xregion's own packages.
package deps
