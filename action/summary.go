package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
)

// summaryMarkdown renders the region's step summary: one table row per step
// that ran, the health checks, and the failure, if any.
func summaryMarkdown(in *inputs, res *rollout.RegionResult) string {
	var b strings.Builder
	// A plan speaks of what would happen.
	op := func(o xregion.Op) string {
		if in.DryRun && o.Wrote() {
			return "to be " + string(o)
		}
		return string(o)
	}
	title := "xregion"
	if in.DryRun {
		title += " plan (dry run: nothing was written)"
	}
	version := "?"
	if v := resolvedVersion(res); v > 0 {
		version = fmt.Sprint(v)
	}
	fmt.Fprintf(&b, "### %s: `%s` version %s → %s\n\n", title, res.Model, version, cmp.Or(res.Region, in.Target.Host, "target"))
	b.WriteString("| step | result |\n|---|---|\n")
	row := func(step, result string) { fmt.Fprintf(&b, "| %s | %s |\n", step, result) }

	if d := res.Dependencies; d != nil {
		pre := "none"
		if p := d.Preconditions(); len(p) > 0 {
			var s []string
			for _, x := range p {
				s = append(s, x.Kind+" `"+x.Name+"`")
			}
			pre = strings.Join(s, ", ")
		}
		row("Dependencies", fmt.Sprintf("%d table(s), %d function(s); must exist in the target: %s", len(d.Tables), len(d.Functions), pre))
	}
	if s := res.Share; s != nil {
		var added []string
		for _, o := range s.Added {
			added = append(added, "`"+o.Name+"`")
		}
		detail := "no object added"
		if len(added) > 0 {
			detail = "added " + strings.Join(added, ", ")
			if in.DryRun {
				detail = "to add " + strings.Join(added, ", ")
			}
		}
		row("Share `"+s.Share+"`", fmt.Sprintf("%s: %s; recipient `%s` (%s); SELECT %s", op(s.Op), detail, s.Recipient, op(s.RecipientOp), grant(s.GrantOp, in.DryRun)))
	}
	if c := res.Catalog; c != nil {
		provider := "`" + c.Provider + "`"
		if c.Provider == "" {
			provider = "(visible once the share is granted)"
		}
		row("Catalog `"+c.Catalog+"`", fmt.Sprintf("%s, from provider %s, share `%s`", op(c.Op), provider, c.Share))
	}
	if o := res.Online; o != nil {
		// The last sync as WaitOnline saw it, else as read before publishing.
		synced := map[string]time.Time{}
		for _, t := range o.Tables {
			synced[t.Online] = t.LastSync
		}
		for _, s := range res.OnlineStatus {
			if !s.LastSync.IsZero() {
				synced[s.Name] = s.LastSync
			}
		}
		var names []string
		for _, t := range o.Tables {
			detail := op(t.Op)
			if t.Reason != "" {
				detail += ": " + escape(t.Reason)
			}
			if at := synced[t.Online]; !at.IsZero() {
				detail += "; last synced " + at.UTC().Format(time.RFC3339)
			}
			names = append(names, fmt.Sprintf("`%s` (%s)", t.Online, detail))
		}
		status := ""
		if res.OnlineStatus != nil {
			// The statuses of the last poll: an interrupted wait leaves
			// some pending.
			var n int
			var pending []string
			for _, st := range res.OnlineStatus {
				if st.Phase == online.PhaseOnline {
					n++
					continue
				}
				pending = append(pending, fmt.Sprintf("`%s` %s (%s)", st.Name, st.Phase, escape(cmp.Or(string(st.State), "no sync state"))))
			}
			status = fmt.Sprintf("; %d of %d online", n, len(o.Tables))
			if len(pending) > 0 {
				status += ": " + strings.Join(pending, ", ")
			}
		}
		row("Online tables", fmt.Sprintf("store `%s` (%s); %s%s", o.Store, op(o.StoreOp), strings.Join(names, ", "), status))
	}
	if e := res.Endpoint; e != nil {
		name := "Endpoint `" + e.Endpoint + "`"
		switch {
		case e.Outcome == endpoint.OutcomePlanned && e.Created:
			row(name, "to be created, serving version "+version)
		case e.Outcome == endpoint.OutcomePlanned && e.Reason != "":
			row(name, fmt.Sprintf("to be updated from config %d %s to version %s; %s", e.Before.Version, served(e.Before), version, escape(e.Reason)))
		case e.Outcome == endpoint.OutcomePlanned:
			row(name, fmt.Sprintf("to be updated from config %d %s to version %s", e.Before.Version, served(e.Before), version))
		case e.Created && e.Outcome == endpoint.OutcomeRolledBack && e.After.Version == 0:
			row(name, fmt.Sprintf("%s: created for version %s, which failed its first deployment; the new endpoint was deleted", e.Outcome, version))
		case e.Created && e.Outcome == endpoint.OutcomeRolledBack:
			row(name, fmt.Sprintf("%s: created for version %s, which failed its first deployment; the new endpoint was kept as it failed, config %d %s", e.Outcome, version, e.After.Version, served(e.After)))
		case e.Created:
			row(name, fmt.Sprintf("%s: created, config %d %s", e.Outcome, e.After.Version, served(e.After)))
		default:
			row(name, fmt.Sprintf("%s: config %d %s → %d %s", e.Outcome, e.Before.Version, served(e.Before), e.After.Version, served(e.After)))
		}
		for _, c := range e.Checks {
			result := string(c.Status)
			if d := checkDetail(c); d != "" {
				result += " — " + d
			}
			row("Health: "+escape(c.Name), result)
		}
		if e.Reason != "" && e.Outcome != endpoint.OutcomePlanned {
			row("Failure", fmt.Sprintf("at %s: %s", e.Stage, escape(e.Reason)))
		}
	}
	if res.Error != "" && (res.Endpoint == nil || res.Endpoint.Reason == "" || res.Endpoint.Outcome == endpoint.OutcomePlanned) {
		row("Failure", escape(failureText(res.Error)))
	}
	if e := res.Endpoint; e != nil {
		switch {
		case e.Outcome == endpoint.OutcomeRolledBack && e.Created && e.After.Version == 0:
			b.WriteString("\n**Rolled back**: the endpoint was new and its first deployment failed, so it was deleted; nothing serves the model there. The version did not ship.\n")
		case e.Outcome == endpoint.OutcomeRolledBack && e.Created:
			b.WriteString("\n**Rolled back**: the endpoint was new and its first deployment failed; it was kept as it failed, for inspection. The version did not ship.\n")
		case e.Outcome == endpoint.OutcomeRolledBack:
			b.WriteString("\n**Rolled back**: the previous config is serving again; the new version did not ship.\n")
		case e.Outcome == endpoint.OutcomeFrozen:
			b.WriteString("\n**Frozen**: the deployment failed and the endpoint was left as the failure left it (`on-failure: freeze`).\n")
		case e.Outcome == endpoint.OutcomeRollbackFailed:
			b.WriteString("\n**Rollback failed**: the endpoint needs attention.\n")
		case e.Outcome == endpoint.OutcomeAborted:
			b.WriteString("\n**Aborted**: someone else changed the endpoint during the deployment; it serves what they made it serve, and nothing was rolled back.\n")
		}
	}
	b.WriteString(requestsMarkdown(res.Requests))
	return b.String()
}

// failureText is a run's error for a person: a cancellation reads
// "interrupted", not as the Go error it is.
func failureText(msg string) string {
	if m, ok := strings.CutSuffix(msg, ": "+context.Canceled.Error()); ok {
		return m + ": interrupted"
	}
	return msg
}

// interruptedNote ends the summary of a run that was cancelled.
const interruptedNote = "\n**Interrupted**: the run was cancelled before it finished; the steps after the failure did not run. " +
	"Run it again with the same inputs to finish (it converges).\n"

// resolvedVersion is the model version the run resolved, known from
// discovery on, or 0.
func resolvedVersion(res *rollout.RegionResult) int {
	if res.Version == 0 && res.Dependencies != nil {
		return res.Dependencies.Version
	}
	return res.Version
}

// checkDetail is a check's detail for the summary, on one table row. Its
// latencies come rounded for people from the endpoint package.
func checkDetail(c endpoint.CheckResult) string { return escape(c.Detail) }

func grant(op xregion.Op, dryRun bool) string {
	switch {
	case op == xregion.OpCreated && dryRun:
		return "to be granted"
	case op == xregion.OpCreated:
		return "granted"
	}
	return "already granted"
}

func served(c endpoint.ConfigSummary) string {
	if len(c.Served) == 0 {
		return "(none)"
	}
	return "`" + strings.Join(c.Served, "`, `") + "`"
}

// escape keeps a detail on one table row.
func escape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
