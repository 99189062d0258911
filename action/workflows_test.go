package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// workflowStep is one step of a job of a workflow file, as far as these
// tests read it.
type workflowStep struct {
	job, id, uses string
	with          map[string]string
}

// workflowJob is one job of a workflow file: its top-level keys as text
// and its steps.
type workflowJob struct {
	name  string
	keys  map[string]string // "if", "needs", "outputs.version", ... (one-line values)
	lines []string          // every line of the job, for what keys leave out
	steps []workflowStep
}

// readWorkflow reads the jobs of a workflow file in the layout the shipped
// examples use (two-space indents, steps under "steps:" as "- " items). It
// is no YAML parser: it reads what these tests check, and fails the test on
// a file it cannot follow.
func readWorkflow(t *testing.T, path string) map[string]*workflowJob {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]*workflowJob{}
	var job *workflowJob
	var step *workflowStep
	inJobs, inWith := false, false
	section := "" // the job's key of the lines below it
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimRight(line, "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case indent == 0:
			inJobs = trimmed == "jobs:"
			job, step = nil, nil
			continue
		case !inJobs:
			continue
		case indent == 2:
			name := strings.TrimSuffix(trimmed, ":")
			job = &workflowJob{name: name, keys: map[string]string{}}
			jobs[name] = job
			step = nil
			continue
		}
		if job == nil {
			t.Fatalf("%s: cannot follow line %q", path, line)
		}
		job.lines = append(job.lines, trimmed)
		key, value, _ := strings.Cut(strings.TrimPrefix(trimmed, "- "), ":")
		value = strings.Trim(strings.TrimSpace(value), `"`)
		switch {
		case indent == 4:
			job.keys[key] = value
			section, step = key, nil
		case indent == 6 && !strings.HasPrefix(trimmed, "- "):
			job.keys[section+"."+key] = value
		case indent == 6 && strings.HasPrefix(trimmed, "- "):
			job.steps = append(job.steps, workflowStep{job: job.name, with: map[string]string{}})
			step = &job.steps[len(job.steps)-1]
			inWith = false
			fallthrough
		case indent == 8 && step != nil:
			switch key {
			case "id":
				step.id = value
			case "uses":
				step.uses = value
			case "with":
				inWith = true
			default:
				inWith = false
			}
		case indent == 10 && step != nil && inWith:
			step.with[key] = value
		}
	}
	return jobs
}

// xregionSteps returns the steps of jobs that use the action.
func xregionSteps(jobs map[string]*workflowJob) []workflowStep {
	var out []workflowStep
	for _, j := range jobs {
		for _, s := range j.steps {
			if strings.HasPrefix(s.uses, "org/xregion-action@") {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestShareThenDeployResolvesOnce: the share-then-deploy example resolves
// the alias in one step of one job, and every later step and job deploys the
// number that step resolved, so that an approval hours later still ships
// the version that was shared; a job for cancelled runs finishes the same
// number.
func TestShareThenDeployResolvesOnce(t *testing.T) {
	t.Parallel()
	jobs := readWorkflow(t, "../examples/workflows/share-then-deploy.yml")
	steps := xregionSteps(jobs)
	if len(steps) < 4 {
		t.Fatalf("found %d xregion steps, want the share steps, the deployment and the finish job's", len(steps))
	}
	number := regexp.MustCompile(`^\d+$`)
	var resolving []workflowStep
	for _, s := range steps {
		v := s.with["version"]
		switch {
		case v == "${{ steps.first.outputs.model-version }}" && s.job == "share":
		case v == "${{ needs.share.outputs.version }}" && s.job != "share":
		case number.MatchString(v):
		default:
			resolving = append(resolving, s)
		}
	}
	if len(resolving) != 1 || resolving[0].job != "share" || resolving[0].id != "first" || resolving[0].with["phase"] != "share" {
		t.Fatalf("steps resolving a version themselves: %+v; want exactly the share job's step with id first", resolving)
	}
	if got := jobs["share"].keys["outputs.version"]; got != "${{ steps.first.outputs.model-version }}" {
		t.Errorf("the share job's version output is %q, want the first step's model-version", got)
	}
	var finish *workflowJob
	for _, j := range jobs {
		if strings.HasPrefix(j.keys["if"], "cancelled()") {
			finish = j
		}
	}
	if finish == nil {
		t.Fatal("no job runs when the workflow is cancelled (if: cancelled())")
	}
	if !strings.Contains(finish.keys["needs"], "share") || !strings.Contains(finish.keys["if"], "needs.share.outputs.version") {
		t.Errorf("the cancelled-run job %s: needs %q, if %q; want it to need the share job and run only once a version was resolved",
			finish.name, finish.keys["needs"], finish.keys["if"])
	}
	for _, s := range finish.steps {
		if strings.HasPrefix(s.uses, "org/xregion-action@") && s.with["phase"] != "deploy" {
			t.Errorf("the cancelled-run job's xregion step has phase %q, want deploy", s.with["phase"])
		}
	}
}
