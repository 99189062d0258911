package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
)

// modelArgs name a model version of the source workspace.
type modelArgs struct {
	Model   string `json:"model" jsonschema:"the model's three-part Unity Catalog name in the source workspace, such as main.ml.fraud"`
	Version string `json:"version,omitempty" jsonschema:"a version number, @alias (such as @champion) or latest (the default: the newest READY version)"`
}

// specArgs say what a rollout would ship; every name has the default the
// action has.
type specArgs struct {
	modelArgs
	Share         string `json:"share,omitempty" jsonschema:"the share's name; default xregion_<catalog>_<schema>_<model>"`
	SharedCatalog string `json:"shared_catalog,omitempty" jsonschema:"the catalog mounted from the share in each region; default the share's name"`
	OnlineCatalog string `json:"online_catalog,omitempty" jsonschema:"the catalog of the online tables in each region (required when the model has feature tables, unless the regions file sets it per region)"`
	Endpoint      string `json:"endpoint,omitempty" jsonschema:"the serving endpoint's name; the regions file's endpoint for a region wins (naming another is an error), else this, else the model's name with hyphens"`
}

func (a specArgs) spec() rollout.Spec {
	return rollout.Spec{Model: a.Model, Version: a.Version, Share: a.Share, SharedCatalog: a.SharedCatalog,
		OnlineCatalog: a.OnlineCatalog, Endpoint: endpoint.Spec{Name: a.Endpoint}}
}

// in returns the spec for one region of the regions file, whose own
// endpoint, online catalog and workload size apply (rollout.Region applies
// them too). An endpoint argument that names another endpoint than the
// file's for that region is refused: the call would silently act on the
// file's.
func (a specArgs) in(t rollout.Target) (rollout.Spec, error) {
	if _, err := endpointFor(t, a.Endpoint, a.Model); err != nil {
		return rollout.Spec{}, err
	}
	spec := a.spec()
	spec.Endpoint.Name = cmp.Or(t.Endpoint, spec.Endpoint.Name)
	spec.OnlineCatalog = cmp.Or(t.OnlineCatalog, spec.OnlineCatalog)
	spec.Endpoint.Entity.WorkloadSize = cmp.Or(t.WorkloadSize, spec.Endpoint.Entity.WorkloadSize)
	return spec, nil
}

// endpointFor returns the endpoint a call acts on in region t: the
// region's own from the regions file, else the argument, else the model's
// default; an argument that contradicts the file is an error.
func endpointFor(t rollout.Target, arg, model string) (string, error) {
	if t.Endpoint != "" && arg != "" && arg != t.Endpoint {
		return "", invalid.Input("endpoint", arg, "the regions file sets region %s's endpoint to %s; leave the argument out or name that one", t.Region, t.Endpoint)
	}
	return cmp.Or(t.Endpoint, arg, rollout.DefaultEndpointName(model)), nil
}

type regionArg struct {
	Region string `json:"region" jsonschema:"a region's name in the server's regions file"`
}

// Inputs and outputs of the tools.
type (
	dependenciesOut struct {
		Dependencies *deps.Dependencies `json:"dependencies"`
		// Preconditions must exist in each target under the same name.
		Preconditions []deps.Precondition `json:"preconditions,omitempty"`
	}
	listSharesIn struct {
		Workspace string `json:"workspace,omitempty" jsonschema:"source (the default) or a region's name in the regions file"`
	}
	listSharesOut struct {
		Workspace string              `json:"workspace"`
		Shares    []sharing.ShareInfo `json:"shares"`
	}
	listRecipientsOut struct {
		// Recipients are the source's recipients, without activation
		// links or tokens.
		Recipients []sharing.RecipientInfo `json:"recipients"`
	}
	shareIn struct {
		Share string `json:"share,omitempty" jsonschema:"the share's name; give it or model"`
		Model string `json:"model,omitempty" jsonschema:"a model's three-part name: its default share xregion_<catalog>_<schema>_<model>"`
	}
	shareOut struct {
		Share       *sharing.ShareInfo            `json:"share"`
		Permissions []sharing.PrivilegeAssignment `json:"permissions,omitempty"`
	}
	endpointIn struct {
		regionArg
		Model         string `json:"model" jsonschema:"the model's three-part name in the source workspace, such as main.ml.fraud"`
		Endpoint      string `json:"endpoint,omitempty" jsonschema:"the serving endpoint's name; the regions file's endpoint for the region wins (naming another is an error), else this, else the model's name with hyphens"`
		SharedCatalog string `json:"shared_catalog,omitempty" jsonschema:"the shared catalog the region serves the model from; default the share's name"`
	}
	planIn struct {
		Region string `json:"region,omitempty" jsonschema:"a region's name in the regions file; empty plans the whole fleet, wave by wave"`
		specArgs
	}
	planOut struct {
		// Regions are the dry runs, one per region: what a rollout would
		// create, update or leave unchanged, step by step.
		Regions []*rollout.RegionResult `json:"regions"`
	}
	fleetIn struct {
		Regions []string `json:"regions,omitempty" jsonschema:"regions' names in the regions file; default all"`
		specArgs
	}
	fleetOut struct {
		Regions []*rollout.RegionStatus `json:"regions"`
		// Drifted names the regions that differ from the spec, serve
		// stale features or fail their health checks.
		Drifted []string `json:"drifted,omitempty"`
	}
	validateIn struct {
		regionArg
		specArgs
	}
	validateOut struct {
		Region string `json:"region"`
		// Valid is true when a rollout to the region would find no
		// problem before its first write.
		Valid    bool     `json:"valid"`
		Problems []string `json:"problems,omitempty"`
		// Plan is the dry run the verdict comes from.
		Plan *rollout.RegionResult `json:"plan,omitempty"`
	}
)

// readOnly are the annotations of a tool that changes nothing.
func readOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, IdempotentHint: true}
}

// tools registers the server's tools.
func (s *server) tools(srv *mcp.Server) {
	add(s, srv, &mcp.Tool{Name: "inspect_model_dependencies", Annotations: readOnly("Inspect a model's dependencies"),
		Description: "What a model version of the source workspace needs in another region: its feature tables (with primary keys), Python UDFs and FeatureSpecs, and the connections and credentials that must exist in each target. Reads only."},
		s.inspect)
	add(s, srv, &mcp.Tool{Name: "list_shares", Annotations: readOnly("List Delta Sharing shares"),
		Description: "The Delta Sharing shares of a workspace of the regions file (the source by default). Reads only."},
		s.listShares)
	add(s, srv, &mcp.Tool{Name: "list_recipients", Annotations: readOnly("List share recipients"),
		Description: "The Delta Sharing recipients of the source workspace, without activation links or tokens. Reads only."},
		s.listRecipients)
	add(s, srv, &mcp.Tool{Name: "get_share_details", Annotations: readOnly("Get a share's objects and grants"),
		Description: "A share of the source workspace: the objects it shares and the recipients granted it. Reads only."},
		s.shareDetails)
	add(s, srv, &mcp.Tool{Name: "check_endpoint_status", Annotations: readOnly("Check a serving endpoint"),
		Description: "What a region's serving endpoint serves: its state, readiness, the model versions it serves with their traffic, and any canary an xregion run left. Reads only."},
		s.endpointStatus)
	add(s, srv, &mcp.Tool{Name: "plan_rollout", Annotations: readOnly("Plan a rollout (dry run)"),
		Description: "A dry run of a rollout to one region or the whole fleet: every step reads the real state and says what it would create, update or leave unchanged. Writes nothing."},
		s.plan)
	add(s, srv, &mcp.Tool{Name: "fleet_status", Annotations: readOnly("Fleet status and drift"),
		Description: "Per region: the version and traffic the endpoint serves, its state, each online table's sync state, whether share, grant and shared catalog are in place, and drift from what the source selects now (for example the version @champion names). Writes nothing."},
		s.fleetStatus)
	add(s, srv, &mcp.Tool{Name: "validate_target_configuration", Annotations: readOnly("Validate a target region"),
		Description: "Checks, reading only, that a region can take a rollout of the model: the inputs, the shared catalog, the online catalog and schema, and the connections and credentials the model needs. A region with problems is reported valid: false with one line per problem."},
		s.validate)
	s.teardownTool(srv)
}

func (s *server) inspect(ctx context.Context, _ *mcp.CallToolRequest, in modelArgs) (*dependenciesOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	d, err := deps.DiscoverDependencies(ctx, deps.SourceClients{ModelVersions: src.ModelVersions, Tables: src.Tables, Functions: src.Functions, FunctionKinds: src.FunctionKinds},
		deps.DiscoverSpec{Model: in.Model, Version: in.Version}, s.opts()...)
	if err != nil {
		return nil, "", err
	}
	out := &dependenciesOut{Dependencies: d, Preconditions: d.Preconditions()}
	return out, fmt.Sprintf("%s version %d: %d feature table(s), %d function(s), %d connection(s), %d credential(s) to have in each target",
		d.Model, d.Version, len(d.Tables), len(d.Functions), len(d.Connections), len(d.Credentials)), nil
}

func (s *server) listShares(ctx context.Context, _ *mcp.CallToolRequest, in listSharesIn) (*listSharesOut, string, error) {
	name := cmp.Or(in.Workspace, sourceName)
	c, err := s.workspace(ctx, name)
	if err != nil {
		return nil, "", err
	}
	shares, err := c.w.Shares.ListSharesAll(ctx, sharing.SharesListRequest{})
	if err != nil {
		return nil, "", fmt.Errorf("list the shares of %s: %w", name, err)
	}
	names := make([]string, len(shares))
	for i, sh := range shares {
		names[i] = sh.Name
	}
	return &listSharesOut{Workspace: name, Shares: shares}, fmt.Sprintf("%s has %d share(s): %s", name, len(shares), strings.Join(names, ", ")), nil
}

func (s *server) listRecipients(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*listRecipientsOut, string, error) {
	c, err := s.workspace(ctx, sourceName)
	if err != nil {
		return nil, "", err
	}
	rs, err := c.ws.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{})
	if err != nil {
		return nil, "", fmt.Errorf("list the recipients of the source: %w", err)
	}
	names := make([]string, len(rs))
	for i := range rs {
		rs[i] = scrubRecipient(rs[i])
		names[i] = rs[i].Name
	}
	return &listRecipientsOut{Recipients: rs}, fmt.Sprintf("the source has %d recipient(s): %s", len(rs), strings.Join(names, ", ")), nil
}

func (s *server) shareDetails(ctx context.Context, _ *mcp.CallToolRequest, in shareIn) (*shareOut, string, error) {
	name := in.Share
	if name == "" {
		if in.Model == "" {
			return nil, "", errors.New("give share (a share's name) or model (its default share)")
		}
		if _, err := xregion.ParseFullName("model", in.Model); err != nil {
			return nil, "", err
		}
		name = rollout.DefaultShareName(in.Model)
	}
	c, err := s.workspace(ctx, sourceName)
	if err != nil {
		return nil, "", err
	}
	sh, err := c.ws.Shares.Get(ctx, sharing.GetShareRequest{Name: name, IncludeSharedData: true})
	if err != nil {
		return nil, "", fmt.Errorf("read the share %s: %w", name, err)
	}
	perms, err := c.ws.Shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: name})
	if err != nil {
		return nil, "", fmt.Errorf("read the grants of the share %s: %w", name, err)
	}
	out := &shareOut{Share: sh, Permissions: perms.PrivilegeAssignments}
	var grantees []string
	for _, p := range out.Permissions {
		grantees = append(grantees, p.Principal)
	}
	return out, fmt.Sprintf("share %s: %d object(s), granted to %d recipient(s): %s", name, len(sh.Objects), len(grantees), strings.Join(grantees, ", ")), nil
}

func (s *server) endpointStatus(ctx context.Context, _ *mcp.CallToolRequest, in endpointIn) (*endpoint.Status, string, error) {
	t, err := s.target(ctx, in.Region)
	if err != nil {
		return nil, "", err
	}
	model, err := sharedModel(in.Model, in.SharedCatalog)
	if err != nil {
		return nil, "", err
	}
	name, err := endpointFor(t, in.Endpoint, in.Model)
	if err != nil {
		return nil, "", err
	}
	st, err := endpoint.Observe(ctx, t.Workspace.ServingEndpoints, name, model, nil, s.opts()...)
	if err != nil {
		return nil, "", err
	}
	return st, in.Region + ": " + st.Describe(), nil
}

func (s *server) plan(ctx context.Context, _ *mcp.CallToolRequest, in planIn) (*planOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	dry := s.opts(xregion.WithDryRun())
	if in.Region != "" {
		t, err := s.target(ctx, in.Region)
		if err != nil {
			return nil, "", err
		}
		spec, err := in.in(t)
		if err != nil {
			return nil, "", err
		}
		res, err := rollout.Region(ctx, src, t, spec, dry...)
		out := &planOut{Regions: []*rollout.RegionResult{res}}
		if err != nil {
			return out, "", err
		}
		return out, planSummary(out.Regions), nil
	}
	targets, err := s.targets(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	res, err := rollout.Regions(ctx, src, targets, in.spec(), rollout.Plan{Waves: s.cfg.File.Waves}, dry...)
	out := &planOut{Regions: res}
	if err != nil {
		return out, "", err
	}
	return out, planSummary(res), nil
}

// planSummary says per region what the dry run found.
func planSummary(res []*rollout.RegionResult) string {
	var parts []string
	for _, r := range res {
		if r == nil {
			continue
		}
		p := fmt.Sprintf("%s: version %d", r.Region, r.Version)
		if r.Endpoint != nil {
			p += ", endpoint " + string(r.Endpoint.Outcome)
		}
		if len(r.Warnings) > 0 {
			p += ", " + strings.Join(r.Warnings, "; ")
		}
		parts = append(parts, p)
	}
	return "dry run, nothing written: " + strings.Join(parts, " | ")
}

// targets connects to the regions named, all when names is empty, in the
// file's order.
func (s *server) targets(ctx context.Context, names []string) ([]rollout.Target, error) {
	if len(names) == 0 {
		names = s.cfg.File.Names()
	}
	var out []rollout.Target
	for _, n := range names {
		t, err := s.target(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *server) fleetStatus(ctx context.Context, _ *mcp.CallToolRequest, in fleetIn) (*fleetOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	targets, err := s.targets(ctx, in.Regions)
	if err != nil {
		return nil, "", err
	}
	sts, err := rollout.ObserveRegions(ctx, src, targets, in.spec(), rollout.Plan{}, s.opts()...)
	out := &fleetOut{Regions: sts}
	var parts []string
	for _, st := range sts {
		if st == nil {
			continue
		}
		p := st.Region + ": "
		switch {
		case st.Error != "":
			p += "not read (" + st.Error + ")"
		case st.Endpoint != nil:
			p += st.Endpoint.Describe()
		default:
			p += "no endpoint"
		}
		if st.Drifted() {
			out.Drifted = append(out.Drifted, st.Region)
			p += "; drift: " + strings.Join(append(append([]string{}, st.Drift...), st.Stale...), "; ")
		}
		parts = append(parts, p)
	}
	if err != nil {
		return out, "", err
	}
	lead := "converged"
	if len(out.Drifted) > 0 {
		lead = "drifted: " + strings.Join(out.Drifted, ", ")
	}
	return out, lead + " | " + strings.Join(parts, " | "), nil
}

func (s *server) validate(ctx context.Context, _ *mcp.CallToolRequest, in validateIn) (*validateOut, string, error) {
	src, err := s.source(ctx)
	if err != nil {
		return nil, "", err
	}
	t, err := s.target(ctx, in.Region)
	if err != nil {
		return nil, "", err
	}
	spec, err := in.in(t)
	if err != nil {
		return nil, "", err
	}
	res, err := rollout.Region(ctx, src, t, spec, s.opts(xregion.WithDryRun())...)
	out := &validateOut{Region: in.Region, Plan: res}
	if res != nil {
		out.Problems = append(out.Problems, res.Warnings...)
	}
	if err != nil {
		// The dry run stopped: the real run would stop there too.
		out.Problems = append(out.Problems, err.Error())
		return out, "", err
	}
	out.Valid = len(out.Problems) == 0
	if out.Valid {
		return out, in.Region + ": valid, a rollout would find no problem before its first write", nil
	}
	return out, in.Region + ": not valid: " + strings.Join(out.Problems, "; "), nil
}
