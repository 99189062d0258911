// Package endpoint deploys a shared model version to a serving endpoint of a
// target region, verifies it, and rolls it back when it misbehaves:
// [DeployWithRollback].
//
// Databricks already keeps the old config serving until a new one is ready,
// but it has no health gates, no traffic steps and no rollback on bad
// behaviour; this package adds them:
//
//   - The live config is snapshotted before the first write (after any update
//     in progress has finished). The new served entity inherits every setting
//     of the live entity it replaces, then takes the [Entity] fields set.
//   - Each update is followed by a wait, under a deadline, for the update this
//     run started to end NOT_UPDATING, READY and every served entity
//     DEPLOYMENT_READY, then by a check that the config version advanced and
//     the entities and routes are the ones asked for: success is never
//     inferred from the absence of an error.
//   - Health checks: readiness always; optionally [Probe]s ([LoadProbes] reads
//     them from a JSON file). A probe that errors is not a pass, and neither
//     is a sample too small to judge.
//   - An optional canary ([Spec].Canary) adds the new version beside the live
//     one and shifts traffic step by step, probing the new entity directly
//     ([EntityQuerier]) and the endpoint as a whole at each step.
//   - On failure the exact snapshot is restored (served entities with the
//     fields the service reported, routes, auto-capture) under
//     context.WithoutCancel with its own deadline, or the endpoint is left as
//     it is ([Freeze]).
//   - [Result].Snapshot keeps the config a deployment replaced:
//     [Result.Restore] ([Restore]) puts it back later, with the same wait
//     and go-cmp check as a rollback, clearing the [CanaryTag] mark and
//     refusing an endpoint someone else changed since; [Check] runs a
//     deployment's health checks again without writing. A fleet rollout
//     uses them to restore regions that shipped and to re-check a wave.
//
// # How the service answers
//
// The service's GET may name routes by served_model_name (alone or beside
// served_entity_name) and mirror served_entities into served_models; routes
// are compared by served entity, falling back to the model name, and
// requests carry only served_entities and served_entity_name routes. The
// service fills defaults (workload type CPU, burst scaling on) and may leave
// them out of its GET: a restore sends exactly the fields the snapshot had.
// Traffic is routed at random by percentage.
//
// # Endpoint states
//
// A run reads the endpoint first and acts on what it finds:
//
//	missing                                  create it (tag OwnerTag)
//	an update in flight                      wait for it, then decide again
//	last update failed                       judge the live config, which still serves
//	serves the asked version as asked        write nothing; run the health checks
//	serves one version of the model          deploy (direct or canary)
//	our canary of the asked entity           continue from its current weight
//	our canary of another entity             route all traffic back to the others,
//	                                         remove it, then decide again
//	our mark, entity gone or promoted        clear the mark, then decide again
//	a split with no mark of ours             refuse: never remove others' entities
//	another model; no live config, not ours  refuse
//
// "Our canary" is told by the [CanaryTag] tag, set before a canary's first
// update and cleared at promotion or rollback, so a run killed at any point
// leaves an endpoint the next run can finish or undo. [Result].Outcome is set
// on every path.
//
// Polling uses its own nil-safe loop with the backoff of
// [github.com/org/xregion-action/xregion.WithBackOff], never the SDK's
// waiters, and logs the endpoint's state at least every 30 seconds. HTTP 409
// "update in progress" is retried after waiting for the running update;
// throttling and unavailability are left to the SDK, which already retries
// them. A cancelled ctx rolls back; [github.com/org/xregion-action/xregion.WithStop]
// ends even the rollback's waits.
//
// This package imports only [github.com/org/xregion-action/xregion] of
// xregion's own packages.
package endpoint
