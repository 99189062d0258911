// Package xregion is the front door of the xregion library: it takes a Unity
// Catalog model version registered in one Databricks workspace (the source, or
// provider, region) and makes it serve from workspaces in other regions through
// Databricks-to-Databricks Delta Sharing.
//
// The work is split into steps, each a level-based, idempotent function that
// reads the real state, changes only what differs and reports what it did:
//
//   - [github.com/org/xregion-action/xregion/deps]: DiscoverDependencies,
//     EnsureShare (source side) and EnsureSharedCatalog (target side).
//   - [github.com/org/xregion-action/xregion/online]: PublishOnline and WaitOnline.
//   - [github.com/org/xregion-action/xregion/endpoint]: DeployWithRollback.
//   - [github.com/org/xregion-action/xregion/rollout]: the pipeline for one
//     region (Region) and for many at once (Regions), with a dry run.
//   - [github.com/org/xregion-action/xregion/xregiontest]: stateful fakes of
//     the Databricks services the steps use, in memory and over HTTP, for
//     your own tests.
//
// # Import graph
//
// This package holds only the vocabulary every step shares: [Op], [Removal],
// [Kind] and [Adopt], the error sentinels and typed errors, name parsing,
// [MarkKey] and the cross-cutting [Option]s. Of this module it imports only
// the plumbing under internal/ (resolved options and the polling loop,
// input errors, ownership marks), which users never call. The step packages
// import it, and the package that composes all steps into the multi-region
// pipeline sits above the steps and imports them, never the other way
// round:
//
//	internal/*  <-  xregion  <-  deps, online, endpoint  <-  rollout  <-  action
//	xregiontest (imports no xregion package)  <-  rollout/rollouttest
//
// # Errors
//
// Steps reject bad input with an [*InputError] (errors.Is [ErrInvalidInput])
// before any write. Failures of a step are reported as a [*StepError] naming
// the step and the resource. Errors returned by the Databricks SDK stay
// reachable through wrapping, so errors.Is(err, apierr.ErrNotFound) works on
// any error a step returns.
package xregion
