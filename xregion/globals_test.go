package xregion_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are calls library code must not make: the process
// environment, process exit, and contexts not handed down by the caller
// belong to main (the action's binary and the examples), not to the library.
var forbidden = map[string]string{
	"os.Getenv":          "read configuration from the caller, not the environment",
	"os.LookupEnv":       "read configuration from the caller, not the environment",
	"os.Setenv":          "never change the process environment",
	"os.Exit":            "return an error",
	"log.Fatal":          "return an error",
	"log.Fatalf":         "return an error",
	"context.Background": "take the caller's context",
	"context.TODO":       "take the caller's context",
	"slog.Default":       "take a logger through xregion.WithLogger",
	"slog.SetDefault":    "never change the process-wide logger",
}

// TestNoGlobalState checks every non-test file of the library (this
// directory and below, and the module's internal packages it uses) for the
// calls above.
func TestNoGlobalState(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	walk := func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok {
				if why, bad := forbidden[pkg.Name+"."+sel.Sel.Name]; bad {
					t.Errorf("%s: %s.%s in library code: %s", fset.Position(sel.Pos()), pkg.Name, sel.Sel.Name, why)
				}
			}
			return true
		})
		return nil
	}
	for _, dir := range []string{".", filepath.Join("..", "internal")} {
		if err := filepath.WalkDir(dir, walk); err != nil {
			t.Fatal(err)
		}
	}
}
