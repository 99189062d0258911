package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// secretInputs are the inputs whose values are masked before anything is
// printed.
var secretInputs = []string{"source-token", "source-client-secret", "target-token", "target-client-secret"}

// run is the whole action: read and check the inputs, connect to the
// workspaces, roll out to the target region, and report through outputs,
// the step summary and annotations. It returns an error when the rollout
// did not ship, rollbacks included.
func run(ctx context.Context, a *githubactions.Action, connect connectFunc, opts ...xregion.Option) error {
	for _, name := range secretInputs {
		if v := a.GetInput(name); v != "" {
			a.AddMask(v)
		}
	}
	in, err := readInputs(a)
	if err == nil {
		err = in.loadProbes()
	}
	if err == nil {
		err = in.Spec.Validate(in.Source.Host != "")
	}
	if err != nil {
		a.WithFieldsMap(map[string]string{"title": "xregion: bad input"}).Errorf("%s", err)
		return err
	}

	h := newActionHandler(a)
	defer h.endGroup()
	opts = append([]xregion.Option{xregion.WithLogger(slog.New(h))}, opts...)
	if in.DryRun {
		opts = append(opts, xregion.WithDryRun())
	}

	var src *rollout.Workspace
	if in.Source.Host != "" {
		w, err := connect(ctx, "source", in.Source, a.Getenv)
		if err != nil {
			a.WithFieldsMap(map[string]string{"title": "xregion: source workspace"}).Errorf("%s", err)
			return err
		}
		src = &w
	}
	dst, err := connect(ctx, "target", in.Target, a.Getenv)
	if err != nil {
		a.WithFieldsMap(map[string]string{"title": "xregion: target workspace"}).Errorf("%s", err)
		return err
	}

	res, err := rollout.Region(ctx, src, rollout.Target{Region: in.Region, Workspace: dst}, in.Spec, opts...)
	h.endGroup()
	setOutputs(a, in, res)
	a.AddStepSummary(summaryMarkdown(in, res))
	if err != nil {
		title := "xregion failed"
		var se *xregion.StepError
		if errors.As(err, &se) {
			title = "xregion: " + se.Step + " failed"
		}
		if res.Endpoint != nil && res.Endpoint.Outcome == endpoint.OutcomeRolledBack {
			title = "xregion: rolled back"
		}
		a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", oneLine(err))
		return err
	}
	return nil
}

// loadProbes reads the health-check file, if one is named.
func (in *inputs) loadProbes() error {
	if in.HealthChecks == "" {
		return nil
	}
	f, err := os.Open(in.HealthChecks)
	if err != nil {
		return xregion.Invalid("health-checks", in.HealthChecks, "cannot read the probe file: %v", errors.Unwrap(err))
	}
	defer f.Close()
	probes, err := endpoint.LoadProbes(f)
	if err != nil {
		var ie *xregion.InputError
		if errors.As(err, &ie) {
			return xregion.Invalid("health-checks", in.HealthChecks, "%s: %s", ie.Value, ie.Reason)
		}
		return err
	}
	in.Spec.Endpoint.Probes = probes
	return nil
}

// setOutputs writes the action's outputs.
func setOutputs(a *githubactions.Action, in *inputs, res *rollout.RegionResult) {
	share, catalog := in.Spec.Share, in.Spec.SharedCatalog
	if share == "" {
		share = rollout.DefaultShareName(in.Spec.Model)
	}
	if res.Share != nil {
		share = res.Share.Share
	}
	catalog = cmpOr(catalog, share)
	if res.Catalog != nil {
		catalog = res.Catalog.Catalog
	}
	a.SetOutput("share", share)
	a.SetOutput("shared-catalog", catalog)
	a.SetOutput("model-version", fmt.Sprint(res.Version))
	name := cmpOr(in.Spec.Endpoint.Name, rollout.DefaultEndpointName(in.Spec.Model))
	a.SetOutput("endpoint", name)
	a.SetOutput("endpoint-url", strings.TrimRight(in.Target.Host, "/")+"/serving-endpoints/"+name+"/invocations")
	rolledBack := false
	if e := res.Endpoint; e != nil {
		a.SetOutput("served-version", servedVersion(e.After, res.Model, in.Spec.SharedCatalog, share))
		a.SetOutput("previous-version", servedVersion(e.Before, res.Model, in.Spec.SharedCatalog, share))
		rolledBack = e.Outcome == endpoint.OutcomeRolledBack
	} else {
		a.SetOutput("served-version", "")
		a.SetOutput("previous-version", "")
	}
	a.SetOutput("rolled-back", fmt.Sprint(rolledBack))
	tables := []string{}
	if res.Online != nil {
		tables = res.Online.OnlineNames()
	}
	b, _ := json.Marshal(tables)
	a.SetOutput("online-tables", string(b))
	b, _ = json.Marshal(struct {
		DryRun bool `json:"dry_run"`
		*rollout.RegionResult
	}{in.DryRun, res})
	a.SetOutput("result", string(b))
}

// servedVersion is the version of the model a config serves, or "".
func servedVersion(c endpoint.ConfigSummary, model, sharedCatalog, share string) string {
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

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// oneLine keeps an error to the first line of each joined part.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
