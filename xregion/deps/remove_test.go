package deps_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/marks"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

const (
	churn      = "main.ml.churn"
	churnTable = "main.ml.churn_features"
	foreignTbl = "other.ml.extra"
)

// churnDeps is a second model that shares the features table with fraud.
func churnDeps() *deps.Dependencies {
	return &deps.Dependencies{Model: churn, Version: 1, Tables: []deps.Table{
		{Name: features, Type: catalog.TableTypeManaged},
		{Name: churnTable, Type: catalog.TableTypeManaged},
	}}
}

// world is a source and target regions with the fraud model, a second
// model (churn) and a foreign table seeded in the source.
type world struct {
	src  *xregiontest.Workspace
	dsts []*xregiontest.Workspace
	reg  []string // the recipient of each target
}

func newWorld(t *testing.T, targets int) *world {
	t.Helper()
	w := &world{src: xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))}
	all := []*xregiontest.Workspace{w.src}
	for _, region := range []string{"eu-west-1", "ap-southeast-1", "us-west-2"}[:targets] {
		d := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", region), xregiontest.WithShareLag(0), xregiontest.WithProviderLag(0))
		w.dsts = append(w.dsts, d)
		w.reg = append(w.reg, deps.DefaultRecipientName(d.GlobalMetastoreID()))
		all = append(all, d)
	}
	xregiontest.Link(all...)
	seedModel(w.src)
	w.src.AddModelVersion(catalog.ModelVersionInfo{CatalogName: "main", SchemaName: "ml", ModelName: "churn", Version: 1})
	w.src.AddTable(catalog.TableInfo{FullName: churnTable})
	w.src.AddTable(catalog.TableInfo{FullName: foreignTbl})
	return w
}

// ensure shares the model's objects with the target i.
func (w *world) ensure(t *testing.T, d *deps.Dependencies, i int) {
	t.Helper()
	spec := deps.ShareSpec{Name: shareName, Dependencies: d, Recipient: deps.RecipientSpec{TargetMetastoreID: w.dsts[i].GlobalMetastoreID()}}
	if _, err := deps.EnsureShare(t.Context(), shareClients(w.src), spec); err != nil {
		t.Fatalf("EnsureShare(%s, %d) error = %v", d.Model, i, err)
	}
}

// removeSpec tears fraud down for the targets given.
func (w *world) removeSpec(targets ...int) deps.RemoveShareSpec {
	spec := deps.RemoveShareSpec{Name: shareName, Model: model}
	for _, i := range targets {
		spec.Recipients = append(spec.Recipients, deps.RecipientSpec{TargetMetastoreID: w.dsts[i].GlobalMetastoreID()})
	}
	return spec
}

// fraudObjects are the names of fraud's share objects, sorted.
func fraudObjects() []string {
	var names []string
	for _, o := range modelObjects() {
		names = append(names, o.Name)
	}
	slices.Sort(names)
	return names
}

func removals(kind xregion.Kind, op xregion.Op, why string, names ...string) []xregion.Removal {
	var out []xregion.Removal
	for _, n := range names {
		out = append(out, xregion.Removal{Kind: kind, Name: n, Op: op, Why: why})
	}
	return out
}

func grant(r string) string { return "SELECT on " + shareName + " to " + r }

// after is the source's state after a teardown.
type after struct {
	Share      bool
	Comment    string
	Objects    map[string]string // name -> comment
	Grants     []string
	Recipients []string
}

func readAfter(t *testing.T, ws *xregiontest.Workspace) after {
	t.Helper()
	var a after
	s, err := ws.Shares.Get(t.Context(), sharing.GetShareRequest{Name: shareName, IncludeSharedData: true})
	switch {
	case err == nil:
		a.Share, a.Comment = true, s.Comment
		a.Objects = map[string]string{}
		for _, o := range s.Objects {
			a.Objects[o.Name] = o.Comment
		}
		for p := range readShare(t, ws, shareName).Grants {
			a.Grants = append(a.Grants, p)
		}
		slices.Sort(a.Grants)
	case !apierr.IsMissing(err):
		t.Fatalf("read share: %v", err)
	}
	rs, err := ws.Recipients.ListAll(t.Context(), sharing.ListRecipientsRequest{})
	if err != nil {
		t.Fatalf("list recipients: %v", err)
	}
	for _, r := range rs {
		a.Recipients = append(a.Recipients, r.Name)
	}
	return a
}

func markOf(models ...string) string { return marks.With("", models...) }

func TestEnsureShareMarks(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := t.Context()
	w.ensure(t, fullDeps(), 0)

	got := readAfter(t, w.src)
	if m := marks.Parse(got.Comment); !m.Found || !slices.Equal(m.Owners, []string{model}) {
		t.Errorf("share comment %q: want a mark for %s", got.Comment, model)
	}
	for _, n := range fraudObjects() {
		if got.Objects[n] != markOf(model) {
			t.Errorf("object %s comment = %q, want %q", n, got.Objects[n], markOf(model))
		}
	}
	r, err := w.src.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: w.reg[0]})
	if err != nil {
		t.Fatal(err)
	}
	if m := marks.Parse(r.Comment); !m.Found || len(m.Owners) != 0 {
		t.Errorf("recipient comment %q: want a mark with no model", r.Comment)
	}

	// A second model joins: the features table's mark and the share's
	// mark name both, churn's own table is marked for churn alone.
	spec := deps.ShareSpec{Name: shareName, Dependencies: churnDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: w.dsts[0].GlobalMetastoreID()}}
	plan, err := deps.EnsureShare(ctx, shareClients(w.src), spec, xregion.WithDryRun())
	if err != nil {
		t.Fatal(err)
	}
	w.src.ResetWrites()
	res, err := deps.EnsureShare(ctx, shareClients(w.src), spec)
	if err != nil {
		t.Fatal(err)
	}
	wantMarked := []deps.SharedObject{{Name: features, Type: sharing.SharedDataObjectDataObjectTypeTable}}
	if res.Op != xregion.OpUpdated || !res.ShareMarked || !cmp.Equal(res.Marked, wantMarked) {
		t.Errorf("EnsureShare(churn) = op %s, share marked %v, marked %v; want updated, true, %v", res.Op, res.ShareMarked, res.Marked, wantMarked)
	}
	if plan.Op != res.Op || plan.ShareMarked != res.ShareMarked || !cmp.Equal(plan.Marked, res.Marked) {
		t.Errorf("dry run = op %s, share marked %v, marked %v; want what the run did", plan.Op, plan.ShareMarked, plan.Marked)
	}
	// One share comment update and one PATCH that adds churn's table and
	// updates the features table's mark.
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Shares.Update", Resource: shareName}, {Method: "Shares.Update", Resource: shareName}}, w.src.Writes()); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
	got = readAfter(t, w.src)
	if m := marks.Parse(got.Comment); !slices.Equal(m.Owners, []string{churn, model}) {
		t.Errorf("share comment %q: want a mark for both models", got.Comment)
	}
	if got.Objects[features] != markOf(churn, model) || got.Objects[churnTable] != markOf(churn) || got.Objects[history] != markOf(model) {
		t.Errorf("object comments %v: want features marked for both, churn's table for churn, history for fraud", got.Objects)
	}
	// The UPDATE kept what the table was shared with.
	for _, o := range readShare(t, w.src, shareName).Objects {
		if o.Name == features && o.History != sharing.SharedDataObjectHistoryDataSharingStatusEnabled {
			t.Errorf("features history sharing = %q after the mark update, want ENABLED", o.History)
		}
	}

	// Converged: both models again, no write.
	w.src.ResetWrites()
	w.ensure(t, fullDeps(), 0)
	w.ensure(t, churnDeps(), 0)
	if wr := w.src.Writes(); len(wr) != 0 {
		t.Errorf("converged EnsureShare wrote %v", wr)
	}
}

func TestEnsureShareLeavesUnmarkedAlone(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.src.AddShare(sharing.ShareInfo{Name: shareName, Comment: "made by hand", Objects: []sharing.SharedDataObject{
		{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable, HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled, Comment: "hand"},
	}})
	w.ensure(t, fullDeps(), 0)
	got := readAfter(t, w.src)
	if got.Comment != "made by hand" || got.Objects[features] != "hand" || got.Objects[history] != markOf(model) {
		t.Errorf("share %q objects %v: want the unmarked share and object untouched, added objects marked", got.Comment, got.Objects)
	}
	w.src.ResetWrites()
	w.ensure(t, fullDeps(), 0)
	if wr := w.src.Writes(); len(wr) != 0 {
		t.Errorf("converged EnsureShare wrote %v", wr)
	}
}

func TestEnsureShareSendsMarksOverHTTP(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	src := httpWorkspace(t, w.src)
	spec := deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: w.dsts[0].GlobalMetastoreID()}}
	if _, err := deps.EnsureShare(t.Context(), deps.ShareClients{Shares: src.Shares, Recipients: src.Recipients, Metastores: src.Metastores}, spec); err != nil {
		t.Fatal(err)
	}
	got := readAfter(t, w.src)
	for _, n := range fraudObjects() {
		if got.Objects[n] != markOf(model) {
			t.Errorf("object %s comment over HTTP = %q, want %q", n, got.Objects[n], markOf(model))
		}
	}
	if !marks.Parse(got.Comment).Has(model) {
		t.Errorf("share comment over HTTP = %q, want the mark", got.Comment)
	}
}

func TestEnsureSharedCatalogMarks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		comment string // of an existing catalog; "-" for none
		dryRun  bool
		wantOp  xregion.Op
		want    string
	}{
		{name: "created_marked", comment: "-", wantOp: xregion.OpCreated, want: marks.With("c", model)},
		{name: "second_model_joins", comment: markOf(churn), wantOp: xregion.OpUpdated, want: markOf(churn, model)},
		{name: "second_model_joins_dry_run", comment: markOf(churn), dryRun: true, wantOp: xregion.OpUpdated, want: markOf(churn)},
		{name: "already_marked", comment: markOf(churn, model), wantOp: xregion.OpUnchanged, want: markOf(churn, model)},
		{name: "unmarked_left_alone", comment: "hand made", wantOp: xregion.OpUnchanged, want: "hand made"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 1)
			w.ensure(t, fullDeps(), 0)
			dst := w.dsts[0]
			if tt.comment != "-" {
				dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", ProviderName: "org-us-east-1", ShareName: shareName, Comment: tt.comment})
			}
			spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: w.src.GlobalMetastoreID(), Comment: "c", Model: model, JustGranted: true}
			opts := []xregion.Option{noSleep}
			if tt.dryRun {
				opts = append(opts, xregion.WithDryRun())
			}
			dst.ResetWrites()
			res, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if res.Op != tt.wantOp {
				t.Errorf("Op = %s, want %s", res.Op, tt.wantOp)
			}
			if tt.dryRun && len(dst.Writes()) != 0 {
				t.Errorf("dry run wrote %v", dst.Writes())
			}
			cat, err := dst.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "fraud_shared"})
			if err != nil {
				t.Fatal(err)
			}
			if cat.Comment != tt.want {
				t.Errorf("catalog comment = %q, want %q", cat.Comment, tt.want)
			}
			dst.ResetWrites()
			if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep); err != nil {
				t.Fatal(err)
			}
			if !tt.dryRun && len(dst.Writes()) != 0 {
				t.Errorf("converged EnsureSharedCatalog wrote %v", dst.Writes())
			}
		})
	}
}

func TestRemoveShare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, w *world) deps.RemoveShareSpec
		// want builds the removals, given the recipients of the targets.
		want      func(reg []string) []xregion.Removal
		wantAfter func(reg []string) after
	}{
		{
			name: "sole_model_removes_everything",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpRemoved, "", grant(reg[0])),
					removals(xregion.KindShareObject, xregion.OpRemoved, "", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpRemoved, "", reg[0]),
					removals(xregion.KindShare, xregion.OpRemoved, "", shareName))
			},
			wantAfter: func([]string) after { return after{} },
		},
		{
			name: "two_models_in_one_share",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.ensure(t, churnDeps(), 0)
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				var objs []xregion.Removal
				for _, n := range fraudObjects() {
					if n == features {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpUpdated, Why: "still used by " + churn})
					} else {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpRemoved})
					}
				}
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpKept, "the share also serves "+churn, grant(reg[0])),
					objs,
					removals(xregion.KindRecipient, xregion.OpKept, "still granted "+shareName, reg[0]),
					removals(xregion.KindShare, xregion.OpUpdated, "the share also serves "+churn+"; the share still holds 3 object(s); the share is still granted to "+reg[0], shareName))
			},
			wantAfter: func(reg []string) after {
				return after{Share: true, Comment: marks.With("", churn),
					Objects: map[string]string{churn: markOf(churn), features: markOf(churn), churnTable: markOf(churn)}, Grants: []string{reg[0]}, Recipients: []string{reg[0]}}
			},
		},
		{
			// The region is done with fraud but its shared catalog stays
			// for churn: its grant stays, and it no longer keeps fraud's
			// objects in the share.
			name: "finished_region_keeps_its_grant",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.ensure(t, churnDeps(), 0)
				spec := w.removeSpec()
				spec.Finished = w.removeSpec(0).Recipients
				return spec
			},
			want: func(reg []string) []xregion.Removal {
				var objs []xregion.Removal
				for _, n := range fraudObjects() {
					if n == features {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpUpdated, Why: "still used by " + churn})
					} else {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpRemoved})
					}
				}
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpKept, "the region's shared catalog stays: the share serves more than this model", grant(reg[0])),
					objs,
					removals(xregion.KindShare, xregion.OpUpdated, "the share also serves "+churn+"; the share still holds 3 object(s); the share is still granted to "+reg[0], shareName))
			},
			wantAfter: func(reg []string) after {
				return after{Share: true, Comment: marks.With("", churn),
					Objects: map[string]string{churn: markOf(churn), features: markOf(churn), churnTable: markOf(churn)}, Grants: []string{reg[0]}, Recipients: []string{reg[0]}}
			},
		},
		{
			name: "foreign_objects_and_grants_are_never_removed",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.src.AddRecipient(sharing.RecipientInfo{Name: "partner", AuthenticationType: sharing.AuthenticationTypeToken})
				addForeign(t, w.src)
				w.src.Grant(shareName, "partner")
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				var objs []xregion.Removal
				for _, n := range append(fraudObjects(), foreignTbl) {
					why := "the share is still granted to partner: tear those regions down first"
					if n == foreignTbl {
						why = "unmarked: xregion did not add it, or added it before marks (adopt share to treat the share's unmarked objects as xregion's)"
					}
					objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpKept, Why: why})
				}
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpKept, "the share also holds objects that are not this model's alone: "+foreignTbl, grant(reg[0])),
					objs,
					removals(xregion.KindRecipient, xregion.OpKept, "still granted "+shareName, reg[0]),
					removals(xregion.KindShare, xregion.OpKept, "the share still holds 7 object(s); the share is still granted to partner, "+reg[0], shareName))
			},
			wantAfter: func(reg []string) after {
				objs := map[string]string{foreignTbl: ""}
				for _, n := range fraudObjects() {
					objs[n] = markOf(model)
				}
				return after{Share: true, Comment: marks.With("", model), Objects: objs, Grants: []string{"partner", reg[0]}, Recipients: []string{"partner", reg[0]}}
			},
		},
		{
			name: "foreign_object_without_foreign_grant",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				addForeign(t, w.src)
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				var objs []xregion.Removal
				for _, n := range append(fraudObjects(), foreignTbl) {
					if n == foreignTbl {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpKept,
							Why: "unmarked: xregion did not add it, or added it before marks (adopt share to treat the share's unmarked objects as xregion's)"})
					} else {
						objs = append(objs, xregion.Removal{Kind: xregion.KindShareObject, Name: n, Op: xregion.OpRemoved})
					}
				}
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpKept, "the share also holds objects that are not this model's alone: "+foreignTbl, grant(reg[0])),
					objs,
					removals(xregion.KindRecipient, xregion.OpKept, "still granted "+shareName, reg[0]),
					removals(xregion.KindShare, xregion.OpUpdated, "the share still holds 1 object(s); the share is still granted to "+reg[0], shareName))
			},
			wantAfter: func(reg []string) after {
				return after{Share: true, Comment: marks.With(""), Objects: map[string]string{foreignTbl: ""}, Grants: []string{reg[0]}, Recipients: []string{reg[0]}}
			},
		},
		{
			name: "unmarked_share_is_kept",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				seedUnmarked(t, w)
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				unmarkedShare := "the share is unmarked: xregion did not create it, or created it before marks (adopt share to treat it as xregion's)"
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpKept, unmarkedShare, grant(reg[0])),
					removals(xregion.KindShareObject, xregion.OpKept, "unmarked: xregion did not add it, or added it before marks (adopt share to treat the share's unmarked objects as xregion's)", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpKept, "unmarked: xregion did not create it, or created it before marks (adopt recipient to treat it as xregion's)", reg[0]),
					removals(xregion.KindShare, xregion.OpKept, unmarkedShare+"; the share still holds 6 object(s); the share is still granted to "+reg[0], shareName))
			},
			wantAfter: func(reg []string) after {
				objs := map[string]string{}
				for _, n := range fraudObjects() {
					objs[n] = ""
				}
				return after{Share: true, Objects: objs, Grants: []string{reg[0]}, Recipients: []string{reg[0]}}
			},
		},
		{
			name: "unmarked_share_adopted",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				seedUnmarked(t, w)
				s := w.removeSpec(0)
				s.Adopt = xregion.Adopt{xregion.KindShare: true, xregion.KindRecipient: true}
				return s
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpRemoved, "", grant(reg[0])),
					removals(xregion.KindShareObject, xregion.OpRemoved, "", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpRemoved, "", reg[0]),
					removals(xregion.KindShare, xregion.OpRemoved, "", shareName))
			},
			wantAfter: func([]string) after { return after{} },
		},
		{
			name: "other_regions_still_granted",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.ensure(t, fullDeps(), 1)
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpRemoved, "", grant(reg[0])),
					removals(xregion.KindShareObject, xregion.OpKept, "the share is still granted to "+reg[1]+": tear those regions down first", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpRemoved, "", reg[0]),
					removals(xregion.KindShare, xregion.OpKept, "the share still holds 6 object(s); the share is still granted to "+reg[1], shareName))
			},
			wantAfter: func(reg []string) after {
				objs := map[string]string{}
				for _, n := range fraudObjects() {
					objs[n] = markOf(model)
				}
				return after{Share: true, Comment: markOf(model), Objects: objs, Grants: []string{reg[1]}, Recipients: []string{reg[1]}}
			},
		},
		{
			name: "every_region_at_once",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.ensure(t, fullDeps(), 1)
				return w.removeSpec(0, 1)
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpRemoved, "", grant(reg[0]), grant(reg[1])),
					removals(xregion.KindShareObject, xregion.OpRemoved, "", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpRemoved, "", reg[0], reg[1]),
					removals(xregion.KindShare, xregion.OpRemoved, "", shareName))
			},
			wantAfter: func([]string) after { return after{} },
		},
		{
			name: "recipient_granted_another_share_is_kept",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				w.src.AddShare(sharing.ShareInfo{Name: "other_share"})
				w.src.Grant("other_share", w.reg[0])
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpRemoved, "", grant(reg[0])),
					removals(xregion.KindShareObject, xregion.OpRemoved, "", fraudObjects()...),
					removals(xregion.KindRecipient, xregion.OpKept, "still granted other_share", reg[0]),
					removals(xregion.KindShare, xregion.OpRemoved, "", shareName))
			},
			wantAfter: func(reg []string) after { return after{Recipients: []string{reg[0]}} },
		},
		{
			name: "missing_share_still_removes_the_recipient",
			setup: func(t *testing.T, w *world) deps.RemoveShareSpec {
				w.ensure(t, fullDeps(), 0)
				if err := w.src.Shares.Delete(t.Context(), sharing.DeleteShareRequest{Name: shareName}); err != nil {
					t.Fatal(err)
				}
				return w.removeSpec(0)
			},
			want: func(reg []string) []xregion.Removal {
				return slices.Concat(
					removals(xregion.KindGrant, xregion.OpAbsent, "", grant(reg[0])),
					removals(xregion.KindRecipient, xregion.OpRemoved, "", reg[0]),
					removals(xregion.KindShare, xregion.OpAbsent, "", shareName))
			},
			wantAfter: func([]string) after { return after{} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 2)
			spec := tt.setup(t, w)
			want := tt.want(w.reg)

			// A dry run reads, decides the same and writes nothing.
			w.src.ResetWrites()
			plan, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec, xregion.WithDryRun())
			if err != nil {
				t.Fatalf("RemoveShare(dry run) error = %v", err)
			}
			if wr := w.src.Writes(); len(wr) != 0 {
				t.Errorf("dry run wrote %v", wr)
			}
			if diff := cmp.Diff(want, plan.Removals, cmpOpts); diff != "" {
				t.Errorf("RemoveShare(dry run) mismatch (-want +got):\n%s", diff)
			}

			got, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec)
			if err != nil {
				t.Fatalf("RemoveShare() error = %v", err)
			}
			if diff := cmp.Diff(want, got.Removals, cmpOpts); diff != "" {
				t.Errorf("RemoveShare() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAfter(w.reg), readAfter(t, w.src), cmpOpts); diff != "" {
				t.Errorf("state after RemoveShare() mismatch (-want +got):\n%s", diff)
			}

			// Again: nothing left to do, nothing written.
			w.src.ResetWrites()
			again, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec)
			if err != nil {
				t.Fatalf("second RemoveShare() error = %v", err)
			}
			if wr := w.src.Writes(); len(wr) != 0 {
				t.Errorf("second RemoveShare() wrote %v", wr)
			}
			for _, r := range again.Removals {
				if r.Op.Wrote() {
					t.Errorf("second RemoveShare() reports %s", r)
				}
			}
		})
	}
}

// addForeign adds an unmarked table of another team to the share.
func addForeign(t *testing.T, ws *xregiontest.Workspace) {
	t.Helper()
	_, err := ws.Shares.Update(t.Context(), sharing.UpdateShare{Name: shareName, Updates: []sharing.SharedDataObjectUpdate{{
		Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: foreignTbl, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// seedUnmarked seeds fraud's share, objects, recipient and grant as xregion
// made them before marks existed.
func seedUnmarked(t *testing.T, w *world) {
	t.Helper()
	var objs []sharing.SharedDataObject
	for _, o := range modelObjects() {
		objs = append(objs, sharing.SharedDataObject{Name: o.Name, DataObjectType: o.Type, HistoryDataSharingStatus: o.History})
	}
	w.src.AddShare(sharing.ShareInfo{Name: shareName, Objects: objs})
	w.src.AddRecipient(sharing.RecipientInfo{Name: w.reg[0], DataRecipientGlobalMetastoreId: w.dsts[0].GlobalMetastoreID(), Comment: "Created by xregion for cross-region model serving."})
	w.src.Grant(shareName, w.reg[0])
}

func TestRemoveShareCrashThenRerun(t *testing.T) {
	t.Parallel()
	for _, f := range []xregiontest.Fault{
		{Method: "Shares.UpdatePermissions", Skip: 1, Err: xregiontest.Unavailable("crash")},
		{Method: "Shares.Update", Err: xregiontest.Unavailable("crash")},
		{Method: "Shares.Update", Err: xregiontest.Unavailable("crash"), AfterCommit: true},
		{Method: "Recipients.Delete", Skip: 1, Err: xregiontest.Unavailable("crash")},
		{Method: "Recipients.Delete", Err: xregiontest.Unavailable("crash"), AfterCommit: true},
		{Method: "Shares.Delete", Err: xregiontest.Unavailable("crash")},
		{Method: "Shares.Delete", Err: xregiontest.Unavailable("crash"), AfterCommit: true},
	} {
		name := f.Method
		if f.AfterCommit {
			name += "_after_commit"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 2)
			w.ensure(t, fullDeps(), 0)
			w.ensure(t, fullDeps(), 1)
			spec := w.removeSpec(0, 1)
			f.Times = 1
			w.src.Inject(f)
			if _, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec); !errors.Is(err, apierr.ErrTemporarilyUnavailable) {
				t.Fatalf("RemoveShare() with a crash: error = %v, want the injected one", err)
			}
			var se *xregion.StepError
			if _, err := deps.RemoveShare(t.Context(), shareClients(w.src), deps.RemoveShareSpec{Name: "bad name", Model: model}); !errors.As(err, &se) || se.Step != deps.StepRemoveShare {
				t.Errorf("RemoveShare(bad name) error = %v, want a StepError of %s", err, deps.StepRemoveShare)
			}
			if _, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec); err != nil {
				t.Fatalf("re-run error = %v", err)
			}
			if diff := cmp.Diff(after{}, readAfter(t, w.src), cmpOpts); diff != "" {
				t.Errorf("state after re-run mismatch (-want +got):\n%s", diff)
			}
			w.src.ResetWrites()
			last, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec)
			if err != nil {
				t.Fatal(err)
			}
			if wr := w.src.Writes(); len(wr) != 0 {
				t.Errorf("run after the re-run wrote %v", wr)
			}
			want := slices.Concat(
				removals(xregion.KindGrant, xregion.OpAbsent, "", grant(w.reg[0]), grant(w.reg[1])),
				removals(xregion.KindRecipient, xregion.OpAbsent, "", w.reg[0], w.reg[1]),
				removals(xregion.KindShare, xregion.OpAbsent, "", shareName))
			if diff := cmp.Diff(want, last.Removals, cmpOpts); diff != "" {
				t.Errorf("run after the re-run mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRemoveShareObjectGoneMeanwhile(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.ensure(t, fullDeps(), 0)
	spec := w.removeSpec(0)
	// Another teardown removes one object between our read and our PATCH:
	// the service refuses the REMOVE of an object no longer there, and
	// the step reads again and removes the rest.
	w.src.Inject(xregiontest.Fault{Method: "Shares.Update", Times: 1, AfterCommit: true, Err: xregiontest.InvalidParameter("Data object is not in share.")})
	got, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec)
	if err != nil {
		t.Fatalf("RemoveShare() error = %v", err)
	}
	for _, r := range got.Removals {
		if r.Kind == xregion.KindShareObject && r.Op != xregion.OpAbsent {
			t.Errorf("%s: want absent, as the first PATCH landed", r)
		}
	}
	if diff := cmp.Diff(after{}, readAfter(t, w.src), cmpOpts); diff != "" {
		t.Errorf("state mismatch (-want +got):\n%s", diff)
	}
}

func TestRemoveShareRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	for _, spec := range []deps.RemoveShareSpec{
		{Name: "bad name", Model: model},
		{Name: shareName},
		{Name: shareName, Model: model, Recipients: []deps.RecipientSpec{{}}},
		{Name: shareName, Model: model, Recipients: []deps.RecipientSpec{{TargetMetastoreID: "eu-west-1"}}},
	} {
		if _, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec); !errors.Is(err, xregion.ErrInvalidInput) {
			t.Errorf("RemoveShare(%+v) error = %v, want ErrInvalidInput", spec, err)
		}
	}
	if n := w.src.TotalCalls(); n != 0 {
		t.Errorf("bad input made %d calls, want none", n)
	}
}

func TestRemoveSharedCatalog(t *testing.T) {
	t.Parallel()
	unmarked := "unmarked: xregion did not create it, or created it before marks (adopt catalog to treat it as xregion's)"
	tests := []struct {
		name     string
		seed     *catalog.CatalogInfo
		adopt    bool
		want     xregion.Removal
		wantLeft string // the catalog's comment afterwards; "-" when gone
	}{
		{name: "missing", want: xregion.Removal{Op: xregion.OpAbsent}, wantLeft: "-"},
		{name: "marked_for_this_model", seed: &catalog.CatalogInfo{Comment: marks.With("c", model)}, want: xregion.Removal{Op: xregion.OpRemoved}, wantLeft: "-"},
		{name: "marked_for_no_model", seed: &catalog.CatalogInfo{Comment: markOf()}, want: xregion.Removal{Op: xregion.OpRemoved}, wantLeft: "-"},
		{
			name: "shared_with_another_model", seed: &catalog.CatalogInfo{Comment: marks.With("c", model, churn)},
			want: xregion.Removal{Op: xregion.OpUpdated, Why: "still used by " + churn}, wantLeft: marks.With("c", churn),
		},
		{
			name: "another_models_only", seed: &catalog.CatalogInfo{Comment: markOf(churn)},
			want: xregion.Removal{Op: xregion.OpKept, Why: "used by " + churn + ", not by this model"}, wantLeft: markOf(churn),
		},
		{name: "unmarked", seed: &catalog.CatalogInfo{Comment: "hand"}, want: xregion.Removal{Op: xregion.OpKept, Why: unmarked}, wantLeft: "hand"},
		{name: "unmarked_adopted", seed: &catalog.CatalogInfo{Comment: "hand"}, adopt: true, want: xregion.Removal{Op: xregion.OpRemoved}, wantLeft: "-"},
		{
			name: "made_from_another_share", seed: &catalog.CatalogInfo{ShareName: "other", Comment: markOf(model)},
			want: xregion.Removal{Op: xregion.OpKept, Why: `made from share "other", not "fraud_share"`}, wantLeft: markOf(model),
		},
		{
			name: "not_a_shared_catalog", seed: &catalog.CatalogInfo{ProviderName: "-", Comment: markOf(model)},
			want: xregion.Removal{Op: xregion.OpKept, Why: "not a Delta Sharing catalog but a MANAGED_CATALOG"}, wantLeft: markOf(model),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, 1)
			w.ensure(t, fullDeps(), 0)
			dst := w.dsts[0]
			if tt.seed != nil {
				c := *tt.seed
				c.Name, c.ProviderName, c.ShareName = "fraud_shared", cmpOr(c.ProviderName, "org-us-east-1"), cmpOr(c.ShareName, shareName)
				if c.ProviderName == "-" {
					c.ProviderName, c.ShareName = "", ""
				}
				dst.AddCatalog(c)
			}
			spec := deps.RemoveCatalogSpec{Name: "fraud_shared", Share: shareName, Model: model, Adopt: tt.adopt}
			want := tt.want
			want.Kind, want.Name = xregion.KindCatalog, "fraud_shared"

			dst.ResetWrites()
			plan, err := deps.RemoveSharedCatalog(t.Context(), catalogClients(dst), spec, xregion.WithDryRun())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, plan); diff != "" {
				t.Errorf("RemoveSharedCatalog(dry run) mismatch (-want +got):\n%s", diff)
			}
			if n := dst.TotalCalls(); n != 1 || len(dst.Writes()) != 0 {
				t.Errorf("dry run made %d calls and writes %v, want one read", n, dst.Writes())
			}
			got, err := deps.RemoveSharedCatalog(t.Context(), catalogClients(dst), spec)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("RemoveSharedCatalog() mismatch (-want +got):\n%s", diff)
			}
			cat, err := dst.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "fraud_shared"})
			switch {
			case tt.wantLeft == "-" && !apierr.IsMissing(err):
				t.Errorf("catalog after RemoveSharedCatalog(): %v, %v; want it gone", cat, err)
			case tt.wantLeft != "-" && (err != nil || cat.Comment != tt.wantLeft):
				t.Errorf("catalog after RemoveSharedCatalog(): %+v, %v; want comment %q", cat, err, tt.wantLeft)
			}
			dst.ResetWrites()
			again, err := deps.RemoveSharedCatalog(t.Context(), catalogClients(dst), spec)
			if err != nil {
				t.Fatal(err)
			}
			if len(dst.Writes()) != 0 || again.Op.Wrote() && tt.want.Op != xregion.OpUpdated {
				t.Errorf("second RemoveSharedCatalog() = %s, writes %v; want nothing written", again, dst.Writes())
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestRemoveSharedCatalogOfAVisibleShare(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.ensure(t, fullDeps(), 0)
	dst := w.dsts[0]
	spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: w.src.GlobalMetastoreID(), Model: model, JustGranted: true}
	if _, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, noSleep); err != nil {
		t.Fatal(err)
	}
	// The catalog shows the share's objects: the fake refuses a delete
	// without force, and the step sends force.
	if err := dst.Catalogs.Delete(t.Context(), catalog.DeleteCatalogRequest{Name: "fraud_shared"}); !errors.Is(err, apierr.ErrBadRequest) {
		t.Fatalf("Delete without force: %v, want the not-empty refusal", err)
	}
	got, err := deps.RemoveSharedCatalog(t.Context(), catalogClients(dst), deps.RemoveCatalogSpec{Name: "fraud_shared", Share: shareName, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	if got.Op != xregion.OpRemoved {
		t.Errorf("RemoveSharedCatalog() = %s, want removed", got)
	}
	if _, err := dst.Tables.Get(t.Context(), catalog.GetTableRequest{FullName: "fraud_shared.ml.features"}); !apierr.IsMissing(err) {
		t.Errorf("read through the removed catalog: %v, want 404", err)
	}
}

func TestRemoveNeedsDeleteClients(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	type onlyEnsure struct{ deps.Catalogs }
	_, err := deps.RemoveSharedCatalog(t.Context(), deps.CatalogClients{Providers: w.dsts[0].Providers, Catalogs: onlyEnsure{w.dsts[0].Catalogs}},
		deps.RemoveCatalogSpec{Name: "fraud_shared", Share: shareName, Model: model})
	if err == nil || !strings.Contains(err.Error(), "Editor") {
		t.Errorf("RemoveSharedCatalog() without a catalog editor: error = %v, want one naming the Editor", err)
	}
	type onlyShares struct{ deps.Shares }
	c := shareClients(w.src)
	c.Shares = onlyShares{w.src.Shares}
	if _, err := deps.RemoveShare(t.Context(), c, w.removeSpec(0)); err == nil || !strings.Contains(err.Error(), "ShareDeleter") {
		t.Errorf("RemoveShare() without a share deleter: error = %v, want one naming ShareDeleter", err)
	}
	c.ShareDeleter = w.src.Shares
	if _, err := deps.RemoveShare(t.Context(), c, w.removeSpec(0), xregion.WithDryRun()); err != nil {
		t.Errorf("RemoveShare() with an explicit ShareDeleter: %v", err)
	}
}

type noLoader struct{}

func (noLoader) Name() string                   { return "none" }
func (noLoader) Configure(*config.Config) error { return nil }

// httpWorkspace returns a real SDK client that talks to ws over its HTTP
// face, in memory.
func httpWorkspace(t *testing.T, ws *xregiontest.Workspace) *databricks.WorkspaceClient {
	t.Helper()
	w, err := databricks.NewWorkspaceClient(&databricks.Config{
		Host: "http://workspace.invalid", Token: "t", AuthType: "pat", Loaders: []config.Loader{noLoader{}},
		HTTPTransport: xregiontest.Transport(ws.Handler()), RateLimitPerSecond: 10000, RetryTimeoutSeconds: 20,
	})
	if err != nil {
		t.Fatalf("NewWorkspaceClient: %v", err)
	}
	return w
}

// TestMarksOfOthersContainers: a share or catalog that the caller does not
// own, marked for another model, serves the model as it is; the step goes
// on and warns that the mark could not name the model.
func TestMarksOfOthersContainers(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := t.Context()
	var objs []sharing.SharedDataObject
	for _, o := range modelObjects() {
		objs = append(objs, sharing.SharedDataObject{Name: o.Name, DataObjectType: o.Type, HistoryDataSharingStatus: o.History, Comment: markOf(churn)})
	}
	w.src.AddShare(sharing.ShareInfo{Name: shareName, Owner: "platform@example.com", Comment: markOf(churn), Objects: objs})
	spec := deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: w.dsts[0].GlobalMetastoreID()}}
	res, err := deps.EnsureShare(ctx, shareClients(w.src), spec)
	if err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	if res.MarkWarning == "" || len(res.Marked) != 0 || res.ShareMarked {
		t.Errorf("EnsureShare() = marked %v, share marked %v, warning %q; want a warning and no mark", res.Marked, res.ShareMarked, res.MarkWarning)
	}
	if got := readAfter(t, w.src); got.Comment != markOf(churn) || got.Objects[features] != markOf(churn) {
		t.Errorf("share %q objects %v: want the marks unchanged", got.Comment, got.Objects)
	}

	dst := w.dsts[0]
	dst.AddCatalog(catalog.CatalogInfo{Name: "fraud_shared", ProviderName: "org-us-east-1", ShareName: shareName, Owner: "platform@example.com", Comment: markOf(churn)})
	dst.ResetWrites()
	cres, err := deps.EnsureSharedCatalog(ctx, catalogClients(dst), deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: w.src.GlobalMetastoreID(), Model: model}, noSleep)
	if err != nil {
		t.Fatalf("EnsureSharedCatalog() error = %v", err)
	}
	if cres.Op != xregion.OpUnchanged || cres.MarkWarning == "" || len(dst.Writes()) != 0 {
		t.Errorf("EnsureSharedCatalog() = %+v, writes %v; want unchanged with a warning, no write", cres, dst.Writes())
	}
}

// TestTeardownOverHTTP runs the teardown steps through the real SDK client
// against the fakes' HTTP faces: the SDK services fit the interfaces, and
// the requests carry what the steps mean.
func TestTeardownOverHTTP(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.ensure(t, fullDeps(), 0)
	w.ensure(t, churnDeps(), 0)
	ctx := t.Context()
	dst := w.dsts[0]
	d := httpWorkspace(t, dst)
	cc := deps.CatalogClients{Providers: d.Providers, Catalogs: d.Catalogs}
	if _, err := deps.EnsureSharedCatalog(ctx, cc, deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: w.src.GlobalMetastoreID(), Model: model, JustGranted: true}, noSleep); err != nil {
		t.Fatal(err)
	}
	if _, err := deps.EnsureSharedCatalog(ctx, cc, deps.CatalogSpec{Name: "fraud_shared", Share: shareName, SourceMetastoreID: w.src.GlobalMetastoreID(), Model: churn}, noSleep); err != nil {
		t.Fatal(err)
	}
	r, err := deps.RemoveSharedCatalog(ctx, cc, deps.RemoveCatalogSpec{Name: "fraud_shared", Share: shareName, Model: model})
	if err != nil || r.Op != xregion.OpUpdated {
		t.Fatalf("RemoveSharedCatalog(fraud) = %v, %v; want updated", r, err)
	}
	if r, err = deps.RemoveSharedCatalog(ctx, cc, deps.RemoveCatalogSpec{Name: "fraud_shared", Share: shareName, Model: churn}); err != nil || r.Op != xregion.OpRemoved {
		t.Fatalf("RemoveSharedCatalog(churn) = %v, %v; want removed", r, err)
	}

	s := httpWorkspace(t, w.src)
	sc := deps.ShareClients{Shares: s.Shares, Recipients: s.Recipients, Metastores: s.Metastores}
	spec := w.removeSpec(0)
	if _, err := deps.RemoveShare(ctx, sc, spec); err != nil {
		t.Fatal(err)
	}
	spec.Model = churn
	res, err := deps.RemoveShare(ctx, sc, spec)
	if err != nil {
		t.Fatal(err)
	}
	if last := res.Removals[len(res.Removals)-1]; last.Op != xregion.OpRemoved {
		t.Errorf("RemoveShare(churn) share = %s, want removed", last)
	}
	if diff := cmp.Diff(after{}, readAfter(t, w.src), cmpOpts); diff != "" {
		t.Errorf("state after both teardowns mismatch (-want +got):\n%s", diff)
	}
}

// TestManyObjectsGoInRequestsOf100: marking and removing 150 objects takes
// two PATCHes each way.
func TestManyObjectsGoInRequestsOf100(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	ctx := t.Context()
	d := &deps.Dependencies{Model: model, Version: 1}
	objs := []sharing.SharedDataObject{{Name: model, DataObjectType: sharing.SharedDataObjectDataObjectTypeModel, Comment: markOf(churn)}}
	for i := range 150 {
		name := fmt.Sprintf("main.ml.t%03d", i)
		d.Tables = append(d.Tables, deps.Table{Name: name, Type: catalog.TableTypeManaged})
		objs = append(objs, sharing.SharedDataObject{Name: name, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable,
			HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled, Comment: markOf(churn)})
	}
	w.src.AddShare(sharing.ShareInfo{Name: shareName, Comment: markOf(churn), Objects: objs})
	w.src.ResetWrites()
	w.ensure(t, d, 0)
	patches := func() int {
		n := 0
		for _, wr := range w.src.Writes() {
			if wr.Method == "Shares.Update" {
				n++
			}
		}
		return n
	}
	// One for the share's comment, two for 151 object marks.
	if n := patches(); n != 3 {
		t.Errorf("EnsureShare sent %d share PATCHes, want 3", n)
	}
	for n, c := range readAfter(t, w.src).Objects {
		if c != markOf(churn, model) {
			t.Fatalf("object %s comment = %q, want both models", n, c)
		}
	}
	w.src.ResetWrites()
	spec := w.removeSpec(0)
	spec.Model = churn
	if _, err := deps.RemoveShare(ctx, shareClients(w.src), spec); err != nil {
		t.Fatal(err)
	}
	// Two for 151 marks, one for the share's comment.
	if n := patches(); n != 3 {
		t.Errorf("RemoveShare sent %d share PATCHes, want 3", n)
	}
	w.src.ResetWrites()
	if _, err := deps.RemoveShare(ctx, shareClients(w.src), w.removeSpec(0)); err != nil {
		t.Fatal(err)
	}
	// Revoke, two PATCHes of removals, the recipient, the share.
	want := []xregiontest.Write{{Method: "Shares.UpdatePermissions", Resource: shareName}, {Method: "Shares.Update", Resource: shareName},
		{Method: "Shares.Update", Resource: shareName}, {Method: "Recipients.Delete", Resource: w.reg[0]}, {Method: "Shares.Delete", Resource: shareName}}
	if diff := cmp.Diff(want, w.src.Writes()); diff != "" {
		t.Errorf("writes mismatch (-want +got):\n%s", diff)
	}
}

// TestRemoveShareAdoptedWithOtherModels: adopting a share that other models
// use does not adopt its unmarked objects, which one of them may need.
func TestRemoveShareAdoptedWithOtherModels(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.ensure(t, fullDeps(), 0)
	w.ensure(t, churnDeps(), 0)
	addForeign(t, w.src)
	spec := w.removeSpec(0)
	spec.Adopt = xregion.Adopt{xregion.KindShare: true}
	res, err := deps.RemoveShare(t.Context(), shareClients(w.src), spec)
	if err != nil {
		t.Fatal(err)
	}
	var foreign *xregion.Removal
	for i, r := range res.Removals {
		if r.Name == foreignTbl {
			foreign = &res.Removals[i]
		}
	}
	if foreign == nil || foreign.Op != xregion.OpKept || !strings.Contains(foreign.Why, "other models use the share") {
		t.Errorf("the unmarked object: %v, want kept because other models use the share (all: %v)", foreign, res.Removals)
	}
	sh, err := w.src.Shares.Get(t.Context(), sharing.GetShareRequest{Name: shareName, IncludeSharedData: true})
	if err != nil || !slices.ContainsFunc(sh.Objects, func(o sharing.SharedDataObject) bool { return o.Name == foreignTbl }) {
		t.Errorf("the unmarked object left the share (%v)", err)
	}
}

// grantingMeanwhile grants the recipient another share right after the
// teardown's first read of what it holds, as a concurrent rollout of
// another model would.
type grantingMeanwhile struct {
	deps.RecipientRemover
	once  sync.Once
	grant func()
}

func (g *grantingMeanwhile) SharePermissions(ctx context.Context, r sharing.SharePermissionsRequest) (*sharing.GetRecipientSharePermissionsResponse, error) {
	resp, err := g.RecipientRemover.SharePermissions(ctx, r)
	g.once.Do(g.grant)
	return resp, err
}

// TestRemoveShareKeepsARecipientGrantedMeanwhile: a recipient granted
// another share between the teardown's read and its delete is kept.
func TestRemoveShareKeepsARecipientGrantedMeanwhile(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1)
	w.ensure(t, fullDeps(), 0)
	w.src.AddShare(sharing.ShareInfo{Name: "other_share"})
	spec := w.removeSpec(0)
	c := shareClients(w.src)
	var recipient string
	c.RecipientRemover = &grantingMeanwhile{RecipientRemover: w.src.Recipients, grant: func() { w.src.Grant("other_share", recipient) }}
	rs, err := w.src.Recipients.ListAll(t.Context(), sharing.ListRecipientsRequest{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("recipients: %v, %v", rs, err)
	}
	recipient = rs[0].Name
	res, err := deps.RemoveShare(t.Context(), c, spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Removals {
		if r.Kind == xregion.KindRecipient && (r.Op != xregion.OpKept || !strings.Contains(r.Why, "other_share")) {
			t.Errorf("the recipient: %v, want kept, granted other_share meanwhile", r)
		}
	}
	if _, err := w.src.Recipients.Get(t.Context(), sharing.GetRecipientRequest{Name: recipient}); err != nil {
		t.Errorf("the recipient was deleted: %v", err)
	}
}
