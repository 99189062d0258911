// Command emulator serves three emulated Databricks workspaces on
// 127.0.0.1 — a source region holding a demo model and two serving regions —
// and prints the command that runs the action's binary against them, so a
// person can try the action by hand without an account: a deployment, a
// canary, a rollback and a cancellation (see the README's "Practise on the
// emulator").
//
//	go run ./examples/emulator -versions 4 -bad 2 -update-duration 10s
//
// Flags choose which versions of the model are good and which are bad, how
// long predictions and endpoint updates take, and which calls fail. It
// serves until interrupted. The emulated workspaces keep their state in
// memory, so a second run of the action finds everything in place.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// token is the emulated workspaces' personal access token.
const token = "dapi-emulator"

// regions are the emulated workspaces: the source first.
var regions = []string{"us-east-1", "eu-west-1", "ap-southeast-1"}

// sharedModel is the model's name in the serving regions, through the
// shared catalog the action mounts by default.
const sharedModel = "xregion_main_ml_fraud.ml.fraud"

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
}

// config is what the flags ask of the emulated workspaces.
type config struct {
	versions       int
	champion       int
	bad, broken    []int
	latency        time.Duration
	updateDuration time.Duration
	pollInterval   time.Duration
	faults         []fault
	summary        string
	output         string
	probes         string
}

// probes is the probe file the printed command uses: it fits the emulated
// model, whose good versions predict 0.5. At a canary step each probe is
// sent to the new version directly and to the endpoint as a whole; the
// latency probe fails a version slower than 500ms (-latency) over a sample
// of 20 answers, the least a p95 accepts.
const probes = `{
  "probes": [
    {
      "name": "smoke",
      "request": {"dataframe_records": [{"customer_id": 42, "amount": 310.5}]},
      "expect": {"path": "predictions.0", "equals": 0.5, "tolerance": 0.05, "requests": 20}
    },
    {
      "name": "latency",
      "request": {"dataframe_records": [{"customer_id": 7, "amount": 12.0}]},
      "expect": {"latency_p95": "500ms", "requests": 20}
    }
  ]
}
`

// fault is a scripted failure: the first times calls of method in region
// fail.
type fault struct {
	region, method string
	times          int
	afterCommit    bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{}
	fs.IntVar(&cfg.versions, "versions", 3, "model versions 1..`N` of main.ml.fraud")
	fs.IntVar(&cfg.champion, "champion", 1, "the version the alias @champion names")
	fs.Func("bad", "comma-separated versions that deploy but answer every prediction with an error, so their health checks fail and a deployment rolls back", func(v string) (err error) {
		cfg.bad, err = versionList(v)
		return err
	})
	fs.Func("broken", "comma-separated versions whose deployment fails (DEPLOYMENT_FAILED), so the update fails and rolls back", func(v string) (err error) {
		cfg.broken, err = versionList(v)
		return err
	})
	fs.DurationVar(&cfg.latency, "latency", 0, "how long every prediction takes")
	fs.DurationVar(&cfg.updateDuration, "update-duration", 0, "how long an endpoint update stays in progress, counted in status reads at -poll-interval: the emulated endpoints move on when read, not by the clock (default: 2 reads)")
	fs.DurationVar(&cfg.pollInterval, "poll-interval", 50*time.Millisecond, "the poll-interval the printed command gives the action")
	fs.Func("fail", "`region:Service.Method[:times[:after-commit]]` fails the first times calls (default 1) of a method in a region with 500 INTERNAL_ERROR, such as eu-west-1:Catalogs.Create:1; after-commit makes the call take effect first. Repeatable", func(v string) error {
		f, err := parseFault(v)
		cfg.faults = append(cfg.faults, f)
		return err
	})
	fs.StringVar(&cfg.summary, "summary", filepath.Join(os.TempDir(), "xregion-summary.md"), "the `file` the printed command writes the step summary to (emptied at start; each run appends)")
	fs.StringVar(&cfg.probes, "probes", filepath.Join(os.TempDir(), "xregion-emulator-probes.json"), "the `file` to write the emulator's probe file to, which the printed command uses")
	fs.StringVar(&cfg.output, "output", filepath.Join(os.TempDir(), "xregion-output.txt"), "the `file` the printed command writes the action's outputs to (emptied at start; each run appends)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	switch {
	case fs.NArg() > 0:
		err = fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.versions < 1:
		err = fmt.Errorf("-versions %d: want at least 1", cfg.versions)
	case cfg.champion < 1 || cfg.champion > cfg.versions:
		err = fmt.Errorf("-champion %d: want a version from 1 to %d", cfg.champion, cfg.versions)
	case cfg.latency < 0 || cfg.updateDuration < 0 || cfg.pollInterval <= 0:
		err = errors.New("-latency and -update-duration must not be negative, -poll-interval must be positive")
	}
	for _, v := range slices.Concat(cfg.bad, cfg.broken) {
		if err == nil && v > cfg.versions {
			err = fmt.Errorf("version %d in -bad or -broken: there are %d versions (-versions)", v, cfg.versions)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "emulator:", err)
		fs.Usage()
	}
	return cfg, err
}

func versionList(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q: want comma-separated version numbers such as 2,3", v)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseFault(v string) (fault, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 4 || !slices.Contains(regions, parts[0]) || !strings.Contains(parts[1], ".") {
		return fault{}, fmt.Errorf("%q: want region:Service.Method[:times[:after-commit]] with a region of %v", v, regions)
	}
	f := fault{region: parts[0], method: parts[1], times: 1}
	if len(parts) > 2 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return fault{}, fmt.Errorf("%q: times must be a positive number", v)
		}
		f.times = n
	}
	if len(parts) > 3 {
		if parts[3] != "after-commit" {
			return fault{}, fmt.Errorf("%q: the last part may only be after-commit", v)
		}
		f.afterCommit = true
	}
	return f, nil
}

// build returns the emulated workspaces, the source first, as cfg asks.
func build(cfg config) (_ []*xregiontest.Workspace, err error) {
	var all []*xregiontest.Workspace
	for _, n := range regions {
		// The emulated clock starts now, so that freshness (max-staleness)
		// compares the emulator's sync times with the runner's clock.
		all = append(all, xregiontest.NewWorkspace(xregiontest.WithRegion("aws", n), xregiontest.WithStartTime(time.Now())))
	}
	xregiontest.Link(all...)
	seed(all[0], cfg.versions, cfg.champion)
	for _, ws := range all[1:] {
		ws.AddCatalog(catalog.CatalogInfo{Name: "serving", CatalogType: catalog.CatalogTypeManagedCatalog})
		for v := 1; v <= cfg.versions; v++ {
			version := strconv.Itoa(v)
			if cfg.updateDuration > 0 || slices.Contains(cfg.broken, v) {
				d := xregiontest.Deployment{Polls: 2} // the fake's default
				if cfg.updateDuration > 0 {
					d.Polls = int(cfg.updateDuration / cfg.pollInterval)
				}
				if slices.Contains(cfg.broken, v) {
					d.Fail, d.Message = true, fmt.Sprintf("emulated: version %d failed to load (-broken)", v)
				}
				ws.ScriptDeployment(sharedModel, version, d)
			}
			q := xregiontest.QueryScript{Latency: cfg.latency}
			if slices.Contains(cfg.bad, v) {
				q.Err = xregiontest.InvalidParameter("emulated: version %d cannot score this input (-bad)", v)
			}
			ws.ScriptQuery(sharedModel, version, q)
		}
	}
	defer func() {
		// Inject panics on a method the fake does not have.
		if r := recover(); r != nil {
			err = fmt.Errorf("-fail: %v", r)
		}
	}()
	for _, f := range cfg.faults {
		all[slices.Index(regions, f.region)].Inject(xregiontest.Fault{
			Method: f.method, Times: f.times, AfterCommit: f.afterCommit,
			Err: xregiontest.Internal("emulated failure of %s (-fail)", f.method),
		})
	}
	return all, nil
}

func run(ctx context.Context, out io.Writer, cfg config) error {
	all, err := build(cfg)
	if err != nil {
		return err
	}
	for f, content := range map[string]string{cfg.summary: "", cfg.output: "", cfg.probes: probes} {
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			return err
		}
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
		fmt.Fprintf(out, "%-15s %s\n", regions[i], urls[i])
	}

	fmt.Fprintf(out, "\nModel main.ml.fraud: versions 1 to %d, @champion = %d", cfg.versions, cfg.champion)
	if len(cfg.bad) > 0 {
		fmt.Fprintf(out, "; bad (fail their health checks): %v", cfg.bad)
	}
	if len(cfg.broken) > 0 {
		fmt.Fprintf(out, "; broken (fail to deploy): %v", cfg.broken)
	}
	fmt.Fprintf(out, ".\n\nPaste this into a shell at the repository's root: it runs the action against eu-west-1\n(use %s for ap-southeast-1), with more inputs as arguments.\n\n", urls[2])
	env := []string{
		"INPUT_MODEL=main.ml.fraud", "INPUT_VERSION=@champion", "INPUT_ONLINE-CATALOG=serving",
		"INPUT_SOURCE-HOST=" + urls[0], "INPUT_SOURCE-TOKEN=" + token,
		"INPUT_TARGET-HOST=" + urls[1], "INPUT_TARGET-TOKEN=" + token,
		"INPUT_HEALTH-CHECKS=" + cfg.probes, "INPUT_POLL-INTERVAL=" + cfg.pollInterval.String(),
	}
	// Input names keep their hyphens, which export cannot set: use env,
	// where a later NAME=value wins.
	fmt.Fprintf(out, "  xregion() { env GITHUB_OUTPUT=%s GITHUB_STEP_SUMMARY=%s \\\n      '%s' \\\n      \"$@\" go run ./action; }\n\n",
		cfg.output, cfg.summary, strings.Join(env, "' '"))
	fmt.Fprintf(out, "Then, for example:\n\n")
	fmt.Fprintf(out, "  xregion                                  # deploy @champion\n")
	fmt.Fprintf(out, "  xregion INPUT_VERSION=2 INPUT_CANARY=50,100   # another version, as a canary\n")
	fmt.Fprintf(out, "  xregion INPUT_ON-FAILURE=freeze               # leave a failed deployment as it is\n")
	fmt.Fprintf(out, "  xregion INPUT_VERSION=3 INPUT_DRY-RUN=true    # the plan only\n\n")
	fmt.Fprintf(out, "The step summary goes to %s. Interrupt to stop.\n", cfg.summary)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-errc:
		if ctx.Err() != nil {
			return ctx.Err() // the servers closed because ctx ended
		}
		return err
	}
}

// seed registers the demo model: versions 1..n look up customer features
// through a FeatureSpec that also calls a Python UDF; the alias champion
// names version champion.
func seed(ws *xregiontest.Workspace, n, champion int) {
	ws.AddTable(catalog.TableInfo{FullName: "main.ml.customer_features", TableConstraints: []catalog.TableConstraint{
		{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{Name: "pk", ChildColumns: []string{"customer_id"}}},
	}})
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.amount_bucket"}, "FUNCTION_STANDARD")
	ws.AddFunction(catalog.FunctionInfo{FullName: "main.ml.fraud_features", RoutineDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
		{Table: &catalog.TableDependency{TableFullName: "main.ml.customer_features"}},
		{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.amount_bucket"}},
	}}}, "FUNCTION_FEATURE_SPEC")
	for v := 1; v <= n; v++ {
		ws.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "fraud", Version: v,
			ModelVersionDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{
				{Function: &catalog.FunctionDependency{FunctionFullName: "main.ml.fraud_features"}},
			}}})
	}
	ws.SetAlias("main.ml.fraud", "champion", champion)
}
