package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// binary builds the action once for the end-to-end tests.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "xregion-e2e")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "xregion")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", errors.New(string(out))
	}
	return bin, nil
})

const e2eToken = "dapi-e2e-secret-token"

// emulated is a source and two target regions served over HTTP on
// 127.0.0.1.
type emulated struct {
	src, eu, ap          *xregiontest.Workspace
	srcURL, euURL, apURL string
}

func newEmulated(t *testing.T, faults ...xregiontest.HTTPFault) *emulated {
	t.Helper()
	w := newFakeWorld()
	e := &emulated{src: w.src, eu: w.dst}
	e.ap = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "ap-southeast-1"))
	e.ap.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	xregiontest.Link(e.src, e.eu, e.ap)
	serve := func(ws *xregiontest.Workspace, opts ...xregiontest.HandlerOption) string {
		srv := httptest.NewServer(ws.Handler(append([]xregiontest.HandlerOption{xregiontest.WithToken(e2eToken)}, opts...)...))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	var opts []xregiontest.HandlerOption
	for _, f := range faults {
		opts = append(opts, xregiontest.WithHTTPFault(f))
	}
	e.srcURL, e.euURL, e.apURL = serve(e.src, opts...), serve(e.eu, opts...), serve(e.ap, opts...)
	return e
}

func (e *emulated) writes() int { return len(e.src.Writes()) + len(e.eu.Writes()) + len(e.ap.Writes()) }

// process is one run of the action binary as a GitHub runner starts it.
type process struct {
	exitCode         int
	stdout           string
	outputs, summary string
}

func (e *emulated) run(t *testing.T, target string, in map[string]string, extraEnv ...string) process {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatalf("build the action: %v", err)
	}
	dir := t.TempDir()
	outPath, sumPath := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	env := []string{
		"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + outPath, "GITHUB_STEP_SUMMARY=" + sumPath,
		"INPUT_POLL-INTERVAL=20ms", "HOME=" + dir, "PATH=" + os.Getenv("PATH"),
		// Variables meant for some other workspace must not leak in: with
		// DATABRICKS_GROUP_ID read, every PAT call would fail.
		"DATABRICKS_HOST=https://wrong.example", "DATABRICKS_TOKEN=wrong-token", "DATABRICKS_WORKSPACE_ID=555",
		"DATABRICKS_GROUP_ID=1", "DATABRICKS_AUTH_TYPE=oauth-m2m",
		"INPUT_MODEL=main.ml.fraud", "INPUT_VERSION=1", "INPUT_ONLINE-CATALOG=serving",
		"INPUT_SOURCE-HOST=" + e.srcURL, "INPUT_SOURCE-TOKEN=" + e2eToken,
		"INPUT_TARGET-HOST=" + target, "INPUT_TARGET-TOKEN=" + e2eToken,
	}
	for k, v := range in {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	env = append(env, extraEnv...)
	cmd := exec.CommandContext(t.Context(), bin)
	cmd.Env = env
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	err = cmd.Run()
	p := process{stdout: stdout.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		p.exitCode = exit.ExitCode()
	case err != nil:
		t.Fatalf("run the action: %v", err)
	}
	b, _ := os.ReadFile(outPath)
	p.outputs = string(b)
	b, _ = os.ReadFile(sumPath)
	p.summary = string(b)
	// The token may appear only in its ::add-mask:: command.
	all := strings.ReplaceAll(p.stdout+p.outputs+p.summary, "::add-mask::"+e2eToken+"\n", "")
	if strings.Contains(all, e2eToken) {
		t.Errorf("the token appears in what the action wrote:\n%s", all)
	}
	return p
}

func (p process) output(name string) string {
	for _, m := range outputRE.FindAllStringSubmatch(p.outputs, -1) {
		if m[1] == name {
			return m[3]
		}
	}
	return ""
}

func TestEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	for _, target := range []string{e.euURL, e.apURL} {
		p := e.run(t, target, nil)
		if p.exitCode != 0 || p.output("served-version") != "1" || p.output("rolled-back") != "false" {
			t.Fatalf("rollout to %s: exit %d, served-version %q, rolled-back %q\n%s", target, p.exitCode, p.output("served-version"), p.output("rolled-back"), p.stdout)
		}
		if !strings.Contains(p.summary, "| Endpoint `fraud` | deployed") {
			t.Errorf("summary does not say deployed:\n%s", p.summary)
		}
		if strings.Contains(p.stdout+p.outputs+p.summary, "WARN") {
			t.Errorf("the run warned:\n%s", p.stdout)
		}
	}

	// A second run makes no write, and accounts for its requests.
	before := e.writes()
	p2 := e.run(t, e.euURL, nil)
	if p2.exitCode != 0 {
		t.Fatalf("second run: exit %d\n%s", p2.exitCode, p2.stdout)
	}
	if n := e.writes() - before; n != 0 {
		t.Errorf("second run made %d writes, want 0", n)
	}
	var result struct{ Requests *rollout.Requests }
	if err := json.Unmarshal([]byte(p2.output("result")), &result); err != nil || result.Requests == nil ||
		result.Requests.Source == nil || result.Requests.Target == nil {
		t.Fatalf("second run: result %s (%v) does not account for the requests to both workspaces", p2.output("result"), err)
	}
	if tr := result.Requests.Target.Total; tr.Writes != 0 || tr.Reads == 0 || result.Requests.Target.Steps["Preflight"].Reads == 0 {
		t.Errorf("second run: target requests %+v, want reads (in Preflight too) and no write", result.Requests.Target)
	}
	if !strings.Contains(p2.summary, "API requests: ") || !strings.Contains(p2.summary, "| target | **total** |") {
		t.Errorf("second run: the summary does not account for the requests:\n%s", p2.summary)
	}

	// Version 2 answers badly in eu-west-1: rolled back, and the step fails.
	e.eu.ScriptQuery("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.QueryScript{Predictions: []any{0.99}})
	probes := filepath.Join(t.TempDir(), "probes.json")
	if err := os.WriteFile(probes, []byte(`{"probes": [{"name": "smoke", "request": {"dataframe_records": [{"x": 1}]}, "expect": {"path": "predictions.0", "equals": 0.5, "tolerance": 0.1}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p := e.run(t, e.euURL, map[string]string{"version": "2", "health-checks": probes})
	if p.exitCode == 0 || p.output("rolled-back") != "true" || p.output("served-version") != "1" {
		t.Errorf("bad version: exit %d, rolled-back %q, served-version %q; want a failed step, rolled back to 1\n%s", p.exitCode, p.output("rolled-back"), p.output("served-version"), p.stdout)
	}
}

// TestEndToEndFaults injects HTTP faults at the servers; the SDK retries
// what it retries, a re-run finishes the rest, and the final state is the
// same as without faults.
func TestEndToEndFaults(t *testing.T) {
	t.Parallel()
	faults := []xregiontest.HTTPFault{
		{Method: "GET", Path: "/api/2.1/unity-catalog/shares/", Times: 1, Status: 429, RetryAfter: "1"},
		{Method: "POST", Path: "/api/2.1/unity-catalog/catalogs", Times: 1, Status: 503},
		{Method: "PATCH", Path: "/api/2.1/unity-catalog/shares/", Times: 1, Status: 500, AfterCommit: true},
		{Method: "GET", Path: "/api/2.0/feature-store/online-stores/", Times: 1, Drop: true},
		{Method: "GET", Path: "/api/2.0/serving-endpoints/", Times: 2, Delay: 200 * time.Millisecond},
	}
	e := newEmulated(t, faults...)
	// The reads are retried; the writes whose outcome the faults hid are
	// decided again on a fresh read: the first run succeeds.
	p := e.run(t, e.euURL, nil)
	if p.exitCode != 0 {
		t.Fatalf("the first run failed through the faults (exit %d):\n%s", p.exitCode, p.stdout)
	}
	var result struct{ Requests *rollout.Requests }
	if err := json.Unmarshal([]byte(p.output("result")), &result); err != nil || result.Requests == nil || result.Requests.Source == nil || result.Requests.Target == nil {
		t.Fatalf("result %s (%v) does not account for the requests", p.output("result"), err)
	}
	// The 429 is retried after its Retry-After; the dropped GET may be
	// retried below, by net/http on a fresh connection, unseen.
	if r := result.Requests.Source.Total.Retries; r < 1 {
		t.Errorf("%d source retries accounted, want at least the 429's: %s", r, p.output("result"))
	}
	// The 503 to the catalog's creation left its outcome unknown: the step
	// read again and created it then, once.
	if w := result.Requests.Target.Steps["EnsureSharedCatalog"].Writes; w != 2 {
		t.Errorf("EnsureSharedCatalog wrote %d times, want 2 (the unknown outcome, then the decision on a fresh read): %s", w, p.output("result"))
	}
	ep, err := e.eu.ServingEndpoints.Get(t.Context(), serving.GetServingEndpointRequest{Name: "fraud"})
	if err != nil || len(ep.Config.ServedEntities) != 1 || ep.Config.ServedEntities[0].EntityVersion != "1" {
		t.Fatalf("endpoint after the faulty runs: %+v, %v; want version 1 served", ep, err)
	}
	before := e.writes()
	if p := e.run(t, e.euURL, nil); p.exitCode != 0 || e.writes() != before {
		t.Errorf("a run after convergence: exit %d, %d writes; want 0 and 0", p.exitCode, e.writes()-before)
	}
}

// TestEndToEndGitHubOIDC runs the binary with GitHub OIDC on the target: no
// secret; the SDK asks the runner's token service for an ID token and
// exchanges it at the workspace, which accepts only that.
func TestEndToEndGitHubOIDC(t *testing.T) {
	t.Parallel()
	const requestToken, idToken, clientID = "runner-request-token", "eyJ.github-id-token.sig", "7c0b3c4e-0000-4000-8000-00000000f00d"
	var (
		mu        sync.Mutex
		audiences []string
	)
	// The runner's ID-token service: it checks the job's request token.
	runner := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+requestToken {
			http.Error(rw, `{"message":"bad request token"}`, http.StatusUnauthorized)
			return
		}
		mu.Lock()
		audiences = append(audiences, r.URL.Query().Get("audience"))
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"value":%q}`, idToken)
	}))
	t.Cleanup(runner.Close)

	w := newFakeWorld()
	serve := func(ws *xregiontest.Workspace, opt xregiontest.HandlerOption) string {
		srv := httptest.NewServer(ws.Handler(opt))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	e := &emulated{src: w.src, eu: w.dst, srcURL: serve(w.src, xregiontest.WithToken(e2eToken))}
	e.euURL = serve(w.dst, xregiontest.WithFederatedClient(clientID, idToken))
	p := e.run(t, e.euURL, map[string]string{
		"target-token": "", "target-auth-type": "github-oidc", "target-client-id": clientID,
	}, "ACTIONS_ID_TOKEN_REQUEST_URL="+runner.URL+"/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+requestToken)
	if p.exitCode != 0 || p.output("served-version") != "1" {
		t.Fatalf("exit %d, served-version %q; want a rollout authenticated by GitHub OIDC\n%s", p.exitCode, p.output("served-version"), p.stdout)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(audiences) == 0 || audiences[0] == "" {
		t.Errorf("the runner's token service saw audiences %q, want the workspace's", audiences)
	}
}

// TestEndToEndGitHubOIDCRefused runs the binary with GitHub OIDC on a
// target whose federation policy does not trust the job's ID token: the
// error names target-client-id and the policy, and the runner's request
// token, which the SDK puts in its message, is masked.
func TestEndToEndGitHubOIDCRefused(t *testing.T) {
	t.Parallel()
	const requestToken, clientID = "runner-request-token-0123456789", "7c0b3c4e-0000-4000-8000-00000000f00d"
	runner := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"value":%q}`, "eyJ.token-of-another-job.sig")
	}))
	t.Cleanup(runner.Close)
	w := newFakeWorld()
	src := httptest.NewServer(w.src.Handler(xregiontest.WithToken(e2eToken)))
	t.Cleanup(src.Close)
	dst := httptest.NewServer(w.dst.Handler(xregiontest.WithFederatedClient(clientID, "eyJ.github-id-token.sig")))
	t.Cleanup(dst.Close)
	e := &emulated{src: w.src, eu: w.dst, srcURL: src.URL, euURL: dst.URL}
	p := e.run(t, e.euURL, map[string]string{
		"target-token": "", "target-auth-type": "github-oidc", "target-client-id": clientID,
	}, "ACTIONS_ID_TOKEN_REQUEST_URL="+runner.URL+"/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN="+requestToken)
	if p.exitCode == 0 {
		t.Fatalf("exit 0, want the refused ID token to fail the step\n%s", p.stdout)
	}
	if want := "::error title=xregion%3A target-client-id refused::target-client-id was refused by the target workspace " + e.euURL; !strings.Contains(p.stdout, want) {
		t.Errorf("log has no %q:\n%s", want, p.stdout)
	}
	if !strings.Contains(p.stdout, "federation policy must trust") {
		t.Errorf("the error does not point at the federation policy:\n%s", p.stdout)
	}
	all := strings.ReplaceAll(p.stdout+p.outputs+p.summary, "::add-mask::"+requestToken+"\n", "")
	if !strings.Contains(p.stdout, "::add-mask::"+requestToken) || strings.Contains(all, requestToken) {
		t.Errorf("the runner's request token is not masked, or appears in what the action wrote:\n%s", all)
	}
}

// TestEndToEndRefusedCredentials runs the binary with credentials the
// emulated workspaces refuse (401): the error names the input and the
// workspace, not the step that made the first call, and nothing is written.
func TestEndToEndRefusedCredentials(t *testing.T) {
	t.Parallel()
	const clientID, secret = "5f0c7a1e-0000-4000-8000-00000000beef", "m2m-e2e-secret"
	e := newEmulated(t)
	w := newFakeWorld()
	m2m := httptest.NewServer(w.dst.Handler(xregiontest.WithClientCredentials(clientID, secret)))
	t.Cleanup(m2m.Close)
	tests := []struct {
		name      string
		target    string
		in        map[string]string
		wantInput string
		wantHost  func() string
	}{
		{"target_token", e.euURL, map[string]string{"target-token": "dapi-not-this-one"}, "target-token", func() string { return e.euURL }},
		{"source_token", e.euURL, map[string]string{"source-token": "dapi-not-this-one"}, "source-token", func() string { return e.srcURL }},
		{"target_client_secret", m2m.URL, map[string]string{"target-token": "", "target-client-id": clientID, "target-client-secret": "not-this-one"}, "target-client-secret", func() string { return m2m.URL }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := e.writes()
			p := e.run(t, tt.target, tt.in)
			if p.exitCode == 0 {
				t.Fatalf("exit 0, want the refused credential to fail the step\n%s", p.stdout)
			}
			want := "::error title=xregion%3A " + tt.wantInput + " refused::" + tt.wantInput + " was refused by the " + strings.SplitN(tt.wantInput, "-", 2)[0] + " workspace " + tt.wantHost() + ": "
			if !strings.Contains(p.stdout, want) {
				t.Errorf("log has no %q:\n%s", want, p.stdout)
			}
			if !strings.Contains(p.summary, tt.wantInput+" was refused") || !strings.Contains(p.output("result"), tt.wantInput+" was refused") {
				t.Errorf("summary %q and result %q do not name %s", p.summary, p.output("result"), tt.wantInput)
			}
			if n := e.writes() - before; n != 0 {
				t.Errorf("%d writes, want none", n)
			}
		})
	}
}

// TestEndToEndFleet runs the binary as a runner would with a regions file:
// two regions in two waves, all-or-nothing, their tokens in variables the
// workflow's env: block maps from secrets.
func TestEndToEndFleet(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	path := filepath.Join(t.TempDir(), "regions.yml")
	file := "regions:\n" +
		"  - {name: eu-west-1, host: " + e.euURL + ", auth-type: pat, token-env: EU_TOKEN}\n" +
		"  - {name: ap-southeast-1, host: " + e.apURL + ", token-env: AP_TOKEN}\n" +
		"waves: [[eu-west-1], [ap-southeast-1]]\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	in := map[string]string{"regions": path, "all-or-nothing": "true"}
	env := []string{"INPUT_TARGET-TOKEN=", "EU_TOKEN=" + e2eToken, "AP_TOKEN=" + e2eToken}
	p := e.run(t, "", in, env...)
	if p.exitCode != 0 {
		t.Fatalf("fleet run: exit %d\n%s", p.exitCode, p.stdout)
	}
	var got map[string]regionOutcome
	if err := json.Unmarshal([]byte(p.output("regions-result")), &got); err != nil {
		t.Fatalf("regions-result %q: %v", p.output("regions-result"), err)
	}
	for region, wave := range map[string]int{"eu-west-1": 1, "ap-southeast-1": 2} {
		if o := got[region]; o.Outcome != rollout.StatusShipped || o.Wave != wave || o.ServedVersion != "1" {
			t.Errorf("region %s: %+v, want shipped in wave %d, serving 1", region, o, wave)
		}
	}
	if !strings.Contains(p.summary, "| region | wave | outcome |") {
		t.Errorf("summary has no fleet table:\n%s", p.summary)
	}

	// Version 2 fails in the second wave: the first is restored.
	e.ap.ScriptDeployment("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.Deployment{Fail: true, Message: "Model failed to load"})
	in["version"] = "2"
	p = e.run(t, "", in, env...)
	if p.exitCode == 0 || p.output("rolled-back") != "true" {
		t.Fatalf("failing fleet: exit %d, rolled-back %q; want a failed step, rolled back\n%s", p.exitCode, p.output("rolled-back"), p.stdout)
	}
	if err := json.Unmarshal([]byte(p.output("regions-result")), &got); err != nil {
		t.Fatal(err)
	}
	if o := got["eu-west-1"]; o.Outcome != rollout.StatusRestored || o.ServedVersion != "1" {
		t.Errorf("eu-west-1: %+v, want restored to version 1", o)
	}
	if c := e.eu.EndpointConfig("fraud"); c == nil || c.ServedEntities[0].EntityVersion != "1" {
		t.Errorf("eu-west-1 endpoint config %+v, want version 1 serving again", c)
	}
}

// TestEndToEndFleetRefused: a region whose workspace refuses its token
// fails the run before any write, naming the file's entry and key.
func TestEndToEndFleetRefused(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	path := filepath.Join(t.TempDir(), "regions.yml")
	file := "regions:\n" +
		"  - {name: eu-west-1, host: " + e.euURL + ", token-env: EU_TOKEN}\n" +
		"  - {name: ap-southeast-1, host: " + e.apURL + ", token-env: AP_TOKEN}\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	const wrong = "dapi-wrong-ap-token-000"
	p := e.run(t, "", map[string]string{"regions": path}, "INPUT_TARGET-TOKEN=", "EU_TOKEN="+e2eToken, "AP_TOKEN="+wrong)
	if p.exitCode == 0 {
		t.Fatalf("exit 0, want the refused region to fail the run\n%s", p.stdout)
	}
	want := `region ap-southeast-1: the credential of key "token-env" (AP_TOKEN) was refused by the workspace ` + e.apURL + `: 401 `
	if !strings.Contains(p.stdout, want) {
		t.Errorf("log does not say %q:\n%s", want, p.stdout)
	}
	if strings.Contains(strings.ReplaceAll(p.stdout+p.outputs+p.summary, "::add-mask::"+wrong+"\n", ""), wrong) {
		t.Errorf("the refused token appears in what the action wrote:\n%s", p.stdout)
	}
	if n := e.writes(); n != 0 {
		t.Errorf("a refused region let the run write %d times", n)
	}
}

// TestEndToEndTeardown runs the binary over HTTP against the emulator: a
// rollout to both regions, then a teardown of eu-west-1 without
// confirmation (refused, nothing written), as a dry run (nothing written),
// for real (eu's side and its grant go; the share stays for ap-southeast-1,
// which still serves), then of ap-southeast-1 (the share goes too), and a
// re-run that writes nothing.
func TestEndToEndTeardown(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	for _, target := range []string{e.euURL, e.apURL} {
		if p := e.run(t, target, nil); p.exitCode != 0 {
			t.Fatalf("rollout to %s: exit %d\n%s", target, p.exitCode, p.stdout)
		}
	}
	before := e.writes()
	if p := e.run(t, e.euURL, map[string]string{"command": "teardown"}); p.exitCode == 0 || !strings.Contains(p.stdout, "confirm") {
		t.Errorf("teardown without confirm: exit %d, want a failure naming confirm\n%s", p.exitCode, p.stdout)
	}
	dry := e.run(t, e.euURL, map[string]string{"command": "teardown", "dry-run": "true"})
	if dry.exitCode != 0 || !strings.Contains(dry.summary, "| endpoint | `fraud` | would be removed |") {
		t.Errorf("dry-run teardown: exit %d\n%s\n%s", dry.exitCode, dry.stdout, dry.summary)
	}
	if n := e.writes() - before; n != 0 {
		t.Errorf("the refused and the dry-run teardowns made %d writes", n)
	}

	p := e.run(t, e.euURL, map[string]string{"command": "teardown", "confirm": "main.ml.fraud"})
	if p.exitCode != 0 {
		t.Fatalf("teardown of eu-west-1: exit %d\n%s", p.exitCode, p.stdout)
	}
	var res rollout.TeardownResult
	if err := json.Unmarshal([]byte(p.output("teardown")), &res); err != nil {
		t.Fatalf("teardown output %q: %v", p.output("teardown"), err)
	}
	ops := map[xregion.Kind]xregion.Op{}
	for _, rm := range res.Removals {
		ops[rm.Kind] = rm.Op
	}
	want := map[xregion.Kind]xregion.Op{
		xregion.KindEndpoint: xregion.OpRemoved, xregion.KindOnlineTable: xregion.OpRemoved, xregion.KindOnlineStore: xregion.OpKept,
		xregion.KindCatalog: xregion.OpRemoved, xregion.KindGrant: xregion.OpRemoved, xregion.KindRecipient: xregion.OpRemoved,
		xregion.KindShareObject: xregion.OpKept, xregion.KindShare: xregion.OpKept,
	}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("teardown of eu-west-1 (-want +got):\n%s\n%s", diff, p.summary)
	}
	if !strings.Contains(p.summary, "API requests: ") {
		t.Errorf("the teardown's summary does not account for its requests:\n%s", p.summary)
	}
	if st := e.run(t, e.apURL, map[string]string{"command": "status", "fail-on-drift": "true"}); st.exitCode != 0 {
		t.Errorf("ap-southeast-1 after eu's teardown: exit %d, want it converged and serving\n%s", st.exitCode, st.stdout)
	}

	if p := e.run(t, e.apURL, map[string]string{"command": "teardown", "confirm": "main.ml.fraud"}); p.exitCode != 0 || !strings.Contains(p.summary, "| share | `xregion_main_ml_fraud` | removed |") {
		t.Fatalf("teardown of ap-southeast-1: exit %d\n%s\n%s", p.exitCode, p.stdout, p.summary)
	}
	before = e.writes()
	if p := e.run(t, e.apURL, map[string]string{"command": "teardown", "confirm": "main.ml.fraud"}); p.exitCode != 0 {
		t.Fatalf("re-run: exit %d\n%s", p.exitCode, p.stdout)
	}
	if n := e.writes() - before; n != 0 {
		t.Errorf("the re-run made %d writes", n)
	}
}
