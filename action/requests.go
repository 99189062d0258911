package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/rollout"
)

// stepOrder is the order of the pipeline's steps in the requests table.
var stepOrder = []string{"DiscoverDependencies", "Preflight", "EnsureShare", "EnsureSharedCatalog", "WaitShareVisible",
	"CheckPreconditions", "PublishOnline", "WaitOnline", "DeployWithRollback"}

// requestsMarkdown is the step summary's account of the requests a run
// sent, per workspace and per step, or "" when they were not counted.
func requestsMarkdown(r *rollout.Requests) string {
	if r == nil || (r.Source == nil && r.Target == nil) {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n<details><summary>API requests: ")
	var totals []string
	sides := []struct {
		name string
		w    *rollout.WorkspaceRequests
	}{{"source", r.Source}, {"target", r.Target}}
	for _, s := range sides {
		if s.w != nil {
			totals = append(totals, fmt.Sprintf("%d to the %s", s.w.Total.Total(), s.name))
		}
	}
	b.WriteString(strings.Join(totals, ", "))
	b.WriteString("</summary>\n\n| workspace | step | reads | writes | queries | retries |\n|---|---|---|---|---|---|\n")
	for _, s := range sides {
		if s.w == nil {
			continue
		}
		steps := make([]string, 0, len(s.w.Steps))
		for step := range s.w.Steps {
			steps = append(steps, step)
		}
		slices.SortFunc(steps, func(a, b string) int {
			ia, ib := slices.Index(stepOrder, a), slices.Index(stepOrder, b)
			if ia < 0 {
				ia = len(stepOrder)
			}
			if ib < 0 {
				ib = len(stepOrder)
			}
			if ia != ib {
				return ia - ib
			}
			return strings.Compare(a, b)
		})
		row := func(step string, c client.Counts) {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", s.name, step, c.Reads, c.Writes, c.Queries, c.Retries)
		}
		for _, step := range steps {
			row(cmp.Or(step, "(other)"), s.w.Steps[step])
		}
		row("**total**", s.w.Total)
	}
	b.WriteString("\nRetries are counted among the reads and writes. The SDK limits each workspace client to 15 requests a second.\n</details>\n")
	return b.String()
}
