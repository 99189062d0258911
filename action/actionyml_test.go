package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// section returns the lines of action.yml between a top-level key and the
// next one.
func section(t *testing.T, key string) []string {
	t.Helper()
	b, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		top := line != "" && line[0] != ' ' && line[0] != '#'
		switch {
		case top && strings.HasPrefix(line, key+":"):
			in = true
		case top:
			in = false
		case in:
			out = append(out, line)
		}
	}
	return out
}

var idRE = regexp.MustCompile(`^  ([a-z][a-z0-9-]*):$`)

func ids(lines []string) []string {
	var out []string
	for _, l := range lines {
		if m := idRE.FindStringSubmatch(l); m != nil {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// TestActionYMLMapsEveryInput checks that action.yml hands every input to
// the binary under the name GetInput reads, and declares every input the
// binary reads.
func TestActionYMLMapsEveryInput(t *testing.T) {
	t.Parallel()
	declared := ids(section(t, "inputs"))
	envRE := regexp.MustCompile(`^\s+INPUT_(\S+): \$\{\{ inputs\.(\S+) \}\}$`)
	var mapped []string
	for _, l := range section(t, "runs") {
		if m := envRE.FindStringSubmatch(l); m != nil {
			if m[1] != strings.ToUpper(m[2]) {
				t.Errorf("INPUT_%s carries inputs.%s, want INPUT_%s", m[1], m[2], strings.ToUpper(m[2]))
			}
			mapped = append(mapped, m[2])
		}
	}
	slices.Sort(mapped)
	if diff := cmp.Diff(declared, mapped); diff != "" {
		t.Errorf("inputs declared vs mapped to INPUT_* (-declared +mapped):\n%s", diff)
	}
	// Every input the binary reads is declared.
	src, err := os.ReadFile("inputs.go")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`get\("([a-z-]+)"\)|boolean\("([a-z-]+)"|duration\("([a-z-]+)"`).FindAllStringSubmatch(string(src), -1) {
		read[m[1]+m[2]+m[3]] = true
	}
	for _, side := range []string{"source", "target"} {
		for _, f := range []string{"host", "token", "client-id", "client-secret", "auth-type", "azure-tenant-id"} {
			read[side+"-"+f] = true
		}
	}
	for name := range read {
		if !slices.Contains(declared, name) {
			t.Errorf("the binary reads input %q, which action.yml does not declare", name)
		}
	}
	for _, name := range declared {
		if !read[name] {
			t.Errorf("action.yml declares input %q, which the binary never reads", name)
		}
	}
}

// TestActionYMLDeclaresEveryOutput checks that action.yml passes on every
// output the binary sets, from the step that runs it.
func TestActionYMLDeclaresEveryOutput(t *testing.T) {
	t.Parallel()
	w := newFakeWorld()
	r := runAction(t, w, baseInputs())
	if r.err != nil {
		t.Fatalf("run() error = %v", r.err)
	}
	status := baseInputs()
	status["command"] = "status"
	rs := runAction(t, w, status)
	if rs.err != nil {
		t.Fatalf("run(status) error = %v", rs.err)
	}
	var set []string
	for k := range r.outputs(t) {
		set = append(set, k)
	}
	td := baseInputs()
	td["command"], td["dry-run"] = "teardown", "true"
	rt := runAction(t, w, td)
	if rt.err != nil {
		t.Fatalf("run(teardown) error = %v", rt.err)
	}
	for _, run := range []*runner{rs, rt} {
		for k := range run.outputs(t) {
			if !slices.Contains(set, k) {
				set = append(set, k)
			}
		}
	}
	slices.Sort(set)
	lines := section(t, "outputs")
	if diff := cmp.Diff(set, ids(lines)); diff != "" {
		t.Errorf("outputs set by the binary vs declared (-set +declared):\n%s", diff)
	}
	for _, name := range set {
		if !slices.Contains(lines, "    value: ${{ steps.run.outputs."+name+" }}") {
			t.Errorf("output %q has no value from the run step", name)
		}
	}
}
