// Command multiregion is a custom Go tool built on the xregion library: it
// rolls one model version out to several regions at once and prints a line
// per region.
//
// Against real workspaces:
//
//	XREGION_TOKEN_SOURCE=... XREGION_TOKEN_EU=... XREGION_TOKEN_AP=... \
//	go run ./examples/multiregion -model main.ml.fraud -version @champion \
//	    -source https://us.cloud.databricks.com \
//	    -target eu=https://eu.cloud.databricks.com -target ap=https://ap.cloud.databricks.com \
//	    -online-catalog serving
//
// Without workspaces, -demo runs the same rollout against in-memory fakes:
//
//	go run ./examples/multiregion -demo
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

type targets []string

func (t *targets) String() string     { return strings.Join(*t, ",") }
func (t *targets) Set(v string) error { *t = append(*t, v); return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "multiregion:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("multiregion", flag.ContinueOnError)
	var ts targets
	model := fs.String("model", "main.ml.fraud", "the model's three-part name in the source workspace")
	version := fs.String("version", "latest", "a number, @alias or latest")
	source := fs.String("source", "", "the source workspace URL")
	onlineCatalog := fs.String("online-catalog", "serving", "a writable catalog in each target for online tables")
	dryRun := fs.Bool("dry-run", false, "print the plan and write nothing")
	demo := fs.Bool("demo", false, "run against in-memory fake workspaces")
	fs.Var(&ts, "target", "label=URL of a target workspace; repeat for each region")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var src rollout.Workspace
	var dsts []rollout.Target
	var err error
	if *demo {
		src, dsts = demoWorld()
	} else if src, dsts, err = connect(ctx, *source, ts); err != nil {
		return err
	}

	opts := []xregion.Option{xregion.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	if *dryRun {
		opts = append(opts, xregion.WithDryRun())
	}
	if *demo {
		// The fakes settle as they are polled: poll without pausing.
		opts = append(opts, xregion.WithoutPause())
	}
	results, err := rollout.Regions(ctx, src, dsts, rollout.Spec{Model: *model, Version: *version, OnlineCatalog: *onlineCatalog}, rollout.Plan{Concurrency: len(dsts)}, opts...)
	for _, r := range results {
		switch {
		case r.Error != "":
			fmt.Printf("%-16s failed: %s\n", r.Region, r.Error)
		case r.Endpoint != nil:
			fmt.Printf("%-16s version %d: endpoint %s %s\n", r.Region, r.Version, r.Endpoint.Endpoint, r.Endpoint.Outcome)
		default:
			fmt.Printf("%-16s version %d: shared\n", r.Region, r.Version)
		}
	}
	return err
}

// connect builds one client per workspace, each with its own explicit
// token, so that variables meant for one never reach another.
func connect(ctx context.Context, source string, ts targets) (rollout.Workspace, []rollout.Target, error) {
	if source == "" || len(ts) == 0 {
		return rollout.Workspace{}, nil, errors.New("give -source and at least one -target label=URL, or -demo")
	}
	open := func(label, host string) (rollout.Workspace, error) {
		env := "XREGION_TOKEN_" + strings.ToUpper(label)
		token := os.Getenv(env)
		if token == "" {
			return rollout.Workspace{}, fmt.Errorf("%s: set %s to the workspace's token", label, env)
		}
		w, err := client.New(ctx, client.Settings{Host: host, Token: token})
		if err != nil {
			return rollout.Workspace{}, fmt.Errorf("%s (token from %s): %w", label, env, err)
		}
		return rollout.FromClient(w)
	}
	s, err := open("source", source)
	if err != nil {
		return rollout.Workspace{}, nil, err
	}
	var dsts []rollout.Target
	for _, t := range ts {
		label, host, ok := strings.Cut(t, "=")
		if !ok {
			// The value is not printed: a URL may carry a credential.
			return rollout.Workspace{}, nil, errors.New("a -target value has no '=': want label=URL")
		}
		w, err := open(label, host)
		if err != nil {
			return rollout.Workspace{}, nil, err
		}
		dsts = append(dsts, rollout.Target{Region: label, Workspace: w})
	}
	return s, dsts, nil
}

// demoWorld is a source region with the fraud model and three target regions.
func demoWorld() (rollout.Workspace, []rollout.Target) {
	src := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	all := []*xregiontest.Workspace{src}
	var dsts []rollout.Target
	for _, r := range []string{"eu-west-1", "ap-southeast-1", "us-west-2"} {
		ws := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", r))
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		all = append(all, ws)
		dsts = append(dsts, rollout.Target{Workspace: rollouttest.Workspace(ws)})
	}
	xregiontest.Link(all...)
	src.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: 1,
		ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
			{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
		}}})
	return rollouttest.Workspace(src), dsts
}
