// Package usertest is an example of a team's own code built on xregion, and
// of its unit test against xregion's shipped fakes (ship_test.go): no
// workspace, no network, no sleeping.
package usertest

import (
	"context"
	"fmt"
	"slices"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
)

// Report says how a release went.
type Report struct {
	Version    int
	Shipped    []string // regions now serving the version
	RolledBack []string // regions where it failed its checks and was rolled back
}

// ShipChampion rolls the model's @champion version out to every region with
// a 10% then 100% canary and a smoke probe, and reports which regions
// shipped and which rolled back. It fails only if a region needs attention
// (neither shipped nor rolled back cleanly).
func ShipChampion(ctx context.Context, src rollout.Workspace, regions []rollout.Target, model string, smoke endpoint.Probe, opts ...xregion.Option) (*Report, error) {
	results, _ := rollout.Regions(ctx, src, regions, rollout.Spec{
		Model: model, Version: "@champion", OnlineCatalog: "serving",
		Endpoint: endpoint.Spec{Canary: []int{10, 100}, Probes: []endpoint.Probe{smoke}},
	}, rollout.Plan{}, opts...)
	r := &Report{}
	var attention []string
	for _, res := range results {
		r.Version = max(r.Version, res.Version)
		switch {
		case res.Endpoint != nil && (res.Endpoint.Outcome == endpoint.OutcomeDeployed || res.Endpoint.Outcome == endpoint.OutcomeUnchanged):
			r.Shipped = append(r.Shipped, res.Region)
		case res.Endpoint != nil && res.Endpoint.Outcome == endpoint.OutcomeRolledBack:
			r.RolledBack = append(r.RolledBack, res.Region)
		default:
			attention = append(attention, res.Region+": "+res.Error)
		}
	}
	slices.Sort(r.Shipped)
	slices.Sort(r.RolledBack)
	if len(attention) > 0 {
		return r, fmt.Errorf("regions need attention: %v", attention)
	}
	return r, nil
}
