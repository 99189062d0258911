package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
	"github.com/sethvargo/go-githubactions"
)

var update = flag.Bool("update", false, "update .golden files")

var noSleep = xregion.WithoutPause()

const (
	srcHost     = "https://us-east-1.cloud.databricks.example"
	dstHost     = "https://eu-west-1.cloud.databricks.example"
	srcToken    = "dapi-SOURCE-SECRET-0123456789"
	dstSecret   = "m2m-TARGET-SECRET-9876543210"
	dstClientID = "9e1b2c3d-0000-4000-8000-00000000abcd"
)

// fakeWorld is a source region holding the fraud model, linked to a target
// region with a writable catalog "serving".
type fakeWorld struct {
	src, dst *xregiontest.Workspace
}

func newFakeWorld() fakeWorld {
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	src.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{
		Dependencies: []catalog.Dependency{{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}}},
	}}, "FUNCTION_FEATURE_SPEC")
	for v := 1; v <= 2; v++ {
		src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
	}
	return fakeWorld{src: src, dst: dst}
}

// connect hands out the fakes by host, as connectSDK hands out clients.
func (w fakeWorld) connect(_ context.Context, label string, s side, _ func(string) string) (rollout.Workspace, error) {
	ws := map[string]*xregiontest.Workspace{srcHost: w.src, dstHost: w.dst}[s.Host]
	if ws == nil {
		return rollout.Workspace{}, fmt.Errorf("connect to the %s workspace %s: no such host", label, s.Host)
	}
	// connectSDK learns the caller from its first call; the fakes' caller
	// is their default user.
	out := rollouttest.Workspace(ws)
	out.Caller = "xregion-test@example.com"
	return out, nil
}

func (w fakeWorld) writes() []xregiontest.Write { return append(w.src.Writes(), w.dst.Writes()...) }

func (w fakeWorld) resetWrites() { w.src.ResetWrites(); w.dst.ResetWrites() }

// baseInputs roll version 1 out with a PAT on the source and OAuth M2M on
// the target.
func baseInputs() map[string]string {
	return map[string]string{
		"model": "main.ml.fraud", "version": "1",
		"source-host": srcHost, "source-token": srcToken,
		"target-host": dstHost, "target-client-id": dstClientID, "target-client-secret": dstSecret,
		"online-catalog": "serving",
	}
}

// runner holds one run of the action: its log, outputs and summary.
type runner struct {
	log             bytes.Buffer
	outPath, sumSum string
	err             error
}

func runAction(t *testing.T, w fakeWorld, in map[string]string) *runner {
	t.Helper()
	return runActionWith(t, t.Context(), w, in, noSleep)
}

// runActionWith runs the action under ctx with opts instead of noSleep.
func runActionWith(t *testing.T, ctx context.Context, w fakeWorld, in map[string]string, opts ...xregion.Option) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{outPath: filepath.Join(dir, "output"), sumSum: filepath.Join(dir, "summary")}
	env := map[string]string{"GITHUB_OUTPUT": r.outPath, "GITHUB_STEP_SUMMARY": r.sumSum, "GITHUB_ACTIONS": "true"}
	for k, v := range in {
		env["INPUT_"+strings.ToUpper(k)] = v
	}
	a := githubactions.New(githubactions.WithWriter(&r.log), githubactions.WithGetenv(func(k string) string { return env[k] }))
	r.err = run(ctx, a, w.connect, opts...)
	return r
}

// outputRE matches one output as SetOutput writes it: name<<delimiter,
// value, delimiter.
var outputRE = regexp.MustCompile(`(?s)([\w-]+)<<(_GitHubActionsFileCommandDelimeter_)\n(.*?)\n_GitHubActionsFileCommandDelimeter_\n`)

func (r *runner) outputs(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(r.outPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range outputRE.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[3]
	}
	return out
}

func (r *runner) summary(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(r.sumSum)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// everything is every byte the run wrote: log, outputs and summary.
func (r *runner) everything(t *testing.T) string {
	t.Helper()
	out, _ := os.ReadFile(r.outPath)
	return r.log.String() + string(out) + r.summary(t)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestRunDeploys(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	r := runAction(t, w, baseInputs())
	if r.err != nil {
		t.Fatalf("run() error = %v\nlog:\n%s", r.err, r.log.String())
	}
	got := r.outputs(t)
	delete(got, "result") // checked below
	want := map[string]string{
		"share": "xregion_main_ml_fraud", "shared-catalog": "xregion_main_ml_fraud", "model-version": "1",
		"endpoint": "fraud", "endpoint-url": dstHost + "/serving-endpoints/fraud/invocations",
		"served-version": "1", "previous-version": "", "rolled-back": "false",
		"online-tables":  `["serving.default.ml_customer_features_online"]`,
		"regions-result": `{"eu-west-1":{"wave":1,"outcome":"shipped","endpoint":"fraud","endpoint_outcome":"deployed","served_version":"1","previous_version":"","rolled_back":false,"restored":false,"online_tables":["serving.default.ml_customer_features_online"]}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs mismatch (-want +got):\n%s", diff)
	}
	if res := r.outputs(t)["result"]; !strings.Contains(res, `"outcome":"deployed"`) {
		t.Errorf("result output = %s, want the deployed outcome", res)
	}
	golden(t, "summary_deployed", r.summary(t))
	for _, group := range []string{"::group::DiscoverDependencies", "::group::EnsureShare", "::group::EnsureSharedCatalog", "::group::PublishOnline", "::group::WaitOnline", "::group::DeployWithRollback"} {
		if !strings.Contains(r.log.String(), group) {
			t.Errorf("log has no %q", group)
		}
	}

	// A second run converges: no write, and the summary says unchanged.
	w.resetWrites()
	r = runAction(t, w, baseInputs())
	if r.err != nil {
		t.Fatalf("second run() error = %v", r.err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("second run wrote %v", got)
	}
	golden(t, "summary_unchanged", r.summary(t))
}

func TestRunDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	in := baseInputs()
	in["dry-run"] = "true"
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v", r.err)
	}
	if got := w.writes(); len(got) != 0 {
		t.Errorf("dry run wrote %v", got)
	}
	golden(t, "summary_plan", r.summary(t))
}

func TestRunPhases(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	in := baseInputs()
	in["phase"] = "share"
	if r := runAction(t, w, in); r.err != nil {
		t.Fatalf("share phase error = %v", r.err)
	}
	if n := len(w.dst.Writes()); n != 0 {
		t.Errorf("share phase wrote %d times in the target", n)
	}
	in = baseInputs()
	in["phase"] = "deploy"
	w.resetWrites()
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("deploy phase error = %v\n%s", r.err, r.log.String())
	}
	if n := len(w.src.Writes()); n != 0 {
		t.Errorf("deploy phase wrote %d times in the source", n)
	}
	if got := r.outputs(t)["served-version"]; got != "1" {
		t.Errorf("served-version = %q, want 1", got)
	}
}

// The share phase with a named recipient runs on the source alone: no
// target credentials, so the share job needs no access to the regions.
func TestRunSharePhaseWithoutTarget(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	w.src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: w.dst.GlobalMetastoreID()})
	in := baseInputs()
	for _, k := range []string{"target-host", "target-client-id", "target-client-secret"} {
		delete(in, k)
	}
	in["phase"], in["recipient"] = "share", "eu"
	r := runAction(t, w, in)
	if r.err != nil {
		t.Fatalf("run() error = %v\n%s", r.err, r.log.String())
	}
	if n := w.dst.Calls("Metastores.Summary"); n != 0 {
		t.Errorf("the share phase read the target %d times", n)
	}
	if got := r.outputs(t); got["share"] != "xregion_main_ml_fraud" || got["endpoint"] != "" || got["model-version"] != "1" {
		t.Errorf("outputs = %v, want the share and version, and no endpoint", got)
	}
}

// A run that fails before the rollout still sets the outputs later steps
// read, and a summary.
func TestRunFailureStillReports(t *testing.T) {
	t.Parallel()
	in := baseInputs()
	in["model"] = "fraud"
	r := runAction(t, newFakeWorld(), in)
	if r.err == nil {
		t.Fatal("run() error = nil")
	}
	got := r.outputs(t)
	if got["rolled-back"] != "false" || !strings.Contains(got["result"], `"error":`) {
		t.Errorf("outputs = %v, want rolled-back=false and a result with the error", got)
	}
	if !strings.Contains(r.summary(t), "failed before the rollout started") {
		t.Errorf("summary = %q", r.summary(t))
	}
}

func TestRunRollsBack(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	if r := runAction(t, w, baseInputs()); r.err != nil {
		t.Fatalf("first run() error = %v", r.err)
	}
	// Version 2 answers badly: its probe fails and it is rolled back.
	w.dst.ScriptQuery("xregion_main_ml_fraud.ml.fraud", "2", xregiontest.QueryScript{Predictions: []any{0.99}})
	probes := filepath.Join(t.TempDir(), "probes.json")
	if err := os.WriteFile(probes, []byte(`{"probes": [{"name": "smoke", "request": {"dataframe_records": [{"customer_id": 42}]},
		"expect": {"path": "predictions.0", "equals": 0.5, "tolerance": 0.1}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	in := baseInputs()
	in["version"], in["health-checks"] = "2", probes
	r := runAction(t, w, in)
	if r.err == nil {
		t.Fatal("run() error = nil, want the rollback to fail the step")
	}
	out := r.outputs(t)
	if out["rolled-back"] != "true" || out["served-version"] != "1" || out["previous-version"] != "1" {
		t.Errorf("outputs rolled-back=%q served-version=%q previous-version=%q, want true, 1, 1", out["rolled-back"], out["served-version"], out["previous-version"])
	}
	if !strings.Contains(r.log.String(), "::error title=xregion%3A rolled back::") {
		t.Errorf("log has no rollback annotation:\n%s", r.log.String())
	}
	golden(t, "summary_rolled_back", r.summary(t))
}

func TestRunNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	for _, in := range []map[string]string{
		baseInputs(),
		func() map[string]string { m := baseInputs(); m["version"] = "7"; return m }(),            // fails in discovery
		func() map[string]string { m := baseInputs(); m["canary"] = "10,x"; return m }(),          // fails on input
		func() map[string]string { m := baseInputs(); m["target-token"] = dstSecret; return m }(), // token and secret both given
	} {
		w := newFakeWorld()
		r := runAction(t, w, in)
		// Only the ::add-mask:: commands may carry a secret, and they must.
		all := r.everything(t)
		for _, secret := range []string{srcToken, dstSecret} {
			if !strings.Contains(all, "::add-mask::"+secret+"\n") {
				t.Errorf("secret %q was not masked", secret)
			}
			if rest := strings.ReplaceAll(all, "::add-mask::"+secret+"\n", ""); strings.Contains(rest, secret) {
				t.Errorf("secret %q appears in what the action wrote:\n%s", secret, rest)
			}
		}
	}
}

func TestRunRejectsBadInputBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	unreadable := filepath.Join(t.TempDir(), "missing.json")
	malformed := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(malformed, []byte(`{"probes": [{"name": "x"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		change    map[string]string // "" deletes the input
		wantInput string
	}{
		{"no_model", map[string]string{"model": ""}, "model"},
		{"two_part_model", map[string]string{"model": "ml.fraud"}, "model"},
		{"model_with_space", map[string]string{"model": "main.ml.fraud model"}, "model"},
		{"model_with_slash", map[string]string{"model": "main/ml.fraud.x"}, "model"},
		{"version_zero", map[string]string{"version": "0"}, "version"},
		{"version_word", map[string]string{"version": "newest"}, "version"},
		{"empty_alias", map[string]string{"version": "@"}, "version"},
		{"unknown_phase", map[string]string{"phase": "everything"}, "phase"},
		{"dry_run_not_bool", map[string]string{"dry-run": "yes"}, "dry-run"},
		{"use_existing_not_bool", map[string]string{"use-existing-catalog": "1"}, "use-existing-catalog"},
		{"scale_to_zero_not_bool", map[string]string{"scale-to-zero": "TRUE!"}, "scale-to-zero"},
		{"dry_run_odd_case", map[string]string{"dry-run": "tRUE"}, "dry-run"},
		{"poll_interval_unparseable", map[string]string{"poll-interval": "fast"}, "poll-interval"},
		{"poll_interval_too_short_for_real_hosts", map[string]string{"poll-interval": "1s"}, "poll-interval"},
		{"poll_interval_short_with_one_real_host", map[string]string{"poll-interval": "50ms", "source-host": "http://127.0.0.1:1"}, "poll-interval"},
		{"no_target_host", map[string]string{"target-host": ""}, "target-host"},
		{"target_host_not_url", map[string]string{"target-host": "eu-west-1.cloud.databricks.example"}, "target-host"},
		{"target_host_plain_http", map[string]string{"target-host": "http://eu-west-1.cloud.databricks.example"}, "target-host"},
		{"source_host_bad_scheme", map[string]string{"source-host": "ftp://src.example"}, "source-host"},
		{"no_source_credentials", map[string]string{"source-token": ""}, "source-token"},
		{"unknown_auth_type", map[string]string{"target-auth-type": "password"}, "target-auth-type"},
		{"m2m_without_secret", map[string]string{"target-client-secret": "", "target-auth-type": "oauth-m2m"}, "target-client-secret"},
		{"pat_without_token", map[string]string{"source-token": "", "source-auth-type": "pat"}, "source-token"},
		{"token_and_secret", map[string]string{"target-token": "dapi-x"}, "target-token"},
		{"canary_not_numbers", map[string]string{"canary": "10,half,100"}, "canary"},
		{"canary_not_rising", map[string]string{"canary": "50,10,100"}, "canary"},
		{"canary_not_ending_at_100", map[string]string{"canary": "10,50"}, "canary"},
		{"canary_zero", map[string]string{"canary": "0,100"}, "canary"},
		{"online_timeout_unparseable", map[string]string{"online-timeout": "ten minutes"}, "online-timeout"},
		{"endpoint_timeout_negative", map[string]string{"endpoint-timeout": "-5m"}, "endpoint-timeout"},
		{"refresh_online_unknown", map[string]string{"refresh-online": "sometimes"}, "refresh-online"},
		{"max_staleness_unparseable", map[string]string{"max-staleness": "a day"}, "max-staleness"},
		{"max_staleness_with_never", map[string]string{"refresh-online": "never", "max-staleness": "24h"}, "max-staleness"},
		{"health_checks_unreadable", map[string]string{"health-checks": unreadable}, "health-checks"},
		{"health_checks_malformed", map[string]string{"health-checks": malformed}, "health-checks"},
		{"online_catalog_is_shared_catalog", map[string]string{"online-catalog": "xregion_main_ml_fraud"}, "online-catalog"},
		{"bad_on_failure", map[string]string{"on-failure": "ignore"}, "on-failure"},
		{"bad_endpoint_name", map[string]string{"endpoint": "fraud endpoint"}, "endpoint"},
		{"bad_share_name", map[string]string{"share": "fraud.share"}, "share"},
		{"bad_capacity", map[string]string{"online-store-capacity": "CU_3"}, "online-store-capacity"},
		{"bad_store_name", map[string]string{"online-store": "Serving_Store"}, "online-store"},
		{"bad_recipient", map[string]string{"recipient": "eu recipient"}, "recipient"},
		{"bad_provider", map[string]string{"provider": "org.us"}, "provider"},
		{"bad_workload_type", map[string]string{"workload-type": "HUGE_GPU"}, "workload-type"},
		{"bad_workload_size", map[string]string{"workload-size": "Very Large"}, "workload-size"},
		{"oidc_without_id_token_permission", map[string]string{"target-client-secret": "", "target-auth-type": "github-oidc"}, "target-auth-type"},
		{"auth_inputs_without_host", map[string]string{"phase": "deploy", "provider": "org-us-east-1", "source-host": ""}, "source-host"},
		{"host_with_credentials", map[string]string{"target-host": "https://user:pw@eu.example"}, "target-host"},
		{"host_loopback_lookalike", map[string]string{"target-host": "http://127.evil.example"}, "target-host"},
		{"azure_secret_without_tenant", map[string]string{"target-auth-type": "azure-client-secret"}, "target-azure-tenant-id"},
		{"tenant_without_azure", map[string]string{"target-azure-tenant-id": "00000000-0000-0000-0000-000000000001"}, "target-azure-tenant-id"},
		{"msi_with_secret", map[string]string{"target-auth-type": "azure-msi"}, "target-auth-type"},
		{"deploy_without_source_or_provider", map[string]string{"phase": "deploy", "source-host": "", "source-token": ""}, "provider"},
		{"model_with_feature_tables_and_no_online_catalog", map[string]string{"online-catalog": ""}, "online-catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseInputs()
			for k, v := range tt.change {
				if v == "" {
					delete(in, k)
				} else {
					in[k] = v
				}
			}
			w := newFakeWorld()
			r := runAction(t, w, in)
			var ie *xregion.InputError
			if !errors.As(r.err, &ie) {
				t.Fatalf("run() error = %v, want an InputError", r.err)
			}
			if ie.Input != tt.wantInput {
				t.Errorf("error names input %q, want %q (%v)", ie.Input, tt.wantInput, r.err)
			}
			if strings.Contains(r.err.Error(), "\n") {
				t.Errorf("error is not one line: %q", r.err)
			}
			if got := w.writes(); len(got) != 0 {
				t.Errorf("run() wrote %v before rejecting its input", got)
			}
			if !strings.Contains(r.log.String(), "::error") {
				t.Errorf("no error annotation in the log:\n%s", r.log.String())
			}
		})
	}
}

// A credential pasted into a host URL is refused, naming the input, and
// never printed: not in the annotation, the summary, nor the result output.
func TestRunNeverShowsHostUserinfo(t *testing.T) {
	t.Parallel()
	const secret = "dapi-URL-SECRET-0123456789"
	tests := []struct {
		name, input, value string
	}{
		{"user_and_password", "source-host", "https://token:" + secret + "@us-east-1.cloud.databricks.example"},
		{"token_as_user", "target-host", "https://" + secret + "@eu-west-1.cloud.databricks.example/"},
		{"with_path", "target-host", "https://token:" + secret + "@eu-west-1.cloud.databricks.example/?o=1#x"},
		{"does_not_parse", "target-host", "https://token:" + secret + "@eu west 1.example"},
		{"no_scheme", "source-host", "token:" + secret + "@us-east-1.cloud.databricks.example"},
		{"loopback", "target-host", "http://token:" + secret + "@127.0.0.1:8080"},
		{"slash_in_password", "source-host", "https://token:" + secret + "/" + secret + "@us-east-1.cloud.databricks.example"},
		{"hash_in_password", "target-host", "https://token:" + secret + "#" + secret + "@eu-west-1.cloud.databricks.example"},
		{"query_in_password", "target-host", "https://token:" + secret + "?" + secret + "@eu-west-1.cloud.databricks.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseInputs()
			in[tt.input] = tt.value
			r := runAction(t, newFakeWorld(), in)
			var ie *xregion.InputError
			if !errors.As(r.err, &ie) || ie.Input != tt.input {
				t.Fatalf("run() error = %v, want an InputError naming %s", r.err, tt.input)
			}
			all := r.everything(t)
			if !strings.Contains(all, "::add-mask::"+secret) {
				t.Errorf("the secret in the URL was not masked")
			}
			var rest string // all but the mask commands
			for line := range strings.Lines(all) {
				if !strings.HasPrefix(line, "::add-mask::") {
					rest += line
				}
			}
			if strings.Contains(rest, secret) || strings.Contains(r.err.Error(), secret) {
				t.Errorf("the secret appears in what the action wrote:\n%s", rest)
			}
			if !strings.Contains(r.err.Error(), "***@") {
				t.Errorf("run() error = %q, want the URL shown with its userinfo replaced", r.err)
			}
			for _, where := range []string{r.summary(t), r.outputs(t)["result"]} {
				if !strings.Contains(where, tt.input) {
					t.Errorf("%q does not name the input %s", where, tt.input)
				}
			}
		})
	}
}

func TestWithoutUserinfo(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://h.example":             "https://h.example",
		"https://u:p@h.example/a@b":     "https://***@h.example/a@b",
		"https://p@h.example":           "https://***@h.example",
		"https://u:p@q@h.example":       "https://***@h.example",
		"u:p@h.example":                 "***@h.example",
		"https://h.example/?user=a@b.c": "https://***@b.c",
		"https://u:p/q@h.example":       "https://***@h.example",
		"https://u:p#q@h.example/a@b":   "https://***@b",
		"https://token:p/q@r@h.example": "https://***@h.example",
		"":                              "",
	} {
		if got := withoutUserinfo(in); got != want {
			t.Errorf("withoutUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

// Inputs are read the way GitHub users write them: booleans as
// @actions/core's getBooleanInput reads them, enumerations in any case.
func TestReadInputsAsUsersWriteThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change map[string]string
		check  func(in *inputs) string // what is wrong, or ""
	}{
		{"dry_run_True", map[string]string{"dry-run": "True"}, func(in *inputs) string { return ifNot(in.DryRun, "DryRun false") }},
		{"dry_run_TRUE", map[string]string{"dry-run": "TRUE"}, func(in *inputs) string { return ifNot(in.DryRun, "DryRun false") }},
		{"dry_run_False", map[string]string{"dry-run": "False"}, func(in *inputs) string { return ifNot(!in.DryRun, "DryRun true") }},
		{"dry_run_FALSE", map[string]string{"dry-run": "FALSE"}, func(in *inputs) string { return ifNot(!in.DryRun, "DryRun true") }},
		{"use_existing_catalog_True", map[string]string{"use-existing-catalog": "True"}, func(in *inputs) string {
			return ifNot(in.Spec.UseExistingCatalog, "UseExistingCatalog false")
		}},
		{"phase_Share", map[string]string{"phase": "Share"}, func(in *inputs) string {
			return ifNot(in.Spec.Phase == rollout.PhaseShare, "phase "+string(in.Spec.Phase))
		}},
		{"on_failure_FREEZE", map[string]string{"on-failure": "FREEZE"}, func(in *inputs) string {
			return ifNot(in.Spec.Endpoint.OnFailure == endpoint.Freeze, "on-failure "+string(in.Spec.Endpoint.OnFailure))
		}},
		{"auth_type_OAuth_M2M", map[string]string{"target-auth-type": "OAuth-M2M"}, func(in *inputs) string {
			return ifNot(in.Target.authType() == "oauth-m2m", "auth type "+in.Target.authType())
		}},
		{"workload_type_gpu_small", map[string]string{"workload-type": "gpu_small"}, func(in *inputs) string {
			return ifNot(in.Spec.Endpoint.Entity.WorkloadType == serving.ServingModelWorkloadTypeGpuSmall, "workload type "+string(in.Spec.Endpoint.Entity.WorkloadType))
		}},
		{"capacity_cu_2", map[string]string{"online-store-capacity": "cu_2"}, func(in *inputs) string {
			return ifNot(in.Spec.OnlineCapacity == "CU_2", "capacity "+in.Spec.OnlineCapacity)
		}},
		{"poll_interval_real_hosts", map[string]string{"poll-interval": "5s"}, func(in *inputs) string {
			return ifNot(in.PollInterval == 5*time.Second, "poll interval "+in.PollInterval.String())
		}},
		{"poll_interval_loopback_hosts", map[string]string{"poll-interval": "50ms", "source-host": "http://127.0.0.1:8001", "target-host": "http://localhost:8002"}, func(in *inputs) string {
			return ifNot(in.PollInterval == 50*time.Millisecond, "poll interval "+in.PollInterval.String())
		}},
		{"poll_interval_default", nil, func(in *inputs) string { return ifNot(in.PollInterval == 0, "poll interval "+in.PollInterval.String()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range baseInputs() {
				env["INPUT_"+strings.ToUpper(k)] = v
			}
			for k, v := range tt.change {
				env["INPUT_"+strings.ToUpper(k)] = v
			}
			a := githubactions.New(githubactions.WithWriter(io.Discard), githubactions.WithGetenv(func(k string) string { return env[k] }))
			in, err := readInputs(a)
			if err != nil {
				t.Fatalf("readInputs() error = %v", err)
			}
			if err := in.Spec.Validate(rollout.WithSource); err != nil {
				t.Fatalf("Spec.Validate() error = %v", err)
			}
			if wrong := tt.check(in); wrong != "" {
				t.Errorf("readInputs(%v): %s", tt.change, wrong)
			}
		})
	}
}

func ifNot(ok bool, wrong string) string {
	if ok {
		return ""
	}
	return wrong
}
