package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// Commands the command input selects.
const (
	commandRollout = "rollout"
	commandStatus  = "status"
	commandRefresh = "refresh"
)

// runStatus reports what the target serves and how it differs from the
// inputs (rollout.Observe), writing nothing. With fail-on-drift, drift, a
// stale table or a failed health check fails the step.
func runStatus(ctx context.Context, a *githubactions.Action, red redactor, in *inputs, src rollout.Workspace, dst rollout.Workspace, opts []xregion.Option) error {
	st, err := rollout.Observe(ctx, src, rollout.Target{Region: in.Region, Workspace: dst}, in.Spec, opts...)
	err = red.Err(err)
	st.Error = red.String(st.Error)
	for i := range st.Drift {
		st.Drift[i] = red.String(st.Drift[i])
	}
	b, _ := json.Marshal(st)
	setOutput(a, "status", red.String(string(b)))
	setOutput(a, "drift", fmt.Sprint(st.Drifted()))
	addSummary(a, statusMarkdown(in, st))
	if err != nil {
		a.WithFieldsMap(map[string]string{"title": "xregion: status failed"}).Errorf("%s", oneLine(err))
		return err
	}
	if derr := st.Err(); derr != nil {
		if in.FailOnDrift {
			a.WithFieldsMap(map[string]string{"title": "xregion: drift"}).Errorf("%s", oneLine(red.Err(derr)))
			return derr
		}
		a.Warningf("%s", oneLine(red.Err(derr)))
	}
	return nil
}

// runFleetStatus is runStatus for every region of the regions file
// (rollout.ObserveRegions: the source's discovery once, nothing written).
func runFleetStatus(ctx context.Context, a *githubactions.Action, red redactor, in *inputs, src rollout.Workspace, targets []rollout.Target, opts []xregion.Option) error {
	sts, err := rollout.ObserveRegions(ctx, src, targets, in.Spec, rollout.Plan{}, opts...)
	err = red.Err(err)
	byRegion := map[string]*rollout.RegionStatus{}
	var md strings.Builder
	var drifted []error
	for _, st := range sts {
		if st == nil {
			continue
		}
		st.Error = red.String(st.Error)
		for i := range st.Drift {
			st.Drift[i] = red.String(st.Drift[i])
		}
		byRegion[st.Region] = st
		md.WriteString(statusMarkdown(in, st))
		if derr := st.Err(); derr != nil {
			drifted = append(drifted, derr)
		}
	}
	b, _ := json.Marshal(byRegion)
	setOutput(a, "status", red.String(string(b)))
	setOutput(a, "drift", fmt.Sprint(len(drifted) > 0))
	addSummary(a, md.String())
	if err != nil {
		a.WithFieldsMap(map[string]string{"title": "xregion: status failed"}).Errorf("%s", oneLine(err))
		return err
	}
	if len(drifted) > 0 {
		derr := red.Err(errors.Join(drifted...))
		if in.FailOnDrift {
			a.WithFieldsMap(map[string]string{"title": "xregion: drift"}).Errorf("%s", oneLine(derr))
			return derr
		}
		a.Warningf("%s", oneLine(derr))
	}
	return nil
}

// runFleetRefresh runs rollout.Refresh in every region of the regions
// file, one after the other, and reports each as a rollout would.
func runFleetRefresh(ctx context.Context, a *githubactions.Action, red redactor, in *inputs, src rollout.Workspace, targets []rollout.Target, opts []xregion.Option) error {
	var results []*rollout.RegionResult
	var errs []error
	for _, t := range targets {
		res, err := rollout.Refresh(ctx, src, t, in.Spec, opts...)
		if res != nil {
			res.Region = cmpOr(res.Region, t.Region)
			redactFleet(red, res)
			results = append(results, res)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("region %s: %w", t.Region, err))
		}
	}
	err := red.Err(errors.Join(errs...))
	setFleetOutputs(a, in, results)
	addSummary(a, fleetSummary(in, results))
	if err != nil {
		a.WithFieldsMap(map[string]string{"title": "xregion: refresh failed"}).Errorf("%s", oneLine(err))
		return err
	}
	return nil
}

// statusMarkdown is the step summary of a status.
func statusMarkdown(in *inputs, st *rollout.RegionStatus) string {
	var b strings.Builder
	want := "version ?"
	if st.Want > 0 {
		want = fmt.Sprint("version ", st.Want)
	}
	if v := cmpOr(in.Spec.Version, "latest"); v != fmt.Sprint(st.Want) {
		want = v + " = " + want // what an alias or latest names now
	}
	fmt.Fprintf(&b, "### xregion status: `%s` %s → %s\n\n", in.Spec.Model, want, cmpOr(st.Region, in.Region, in.Target.Host))
	b.WriteString("| what | state |\n|---|---|\n")
	if st.Error != "" {
		fmt.Fprintf(&b, "| Error | %s |\n", escape(oneLineString(st.Error)))
	}
	if e := st.Endpoint; e != nil {
		health := "ready"
		if !e.Ready {
			health = "not ready (" + e.State + ")"
		}
		for _, c := range e.Checks {
			health += fmt.Sprintf("; %s %s", c.Name, c.Status)
		}
		fmt.Fprintf(&b, "| Endpoint `%s` | %s; %s |\n", e.Endpoint, escape(e.Describe()), escape(health))
	}
	for _, t := range st.Online {
		last := "last sync unknown"
		if !t.LastSync.IsZero() {
			last = "last synced " + t.LastSync.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(&b, "| Online table `%s` | %s, %s |\n", t.Name, t.Phase, last)
	}
	if len(st.Drift) == 0 && len(st.Stale) == 0 && st.Error == "" {
		b.WriteString("| Drift | none |\n")
	}
	for _, d := range st.Drift {
		fmt.Fprintf(&b, "| Drift | %s |\n", escape(d))
	}
	for _, s := range st.Stale {
		fmt.Fprintf(&b, "| Stale | `%s`: last sync older than %s |\n", s, in.Spec.OnlineMaxStaleness)
	}
	b.WriteString("\n")
	return b.String()
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func oneLineString(s string) string { return strings.Join(strings.Fields(s), " ") }
