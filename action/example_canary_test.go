package main

import (
	"os"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestEndToEndExampleCanary deploys a second version with the inputs of the
// shipped matrix workflow (a 10,50,100 canary and the shipped probe file)
// on the emulator, whose routing is random as the service's is: it
// succeeds. A bad third version is rolled back exactly.
func TestEndToEndExampleCanary(t *testing.T) {
	t.Parallel()
	workflow, err := os.ReadFile("../examples/workflows/matrix.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{`canary: "10,50,100"`, `health-checks: examples/probes.json`, `endpoint: fraud`} {
		if !strings.Contains(string(workflow), in) {
			t.Fatalf("the matrix workflow no longer has %s: update this test to its inputs", in)
		}
	}
	example := map[string]string{"canary": "10,50,100", "health-checks": "../examples/probes.json", "endpoint": "fraud"}
	with := func(version string) map[string]string {
		m := map[string]string{"version": version}
		for k, v := range example {
			m[k] = v
		}
		return m
	}

	e := newEmulated(t)
	e.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 3,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
		}}})
	var result string
	for _, v := range []string{"1", "2"} {
		p := e.run(t, e.euURL, with(v))
		if p.exitCode != 0 || p.output("served-version") != v || p.output("rolled-back") != "false" {
			t.Fatalf("version %s: exit %d, served-version %q, rolled-back %q\n%s", v, p.exitCode, p.output("served-version"), p.output("rolled-back"), p.stdout)
		}
		result = p.output("result")
	}
	// Version 2 went through the canary, each probe against the new entity
	// and the endpoint as a whole.
	for _, want := range []string{"canary 10%: answers (fraud-2)", "canary 10%: answers (endpoint)", "canary 50%: latency (fraud-2)", "promote: latency"} {
		if !strings.Contains(result, `"name":"`+want+`","status":"pass"`) {
			t.Errorf("result lacks a passing check %q:\n%s", want, result)
		}
	}
	if tags := e.eu.EndpointTags("fraud"); hasTag(tags, endpoint.CanaryTag) {
		t.Errorf("canary mark left after the promotion: %v", tags)
	}

	// Version 3 fails every request: rolled back at the first canary step,
	// to exactly what served before.
	before := e.eu.EndpointConfig("fraud")
	e.eu.ScriptQuery("xregion_main_ml_fraud.ml.fraud", "3", xregiontest.QueryScript{Err: xregiontest.InvalidParameter("model error")})
	p := e.run(t, e.euURL, with("3"))
	if p.exitCode == 0 || p.output("rolled-back") != "true" || p.output("served-version") != "2" {
		t.Fatalf("bad version: exit %d, rolled-back %q, served-version %q; want a failed step, rolled back to 2\n%s", p.exitCode, p.output("rolled-back"), p.output("served-version"), p.stdout)
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(serving.EndpointCoreConfigOutput{}, "ConfigVersion"),
		cmpopts.IgnoreFields(serving.ServedEntityOutput{}, "State", "CreationTimestamp", "Creator", "ForceSendFields"),
		cmpopts.IgnoreFields(serving.Route{}, "ForceSendFields"),
		cmpopts.EquateEmpty(),
	}
	if diff := cmp.Diff(before, e.eu.EndpointConfig("fraud"), opts); diff != "" {
		t.Errorf("config after the rollback differs from the one before (-want +got):\n%s", diff)
	}
	if !strings.Contains(p.summary, "canary 10%") {
		t.Errorf("summary does not name the canary step that failed:\n%s", p.summary)
	}
}

func hasTag(tags []serving.EndpointTag, key string) bool {
	for _, tg := range tags {
		if tg.Key == key {
			return true
		}
	}
	return false
}
