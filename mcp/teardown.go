package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
)

type (
	teardownIn struct {
		Regions []string `json:"regions,omitempty" jsonschema:"regions' names in the regions file; default all"`
		specArgs
		Adopt string `json:"adopt,omitempty" jsonschema:"kinds of unmarked objects (made before xregion marked what it makes) to treat as the model's: endpoint, online-store, catalog, recipient, share, or all; default none"`
	}
	teardownOut struct {
		// Teardown is the dry run: per region and for the source, every
		// object a teardown would remove, keep (and why) or find absent.
		Teardown *rollout.FleetTeardown `json:"teardown"`
	}
)

// teardownTool registers plan_teardown. A teardown itself is left to the
// action's command teardown, behind its confirmation input and a human.
func (s *server) teardownTool(srv *mcp.Server) {
	add(s, srv, &mcp.Tool{Name: "plan_teardown", Annotations: readOnly("Plan a teardown (dry run)"),
		Description: "A dry run of a teardown of the model from the regions and the source: every object xregion made for it (endpoint, online tables and store, shared catalog, grants, recipients, share objects, share) with what a teardown would do: removed, kept (and why: not made by xregion, still used by other models or endpoints) or already absent. Writes nothing."},
		s.planTeardown)
}

func (s *server) planTeardown(ctx context.Context, _ *mcp.CallToolRequest, in teardownIn) (*teardownOut, string, error) {
	adopt, err := xregion.ParseAdopt("adopt", in.Adopt)
	if err != nil {
		return nil, "", err
	}
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	targets, err := s.targets(ctx, in.Regions)
	if err != nil {
		return nil, "", err
	}
	for _, t := range targets {
		if _, err := in.in(t); err != nil {
			return nil, "", err
		}
	}
	ft, err := rollout.TeardownRegions(ctx, src, targets, in.spec(), rollout.TeardownSpec{Adopt: adopt}, rollout.Plan{},
		append(slices.Clip(s.opts()), xregion.WithDryRun())...)
	if ft == nil {
		return nil, "", err
	}
	out := &teardownOut{Teardown: ft}
	var parts []string
	for _, r := range append(slices.Clip(ft.Regions), ft.Source) {
		if r == nil {
			continue
		}
		p := fmt.Sprintf("%s: would remove %d, keep %d, absent %d", r.Region, r.Count(xregion.OpRemoved), r.Count(xregion.OpKept), r.Count(xregion.OpAbsent))
		for _, rm := range r.Removals {
			if rm.Op == xregion.OpKept {
				p += "; keeps " + string(rm.Kind) + " " + rm.Name + " (" + rm.Why + ")"
			}
		}
		if r.Error != "" {
			p += "; error: " + r.Error
		}
		parts = append(parts, p)
	}
	return out, strings.Join(parts, " | "), err
}
