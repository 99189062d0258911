// Package rollout chains xregion's steps into the pipeline for one target
// region — discover, check the target ([deps.Preflight]), share, mount the
// share, wait for the share to reach the target ([deps.WaitShareVisible]),
// check preconditions, publish online, wait, deploy with rollback — and runs
// it for many regions at once with bounded concurrency: [Region] and
// [Regions]. Nothing is written before the inputs and the target have been
// checked, in real runs and dry runs alike.
//
// One region's failure does not stop the others: [Regions] returns every
// region's [RegionResult] as data, and an error naming each failed region
// and why. It is the library's API for custom Go tools; the GitHub Action in
// action/ is a thin binary over it.
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
