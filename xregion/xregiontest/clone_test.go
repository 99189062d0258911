package xregiontest

import (
	"testing"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/google/go-cmp/cmp"
)

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	orig := catalog.TableInfo{
		FullName:         "c.s.t",
		Properties:       map[string]string{"k": "v"},
		Columns:          []catalog.ColumnInfo{{Name: "id"}},
		TableConstraints: []catalog.TableConstraint{{PrimaryKeyConstraint: &catalog.PrimaryKeyConstraint{ChildColumns: []string{"id"}}}},
		ViewDependencies: &catalog.DependencyList{Dependencies: []catalog.Dependency{}},
		ForceSendFields:  []string{"FullName"},
	}
	got := clone(orig)
	want := orig
	want.ForceSendFields = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("clone() mismatch (-want +got):\n%s", diff)
	}
	if got.ViewDependencies.Dependencies == nil {
		t.Errorf("clone() turned an empty slice into nil")
	}
	got.Properties["k"] = "changed"
	got.Columns[0].Name = "changed"
	got.TableConstraints[0].PrimaryKeyConstraint.ChildColumns[0] = "changed"
	if orig.Properties["k"] != "v" || orig.Columns[0].Name != "id" || orig.TableConstraints[0].PrimaryKeyConstraint.ChildColumns[0] != "id" {
		t.Errorf("changing the clone changed the original: %+v", orig)
	}
	var nilTable catalog.TableInfo
	if c := clone(nilTable); c.Columns != nil || c.Properties != nil || c.ViewDependencies != nil {
		t.Errorf("clone() of nils = %+v, want nils", c)
	}
	var anyVal any = []int{1}
	if c := clone(anyVal); c.([]int)[0] != 1 {
		t.Errorf("clone() of an interface = %v", c)
	}
}
