package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/rollout/rollouttest"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func mustParse(t *testing.T, args ...string) config {
	t.Helper()
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags(%q) error = %v", args, err)
	}
	return cfg
}

// testProbes is the emulator's probe file with more requests, so that a
// 10% canary step surely gets some (0.9^100 is about 3e-5).
var testProbes = strings.ReplaceAll(probes, `"requests": 20`, `"requests": 100`)

// deployer rolls versions out to eu-west-1 of the emulated workspaces, as
// the action does, with testProbes.
type deployer struct {
	src, dst rollout.Workspace
	opts     []xregion.Option
}

func newDeployer(t *testing.T, cfg config, opts ...xregion.Option) deployer {
	t.Helper()
	all, err := build(cfg)
	if err != nil {
		t.Fatalf("build() error = %v", err)
	}
	return deployer{src: rolloutWorkspace(all[0]), dst: rolloutWorkspace(all[1]), opts: opts}
}

func rolloutWorkspace(ws *xregiontest.Workspace) rollout.Workspace { return rollouttest.Workspace(ws) }

func (d deployer) deploy(ctx context.Context, version string, canary ...int) (*rollout.RegionResult, error) {
	probes, err := endpoint.LoadProbes(strings.NewReader(testProbes))
	if err != nil {
		return nil, err
	}
	spec := rollout.Spec{Model: "main.ml.fraud", Version: version, OnlineCatalog: "serving",
		Endpoint: endpoint.Spec{Canary: canary, Probes: probes}}
	return rollout.Region(ctx, d.src, rollout.Target{Workspace: d.dst}, spec, d.opts...)
}

func outcome(r *rollout.RegionResult) endpoint.Outcome {
	if r == nil || r.Endpoint == nil {
		return ""
	}
	return r.Endpoint.Outcome
}

// The flags make good versions deploy, bad ones fail their health checks
// and broken ones fail to deploy, each rolled back to what served before.
func TestGoodBadAndBrokenVersions(t *testing.T) {
	t.Parallel()
	d := newDeployer(t, mustParse(t, "-versions", "4", "-champion", "4", "-bad", "2", "-broken", "3"), xregion.WithoutPause())
	steps := []struct {
		version string
		canary  []int
		want    endpoint.Outcome
		wantErr bool
	}{
		{"1", nil, endpoint.OutcomeDeployed, false},
		{"2", nil, endpoint.OutcomeRolledBack, true},                       // bad: its probe fails
		{"3", nil, endpoint.OutcomeRolledBack, true},                       // broken: its deployment fails
		{"@champion", []int{10, 50, 100}, endpoint.OutcomeDeployed, false}, // version 4, as a canary
	}
	for _, s := range steps {
		r, err := d.deploy(t.Context(), s.version, s.canary...)
		if (err != nil) != s.wantErr || outcome(r) != s.want {
			t.Fatalf("deploy version %s: outcome %q, error %v; want %q, error %t", s.version, outcome(r), err, s.want, s.wantErr)
		}
		if s.version == "2" && (!errors.Is(err, endpoint.ErrUnhealthy) || !strings.Contains(r.Endpoint.Reason, "-bad")) {
			t.Errorf("bad version: error %v, reason %q; want a failed probe naming -bad", err, r.Endpoint.Reason)
		}
		if s.version == "3" && !strings.Contains(r.Endpoint.Reason, "-broken") {
			t.Errorf("broken version: reason %q, want the failed deployment naming -broken", r.Endpoint.Reason)
		}
	}
}

// With -update-duration an update stays in progress long enough to
// interrupt: the deployment then rolls back, and a re-run finishes it.
func TestCancelDuringUpdate(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		cfg := mustParse(t, "-versions", "2", "-update-duration", "10s", "-poll-interval", "1s")
		d := newDeployer(t, cfg, xregion.WithPollInterval(cfg.pollInterval))
		if r, err := d.deploy(t.Context(), "1"); err != nil {
			t.Fatalf("deploy version 1: %v", err)
		} else if outcome(r) != endpoint.OutcomeDeployed {
			t.Fatalf("deploy version 1: outcome %q", outcome(r))
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		start := time.Now()
		go func() {
			// Between two status reads, well before the update's 10 reads.
			time.Sleep(5500 * time.Millisecond)
			cancel()
		}()
		r, err := d.deploy(ctx, "2")
		if !errors.Is(err, context.Canceled) || outcome(r) != endpoint.OutcomeRolledBack {
			t.Fatalf("interrupted deploy of version 2: outcome %q, error %v; want rolled back after the cancellation", outcome(r), err)
		}
		if took := time.Since(start); took < 10*time.Second {
			t.Errorf("the interrupted deployment ended after %s, before its update could (10 reads at 1s)", took)
		}
		r, err = d.deploy(t.Context(), "2")
		if err != nil || outcome(r) != endpoint.OutcomeDeployed {
			t.Fatalf("re-run: outcome %q, error %v; want deployed", outcome(r), err)
		}
	})
}

// -fail scripts a failure: the first rollout fails at that call, the next
// one converges.
func TestScriptedFailure(t *testing.T) {
	t.Parallel()
	d := newDeployer(t, mustParse(t, "-fail", "eu-west-1:Catalogs.Create:1"), xregion.WithoutPause())
	r, err := d.deploy(t.Context(), "1")
	if err == nil || r.Catalog != nil || !strings.Contains(err.Error(), "-fail") {
		t.Fatalf("first deploy: catalog %+v, error %v; want the scripted failure of Catalogs.Create", r.Catalog, err)
	}
	if r, err := d.deploy(t.Context(), "1"); err != nil || outcome(r) != endpoint.OutcomeDeployed {
		t.Fatalf("second deploy: outcome %q, error %v; want deployed", outcome(r), err)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, "-versions", "5", "-bad", "2,3", "-broken", "4", "-latency", "20ms", "-fail", "ap-southeast-1:Shares.Update:2:after-commit")
	if cfg.versions != 5 || len(cfg.bad) != 2 || cfg.broken[0] != 4 || cfg.latency != 20*time.Millisecond ||
		cfg.faults[0] != (fault{region: "ap-southeast-1", method: "Shares.Update", times: 2, afterCommit: true}) {
		t.Errorf("parseFlags() = %+v", cfg)
	}
	for _, args := range [][]string{
		{"-versions", "0"},
		{"-versions", "2", "-bad", "3"},
		{"-champion", "4"},
		{"-bad", "two"},
		{"-fail", "mars-1:Catalogs.Create"},
		{"-fail", "eu-west-1"},
		{"-fail", "eu-west-1:Catalogs.Create:0"},
		{"-poll-interval", "0s"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) error = nil, want one", args)
		}
	}
	if _, err := build(mustParse(t, "-fail", "eu-west-1:Catalogs.Explode")); err == nil {
		t.Error("build() with an unknown method: error = nil, want one")
	}
}

// run prints the workspaces and a command that writes the summary to the
// file it names.
func TestRunPrintsTheCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := mustParse(t, "-summary", filepath.Join(dir, "summary.md"), "-output", filepath.Join(dir, "output"), "-probes", filepath.Join(dir, "probes.json"), "-poll-interval", "20ms")
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // print, then stop at once
	var out bytes.Buffer
	if err := run(ctx, &out, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("run() error = %v", err)
	}
	for _, want := range []string{"us-east-1       http://127.0.0.1:", "eu-west-1       http://127.0.0.1:", "GITHUB_STEP_SUMMARY=" + cfg.summary, "'INPUT_POLL-INTERVAL=20ms'", "'INPUT_HEALTH-CHECKS=" + cfg.probes + "'", "go run ./action"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output has no %q:\n%s", want, out.String())
		}
	}
	// The probe file it wrote is one the action loads.
	f, err := os.Open(cfg.probes)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p, err := endpoint.LoadProbes(f); err != nil || len(p) != 2 {
		t.Errorf("LoadProbes(the emulator's probe file) = %d probes, %v; want 2", len(p), err)
	}
}

// A version slower than the latency probe's budget rolls back.
func TestLatency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		d := newDeployer(t, mustParse(t, "-latency", "600ms"), xregion.WithPollInterval(time.Second))
		r, err := d.deploy(t.Context(), "1")
		if !errors.Is(err, endpoint.ErrUnhealthy) || len(r.Endpoint.Checks) == 0 || r.Endpoint.Checks[len(r.Endpoint.Checks)-1].Name != "latency" {
			t.Fatalf("deploy with -latency 600ms: checks %+v, error %v; want the latency probe to fail", r.Endpoint, err)
		}
	})
}
