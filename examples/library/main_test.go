package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsThisCode keeps the README's "Using the library" code the
// code of this file, so that what it shows compiles.
func TestREADMEShowsThisCode(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, code, ok := strings.Cut(string(src), "// README begin\n")
	code, _, ok2 := strings.Cut(code, "// README end\n")
	if !ok || !ok2 {
		t.Fatal("main.go lacks its README markers")
	}
	_, block, ok := strings.Cut(string(readme), "<!-- the code of examples/library/main.go between its README markers -->\n```go\n")
	block, _, ok2 = strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatal("README.md lacks the marked library example")
	}
	if strings.TrimSpace(block) != strings.TrimSpace(code) {
		t.Errorf("README.md's library example differs from examples/library/main.go between its markers: copy the code over")
	}
}

// TestDemo runs the example against emulated workspaces.
func TestDemo(t *testing.T) {
	t.Parallel()
	if err := run(t.Context(), []string{"-demo"}); err != nil {
		t.Fatalf("run(-demo) error = %v", err)
	}
}
