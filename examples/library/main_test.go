package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsThisCode keeps the README's "Using the library" code the
// whole of rollout.go, imports included, so that what it shows compiles as
// shown.
func TestREADMEShowsThisCode(t *testing.T) {
	t.Parallel()
	code, err := os.ReadFile("rollout.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "<!-- the whole of examples/library/rollout.go -->\n```go\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md lacks the marked library example")
	}
	if block != string(code) {
		t.Errorf("README.md's library example differs from examples/library/rollout.go: copy the file over")
	}
}

// TestDemo runs the example against emulated workspaces.
func TestDemo(t *testing.T) {
	t.Parallel()
	if err := run(t.Context(), []string{"-demo"}); err != nil {
		t.Fatalf("run(-demo) error = %v", err)
	}
}
