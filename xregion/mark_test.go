package xregion_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
)

func TestMarkRoundTrip(t *testing.T) {
	c := xregion.WithMark("Created by xregion.", "main.ml.b", "main.ml.a", "main.ml.a")
	if want := "Created by xregion.\nxregion-owner: main.ml.a, main.ml.b"; c != want {
		t.Fatalf("WithMark = %q, want %q", c, want)
	}
	m := xregion.ParseMark(c)
	if !m.Found || !m.Has("MAIN.ml.A") || m.Has("main.ml.c") {
		t.Fatalf("ParseMark(%q) = %+v", c, m)
	}
	c2, rest := xregion.RemoveOwner(c, "main.ml.a")
	if diff := cmp.Diff([]string{"main.ml.b"}, rest); diff != "" {
		t.Fatalf("RemoveOwner rest (-want +got):\n%s", diff)
	}
	c3, rest := xregion.RemoveOwner(c2, "main.ml.b")
	if len(rest) != 0 || c3 != "Created by xregion.\nxregion-owner:" {
		t.Fatalf("RemoveOwner last = %q %v", c3, rest)
	}
	if m := xregion.ParseMark(c3); !m.Found || len(m.Owners) != 0 {
		t.Fatalf("an emptied mark still marks the object as xregion's: %+v", m)
	}
	if got, changed := xregion.AddOwner(c2, "main.ml.b"); changed || got != c2 {
		t.Fatalf("AddOwner of a present owner changed the comment: %q", got)
	}
	if got, changed := xregion.AddOwner("a user's words", "m.s.x"); !changed || got != "a user's words\nxregion-owner: m.s.x" {
		t.Fatalf("AddOwner on an unmarked comment = %q %v", got, changed)
	}
	if m := xregion.ParseMark("owned by xregion-owner: no"); m.Found {
		t.Fatalf("a mark must start its line: %+v", m)
	}
	if got, rest := xregion.RemoveOwner("plain", "m.s.x"); got != "plain" || rest != nil {
		t.Fatalf("RemoveOwner on an unmarked comment = %q %v", got, rest)
	}
}

func TestParseAdopt(t *testing.T) {
	a, err := xregion.ParseAdopt("adopt", "share, Catalog online-store")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(xregion.Adopt{"share": true, "catalog": true, "online-store": true}, a); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if a, _ := xregion.ParseAdopt("adopt", "all"); len(a) != 5 || a[xregion.KindGrant] || a[xregion.KindOnlineTable] {
		t.Fatalf("all = %v", a)
	}
	_, err = xregion.ParseAdopt("adopt", "share,grant")
	if !errors.Is(err, xregion.ErrInvalidInput) {
		t.Fatalf("a grant cannot be adopted: err = %v", err)
	}
}
