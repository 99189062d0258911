// Command library rolls a model version out to one target region with
// xregion's step functions, one by one, as the README's "Using the library"
// shows (that text is rollout.go, checked by a test). Most tools call
// rollout.Region, which does the same with preflight checks, dry runs and
// results for the step summary; use the steps when you need to put your own
// logic between them.
//
//	go run ./examples/library -demo
//
// runs it against two emulated workspaces on 127.0.0.1. Against real ones:
//
//	XREGION_SOURCE_TOKEN=... XREGION_TARGET_TOKEN=... go run ./examples/library \
//	  -source https://<source-workspace> -target https://<target-workspace> \
//	  -model main.ml.fraud -version @champion -online-catalog serving
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/signal"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "library:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("library", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "run against two emulated workspaces on 127.0.0.1")
	source := fs.String("source", "", "the source workspace URL (token in XREGION_SOURCE_TOKEN)")
	target := fs.String("target", "", "the target workspace URL (token in XREGION_TARGET_TOKEN)")
	model := fs.String("model", "main.ml.fraud", "the model's three-part name in the source")
	version := fs.String("version", "latest", "the version: a number, @alias or latest")
	onlineCatalog := fs.String("online-catalog", "serving", "a writable catalog of the target for online tables")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var opts []xregion.Option
	srcSet := client.Settings{Host: *source, Token: os.Getenv("XREGION_SOURCE_TOKEN")}
	dstSet := client.Settings{Host: *target, Token: os.Getenv("XREGION_TARGET_TOKEN")}
	if *demo {
		srcSet, dstSet = emulated()
		opts = append(opts, xregion.WithPollInterval(10*time.Millisecond))
	}
	src, err := client.New(ctx, srcSet)
	if err != nil {
		return err
	}
	dst, err := client.New(ctx, dstSet)
	if err != nil {
		return err
	}
	res, err := rollOut(ctx, src, dst, *model, *version, *onlineCatalog, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("endpoint %s: %s, serving %v\n", res.Endpoint, res.Outcome, res.After.Served)
	return nil
}

// emulated starts a source and a target workspace on 127.0.0.1, the source
// holding the demo model, and returns how to reach them. They serve until
// the process ends.
func emulated() (src, dst client.Settings) {
	s := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	t := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(s, t)
	s.AddDemoModel(1)
	t.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
	const token = "dapi-demo"
	serve := func(ws *xregiontest.Workspace) string {
		return httptest.NewServer(ws.Handler(xregiontest.WithToken(token))).URL
	}
	return client.Settings{Host: serve(s), Token: token}, client.Settings{Host: serve(t), Token: token}
}
