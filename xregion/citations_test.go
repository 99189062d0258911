package xregion_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unshipped names the research notes xregion was written from. They do not
// ship with the module, so a comment or a document that cites them (by name,
// or by a fact or section number of theirs) points its reader nowhere: cite
// the public evidence instead (a Databricks docs page, the SDK's source or
// doc comment, a terraform-provider-databricks issue, a recorded reply).
// The patterns are written so that they do not match their own text, and
// TestUnshippedPatterns shows what they catch.
var unshipped = []*regexp.Regexp{
	regexp.MustCompile(`service[-]facts`),
	regexp.MustCompile(`teardown[-]facts`),
	regexp.MustCompile(`databricks[-]api\.md`),
	regexp.MustCompile(`reference[-]dab`),
	regexp.MustCompile(`rollout[-]and-actions`),
	regexp.MustCompile(`go[-]style-anchors`),
	regexp.MustCompile(`\breference\s+(rollout\s+)?[§]`),
	regexp.MustCompile(`\bseeds?\s+0\d\d\b`),
}

// sectionCites are citations by number that only those notes resolve: a
// fact number, or a section sign and number. They are checked in Go
// comments and in documents; a Go string may hold a section sign of its own.
var sectionCites = []*regexp.Regexp{
	regexp.MustCompile(`\bfacts?\s+#?\d`),
	regexp.MustCompile(`[§]\s*[0-9A-Z]`),
}

// TestNoUnshippedCitations checks every .go, .md and .yml file of the
// module for citations of documents that do not ship with it.
func TestNoUnshippedCitations(t *testing.T) {
	t.Parallel()
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".go" && ext != ".md" && ext != ".yml" && ext != ".yaml" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		report := func(text string, line int, res []*regexp.Regexp) {
			for _, re := range res {
				if m := re.FindString(text); m != "" {
					t.Errorf("%s:%d: cites a document that does not ship (%q): cite the public source instead", rel, line, m)
				}
			}
		}
		for i, l := range strings.Split(string(src), "\n") {
			report(l, i+1, unshipped)
			if ext == ".md" {
				report(l, i+1, sectionCites)
			}
		}
		if ext != ".go" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				line := fset.Position(c.Pos()).Line
				for j, l := range strings.Split(c.Text, "\n") {
					report(l, line+j, sectionCites)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked %d files; want the whole module", checked)
	}
}

// TestUnshippedPatterns makes sure the patterns above catch the citations
// they are for and leave public ones alone.
func TestUnshippedPatterns(t *testing.T) {
	t.Parallel()
	all := append(append([]*regexp.Regexp{}, unshipped...), sectionCites...)
	matches := func(s string) bool {
		for _, re := range all {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}
	for _, s := range []string{
		"(service-" + "facts.md fact 6)", "(service-" + "facts §4)", "(teardown-" + "facts §9)",
		"(databricks-" + "api.md §4b)", "(reference " + "§12)", "(reference rollout " + "§B.2)",
		"(fact 14)", "facts 6 and 7", "(reference-" + "dab §7.2)", "(seed " + "001, \"Table ID\")",
	} {
		if !matches(s) {
			t.Errorf("%q is not caught", s)
		}
	}
	for _, s := range []string{
		"(SDK doc of ProvidersService.List)", "terraform-provider-databricks issue #3930",
		"RFC 6749 section 5.2", "docs.databricks.com/api/uc-catalogs/v1/delete-catalog",
		"skills/databricks-lakebase/references/synced-tables.md", "two runs with seed 7 differ",
	} {
		if matches(s) {
			t.Errorf("%q is caught", s)
		}
	}
}
