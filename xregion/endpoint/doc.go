// Package endpoint deploys a shared model version to a serving endpoint of a
// target region, verifies it, and rolls it back when it misbehaves:
// [DeployWithRollback].
//
// Databricks already keeps the old config serving until a new one is ready,
// but it has no health gates, no traffic steps and no rollback on bad
// behaviour; this package adds them:
//
//   - The live config is snapshotted before the first write (after any update
//     in progress has finished).
//   - Each update is followed by a wait for NOT_UPDATING, READY and every
//     served entity DEPLOYMENT_READY under a deadline, then by a check that
//     the config version advanced and the entities and routes are the ones
//     asked for: success is never inferred from the absence of an error.
//   - Health checks: readiness always; optionally [Probe]s sent through the
//     serving query API ([LoadProbes] reads them from a JSON file). A probe
//     that errors is not a pass.
//   - An optional canary ([Spec].Canary) adds the new version beside the live
//     one and shifts traffic step by step, checking at each step.
//   - On failure the exact snapshot is restored (served entities with their
//     false booleans, routes, auto-capture) under context.WithoutCancel with
//     its own deadline, or the endpoint is left as it is ([Freeze]).
//
// Polling uses its own nil-safe loop with the backoff of
// [github.com/org/xregion-action/xregion.WithBackOff], never the SDK's
// waiters. HTTP 409 "update in progress" is retried after waiting for the
// running update; throttling and unavailability are left to the SDK, which
// already retries them.
//
// This package imports only [github.com/org/xregion-action/xregion] of
// xregion's own packages.
package endpoint
