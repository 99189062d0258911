package xregion_test

import (
	"errors"
	"github.com/org/xregion-action/internal/marks"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
)

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

// TestMarkKeyIsTheMarksKey: the documented key is the one the steps write.
func TestMarkKeyIsTheMarksKey(t *testing.T) {
	if xregion.MarkKey != marks.Key {
		t.Fatalf("xregion.MarkKey = %q, the steps write %q", xregion.MarkKey, marks.Key)
	}
}
