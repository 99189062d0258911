package main

import (
	"context"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion/rollout"
)

// Inputs and outputs of the changing tools.
type (
	changeIn struct {
		Region string `json:"region,omitempty" jsonschema:"a region's name in the regions file; empty: every region of the file, wave by wave"`
		specArgs
		AllOrNothing bool `json:"all_or_nothing,omitempty" jsonschema:"for the whole fleet: when any region fails, restore every region this call shipped to its exact earlier endpoint config"`
	}
	regionChangeIn struct {
		regionArg
		specArgs
	}
	rollbackIn struct {
		regionArg
		Model         string `json:"model" jsonschema:"the model's three-part name in the source workspace, such as main.ml.fraud"`
		Version       int    `json:"version" jsonschema:"the earlier version number to serve again"`
		SharedCatalog string `json:"shared_catalog,omitempty" jsonschema:"the catalog mounted from the share in the region; default the share's name"`
		Endpoint      string `json:"endpoint,omitempty" jsonschema:"the serving endpoint's name; the regions file's endpoint for the region wins (naming another is an error), else this, else the model's name with hyphens"`
	}
	changeOut struct {
		// Regions are what happened in each region, step by step:
		// created, updated or unchanged, rolled back or restored.
		Regions []*rollout.RegionResult `json:"regions"`
	}
)

// changing are the annotations of a tool that writes. destructive: it may
// replace what an endpoint serves; idempotent: a second call with the same
// arguments changes nothing more (every step converges) — not true of a
// tool whose version may be an alias or latest, which can name another
// version by the second call.
func changing(title string, destructive, idempotent bool) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, DestructiveHint: &destructive, IdempotentHint: idempotent}
}

// changeTools registers the tools that write.
func (s *server) changeTools(srv *mcp.Server) {
	add(s, srv, &mcp.Tool{Name: "share_model", Annotations: changing("Share a model version", false, false),
		Description: "The source side of a rollout: discovers what the model version needs and shares it (model, feature tables, functions) with the recipient of each region's metastore, creating the share and recipients if missing. Adds only; never removes share objects or grants it did not add."},
		s.shareModel)
	add(s, srv, &mcp.Tool{Name: "consume_shared_model", Annotations: changing("Serve a shared model in a region", true, false),
		Description: "The target side of a rollout in one region, the share in place: mounts the shared catalog, publishes the feature tables online and waits for them, then deploys the version to the endpoint through a canary with rollback. Replaces what the endpoint serves."},
		s.consume)
	add(s, srv, &mcp.Tool{Name: "rollout", Annotations: changing("Roll a model out", true, false),
		Description: "Every step for one region, or for the whole fleet wave by wave (the regions file's waves): share, shared catalog, online tables, endpoint. A failing deployment is rolled back; with all_or_nothing a failure restores the regions the call shipped. Replaces what the endpoints serve."},
		s.rollout)
	add(s, srv, &mcp.Tool{Name: "rollback_endpoint", Annotations: changing("Serve an earlier version again", true, true),
		Description: "Serves a named version again in one region (normally an earlier one), through the deploy phase of a rollout: the shared catalog and online tables are checked and refreshed as a rollout would, then the endpoint is deployed with its checks, inheriting the live config's settings. The version must still be shared with the region."},
		s.rollback)
}

// runRegion runs one region's pipeline as spec says.
func (s *server) runRegion(ctx context.Context, req *mcp.CallToolRequest, region string, args specArgs, phase rollout.Phase) (*changeOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	t, err := s.target(ctx, region)
	if err != nil {
		return nil, "", err
	}
	spec, err := args.in(t)
	if err != nil {
		return nil, "", err
	}
	spec.Phase = phase
	res, err := rollout.Region(ctx, src, t, spec, s.callOpts(ctx, req)...)
	out := &changeOut{Regions: []*rollout.RegionResult{res}}
	return out, changeSummary(out.Regions), err
}

func (s *server) shareModel(ctx context.Context, req *mcp.CallToolRequest, in changeIn) (*changeOut, string, error) {
	if in.Region != "" {
		return s.runRegion(ctx, req, in.Region, in.specArgs, rollout.PhaseShare)
	}
	return s.fleet(ctx, req, in, rollout.PhaseShare)
}

func (s *server) consume(ctx context.Context, req *mcp.CallToolRequest, in regionChangeIn) (*changeOut, string, error) {
	return s.runRegion(ctx, req, in.Region, in.specArgs, rollout.PhaseDeploy)
}

func (s *server) rollout(ctx context.Context, req *mcp.CallToolRequest, in changeIn) (*changeOut, string, error) {
	if in.Region != "" {
		return s.runRegion(ctx, req, in.Region, in.specArgs, rollout.PhaseAll)
	}
	return s.fleet(ctx, req, in, rollout.PhaseAll)
}

func (s *server) rollback(ctx context.Context, req *mcp.CallToolRequest, in rollbackIn) (*changeOut, string, error) {
	if in.Version < 1 {
		return nil, "", invalid.Input("version", strconv.Itoa(in.Version), "want the number of the earlier version to serve")
	}
	args := specArgs{modelArgs: modelArgs{Model: in.Model, Version: strconv.Itoa(in.Version)}, SharedCatalog: in.SharedCatalog, Endpoint: in.Endpoint}
	return s.runRegion(ctx, req, in.Region, args, rollout.PhaseDeploy)
}

// fleet runs every region of the file, in its waves.
func (s *server) fleet(ctx context.Context, req *mcp.CallToolRequest, in changeIn, phase rollout.Phase) (*changeOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	targets, err := s.targets(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	spec := in.spec()
	spec.Phase = phase
	res, err := rollout.Regions(ctx, src, targets, spec, rollout.Plan{Waves: s.cfg.File.Waves, AllOrNothing: in.AllOrNothing}, s.callOpts(ctx, req)...)
	out := &changeOut{Regions: res}
	return out, changeSummary(res), err
}

// changeSummary says per region how the call ended.
func changeSummary(res []*rollout.RegionResult) string {
	out := ""
	for _, r := range res {
		if r == nil {
			continue
		}
		if out != "" {
			out += " | "
		}
		out += r.Region + ": "
		switch {
		case r.Error != "":
			out += "failed: " + r.Error
		case r.Endpoint != nil:
			out += fmt.Sprintf("version %d, endpoint %s %s", r.Version, r.Endpoint.Endpoint, r.Endpoint.Outcome)
		case r.Share != nil:
			out += fmt.Sprintf("version %d shared in %s", r.Version, r.Share.Share)
		default:
			out += fmt.Sprintf("version %d", r.Version)
		}
		if r.Restored != nil {
			out += " (restored)"
		}
	}
	return out
}
