package live

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// TestLive runs the suite against the two workspaces the XREGION_LIVE_*
// variables name, and prints the facts observed. Without them it is skipped
// with a one-line message naming what is missing.
func TestLive(t *testing.T) {
	cfg, missing := FromEnv(os.Getenv)
	if len(missing) > 0 {
		t.Skip(SkipMessage(missing))
	}
	report := suite(t, cfg)
	// Printed whatever the verbosity: it is what a user sends back.
	os.Stderr.WriteString(report)
}

func TestLiveSkipMessage(t *testing.T) {
	t.Parallel()
	_, missing := FromEnv(func(string) string { return "" })
	got := SkipMessage(missing)
	for _, want := range []string{"XREGION_LIVE_SOURCE_HOST", "XREGION_LIVE_TARGET_HOST", "XREGION_LIVE_SOURCE_TOKEN (or XREGION_LIVE_SOURCE_CLIENT_ID)",
		"XREGION_LIVE_MODEL", "XREGION_LIVE_CATALOG"} {
		if !strings.Contains(got, want) {
			t.Errorf("skip message %q does not name %s", got, want)
		}
	}
	if strings.Contains(got, "\n") {
		t.Errorf("skip message %q is more than one line", got)
	}
	env := map[string]string{
		"XREGION_LIVE_SOURCE_HOST": "https://a.example", "XREGION_LIVE_SOURCE_TOKEN": "t",
		"XREGION_LIVE_TARGET_HOST": "https://b.example", "XREGION_LIVE_TARGET_CLIENT_ID": "id", "XREGION_LIVE_TARGET_CLIENT_SECRET": "s",
		"XREGION_LIVE_MODEL": "main.ml.fraud", "XREGION_LIVE_CATALOG": "serving", "XREGION_LIVE_KEEP": "1",
	}
	cfg, missing := FromEnv(func(k string) string { return env[k] })
	if len(missing) != 0 || !cfg.Keep || cfg.Target.ResolvedAuthType() != client.AuthOAuthM2M || cfg.Where() != "a real workspace" {
		t.Errorf("FromEnv() = %+v, missing %v", cfg, missing)
	}
}

// TestLiveAgainstEmulator runs the same suite against the HTTP emulator,
// through the real SDK, so that its code path is exercised on every change.
// The facts it reports are only the emulator's, that is xregion's beliefs.
func TestLiveAgainstEmulator(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	src.AddDemoModel(1)
	dst.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	serve := func(ws *xregiontest.Workspace) string {
		srv := httptest.NewServer(ws.Handler(xregiontest.WithToken("dapi-live")))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	cfg := Config{
		Source: client.Settings{Host: serve(src), Token: "dapi-live"}, Target: client.Settings{Host: serve(dst), Token: "dapi-live"},
		Model: "main.ml.fraud", Catalog: "serving", Probes: "../../examples/probes.json",
		PollInterval: time.Millisecond, Timeout: time.Minute,
	}
	report := suite(t, cfg)
	for _, want := range []string{"on the emulator", "route names in GET: routes carry [served_entity_name served_model_name]",
		"server defaults: workload_type in GET: absent", "per-entity invocations", "synced-table API", "table ids across a share"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	t.Log(report)
}
