package marks_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/internal/marks"
)

func TestMarkRoundTrip(t *testing.T) {
	c := marks.With("Created by xregion.", "main.ml.b", "main.ml.a", "main.ml.a")
	if want := "Created by xregion.\nxregion-owner: main.ml.a, main.ml.b"; c != want {
		t.Fatalf("WithMark = %q, want %q", c, want)
	}
	m := marks.Parse(c)
	if !m.Found || !m.Has("MAIN.ml.A") || m.Has("main.ml.c") {
		t.Fatalf("ParseMark(%q) = %+v", c, m)
	}
	c2, rest := marks.RemoveOwner(c, "main.ml.a")
	if diff := cmp.Diff([]string{"main.ml.b"}, rest); diff != "" {
		t.Fatalf("RemoveOwner rest (-want +got):\n%s", diff)
	}
	c3, rest := marks.RemoveOwner(c2, "main.ml.b")
	if len(rest) != 0 || c3 != "Created by xregion.\nxregion-owner:" {
		t.Fatalf("RemoveOwner last = %q %v", c3, rest)
	}
	if m := marks.Parse(c3); !m.Found || len(m.Owners) != 0 {
		t.Fatalf("an emptied mark still marks the object as xregion's: %+v", m)
	}
	if got, changed := marks.AddOwner(c2, "main.ml.b"); changed || got != c2 {
		t.Fatalf("AddOwner of a present owner changed the comment: %q", got)
	}
	if got, changed := marks.AddOwner("a user's words", "m.s.x"); !changed || got != "a user's words\nxregion-owner: m.s.x" {
		t.Fatalf("AddOwner on an unmarked comment = %q %v", got, changed)
	}
	if m := marks.Parse("owned by xregion-owner: no"); m.Found {
		t.Fatalf("a mark must start its line: %+v", m)
	}
	if got, rest := marks.RemoveOwner("plain", "m.s.x"); got != "plain" || rest != nil {
		t.Fatalf("RemoveOwner on an unmarked comment = %q %v", got, rest)
	}
}
