// Command quickstart rolls a model out from one region to two others, end
// to end, through the real Databricks SDK over HTTP — against emulated
// workspaces started in this process, so it needs no account and no
// credentials.
//
//	go run ./examples/quickstart
//
// Three emulated workspaces listen on 127.0.0.1: us-east-1 holds a fraud
// model whose version 1 looks up a feature table through a FeatureSpec that
// also computes an on-demand feature with a Python UDF; eu-west-1 and
// ap-southeast-1 are the serving regions. The rollout shares the model and
// its dependencies, mounts the share in each region, publishes the feature
// table online, waits for it, and deploys the endpoint with a smoke probe.
// Service latencies are emulated, scaled down, and so is polling.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// token is the emulated workspaces' personal access token.
const token = "dapi-quickstart"

// latency is each emulated API call's round trip, scaled down.
const latency = 2 * time.Millisecond

type region struct {
	name string
	ws   *xregiontest.Workspace
	srv  *httptest.Server
}

func run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	regions := []*region{{name: "us-east-1"}, {name: "eu-west-1"}, {name: "ap-southeast-1"}}
	var all []*xregiontest.Workspace
	for _, r := range regions {
		// The emulated clock starts now, so that freshness (max-staleness)
		// compares the fake's sync times with the real time.
		r.ws = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", r.name), xregiontest.WithLatency(latency), xregiontest.WithStartTime(start))
		all = append(all, r.ws)
	}
	xregiontest.Link(all...)
	seed(regions[0].ws)
	for _, r := range regions[1:] {
		r.ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	}
	for _, r := range regions {
		r.srv = httptest.NewServer(r.ws.Handler(xregiontest.WithToken(token)))
		defer r.srv.Close()
		fmt.Fprintf(out, "emulated workspace %-15s %s\n", r.name, r.srv.URL)
	}

	// Real SDK clients, one per workspace, each configured explicitly
	// (client.New reads no DATABRICKS_* variables).
	connect := func(r *region) (rollout.Workspace, error) {
		w, err := client.New(ctx, client.Settings{Host: r.srv.URL, Token: token})
		if err != nil {
			return rollout.Workspace{}, err
		}
		return rollout.FromClient(w)
	}
	src, err := connect(regions[0])
	if err != nil {
		return err
	}
	var targets []rollout.Target
	for _, r := range regions[1:] {
		w, err := connect(r)
		if err != nil {
			return err
		}
		targets = append(targets, rollout.Target{Region: r.name, Workspace: w})
	}

	fmt.Fprintln(out, "\nrolling out main.ml.fraud @champion to eu-west-1 and ap-southeast-1 ...")
	progress := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
			return slog.Attr{}
		}
		return a
	}}))
	results, err := rollout.Regions(ctx, src, targets, rollout.Spec{
		Model: "main.ml.fraud", Version: "@champion", OnlineCatalog: "serving",
		Endpoint: endpoint.Spec{Probes: []endpoint.Probe{{
			Name:    "smoke",
			Request: json.RawMessage(`{"dataframe_records": [{"customer_id": 42, "amount": 310.5}]}`),
			Expect:  endpoint.Expect{Path: "predictions.0"},
		}}},
	}, rollout.Plan{}, xregion.WithLogger(progress),
		// Emulated services settle quickly: poll every 20ms, not every 1s to 30s.
		xregion.WithPollInterval(20*time.Millisecond))

	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tVERSION\tSHARE\tCATALOG\tONLINE TABLES\tENDPOINT\tOUTCOME")
	for _, r := range results {
		row := []string{r.Region, fmt.Sprint(r.Version), "-", "-", "-", "-", "failed: " + r.Error}
		if r.Share != nil {
			row[2] = fmt.Sprintf("%s (%s, +%d)", r.Share.Share, r.Share.Op, len(r.Share.Added))
		}
		if r.Catalog != nil {
			row[3] = fmt.Sprintf("%s (%s)", r.Catalog.Catalog, r.Catalog.Op)
		}
		if r.Online != nil {
			row[4] = fmt.Sprintf("%d online", len(r.OnlineStatus))
		}
		if e := r.Endpoint; e != nil {
			row[5] = fmt.Sprintf("%s v%d", e.Endpoint, e.After.Version)
			row[6] = string(e.Outcome)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(out, "\ndone in %s\n", time.Since(start).Round(10*time.Millisecond))
	return err
}

// seed registers the demo model: version 1 (alias champion) looks up
// customer features through the FeatureSpec fraud_features, which also
// computes amount_bucket with a Python UDF.
func seed(ws *xregiontest.Workspace) {
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}, TimeseriesColumns: []string{"ts"}}},
	}})
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.amount_bucket", RoutineBody: catalog.FunctionInfoRoutineBodyExternal, ExternalLanguage: "Python"}, "FUNCTION_STANDARD")
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
		{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
		{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.amount_bucket"}},
	}}}, "FUNCTION_FEATURE_SPEC")
	ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
		}}})
	ws.SetAlias("main.ml.fraud", "champion", 1)
}
