// Package endpoint deploys a shared model version to a serving endpoint of a
// target region and rolls it back when it misbehaves.
//
// This package imports only [github.com/org/xregion-action/xregion] of
// xregion's own packages.
package endpoint
