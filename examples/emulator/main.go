// Command emulator serves three emulated Databricks workspaces on
// 127.0.0.1 — a source region holding a demo model and two serving regions —
// and prints the command that runs the action's binary against them, so a
// person can try the action by hand without an account.
//
//	go run ./examples/emulator
//
// It serves until interrupted. The emulated workspaces keep their state in
// memory, so a second run of the action finds everything in place.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// token is the emulated workspaces' personal access token.
const token = "dapi-emulator"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	names := []string{"us-east-1", "eu-west-1", "ap-southeast-1"}
	var all []*xregiontest.Workspace
	for _, n := range names {
		all = append(all, xregiontest.NewWorkspace(xregiontest.WithRegion("aws", n)))
	}
	xregiontest.Link(all...)
	seed(all[0])
	for _, ws := range all[1:] {
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	}

	urls := make([]string, len(all))
	errc := make(chan error, len(all))
	for i, ws := range all {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: ws.Handler(xregiontest.WithToken(token))}
		go func() { errc <- srv.Serve(l) }()
		go func() { <-ctx.Done(); srv.Close() }()
		urls[i] = "http://" + l.Addr().String()
		fmt.Fprintf(out, "%-15s %s\n", names[i], urls[i])
	}

	fmt.Fprintf(out, "\nRun the action against eu-west-1 (use %s for ap-southeast-1):\n\n", urls[2])
	env := []string{
		"INPUT_MODEL=main.ml.fraud", "INPUT_VERSION=@champion", "INPUT_ONLINE-CATALOG=serving",
		"INPUT_SOURCE-HOST=" + urls[0], "INPUT_SOURCE-TOKEN=" + token,
		"INPUT_TARGET-HOST=" + urls[1], "INPUT_TARGET-TOKEN=" + token,
		"INPUT_POLL-INTERVAL=50ms",
	}
	// Input names keep their hyphens, which export cannot set: use env.
	fmt.Fprintf(out, "  env GITHUB_OUTPUT=$(mktemp) GITHUB_STEP_SUMMARY=$(mktemp) '%s' \\\n    go run ./action\n\n", strings.Join(env, "' '"))
	fmt.Fprintln(out, "Add 'INPUT_DRY-RUN=true' for the plan. Interrupt to stop.")
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-errc:
		return err
	}
}

// seed registers the demo model: version 1 (alias champion) looks up
// customer features through a FeatureSpec that also calls a Python UDF.
func seed(ws *xregiontest.Workspace) {
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.amount_bucket"}, "FUNCTION_STANDARD")
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
