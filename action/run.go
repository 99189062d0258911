package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"log/slog"
	"os"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// run is the whole action: read and check the inputs, connect to the
// workspaces, roll out to the target region, and report through outputs,
// the step summary and annotations. It returns an error when the rollout
// did not ship, rollbacks included.
func run(ctx context.Context, a *githubactions.Action, connect connectFunc, opts ...xregion.Option) error {
	red := newRedactor(a)
	in, err := readInputs(a)
	if err == nil {
		err = in.loadProbes()
	}
	if err == nil {
		if in.Command == commandTeardown {
			var dry []xregion.Option
			if in.DryRun {
				dry = append(dry, xregion.WithDryRun())
			}
			err = in.Spec.ValidateTeardown(rollout.Source(in.Source.Host != ""), in.Teardown, dry...)
		} else {
			err = in.Spec.Validate(rollout.Source(in.Source.Host != ""))
		}
	}
	if err != nil {
		err = red.Err(actionInputNames(err))
		a.WithFieldsMap(map[string]string{"title": "xregion: bad input"}).Errorf("%s", err)
		reportFailure(a, err)
		return err
	}

	if in.Fleet != nil {
		return runFleet(ctx, a, red.with(in.Fleet.secrets...), connect, in, opts...)
	}
	h, opts := stepOptions(a, red, in, opts)
	defer h.endGroup()

	connecting := func(label, host string) {
		if bound, err := connectTimeout(a.Getenv); err == nil {
			a.Infof("Connecting to the %s workspace %s: waiting up to %s for it to answer %s", label, host, bound, connectProbe)
		}
	}
	var src rollout.Workspace // zero without a source: the deploy phase
	if in.Source.Host != "" {
		connecting("source", in.Source.Host)
		if src, err = connectSide(ctx, a, red, connect, "source", in.Source); err != nil {
			return err
		}
	}
	var dst rollout.Workspace
	if in.Target.Host != "" {
		connecting("target", in.Target.Host)
		if dst, err = connectSide(ctx, a, red, connect, "target", in.Target); err != nil {
			return err
		}
	}

	switch in.Command {
	case commandStatus:
		defer h.endGroup()
		return runStatus(ctx, a, red, in, src, dst, opts)
	case commandTeardown:
		defer h.endGroup()
		return runTeardown(ctx, a, red, in, src, dst, opts)
	}
	region := rollout.Region
	if in.Command == commandRefresh {
		region = rollout.Refresh
	}
	res, err := region(ctx, src, rollout.Target{Region: in.Region, Workspace: dst}, in.Spec, opts...)
	h.endGroup()
	red.Result(res)
	err = red.Err(err)
	setOutputs(a, in, res)
	md := summaryMarkdown(in, res)
	if errors.Is(err, context.Canceled) {
		md += interruptedNote
	}
	addSummary(a, md)
	if err != nil {
		// The title names the step before the input is renamed to its
		// action id, which drops the step.
		title := "xregion failed"
		var se *xregion.StepError
		if errors.As(err, &se) {
			title = "xregion: " + se.Step + " failed"
		}
		if errors.Is(err, xregion.ErrInvalidInput) {
			err = red.Err(actionInputNames(err))
		}
		if res.Endpoint != nil && res.Endpoint.Outcome == endpoint.OutcomeRolledBack {
			title = "xregion: rolled back"
		}
		a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", oneLine(err))
		return err
	}
	return nil
}

// connectSide connects to one side's workspace, which makes a first
// authenticated call. A failure is reported, naming the input whose
// credential was refused, if that is what happened.
func connectSide(ctx context.Context, a *githubactions.Action, red redactor, connect connectFunc, label string, s side) (rollout.Workspace, error) {
	w, err := connect(ctx, label, s, a.Getenv)
	if err == nil {
		return w, nil
	}
	if r := refused(label, s, err); r != nil {
		err = r
	}
	err = red.Err(err)
	title := "xregion: " + label + " workspace"
	var re *refusedError
	if errors.As(err, &re) {
		title = "xregion: " + re.Input + " refused"
	}
	a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", oneLine(err))
	reportFailure(a, err)
	return rollout.Workspace{}, err
}

// loadProbes reads the health-check file, if one is named.
func (in *inputs) loadProbes() error {
	if in.HealthChecks == "" {
		return nil
	}
	f, err := os.Open(in.HealthChecks)
	if err != nil {
		return invalid.Input("health-checks", in.HealthChecks, "cannot read the probe file: %v", errors.Unwrap(err))
	}
	defer f.Close()
	probes, err := endpoint.LoadProbes(f)
	if err != nil {
		var ie *xregion.InputError
		if errors.As(err, &ie) {
			return invalid.Input("health-checks", in.HealthChecks, "%s: %s", ie.Value, ie.Reason)
		}
		return err
	}
	in.Spec.Endpoint.Probes = probes
	return nil
}

// setOutput writes one output; without GITHUB_OUTPUT (a run by hand) it
// prints it instead of failing.
func setOutput(a *githubactions.Action, k, v string) {
	if a.Getenv("GITHUB_OUTPUT") == "" {
		a.Infof("output %s=%s", k, strings.ReplaceAll(v, "\n", " "))
		return
	}
	a.SetOutput(k, v)
}

// stepOptions returns the log handler of a run, which groups the log by
// step, and the options of the library calls: its logger, the inputs'
// poll interval and dry run, and then opts, the caller's, which win.
func stepOptions(a *githubactions.Action, red redactor, in *inputs, opts []xregion.Option) (*actionHandler, []xregion.Option) {
	h := newActionHandler(a, red.String)
	pre := []xregion.Option{xregion.WithLogger(slog.New(h))}
	if in.PollInterval > 0 {
		pre = append(pre, xregion.WithPollInterval(in.PollInterval))
	}
	opts = append(pre, opts...)
	if in.DryRun {
		opts = append(opts, xregion.WithDryRun())
	}
	return h, opts
}

// addSummary writes the step summary, or prints it without
// GITHUB_STEP_SUMMARY.
func addSummary(a *githubactions.Action, md string) {
	if a.Getenv("GITHUB_STEP_SUMMARY") == "" {
		a.Infof("%s", strings.ReplaceAll(md, "\n", " ⏎ "))
		return
	}
	a.AddStepSummary(md)
}

// reportFailure sets the outputs and summary of a run that failed before
// the rollout started, so that later steps can still read them.
func reportFailure(a *githubactions.Action, err error) {
	setOutput(a, "rolled-back", "false")
	b, _ := json.Marshal(map[string]string{"error": err.Error()})
	setOutput(a, "result", string(b))
	addSummary(a, "### xregion failed before the rollout started\n\n"+escape(oneLine(err))+"\n")
}

// setOutputs writes the action's outputs. Outputs of steps that did not run
// are empty.
func setOutputs(a *githubactions.Action, in *inputs, res *rollout.RegionResult) {
	share := cmp.Or(in.Spec.Share, rollout.DefaultShareName(in.Spec.Model))
	if res.Share != nil {
		share = res.Share.Share
	}
	setOutput(a, "share", share)
	catalog := ""
	if res.Catalog != nil {
		catalog = res.Catalog.Catalog
	}
	setOutput(a, "shared-catalog", catalog)
	version := ""
	if v := resolvedVersion(res); v > 0 {
		version = fmt.Sprint(v)
	}
	setOutput(a, "model-version", version)
	name, url, served, previous, rolledBack := "", "", "", "", false
	if e := res.Endpoint; e != nil {
		name = e.Endpoint
		url = strings.TrimRight(in.Target.Host, "/") + "/serving-endpoints/" + name + "/invocations"
		served, previous = servedVersion(e.After, res.Model), servedVersion(e.Before, res.Model)
		rolledBack = e.Outcome == endpoint.OutcomeRolledBack
	}
	setOutput(a, "endpoint", name)
	setOutput(a, "endpoint-url", url)
	setOutput(a, "served-version", served)
	setOutput(a, "previous-version", previous)
	setOutput(a, "rolled-back", fmt.Sprint(rolledBack))
	tables := []string{}
	if res.Online != nil {
		tables = res.Online.OnlineNames()
	}
	b, _ := json.Marshal(tables)
	setOutput(a, "online-tables", string(b))
	b, _ = json.Marshal(struct {
		DryRun bool `json:"dry_run"`
		*rollout.RegionResult
	}{in.DryRun, res})
	setOutput(a, "result", string(b))
	one := *res
	one.Region = cmp.Or(res.Region, in.Region, in.Target.Host)
	setOutput(a, "regions-result", regionsResult([]*rollout.RegionResult{&one}))
}

// inputIDs maps the names library errors give inputs to the action's input
// ids.
var inputIDs = map[string]string{
	"online catalog": "online-catalog", "online schema": "online-schema", "online store": "online-store",
	"online store capacity": "online-store-capacity", "shared catalog": "shared-catalog",
	"model version": "version", "served entity name": "model", "probe": "health-checks", "bake": "canary",
}

// actionInputNames renames the input an *xregion.InputError names to the
// action's input id.
func actionInputNames(err error) error {
	var ie *xregion.InputError
	if errors.As(err, &ie) {
		if id, ok := inputIDs[ie.Input]; ok {
			return invalid.Input(id, ie.Value, "%s", ie.Reason)
		}
	}
	return err
}

// servedVersion is the version of the model a config serves, or "".
func servedVersion(c endpoint.ConfigSummary, model string) string {
	short := model[strings.LastIndexByte(model, '.')+1:]
	for _, s := range c.Served {
		// "entity=catalog.schema.model@version"
		_, ev, _ := strings.Cut(s, "=")
		name, v, _ := strings.Cut(ev, "@")
		if strings.HasSuffix(name, "."+short) {
			return v
		}
	}
	return ""
}

// oneLine keeps an error to the first line of each joined part.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
