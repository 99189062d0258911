package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/databricks/databricks-sdk-go"
	"github.com/google/go-cmp/cmp"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// Secrets of the test's workspaces: none may appear in any result.
const (
	srcToken = "dapi-source-secret-0001"
	euToken  = "dapi-eu-secret-0002"
	apToken  = "dapi-ap-secret-0003"
)

var secrets = []string{srcToken, euToken, apToken}

// fleet is a source and two target regions, emulated over HTTP, and the
// regions file naming them.
type fleet struct {
	src, eu, ap *xregiontest.Workspace
	file        string
	env         map[string]string
}

// newFleet emulates the fleet; apCatalog is the catalog the ap-southeast-1
// workspace has (the file names "serving" as its online catalog).
// euOpts are more options of the eu-west-1 workspace.
func newFleet(t *testing.T, apCatalog string, euOpts ...xregiontest.Option) *fleet {
	t.Helper()
	f := &fleet{
		src: xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1")),
		eu:  xregiontest.NewWorkspace(append([]xregiontest.Option{xregiontest.WithRegion("aws", "eu-west-1")}, euOpts...)...),
		ap:  xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-southeast-1")),
	}
	xregiontest.Link(f.src, f.eu, f.ap)
	f.src.AddDemoModel(2)
	f.eu.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	f.ap.AddCatalog(catalog.CatalogInfo{Name: apCatalog, CatalogType: catalog.CatalogTypeManagedCatalog})
	serve := func(w *xregiontest.Workspace, token string) string {
		s := httptest.NewServer(w.Handler(xregiontest.WithToken(token)))
		t.Cleanup(s.Close)
		return s.URL
	}
	f.env = map[string]string{"SRC_TOKEN": srcToken, "EU_TOKEN": euToken, "AP_TOKEN": apToken}
	text := "source:\n  host: " + serve(f.src, srcToken) + "\n  token-env: SRC_TOKEN\n" +
		"regions:\n" +
		"  - name: eu-west-1\n    host: " + serve(f.eu, euToken) + "\n    token-env: EU_TOKEN\n    online-catalog: serving\n" +
		"  - name: ap-southeast-1\n    host: " + serve(f.ap, apToken) + "\n    token-env: AP_TOKEN\n    online-catalog: serving\n    endpoint: fraud-ap\n" +
		"waves:\n  - [eu-west-1]\n  - [ap-southeast-1]\n"
	f.file = filepath.Join(t.TempDir(), "regions.yml")
	if err := os.WriteFile(f.file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// getenv reads the fleet's variables.
func (f *fleet) getenv(k string) string { return f.env[k] }

// rollOut ships version 1 of the demo model to eu-west-1 through the
// library, as a real SDK client does.
func (f *fleet) rollOut(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	file, err := load(f.file, f.getenv)
	if err != nil {
		t.Fatal(err)
	}
	connect := func(s client.Settings) rollout.Workspace {
		w, err := client.New(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ws, err := rollout.FromClient(w)
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	src := connect(file.Source.Client())
	eu := file.Region("eu-west-1")
	if _, err := rollout.Region(ctx, src, eu.Target(connect(eu.Settings.Client())), rollout.Spec{Model: "main.ml.fraud", Version: "1", OnlineCatalog: eu.OnlineCatalog},
		xregion.WithoutPause()); err != nil {
		t.Fatalf("rollout.Region() error = %v", err)
	}
}

// session serves the fleet's file and returns a client session to it,
// over the SDK's in-memory transport.
func (f *fleet) session(t *testing.T) *mcp.ClientSession {
	t.Helper()
	return f.sessionWith(t, mcp.NewClient(&mcp.Implementation{Name: "test"}, nil))
}

// sessionWith serves the fleet's file and returns a client session to it,
// over the SDK's in-memory transport.
func (f *fleet) sessionWith(t *testing.T, c *mcp.Client) *mcp.ClientSession {
	t.Helper()
	cs, _ := f.serve(t, c)
	return cs
}

// serve returns both ends of a session.
func (f *fleet) serve(t *testing.T, c *mcp.Client) (*mcp.ClientSession, *mcp.ServerSession) {
	t.Helper()
	file, err := load(f.file, f.getenv)
	if err != nil {
		t.Fatalf("load() error = %v", err)
	}
	srv := newServer(config{File: file, Opts: []xregion.Option{xregion.WithPollInterval(time.Millisecond)}})
	st, ct := mcp.NewInMemoryTransports()
	ctx := t.Context()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ss.Close() })
	cs, err := c.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs, ss
}

// call calls a tool and checks that no secret is in its result.
func call(t *testing.T, cs *mcp.ClientSession, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("CallTool(%s) error = %v", name, err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(b), s) {
			t.Errorf("CallTool(%s) result holds the secret %q: %s", name, s, b)
		}
	}
	return res
}

// text is a result's text.
func text(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// decode decodes a result's structured content into v.
func decode(t *testing.T, res *mcp.CallToolResult, v any) {
	t.Helper()
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("structured content %s: %v", b, err)
	}
}

// ok fails unless res is a success.
func ok(t *testing.T, name string, res *mcp.CallToolResult) {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s: IsError, text %q", name, text(res))
	}
	if text(res) == "" || res.StructuredContent == nil {
		t.Errorf("%s: want a text summary and structured content, got %+v", name, res)
	}
}

func TestListTools(t *testing.T) {
	t.Parallel()
	cs := newFleet(t, "serving").session(t)
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	readOnly := []string{"check_endpoint_status", "fleet_status", "get_share_details", "inspect_model_dependencies",
		"list_recipients", "list_shares", "plan_rollout", "plan_teardown", "validate_target_configuration"}
	// Changing tools, and whether they may replace what an endpoint serves.
	changing := map[string]bool{"share_model": false, "consume_shared_model": true, "rollout": true, "rollback_endpoint": true}
	// Only a tool that takes a version number is idempotent: an alias or
	// latest may name another version by the second call.
	idempotent := map[string]bool{"rollback_endpoint": true}
	var got []string
	for _, tool := range res.Tools {
		a := tool.Annotations
		if a == nil {
			t.Errorf("tool %s: no annotations", tool.Name)
			continue
		}
		if destructive, ok := changing[tool.Name]; ok {
			if a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint != destructive || a.IdempotentHint != idempotent[tool.Name] {
				t.Errorf("tool %s: annotations %+v, want a changing tool, destructive %v, idempotent %v", tool.Name, a, destructive, idempotent[tool.Name])
			}
		} else {
			got = append(got, tool.Name)
			if !a.ReadOnlyHint {
				t.Errorf("tool %s: annotations %+v, want ReadOnlyHint", tool.Name, a)
			}
		}
		if tool.Description == "" || tool.InputSchema == nil || tool.OutputSchema == nil {
			t.Errorf("tool %s: want a description and input and output schemas", tool.Name)
		}
		schema, _ := json.Marshal(tool.InputSchema)
		for _, banned := range []string{"host", "token", "secret", "password"} {
			if strings.Contains(strings.ToLower(string(schema)), `"`+banned) {
				t.Errorf("tool %s takes %q: %s", tool.Name, banned, schema)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, readOnly) {
		t.Errorf("read-only tools = %v, want %v", got, readOnly)
	}
	if n := len(res.Tools); n != len(readOnly)+len(changing) {
		t.Errorf("%d tools, want %d", n, len(readOnly)+len(changing))
	}
	// A region tool requires its region and model.
	for _, tool := range res.Tools {
		if tool.Name != "check_endpoint_status" {
			continue
		}
		schema, _ := json.Marshal(tool.InputSchema)
		var s struct{ Required []string }
		_ = json.Unmarshal(schema, &s)
		slices.Sort(s.Required)
		if !slices.Equal(s.Required, []string{"model", "region"}) {
			t.Errorf("check_endpoint_status requires %v, want [model region]", s.Required)
		}
	}
}

func TestReadOnlyTools(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	f.rollOut(t)
	cs := f.session(t)
	for _, w := range []*xregiontest.Workspace{f.src, f.eu, f.ap} {
		w.ResetWrites()
	}

	res := call(t, cs, "inspect_model_dependencies", map[string]any{"model": "main.ml.fraud", "version": "1"})
	ok(t, "inspect_model_dependencies", res)
	var dep dependenciesOut
	decode(t, res, &dep)
	if dep.Dependencies.Version != 1 || len(dep.Dependencies.Tables) != 1 || dep.Dependencies.Tables[0].Name != "main.ml.customer_features" || len(dep.Dependencies.Functions) != 2 {
		t.Errorf("inspect_model_dependencies = %+v, want version 1, the feature table and two functions", dep.Dependencies)
	}

	res = call(t, cs, "list_shares", nil)
	ok(t, "list_shares", res)
	var shares listSharesOut
	decode(t, res, &shares)
	if len(shares.Shares) != 1 || len(shares.Shares[0].Objects) != 0 || shares.Shares[0].Name != "xregion_main_ml_fraud" {
		t.Errorf("list_shares = %+v, want the model's share", shares.Shares)
	}

	res = call(t, cs, "get_share_details", map[string]any{"model": "main.ml.fraud"})
	ok(t, "get_share_details", res)
	var sh shareOut
	decode(t, res, &sh)
	if sh.Share == nil || len(sh.Share.Objects) < 4 || len(sh.Permissions) != 1 {
		t.Errorf("get_share_details = %+v, want the model, table and functions granted to one recipient", sh)
	}

	res = call(t, cs, "list_recipients", nil)
	ok(t, "list_recipients", res)
	var rec listRecipientsOut
	decode(t, res, &rec)
	if len(rec.Recipients) != 1 || len(sh.Permissions) == 1 && rec.Recipients[0].Name != sh.Permissions[0].Principal {
		t.Errorf("list_recipients = %+v, want the recipient the share is granted to", rec.Recipients)
	}

	res = call(t, cs, "check_endpoint_status", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud"})
	ok(t, "check_endpoint_status", res)
	var ep struct {
		Exists   bool        `json:"exists"`
		Ready    bool        `json:"ready"`
		Versions map[int]int `json:"versions"`
	}
	decode(t, res, &ep)
	if !ep.Exists || !ep.Ready || ep.Versions[1] != 100 {
		t.Errorf("check_endpoint_status(eu-west-1) = %+v, want ready, serving version 1 to all traffic", ep)
	}
	res = call(t, cs, "check_endpoint_status", map[string]any{"region": "ap-southeast-1", "model": "main.ml.fraud"})
	ok(t, "check_endpoint_status", res)
	decode(t, res, &ep)
	if ep.Exists {
		t.Errorf("check_endpoint_status(ap-southeast-1) = %+v, want no endpoint yet", ep)
	}

	res = call(t, cs, "plan_rollout", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "2"})
	ok(t, "plan_rollout", res)
	var plan planOut
	decode(t, res, &plan)
	if len(plan.Regions) != 1 || plan.Regions[0].Version != 2 || plan.Regions[0].Endpoint == nil || !strings.Contains(text(res), "dry run") {
		t.Errorf("plan_rollout(eu-west-1, 2) = %+v, text %q; want a plan of version 2 with its endpoint step", plan.Regions, text(res))
	}
	res = call(t, cs, "plan_rollout", map[string]any{"model": "main.ml.fraud", "version": "1"})
	ok(t, "plan_rollout", res)
	decode(t, res, &plan)
	if len(plan.Regions) != 2 || plan.Regions[0].Wave != 1 || plan.Regions[1].Wave != 2 {
		t.Errorf("plan_rollout(fleet) = %+v, want both regions in the file's two waves", plan.Regions)
	}

	res = call(t, cs, "fleet_status", map[string]any{"model": "main.ml.fraud", "version": "2"})
	ok(t, "fleet_status", res)
	var fs fleetOut
	decode(t, res, &fs)
	if len(fs.Regions) != 2 || !slices.Equal(fs.Drifted, []string{"eu-west-1", "ap-southeast-1"}) {
		t.Errorf("fleet_status(version 2) drifted = %v, want both regions (eu serves 1, ap nothing)", fs.Drifted)
	}
	res = call(t, cs, "fleet_status", map[string]any{"model": "main.ml.fraud", "version": "1", "regions": []string{"eu-west-1"}})
	ok(t, "fleet_status", res)
	fs = fleetOut{}
	decode(t, res, &fs)
	if len(fs.Regions) != 1 || len(fs.Drifted) != 0 || !strings.HasPrefix(text(res), "converged") {
		t.Errorf("fleet_status(eu-west-1, version 1) = %+v, text %q; want converged", fs, text(res))
	}

	res = call(t, cs, "plan_teardown", map[string]any{"model": "main.ml.fraud", "regions": []string{"eu-west-1"}})
	ok(t, "plan_teardown", res)
	var td teardownOut
	decode(t, res, &td)
	if td.Teardown == nil || len(td.Teardown.Regions) != 1 || td.Teardown.Source == nil ||
		td.Teardown.Regions[0].Removals[0].Kind != xregion.KindEndpoint || td.Teardown.Regions[0].Removals[0].Op != xregion.OpRemoved ||
		!strings.Contains(text(res), "eu-west-1: would remove") {
		t.Errorf("plan_teardown(eu-west-1) = %+v, text %q; want the endpoint planned for removal and the source side", td.Teardown, text(res))
	}
	decode(t, call(t, cs, "check_endpoint_status", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud"}), &ep)
	if !ep.Exists {
		t.Error("plan_teardown removed the endpoint")
	}

	res = call(t, cs, "validate_target_configuration", map[string]any{"region": "ap-southeast-1", "model": "main.ml.fraud"})
	ok(t, "validate_target_configuration", res)
	var v validateOut
	decode(t, res, &v)
	if !v.Valid || len(v.Problems) != 0 {
		t.Errorf("validate_target_configuration(ap-southeast-1) = %+v, want valid", v)
	}

	for _, w := range []*xregiontest.Workspace{f.src, f.eu, f.ap} {
		if got := w.Writes(); len(got) != 0 {
			t.Errorf("read-only tools wrote %v, want no writes", got)
		}
	}
}

func TestToolErrors(t *testing.T) {
	t.Parallel()
	// The online catalog of ap-southeast-1 does not exist.
	f := newFleet(t, "other")
	cs := f.session(t)
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"inspect_model_dependencies", map[string]any{"model": "main.ml.nope"}, "main.ml.nope"},
		{"check_endpoint_status", map[string]any{"region": "mars-1", "model": "main.ml.fraud"}, `region "mars-1" is not in the regions file`},
		{"check_endpoint_status", map[string]any{"region": "source", "model": "main.ml.fraud"}, "the source is not a target"},
		{"get_share_details", map[string]any{"share": "no_such_share"}, "no_such_share"},
		{"get_share_details", map[string]any{}, "give share"},
		{"plan_rollout", map[string]any{"region": "eu-west-1", "model": "not-a-model"}, "model"},
		{"inspect_model_dependencies", map[string]any{"model": "main.ml.fraud", "version": "9"}, "9"},
		{"fleet_status", map[string]any{"model": "main.ml.fraud", "regions": []string{"eu-west-1", "nowhere"}}, "nowhere"},
	}
	for _, tt := range tests {
		res := call(t, cs, tt.tool, tt.args)
		if !res.IsError {
			t.Errorf("%s(%v): not an error; text %q", tt.tool, tt.args, text(res))
			continue
		}
		if !strings.Contains(text(res), tt.want) {
			t.Errorf("%s(%v) error = %q, want it to name %q", tt.tool, tt.args, text(res), tt.want)
		}
	}
}

// TestValidateFindsProblems: a region that would fail before its first
// write is not valid, and says why.
func TestValidateFindsProblems(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "other")
	cs := f.session(t)
	res := call(t, cs, "validate_target_configuration", map[string]any{"region": "ap-southeast-1", "model": "main.ml.fraud"})
	var v validateOut
	decode(t, res, &v)
	if v.Valid || len(v.Problems) == 0 || !strings.Contains(text(res), "serving") {
		t.Errorf("validate_target_configuration(ap-southeast-1) = %+v, text %q; want not valid, naming the missing catalog serving", v, text(res))
	}
	if !res.IsError {
		t.Errorf("validate_target_configuration(ap-southeast-1): the dry run stopped, want a tool error")
	}
}

// TestRecipientTokensRemoved: a token recipient's activation link gives
// access to the share's data; listings never carry it.
func TestRecipientTokensRemoved(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	r, err := f.src.Recipients.Create(t.Context(), sharing.CreateRecipient{Name: "partner", AuthenticationType: sharing.AuthenticationTypeToken})
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, tok := range r.Tokens {
		links = append(links, tok.ActivationUrl)
	}
	links = append(links, r.ActivationUrl)
	if strings.Join(links, "") == "" {
		t.Fatal("the token recipient has no activation link: nothing to check")
	}
	cs := f.session(t)
	res := call(t, cs, "list_recipients", nil)
	ok(t, "list_recipients", res)
	b, _ := json.Marshal(res)
	for _, l := range links {
		if l != "" && strings.Contains(string(b), l) {
			t.Errorf("list_recipients holds the activation link %q", l)
		}
	}
	if !strings.Contains(string(b), "partner") {
		t.Errorf("list_recipients = %s, want the recipient partner", b)
	}
}

// TestSecretInServiceMessage: a secret the service echoes back is removed
// from the tool error.
func TestRedactor(t *testing.T) {
	t.Parallel()
	r := redactor([]string{srcToken, `a"b`})
	if got := r.Replace("refused " + srcToken + ` and {"v":"a\"b"}`); strings.Contains(got, srcToken) || strings.Contains(got, `a\"b`) {
		t.Errorf("redactor left a secret: %q", got)
	}
}

// demoShared is the demo model's name in the targets.
const demoShared = "xregion_main_ml_fraud.ml.fraud"

// served is the version the endpoint of eu-west-1 serves all traffic to.
func served(t *testing.T, cs *mcp.ClientSession) map[int]int {
	t.Helper()
	res := call(t, cs, "check_endpoint_status", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud"})
	ok(t, "check_endpoint_status", res)
	var ep struct {
		Versions map[int]int `json:"versions"`
	}
	decode(t, res, &ep)
	return ep.Versions
}

func TestChangingTools(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	f.eu.ScriptDeployment(demoShared, "1", xregiontest.Deployment{Polls: 3})
	cs := f.session(t)

	// share_model shares with every region of the file.
	res := call(t, cs, "share_model", map[string]any{"model": "main.ml.fraud", "version": "1"})
	ok(t, "share_model", res)
	var out changeOut
	decode(t, res, &out)
	if len(out.Regions) != 2 || out.Regions[0].Share == nil || out.Regions[0].Endpoint != nil {
		t.Errorf("share_model = %+v, want the share step of both regions and no endpoint", out.Regions)
	}

	// rollout to one region, with progress. It comes later: by then the
	// provider of share_model's new grant has reached eu-west-1, which has
	// not looked yet (the fakes count that delay in Providers calls, not
	// in time; a rollout at once would be told to run again in a minute).
	if _, err := f.eu.Providers.ListAll(t.Context(), sharing.ListProvidersRequest{}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var progress []string
	client := mcp.NewClient(&mcp.Implementation{Name: "test"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, r.Params.Message)
		},
	})
	pcs := f.sessionWith(t, client)
	params := &mcp.CallToolParams{Name: "rollout", Arguments: map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "1"}}
	params.SetProgressToken("rollout-1")
	res, err := pcs.CallTool(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	ok(t, "rollout", res)
	out = changeOut{}
	decode(t, res, &out)
	if len(out.Regions) != 1 || out.Regions[0].Endpoint == nil || out.Regions[0].Endpoint.Outcome != "deployed" {
		t.Fatalf("rollout(eu-west-1) = %+v, text %q; want deployed", out.Regions, text(res))
	}
	mu.Lock()
	got := slices.Clone(progress)
	mu.Unlock()
	if len(got) == 0 {
		t.Errorf("rollout sent no progress notifications")
	}
	for _, p := range got {
		for _, sec := range secrets {
			if strings.Contains(p, sec) {
				t.Errorf("progress %q holds a secret", p)
			}
		}
	}
	if v := served(t, cs); v[1] != 100 {
		t.Errorf("after rollout, eu-west-1 serves %v, want version 1", v)
	}

	// A second call changes nothing.
	res = call(t, cs, "rollout", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "1"})
	ok(t, "rollout", res)
	out = changeOut{}
	decode(t, res, &out)
	if out.Regions[0].Endpoint == nil || out.Regions[0].Endpoint.Outcome != "unchanged" {
		t.Errorf("second rollout = %+v, want unchanged", out.Regions[0].Endpoint)
	}

	// Version 2, then back to 1.
	res = call(t, cs, "rollout", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "2"})
	ok(t, "rollout", res)
	if v := served(t, cs); v[2] != 100 {
		t.Errorf("after rollout of 2, eu-west-1 serves %v", v)
	}
	res = call(t, cs, "rollback_endpoint", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": 1})
	ok(t, "rollback_endpoint", res)
	if v := served(t, cs); v[1] != 100 {
		t.Errorf("after rollback_endpoint to 1, eu-west-1 serves %v", v)
	}
}

// TestFailingRolloutIsAnError: a deployment that fails is a tool error with
// the step's message, and the endpoint serves what it served before.
func TestFailingRolloutIsAnError(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	f.rollOut(t)
	f.eu.ScriptDeployment(demoShared, "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	before := f.eu.EndpointConfig("fraud")
	cs := f.session(t)
	res := call(t, cs, "rollout", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "2"})
	if !res.IsError || !strings.Contains(text(res), "Model failed to load") {
		t.Fatalf("rollout of a failing version: IsError %v, text %q; want a tool error with the deployment's message", res.IsError, text(res))
	}
	var out changeOut
	decode(t, res, &out)
	if len(out.Regions) != 1 || out.Regions[0].Endpoint == nil || out.Regions[0].Endpoint.Outcome != "rolled-back" {
		t.Errorf("rollout result = %+v, want the endpoint rolled back", out.Regions)
	}
	if v := served(t, cs); v[1] != 100 || len(v) != 1 {
		t.Errorf("after the failed rollout, eu-west-1 serves %v, want version 1 again", v)
	}
	if diff := cmp.Diff(before.ServedEntities, f.eu.EndpointConfig("fraud").ServedEntities); diff != "" {
		t.Errorf("served entities changed (-before +after):\n%s", diff)
	}
}

// TestCancelStopsAWait: a cancelled call stops its wait at once and
// leaves no endpoint behind.
func TestCancelStopsAWait(t *testing.T) {
	t.Parallel()
	// The online store of eu-west-1 starts only after a million reads.
	const startup = 1 << 20
	f := newFleet(t, "serving", xregiontest.WithStoreStartup(startup))
	started := make(chan struct{}, 1)
	client := mcp.NewClient(&mcp.Implementation{Name: "test"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *mcp.ProgressNotificationClientRequest) {
			if strings.HasPrefix(r.Params.Message, "waiting for online store") {
				select {
				case started <- struct{}{}:
				default:
				}
			}
		},
	})
	cs, ss := f.serve(t, client)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	params := &mcp.CallToolParams{Name: "rollout", Arguments: map[string]any{"region": "eu-west-1", "model": "main.ml.fraud", "version": "1"}}
	params.SetProgressToken("cancel-me")
	done := make(chan error, 1)
	go func() {
		_, err := cs.CallTool(ctx, params)
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the call ended before its wait: %v", err)
	}
	cancel()
	if err := <-done; err == nil {
		t.Errorf("cancelled call: no error")
	}
	// Closing the session waits for the call's handler to return.
	_ = ss.Close()
	if n := f.eu.Calls("FeatureStore.GetOnlineStore"); n >= startup {
		t.Errorf("%d online store reads: the wait went on after the cancellation", n)
	}
	if c := f.eu.EndpointConfig("fraud"); c != nil {
		t.Errorf("the cancelled call made an endpoint: %+v", c)
	}
}

// TestSecretEchoedIsRedacted: a secret in a message of the client or the
// service (here, a connection error quoting the token) reaches neither the
// tool error nor the log.
func TestSecretEchoedIsRedacted(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	file, err := load(f.file, f.getenv)
	if err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	srv := newServer(config{File: file, Log: slog.New(slog.NewTextHandler(redactingWriter{&log, redactor(file.Secrets)}, nil)),
		Connect: func(_ context.Context, s client.Settings) (*databricks.WorkspaceClient, error) {
			return nil, fmt.Errorf("token %q refused by %s", s.Token, s.Host)
		}})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res := call(t, cs, "check_endpoint_status", map[string]any{"region": "eu-west-1", "model": "main.ml.fraud"})
	if !res.IsError || !strings.Contains(text(res), `token "***" refused`) {
		t.Errorf("check_endpoint_status with a refused token: IsError %v, text %q; want the error with the token redacted", res.IsError, text(res))
	}
	if l := log.String(); strings.Contains(l, euToken) || !strings.Contains(l, "refused") {
		t.Errorf("log = %q, want the failure without the token", l)
	}
}

// TestFleetRolloutAllOrNothing: the fleet rolls out in the file's waves;
// when the second wave fails, all_or_nothing restores the first, and the
// call is a tool error.
func TestFleetRolloutAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "serving")
	f.rollOut(t) // eu-west-1 serves version 1
	f.ap.ScriptDeployment(demoShared, "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	cs := f.session(t)
	res := call(t, cs, "rollout", map[string]any{"model": "main.ml.fraud", "version": "2", "all_or_nothing": true})
	if !res.IsError || !strings.Contains(text(res), "ap-southeast-1") {
		t.Fatalf("fleet rollout with a failing region: IsError %v, text %q; want a tool error naming the region", res.IsError, text(res))
	}
	var out changeOut
	decode(t, res, &out)
	if len(out.Regions) != 2 || out.Regions[0].Wave != 1 || out.Regions[1].Wave != 2 {
		t.Fatalf("fleet rollout = %+v, want both regions in their waves", out.Regions)
	}
	if out.Regions[0].Restored == nil {
		t.Errorf("eu-west-1: not reported restored: %+v", out.Regions[0])
	}
	if v := served(t, cs); v[1] != 100 || len(v) != 1 {
		t.Errorf("after the failed fleet rollout, eu-west-1 serves %v, want version 1 again", v)
	}
}
