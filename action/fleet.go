package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// runFleet rolls out to every region of the regions file, in its waves
// ([rollout.Regions]), and reports the fleet through outputs, the step
// summary and annotations. Every workspace is connected, and its
// credentials checked, before the first write.
func runFleet(ctx context.Context, a *githubactions.Action, red redactor, connect connectFunc, in *inputs, opts ...xregion.Option) error {
	h, opts := stepOptions(a, red, in, opts)
	defer h.endGroup()
	f := in.Fleet
	var src rollout.Workspace // zero without a source: the deploy phase
	if in.Source.Host != "" {
		a.Infof("Connecting to the source workspace %s", in.Source.Host)
		var err error
		if src, err = connectSide(ctx, a, red, connect, "source", in.Source); err != nil {
			return err
		}
	}
	ws := map[string]rollout.Workspace{}
	for _, r := range f.Regions {
		a.Infof("Connecting to region %s: %s", r.Name, r.Side.Host)
		w, err := connectRegion(ctx, a, red, connect, f.Path, r)
		if err != nil {
			return err
		}
		ws[r.Name] = w
	}
	switch in.Command {
	case commandStatus:
		defer h.endGroup()
		return runFleetStatus(ctx, a, red, in, src, f.targets(ws), opts)
	case commandRefresh:
		defer h.endGroup()
		return runFleetRefresh(ctx, a, red, in, src, f.targets(ws), opts)
	case commandTeardown:
		defer h.endGroup()
		return runFleetTeardown(ctx, a, red, in, src, f.targets(ws), opts)
	}
	plan := rollout.Plan{Waves: f.Waves, WaveBake: in.WaveBake, AllOrNothing: in.AllOrNothing}
	results, err := rollout.Regions(ctx, src, f.targets(ws), in.Spec, plan, opts...)
	h.endGroup()
	if results == nil { // invalid input, before any call
		err = red.Err(err)
		a.WithFieldsMap(map[string]string{"title": "xregion: bad input"}).Errorf("%s", oneLine(err))
		reportFailure(a, err)
		return err
	}
	for _, r := range results {
		redactFleet(red, r)
	}
	err = red.Err(err)
	setFleetOutputs(a, in, results)
	md := fleetSummary(in, results)
	if errors.Is(err, context.Canceled) {
		md += interruptedNote
	}
	addSummary(a, md)
	if err != nil {
		title := "xregion: fleet failed"
		for _, r := range results {
			if r.Status == rollout.StatusRestored {
				title = "xregion: fleet failed; shipped regions restored"
			}
		}
		a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", oneLine(err))
		return err
	}
	return nil
}

// connectRegion connects to one region of the regions file and checks that
// it accepts the entry's credentials; a failure names the file, the entry
// and the key to fix, and is reported.
func connectRegion(ctx context.Context, a *githubactions.Action, red redactor, connect connectFunc, path string, r regionEntry) (rollout.Workspace, error) {
	// Connecting makes a first authenticated call (connectSDK reads who
	// the caller is), which meets a refused credential.
	w, err := connect(ctx, "target", r.Side, a.Getenv)
	if err == nil {
		return w, nil
	}
	if rf := refused("target", r.Side, err); rf != nil {
		err = rf
	}
	title := "xregion: region " + r.Name + " workspace"
	var re *refusedError
	if errors.As(err, &re) {
		key := sideKey.Replace(re.Input)
		named := ""
		if v := r.vars[key]; v != "" {
			named = " (" + v + ")"
		}
		// The service's answer is enough: the message of the call around
		// it would name the workspace again.
		detail := re.Err.Error()
		var ae *apierr.APIError
		if errors.As(re.Err, &ae) {
			detail = fmt.Sprintf("%d %s", ae.StatusCode, ae.Message)
		}
		err = &regionError{msg: fmt.Sprintf("regions file %s: region %s: the credential of key %q%s was refused by the workspace %s: %s", path, r.Name, key, named, r.Side.Host, detail), err: re}
		title = "xregion: region " + r.Name + " refused " + key
	} else {
		err = fmt.Errorf("regions file %s: region %s (key \"host\" %s): %w", path, r.Name, r.Side.Host, err)
	}
	err = red.Err(err)
	a.WithFieldsMap(map[string]string{"title": title}).Errorf("%s", oneLine(err))
	reportFailure(a, err)
	return rollout.Workspace{}, err
}

// regionError is an error of one region with a message of its own.
type regionError struct {
	msg string
	err error
}

func (e *regionError) Error() string { return e.msg }
func (e *regionError) Unwrap() error { return e.err }

// redactFleet removes the secrets from a fleet result's messages.
func redactFleet(red redactor, r *rollout.RegionResult) {
	red.Result(r)
	for i := range r.Rechecks {
		r.Rechecks[i].Detail = red.String(r.Rechecks[i].Detail)
	}
	if r.Restored != nil {
		r.Restored.Reason = red.String(r.Restored.Reason)
		if e := r.Restored.Endpoint; e != nil {
			e.Reason = red.String(e.Reason)
		}
	}
}

// regionOutcome is one region's entry of the regions-result output.
type regionOutcome struct {
	Wave            int            `json:"wave"`
	Outcome         rollout.Status `json:"outcome"`
	Endpoint        string         `json:"endpoint,omitempty"`
	EndpointOutcome string         `json:"endpoint_outcome,omitempty"`
	ServedVersion   string         `json:"served_version"`
	PreviousVersion string         `json:"previous_version"`
	RolledBack      bool           `json:"rolled_back"`
	Restored        bool           `json:"restored"`
	RestoreReason   string         `json:"restore_reason,omitempty"`
	OnlineTables    []string       `json:"online_tables"`
	Error           string         `json:"error,omitempty"`
}

// outcomeOf summarises a region's result for the regions-result output.
func outcomeOf(r *rollout.RegionResult) regionOutcome {
	o := regionOutcome{Wave: r.Wave, Outcome: r.Status, Error: r.Error, OnlineTables: []string{}}
	if o.Outcome == "" { // one region, not a fleet
		o.Wave = 1
		o.Outcome = map[bool]rollout.Status{true: rollout.StatusShipped, false: rollout.StatusFailed}[r.Error == ""]
		if r.Endpoint != nil && r.Endpoint.Outcome == endpoint.OutcomePlanned {
			o.Outcome = rollout.StatusPlanned
		}
	}
	if r.Online != nil {
		o.OnlineTables = r.Online.OnlineNames()
	}
	if e := r.Endpoint; e != nil {
		o.Endpoint, o.EndpointOutcome = e.Endpoint, string(e.Outcome)
		o.ServedVersion, o.PreviousVersion = servedVersion(e.After, r.Model), servedVersion(e.Before, r.Model)
		o.RolledBack = e.Outcome == endpoint.OutcomeRolledBack
	}
	if rs := r.Restored; rs != nil {
		// Restored only when the restore changed something back.
		o.Restored, o.RestoreReason = rs.Endpoint != nil && rs.Endpoint.Outcome == endpoint.OutcomeRolledBack, rs.Reason
		if rs.Endpoint != nil {
			o.ServedVersion = servedVersion(rs.Endpoint.After, r.Model)
		}
	}
	return o
}

// regionsResult is the regions-result output: a JSON object keyed by
// region.
func regionsResult(results []*rollout.RegionResult) string {
	m := map[string]regionOutcome{}
	for i, r := range results {
		m[cmp.Or(r.Region, fmt.Sprint("#", i+1))] = outcomeOf(r)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// setFleetOutputs writes the outputs of a fleet rollout: regions-result,
// and those of the single-region outputs that make sense for a fleet. The
// per-endpoint outputs are empty; regions-result has them per region.
func setFleetOutputs(a *githubactions.Action, in *inputs, results []*rollout.RegionResult) {
	share, catalog, version, rolledBack := cmp.Or(in.Spec.Share, rollout.DefaultShareName(in.Spec.Model)), "", "", false
	for _, r := range results {
		if r.Share != nil {
			share = r.Share.Share
		}
		if r.Catalog != nil {
			catalog = r.Catalog.Catalog
		}
		if v := resolvedVersion(r); v > 0 {
			version = fmt.Sprint(v)
		}
		o := outcomeOf(r)
		rolledBack = rolledBack || o.RolledBack || o.Restored
	}
	setOutput(a, "share", share)
	setOutput(a, "shared-catalog", catalog)
	setOutput(a, "model-version", version)
	for _, k := range []string{"endpoint", "endpoint-url", "served-version", "previous-version"} {
		setOutput(a, k, "")
	}
	setOutput(a, "rolled-back", fmt.Sprint(rolledBack))
	setOutput(a, "online-tables", "[]")
	b, _ := json.Marshal(struct {
		DryRun  bool                    `json:"dry_run"`
		Regions []*rollout.RegionResult `json:"regions"`
	}{in.DryRun, results})
	setOutput(a, "result", string(b))
	setOutput(a, "regions-result", regionsResult(results))
}

// fleetSummary renders a fleet's step summary: one table of the fleet,
// the restores and why, then each region's details.
func fleetSummary(in *inputs, results []*rollout.RegionResult) string {
	var b strings.Builder
	title := "xregion fleet"
	if in.DryRun {
		title += " plan (dry run: nothing was written)"
	}
	version := "?"
	for _, r := range results {
		if v := resolvedVersion(r); v > 0 {
			version = fmt.Sprint(v)
		}
	}
	waves := 0
	for _, r := range results {
		waves = max(waves, r.Wave)
	}
	mode := ""
	if in.AllOrNothing {
		mode = ", all-or-nothing"
	}
	if in.WaveBake > 0 {
		mode += fmt.Sprintf(", %s bake per wave", in.WaveBake)
	}
	fmt.Fprintf(&b, "### %s: `%s` version %s → %d region(s) in %d wave(s)%s\n\n", title, results[0].Model, version, len(results), waves, mode)
	b.WriteString("| region | wave | outcome | version before → after | online tables | health |\n|---|---|---|---|---|---|\n")
	var restored []string
	for _, r := range results {
		o := outcomeOf(r)
		outcome := string(r.Status)
		if e := r.Endpoint; e != nil && r.Status != rollout.StatusSkipped {
			outcome += " (endpoint " + string(e.Outcome) + ")"
		}
		versions := "–"
		if e := r.Endpoint; e != nil {
			versions = cmp.Or(o.PreviousVersion, "none") + " → " + cmp.Or(servedVersion(e.After, r.Model), "none")
			if rs := r.Restored; rs != nil && rs.Endpoint != nil && rs.Endpoint.Outcome == endpoint.OutcomeRolledBack {
				versions += ", restored to " + cmp.Or(o.ServedVersion, "none")
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", escape(r.Region), r.Wave, outcome, versions, onlineCell(r), healthCell(r))
		if r.Restored != nil {
			restored = append(restored, fmt.Sprintf("- **%s**: %s — %s", escape(r.Region), restoreOutcome(r.Restored), escape(r.Restored.Reason)))
		}
	}
	if len(restored) > 0 {
		b.WriteString("\n**Restored to their pre-run endpoint config:**\n\n" + strings.Join(restored, "\n") + "\n")
	}
	for _, r := range results {
		if r.Status == rollout.StatusSkipped {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary>%s: %s</summary>\n\n", escape(r.Region), r.Status)
		b.WriteString(summaryMarkdown(in, r))
		b.WriteString("\n</details>\n")
	}
	if skipped := statusRegions(results, rollout.StatusSkipped); len(skipped) > 0 {
		fmt.Fprintf(&b, "\n**Not started**: %s (nothing was written there). A re-run with the same inputs continues the fleet.\n", strings.Join(skipped, ", "))
	}
	return b.String()
}

func statusRegions(results []*rollout.RegionResult, s rollout.Status) []string {
	var out []string
	for _, r := range results {
		if r.Status == s {
			out = append(out, r.Region)
		}
	}
	return out
}

func restoreOutcome(r *rollout.Restored) string {
	switch {
	case r.Endpoint == nil:
		return "not restored"
	case r.Endpoint.Outcome == endpoint.OutcomeRolledBack && r.Endpoint.Created:
		return "the endpoint this run created was deleted"
	case r.Endpoint.Outcome == endpoint.OutcomeRolledBack:
		return fmt.Sprintf("restored to config %s", served(r.Endpoint.After))
	case r.Endpoint.Outcome == endpoint.OutcomeUnchanged:
		return "nothing to restore (this run had not changed its endpoint)"
	}
	return fmt.Sprintf("restore %s: %s", r.Endpoint.Outcome, escape(r.Endpoint.Reason))
}

// onlineCell is a region's online tables in the fleet table.
func onlineCell(r *rollout.RegionResult) string {
	if r.Online == nil {
		return "–"
	}
	if r.OnlineStatus == nil {
		return fmt.Sprintf("%d table(s)", len(r.Online.Tables))
	}
	n := 0
	for _, s := range r.OnlineStatus {
		if s.Phase == online.PhaseOnline {
			n++
		}
	}
	return fmt.Sprintf("%d of %d online", n, len(r.Online.Tables))
}

// healthCell is a region's health checks in the fleet table: how many
// passed, or the first that did not.
func healthCell(r *rollout.RegionResult) string {
	var checks []endpoint.CheckResult
	if r.Endpoint != nil {
		checks = append(checks, r.Endpoint.Checks...)
	}
	checks = append(checks, r.Rechecks...)
	if len(checks) == 0 {
		return "–"
	}
	pass := 0
	for _, c := range checks {
		if c.Status == endpoint.CheckPass {
			pass++
			continue
		}
		return fmt.Sprintf("%s: %s", c.Status, escape(c.Name))
	}
	return fmt.Sprintf("%d/%d pass", pass, len(checks))
}
