package main

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
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
	if res.Version > 0 {
		version = fmt.Sprint(res.Version)
	}
	fmt.Fprintf(&b, "### %s: `%s` version %s → %s\n\n", title, res.Model, version, cmp.Or(res.Region, "target"))
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
		online := ""
		if res.OnlineStatus != nil {
			online = fmt.Sprintf("; %d online", len(res.OnlineStatus))
		}
		row("Online tables", fmt.Sprintf("store `%s` (%s); %s%s", o.Store, op(o.StoreOp), strings.Join(names, ", "), online))
	}
	if e := res.Endpoint; e != nil {
		switch {
		case e.Outcome == endpoint.OutcomePlanned && e.Created:
			row("Endpoint `"+e.Endpoint+"`", "to be created, serving version "+version)
		case e.Outcome == endpoint.OutcomePlanned:
			row("Endpoint `"+e.Endpoint+"`", fmt.Sprintf("to be updated from config %d %s to version %s", e.Before.Version, served(e.Before), version))
		default:
			row("Endpoint `"+e.Endpoint+"`", fmt.Sprintf("%s: config %d %s → %d %s", e.Outcome, e.Before.Version, served(e.Before), e.After.Version, served(e.After)))
		}
		for _, c := range e.Checks {
			row("Health: "+c.Name, fmt.Sprintf("%s %s", c.Status, escape(c.Detail)))
		}
		if e.Reason != "" {
			row("Failure", fmt.Sprintf("at %s: %s", e.Stage, escape(e.Reason)))
		}
	}
	if res.Error != "" && (res.Endpoint == nil || res.Endpoint.Reason == "") {
		row("Failure", escape(res.Error))
	}
	if res.Endpoint != nil && res.Endpoint.Outcome == endpoint.OutcomeRolledBack {
		b.WriteString("\n**Rolled back**: the previous config is serving again; the new version did not ship.\n")
	}
	return b.String()
}

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
