// Package rollout chains xregion's steps into the pipeline for one target
// region — discover, check the target ([deps.Preflight]), share, mount the
// share, wait for the share to reach the target ([deps.WaitShareVisible]),
// check preconditions, publish online, wait, deploy with rollback — and runs
// it for many regions at once with bounded concurrency: [Region] and
// [Regions]. Nothing is written before the inputs and the target have been
// checked, in real runs and dry runs alike.
//
// [Regions] is a fleet rollout: the work the regions share (discovery, every
// target's checks, the share and every recipient's grant) is done once,
// before the first wave; then the regions roll out in the waves of a [Plan],
// each wave's regions concurrently, a wave only after the one before shipped
// and passed its checks (and an optional bake with re-checks). A failure
// leaves later waves untouched, and with [Plan].AllOrNothing restores every
// region the run shipped to its exact pre-run endpoint config
// ([endpoint.Restore]). Every region's [RegionResult] comes back as data,
// with its wave and [Status], and an error naming each region that failed or
// was not started. Per-region settings (endpoint name, online catalog,
// workload size) are [Target] fields. It is the library's API for custom Go
// tools; the GitHub Action in action/ is a thin binary over it, which only
// parses a regions file into targets and a plan.
//
// Every run takes the source workspace as a [Workspace] value and each
// target as a [Target]. The zero Workspace ([Workspace.IsZero]) is a run
// without the source: the deploy phase, with the target's credentials only,
// or a teardown or status of the targets alone.
//
// # Import graph
//
// rollout sits above the step packages: it imports
// [github.com/org/xregion-action/xregion/deps],
// [github.com/org/xregion-action/xregion/online] and
// [github.com/org/xregion-action/xregion/endpoint], which import only
// [github.com/org/xregion-action/xregion]. Nothing in the library imports
// rollout.
package rollout
