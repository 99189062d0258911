package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// commandTeardown removes what xregion made for the model.
const commandTeardown = "teardown"

// runTeardown removes what xregion made for the model in the target and on
// the source (rollout.Teardown), or in a dry run lists it.
func runTeardown(ctx context.Context, a *githubactions.Action, red redactor, in *inputs, src rollout.Workspace, dst rollout.Workspace, opts []xregion.Option) error {
	res, err := rollout.Teardown(ctx, src, rollout.Target{Region: in.Region, Workspace: dst}, in.Spec, in.Teardown, opts...)
	return reportTeardown(a, red, in, []*rollout.TeardownResult{res}, res, err)
}

// runFleetTeardown is runTeardown for every region of the regions file,
// the source side once at the end (rollout.TeardownRegions).
func runFleetTeardown(ctx context.Context, a *githubactions.Action, red redactor, in *inputs, src rollout.Workspace, targets []rollout.Target, opts []xregion.Option) error {
	ft, err := rollout.TeardownRegions(ctx, src, targets, in.Spec, in.Teardown, rollout.Plan{}, opts...)
	if ft == nil {
		ft = &rollout.FleetTeardown{}
	}
	results := ft.Regions
	if ft.Source != nil {
		results = append(results, ft.Source)
	}
	return reportTeardown(a, red, in, results, ft, err)
}

// reportTeardown sets the teardown output (out as JSON), writes the step
// summary and annotates a failure.
func reportTeardown(a *githubactions.Action, red redactor, in *inputs, results []*rollout.TeardownResult, out any, err error) error {
	err = red.Err(err)
	for _, r := range results {
		if r == nil {
			continue
		}
		r.Error = red.String(r.Error)
		for i := range r.Removals {
			r.Removals[i].Why = red.String(r.Removals[i].Why)
		}
	}
	b, _ := json.Marshal(out)
	setOutput(a, "teardown", red.String(string(b)))
	md := teardownMarkdown(in, results)
	if errors.Is(err, context.Canceled) {
		md += "\n**Interrupted**: the teardown was cancelled before it finished. Run it again with the same inputs to finish it: what is gone counts as removed.\n"
	}
	addSummary(a, md)
	if err != nil {
		if errors.Is(err, xregion.ErrInvalidInput) {
			err = red.Err(actionInputNames(err))
		}
		a.WithFieldsMap(map[string]string{"title": "xregion: teardown failed"}).Errorf("%s", oneLine(err))
		return err
	}
	kept := 0
	for _, r := range results {
		if r != nil {
			kept += r.Count(xregion.OpKept)
		}
	}
	if kept > 0 {
		a.Noticef("teardown kept %d object(s) it may not remove; the step summary says why for each", kept)
	}
	return nil
}

// teardownMarkdown is the step summary of a teardown: one row per object.
func teardownMarkdown(in *inputs, results []*rollout.TeardownResult) string {
	var b strings.Builder
	title := "xregion teardown"
	if in.DryRun {
		title += " (dry run: nothing removed; this is what a teardown would do)"
	}
	fmt.Fprintf(&b, "### %s: `%s`\n\n", title, in.Spec.Model)
	counts := map[xregion.Op]int{}
	b.WriteString("| region | kind | object | result |\n|---|---|---|---|\n")
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, rm := range r.Removals {
			counts[rm.Op]++
			region := cmpOr(r.Region, in.Region, in.Target.Host)
			switch rm.Kind {
			case xregion.KindRecipient, xregion.KindShareObject, xregion.KindShare:
				region = rollout.SourceRegion // one target's teardown folds the source side in
			case xregion.KindGrant:
				if len(results) == 1 && !strings.HasPrefix(rm.Why, "no credentials") {
					region = rollout.SourceRegion
				}
			}
			result := string(rm.Op)
			switch {
			case in.DryRun && rm.Op == xregion.OpRemoved:
				result = "would be removed"
			case in.DryRun && rm.Op == xregion.OpUpdated:
				result = "would be updated"
			}
			if rm.Why != "" {
				result += ": " + rm.Why
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s |\n", escape(region), rm.Kind, escape(rm.Name), escape(oneLineString(result)))
		}
		if r.Error != "" {
			fmt.Fprintf(&b, "| %s | error | | %s |\n", escape(cmpOr(r.Region, in.Region, in.Target.Host)), escape(oneLineString(r.Error)))
		}
	}
	format := "\n%d removed, %d only unmarked for this model, %d already absent, %d kept.\n"
	if in.DryRun {
		format = "\n%d would be removed, %d only unmarked for this model, %d already absent, %d kept.\n"
	}
	fmt.Fprintf(&b, format, counts[xregion.OpRemoved], counts[xregion.OpUpdated], counts[xregion.OpAbsent], counts[xregion.OpKept])
	for _, r := range results {
		if r == nil || r.Requests == nil {
			continue
		}
		if len(results) > 1 {
			fmt.Fprintf(&b, "\n%s:\n", escape(cmpOr(r.Region, in.Region, in.Target.Host)))
		}
		b.WriteString(requestsMarkdown(r.Requests))
	}
	return b.String()
}
