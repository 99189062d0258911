package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
	"github.com/sethvargo/go-githubactions"
)

// Secrets the regions file names by variable; none may appear in output.
const (
	euToken  = "dapi-EU-REGION-SECRET-111"
	apSecret = "m2m-AP-REGION-SECRET-222"
	usToken  = "dapi-US-REGION-SECRET-333"
)

// fleetWorld is the source of fakeWorld and three target regions, reached
// by host.
type fleetWorld struct {
	fakeWorld
	ap, us *xregiontest.Workspace

	mu        sync.Mutex
	connected []string // the hosts connect was asked for
}

const (
	apHost = "https://ap-southeast-1.cloud.databricks.example"
	usHost = "https://us-west-2.cloud.databricks.example"
)

func newFleetWorld() *fleetWorld {
	w := &fleetWorld{fakeWorld: newFakeWorld()}
	w.ap = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-southeast-1"))
	w.us = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-west-2"))
	for _, ws := range []*xregiontest.Workspace{w.ap, w.us} {
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	}
	xregiontest.Link(w.src, w.dst, w.ap, w.us)
	return w
}

func (w *fleetWorld) connect(_ context.Context, label string, s side, _ func(string) string) (rollout.Workspace, error) {
	w.mu.Lock()
	w.connected = append(w.connected, s.Host)
	w.mu.Unlock()
	ws := map[string]*xregiontest.Workspace{srcHost: w.src, dstHost: w.dst, apHost: w.ap, usHost: w.us}[s.Host]
	if ws == nil {
		return rollout.Workspace{}, fmt.Errorf("connect to the %s workspace %s: no such host", label, s.Host)
	}
	out := rollouttest.Workspace(ws)
	out.Caller = "xregion-test@example.com"
	return out, nil
}

func (w *fleetWorld) all() []*xregiontest.Workspace {
	return []*xregiontest.Workspace{w.src, w.dst, w.ap, w.us}
}

func (w *fleetWorld) writes() []xregiontest.Write {
	var out []xregiontest.Write
	for _, ws := range w.all() {
		out = append(out, ws.Writes()...)
	}
	return out
}

func (w *fleetWorld) resetWrites() {
	for _, ws := range w.all() {
		ws.ResetWrites()
	}
}

// fleetEnv maps the secrets into the variables the regions file names, as
// a workflow's env: block would.
var fleetEnv = map[string]string{"EU_WEST_1_TOKEN": euToken, "AP_SECRET": apSecret, "US_WEST_2_TOKEN": usToken, "SOURCE_TOKEN": srcToken}

const regionsYAML = `# the fleet of the README
source:
  host: ` + srcHost + `
  token-env: SOURCE_TOKEN
regions:
  - name: eu-west-1
    host: ` + dstHost + `
    auth-type: pat
    token-env: EU_WEST_1_TOKEN
  - name: ap-southeast-1
    host: ` + apHost + `
    auth-type: oauth-m2m
    client-id: 6f0c1a2b-0000-4000-8000-000000000001
    client-secret-env: AP_SECRET
    workload-size: Medium
  - name: us-west-2
    host: ` + usHost + `
    token-env: US_WEST_2_TOKEN
    endpoint: fraud-us
waves:
  - [eu-west-1]
  - [ap-southeast-1, us-west-2]
`

// fleetInputs roll version 1 out to the regions of file.
func fleetInputs(t *testing.T, file string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "regions.yml")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"model": "main.ml.fraud", "version": "1", "online-catalog": "serving", "regions": path}
}

// runFleetAction runs the action with the inputs and the fleet's variables.
func runFleetAction(t *testing.T, w *fleetWorld, in map[string]string) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{outPath: filepath.Join(dir, "output"), sumSum: filepath.Join(dir, "summary")}
	env := map[string]string{"GITHUB_OUTPUT": r.outPath, "GITHUB_STEP_SUMMARY": r.sumSum, "GITHUB_ACTIONS": "true"}
	for k, v := range fleetEnv {
		env[k] = v
	}
	for k, v := range in {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	a := githubactions.New(githubactions.WithWriter(&r.log), githubactions.WithGetenv(func(k string) string { return env[k] }))
	r.err = run(t.Context(), a, w.connect, noSleep)
	return r
}

// noSecrets fails the test if a secret of the fleet appears anywhere but in
// its ::add-mask:: command.
func noSecrets(t *testing.T, r *runner, masked ...string) {
	t.Helper()
	all := r.everything(t)
	for _, s := range masked {
		if !strings.Contains(all, "::add-mask::"+s+"\n") {
			t.Errorf("secret %q was not masked", s)
		}
	}
	for _, s := range []string{euToken, apSecret, usToken, srcToken} {
		if rest := strings.ReplaceAll(all, "::add-mask::"+s+"\n", ""); strings.Contains(rest, s) {
			t.Errorf("secret %q appears in what the action wrote:\n%s", s, rest)
		}
	}
}

// syncedRE matches the sync times of online tables, which depend on how
// the regions of a wave interleave on the fakes' shared clock.
var syncedRE = regexp.MustCompile(`last synced \d{4}-\d\d-\d\dT[\d:]+Z`)

func normalTimes(s string) string { return syncedRE.ReplaceAllString(s, "last synced <time>") }

func regionsOutput(t *testing.T, r *runner) map[string]regionOutcome {
	t.Helper()
	var got map[string]regionOutcome
	if err := json.Unmarshal([]byte(r.outputs(t)["regions-result"]), &got); err != nil {
		t.Fatalf("regions-result output: %v", err)
	}
	return got
}

func TestRunFleet(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, regionsYAML)
	in["all-or-nothing"] = "true"
	r := runFleetAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v\nlog:\n%s", r.err, r.log.String())
	}
	noSecrets(t, r, euToken, apSecret, usToken, srcToken)
	tables := []string{"serving.default.ml_customer_features_online"}
	want := map[string]regionOutcome{
		"eu-west-1":      {Wave: 1, Outcome: rollout.StatusShipped, Endpoint: "fraud", EndpointOutcome: "deployed", ServedVersion: "1", OnlineTables: tables},
		"ap-southeast-1": {Wave: 2, Outcome: rollout.StatusShipped, Endpoint: "fraud", EndpointOutcome: "deployed", ServedVersion: "1", OnlineTables: tables},
		"us-west-2":      {Wave: 2, Outcome: rollout.StatusShipped, Endpoint: "fraud-us", EndpointOutcome: "deployed", ServedVersion: "1", OnlineTables: tables},
	}
	if diff := cmp.Diff(want, regionsOutput(t, r)); diff != "" {
		t.Errorf("regions-result mismatch (-want +got):\n%s", diff)
	}
	if got := w.ap.EndpointConfig("fraud").ServedEntities[0].WorkloadSize; got != "Medium" {
		t.Errorf("ap-southeast-1 workload size = %q, want the entry's Medium", got)
	}
	if out := r.outputs(t); out["rolled-back"] != "false" || out["model-version"] != "1" {
		t.Errorf("outputs rolled-back=%q model-version=%q, want false, 1", out["rolled-back"], out["model-version"])
	}
	golden(t, "summary_fleet", normalTimes(r.summary(t)))

	// A re-run converges: no write anywhere.
	w.resetWrites()
	if r := runFleetAction(t, w, in); r.err != nil {
		t.Fatalf("second run() error = %v", r.err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("second run wrote %v", got)
	}
}

func TestRunFleetAllOrNothing(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, regionsYAML)
	if r := runFleetAction(t, w, in); r.err != nil {
		t.Fatalf("first run() error = %v", r.err)
	}
	// Version 2 fails to load in us-west-2, in the second wave.
	w.us.ScriptDeployment("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	in["version"], in["all-or-nothing"] = "2", "true"
	r := runFleetAction(t, w, in)
	if r.err == nil {
		t.Fatal("run() error = nil, want the failed region to fail the step")
	}
	noSecrets(t, r)
	got := regionsOutput(t, r)
	for region, want := range map[string]rollout.Status{"eu-west-1": rollout.StatusRestored, "ap-southeast-1": rollout.StatusRestored, "us-west-2": rollout.StatusFailed} {
		if o := got[region]; o.Outcome != want || o.ServedVersion != "1" {
			t.Errorf("region %s: outcome %s, serves %q; want %s, serving 1", region, o.Outcome, o.ServedVersion, want)
		}
	}
	if out := r.outputs(t); out["rolled-back"] != "true" {
		t.Errorf("rolled-back = %q, want true", out["rolled-back"])
	}
	if !strings.Contains(r.log.String(), "::error title=xregion%3A fleet failed; shipped regions restored::") {
		t.Errorf("log has no restore annotation:\n%s", r.log.String())
	}
	golden(t, "summary_fleet_restored", normalTimes(r.summary(t)))
}

func TestRunFleetRejectsBadFiles(t *testing.T) {
	t.Parallel()
	region := func(name, host string, extra ...string) string {
		return "  - name: " + name + "\n    host: " + host + "\n    token-env: EU_WEST_1_TOKEN\n" + strings.Join(extra, "")
	}
	two := region("eu-west-1", dstHost) + region("ap-southeast-1", apHost)
	tests := []struct {
		name string
		file string
		in   map[string]string
		// want are the parts of the one-line error: the entry and the key.
		want []string
	}{
		{"unknown_key", "regions:\n" + region("eu-west-1", dstHost, "    tokn-env: X\n"), nil, []string{"regions[0] (eu-west-1)", `key "tokn-env": unknown key (line 5)`}},
		{"unknown_top_key", "region:\n" + region("eu-west-1", dstHost), nil, []string{`key "region": unknown key`}},
		{"duplicate_name", "regions:\n" + region("eu-west-1", dstHost) + region("eu-west-1", apHost), nil, []string{"regions[1] (eu-west-1)", `key "name": the name is used by regions[0] too`}},
		{"duplicate_key", "regions:\n" + region("eu-west-1", dstHost, "    host: "+apHost+"\n"), nil, []string{"regions[0]", `key "host": given twice`}},
		{"wave_names_unlisted_region", "regions:\n" + two + "waves:\n  - [eu-west-1]\n  - [ap-southeast-1, us-west-2]\n", nil, []string{"waves[1]", `region "us-west-2" is not listed under regions`}},
		{"region_in_no_wave", "regions:\n" + two + "waves:\n  - [eu-west-1]\n", nil, []string{`key "waves"`, "ap-southeast-1 are in no wave"}},
		{"region_in_two_waves", "regions:\n" + two + "waves:\n  - [eu-west-1, ap-southeast-1]\n  - [eu-west-1]\n", nil, []string{"waves[1]", `region "eu-west-1" is in waves[0] too`}},
		{"missing_variable", "regions:\n  - name: eu-west-1\n    host: " + dstHost + "\n    token-env: NOT_SET\n", nil, []string{"regions[0] (eu-west-1)", `key "token-env": the environment variable NOT_SET is not set`}},
		{"secret_in_file", "regions:\n  - name: eu-west-1\n    host: " + dstHost + "\n    token-env: dapi-pasted-token\n", nil, []string{"regions[0] (eu-west-1)", `key "token-env": want the name of an environment variable`}},
		{"no_credentials", "regions:\n  - name: eu-west-1\n    host: " + dstHost + "\n", nil, []string{"regions[0] (eu-west-1)", `key "token-env": no credentials`}},
		{"bad_host", "regions:\n" + region("eu-west-1", "http://eu.example"), nil, []string{"regions[0] (eu-west-1)", `key "host" "http://eu.example": want an https://`}},
		{"bad_auth_type", "regions:\n" + region("eu-west-1", dstHost, "    auth-type: basic\n"), nil, []string{"regions[0] (eu-west-1)", `key "auth-type" "basic"`}},
		{"bad_endpoint_override", "regions:\n" + region("eu-west-1", dstHost, "    endpoint: fraud eu\n"), nil, []string{"regions[0] (eu-west-1)", `key "endpoint" "fraud eu"`}},
		{"no_regions", "source:\n  host: " + srcHost + "\n", nil, []string{`key "regions": required`}},
		{"not_yaml", "regions: [\n", nil, []string{"not valid YAML or JSON"}},
		{"json_unknown_key", `{"regions": [{"name": "eu-west-1", "host": "` + dstHost + `", "token-env": "EU_WEST_1_TOKEN", "size": "Small"}]}`, nil, []string{"regions[0] (eu-west-1)", `key "size": unknown key`}},
		{"with_target_host", "regions:\n" + region("eu-west-1", dstHost), map[string]string{"target-host": dstHost}, []string{"give regions or target-host"}},
		{"wave_bake_without_regions", "", map[string]string{"regions": "", "target-host": dstHost, "target-token": "x", "wave-bake": "10m"}, []string{`invalid wave-bake "10m"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newFleetWorld()
			in := fleetInputs(t, tt.file)
			in["source-host"], in["source-token"] = srcHost, srcToken
			for k, v := range tt.in {
				in[k] = v
			}
			r := runFleetAction(t, w, in)
			if r.err == nil {
				t.Fatal("run() error = nil")
			}
			msg := r.err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
			if in["regions"] != "" && !strings.Contains(msg, `invalid regions "`+in["regions"]+`"`) {
				t.Errorf("error %q does not name the input and the file", msg)
			}
			for _, part := range tt.want {
				if !strings.Contains(msg, part) {
					t.Errorf("error %q does not say %q", msg, part)
				}
			}
			if len(w.connected) != 0 || len(w.writes()) != 0 {
				t.Errorf("a bad file connected to %v and wrote %v before failing", w.connected, w.writes())
			}
			noSecrets(t, r)
			if strings.Contains(r.log.String()+msg, "dose1234abcd") {
				t.Errorf("a value pasted into the file is echoed:\n%s", r.log.String())
			}
		})
	}
}

func TestRunFleetJSON(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, `{"regions": [{"name": "eu", "host": "`+dstHost+`", "token-env": "EU_WEST_1_TOKEN"}, {"name": "ap", "host": "`+apHost+`", "token-env": "US_WEST_2_TOKEN"}],
		"waves": [["ap"], ["eu"]]}`)
	in["source-host"], in["source-token"] = srcHost, srcToken
	r := runFleetAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v\nlog:\n%s", r.err, r.log.String())
	}
	got := regionsOutput(t, r)
	if got["ap"].Wave != 1 || got["eu"].Wave != 2 || got["ap"].Outcome != rollout.StatusShipped || got["eu"].Outcome != rollout.StatusShipped {
		t.Errorf("regions-result = %+v, want ap in wave 1 and eu in wave 2, both shipped", got)
	}
	noSecrets(t, r, euToken, usToken)
}

// TestExampleRegionsFile checks that the regions file of the fleet example
// workflow parses, with the variables the workflow maps.
func TestExampleRegionsFile(t *testing.T) {
	t.Parallel()
	env := map[string]string{"EU_WEST_1_TOKEN": "a", "AP_SOUTHEAST_1_TOKEN": "b", "US_WEST_2_TOKEN": "c"}
	a := githubactions.New(githubactions.WithWriter(new(strings.Builder)), githubactions.WithGetenv(func(k string) string { return env[k] }))
	f, err := loadRegions(a, "../examples/regions.yml", rollout.Spec{Model: "main.ml.fraud", OnlineCatalog: "serving"})
	if err != nil {
		t.Fatalf("loadRegions() error = %v", err)
	}
	var names []string
	for _, r := range f.Regions {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([][]string{{"eu-west-1"}, {"ap-southeast-1", "us-west-2"}}, f.Waves); diff != "" {
		t.Errorf("waves mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"eu-west-1", "ap-southeast-1", "us-west-2"}, names); diff != "" {
		t.Errorf("regions mismatch (-want +got):\n%s", diff)
	}
}

func TestRunFleetDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newFleetWorld()
	in := fleetInputs(t, regionsYAML)
	in["dry-run"], in["all-or-nothing"] = "true", "true"
	r := runFleetAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v\nlog:\n%s", r.err, r.log.String())
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("a dry run wrote %v", got)
	}
	for region, o := range regionsOutput(t, r) {
		if o.Outcome != rollout.StatusPlanned {
			t.Errorf("region %s: outcome %s, want planned", region, o.Outcome)
		}
	}
	if !strings.HasPrefix(r.summary(t), "### xregion fleet plan (dry run: nothing was written)") {
		t.Errorf("summary does not say it is a plan:\n%s", r.summary(t))
	}
}
