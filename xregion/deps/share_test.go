package deps_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// object is a share object as the tests compare it.
type object struct {
	Name    string
	Type    sharing.SharedDataObjectDataObjectType
	History sharing.SharedDataObjectHistoryDataSharingStatus
}

// shareState is a share's objects and grants, read back from the fake.
type shareState struct {
	Objects []object
	Grants  map[string][]sharing.Privilege
}

func readShare(t *testing.T, ws *xregiontest.Workspace, name string) shareState {
	t.Helper()
	s, err := ws.Shares.Get(t.Context(), sharing.GetShareRequest{Name: name, IncludeSharedData: true})
	if err != nil {
		t.Fatalf("read share %q: %v", name, err)
	}
	var st shareState
	for _, o := range s.Objects {
		st.Objects = append(st.Objects, object{o.Name, o.DataObjectType, o.HistoryDataSharingStatus})
	}
	slices.SortFunc(st.Objects, func(a, b object) int { return strings.Compare(a.Name, b.Name) })
	st.Grants = map[string][]sharing.Privilege{}
	for token := ""; ; {
		p, err := ws.Shares.SharePermissions(t.Context(), sharing.SharePermissionsRequest{Name: name, PageToken: token})
		if err != nil {
			t.Fatalf("read grants of %q: %v", name, err)
		}
		for _, pa := range p.PrivilegeAssignments {
			st.Grants[pa.Principal] = pa.Privileges
		}
		if token = p.NextPageToken; token == "" {
			return st
		}
	}
}

// modelObjects are the share objects of fullDeps.
func modelObjects() []object {
	return []object{
		{Name: udf, Type: sharing.SharedDataObjectDataObjectTypeFunction},
		{Name: features, Type: sharing.SharedDataObjectDataObjectTypeTable, History: sharing.SharedDataObjectHistoryDataSharingStatusEnabled},
		{Name: model, Type: sharing.SharedDataObjectDataObjectTypeModel},
		{Name: featspec, Type: sharing.SharedDataObjectDataObjectTypeFeatureSpec},
		{Name: history, Type: sharing.SharedDataObjectDataObjectTypeTable, History: sharing.SharedDataObjectHistoryDataSharingStatusEnabled},
		{Name: innerUDF, Type: sharing.SharedDataObjectDataObjectTypeFunction},
	}
}

func sharedObjects(objs []object) []deps.SharedObject {
	var out []deps.SharedObject
	for _, o := range objs {
		out = append(out, deps.SharedObject{Name: o.Name, Type: o.Type})
	}
	return out
}

func newRegions(t *testing.T) (src, dst *xregiontest.Workspace) {
	t.Helper()
	src = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "us-east-1"))
	dst = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	seedModel(src)
	return src, dst
}

func TestEnsureShare(t *testing.T) {
	t.Parallel()
	foreign := "other.ml.extra"
	tests := []struct {
		name   string
		seed   func(src, dst *xregiontest.Workspace)
		spec   func(dst *xregiontest.Workspace) deps.ShareSpec
		faults []xregiontest.Fault
		want   *deps.ShareResult
		// wantState is the share afterwards; nil means modelObjects
		// granted to wantResult's recipient.
		wantState *shareState
	}{
		{
			name: "from_scratch_creates_share_recipient_and_grant",
			want: &deps.ShareResult{
				Op: xregion.OpCreated, Added: sharedObjects(modelObjects()),
				Recipient: "xregion-eu-west-1-", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated,
			},
		},
		{
			name: "keeps_foreign_objects_and_grants",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddTable(catalog.TableInfo{FullName: foreign})
				src.AddRecipient(sharing.RecipientInfo{Name: "partner", AuthenticationType: sharing.AuthenticationTypeToken})
				src.AddShare(sharing.ShareInfo{Name: shareName, Objects: []sharing.SharedDataObject{
					{Name: foreign, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
					{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable, HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled},
				}})
				src.Grant(shareName, "partner", sharing.PrivilegeSelect)
			},
			want: &deps.ShareResult{
				Op:        xregion.OpUpdated,
				Added:     sharedObjects(slices.DeleteFunc(modelObjects(), func(o object) bool { return o.Name == features })),
				Recipient: "xregion-eu-west-1-", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated,
			},
			wantState: &shareState{
				Objects: append(modelObjects(), object{Name: foreign, Type: sharing.SharedDataObjectDataObjectTypeTable}),
				Grants:  map[string][]sharing.Privilege{"partner": {sharing.PrivilegeSelect}, "xregion-eu-west-1-": {sharing.PrivilegeSelect}},
			},
		},
		{
			name: "feature_spec_shared_as_function_is_accepted",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddShare(sharing.ShareInfo{Name: shareName, Objects: []sharing.SharedDataObject{
					{Name: featspec, DataObjectType: sharing.SharedDataObjectDataObjectTypeFunction},
				}})
			},
			want: &deps.ShareResult{
				Op:        xregion.OpUpdated,
				Added:     sharedObjects(slices.DeleteFunc(modelObjects(), func(o object) bool { return o.Name == featspec })),
				Recipient: "xregion-eu-west-1-", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated,
			},
			wantState: &shareState{
				Objects: func() []object {
					o := modelObjects()
					o[3].Type = sharing.SharedDataObjectDataObjectTypeFunction
					return o
				}(),
				Grants: map[string][]sharing.Privilege{"xregion-eu-west-1-": {sharing.PrivilegeSelect}},
			},
		},
		{
			name: "reuses_the_recipient_of_the_target_metastore",
			seed: func(src, dst *xregiontest.Workspace) {
				src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
			},
			want: &deps.ShareResult{Op: xregion.OpCreated, Added: sharedObjects(modelObjects()), Recipient: "eu", RecipientOp: xregion.OpUnchanged, GrantOp: xregion.OpCreated},
		},
		{
			name: "explicit_recipient_is_created_for_the_target",
			spec: func(dst *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{Name: "emea", TargetMetastoreID: dst.GlobalMetastoreID()}}
			},
			want: &deps.ShareResult{Op: xregion.OpCreated, Added: sharedObjects(modelObjects()), Recipient: "emea", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated},
		},
		{
			name: "existing_grant_is_not_sent_again",
			seed: func(src, dst *xregiontest.Workspace) {
				src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
				src.AddShare(sharing.ShareInfo{Name: shareName})
				src.Grant(shareName, "eu", sharing.PrivilegeSelect)
			},
			want: &deps.ShareResult{Op: xregion.OpUpdated, Added: sharedObjects(modelObjects()), Recipient: "eu", RecipientOp: xregion.OpUnchanged, GrantOp: xregion.OpUnchanged},
		},
		{
			name: "same_metastore_grants_to_self",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddRecipient(sharing.RecipientInfo{Name: "self", AuthenticationType: sharing.AuthenticationTypeDatabricks})
			},
			spec: func(*xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: "SRC"}}
			},
			want: &deps.ShareResult{Op: xregion.OpCreated, Added: sharedObjects(modelObjects()), Recipient: "self", SameMetastore: true, RecipientOp: xregion.OpUnchanged, GrantOp: xregion.OpCreated},
		},
		{
			name: "after_commit_fault_on_create_converges",
			faults: []xregiontest.Fault{
				{Method: "Shares.Create", Times: 1, AfterCommit: true, Err: xregiontest.AlreadyExists("Share 'fraud_share' already exists.")},
			},
			want: &deps.ShareResult{
				Op: xregion.OpUpdated, Added: sharedObjects(modelObjects()),
				Recipient: "xregion-eu-west-1-", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated,
			},
		},
		{
			name: "after_commit_fault_on_add_converges",
			faults: []xregiontest.Fault{
				{Method: "Shares.Update", Times: 1, AfterCommit: true, Err: xregiontest.AlreadyExists("Object already exists in share.")},
			},
			want: &deps.ShareResult{
				Op: xregion.OpCreated, Added: sharedObjects(modelObjects()),
				Recipient: "xregion-eu-west-1-", RecipientOp: xregion.OpCreated, GrantOp: xregion.OpCreated,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := newRegions(t)
			if tt.seed != nil {
				tt.seed(src, dst)
			}
			for _, f := range tt.faults {
				src.Inject(f)
			}
			spec := deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}}
			if tt.spec != nil {
				spec = tt.spec(dst)
				if spec.Recipient.TargetMetastoreID == "SRC" {
					spec.Recipient.TargetMetastoreID = src.GlobalMetastoreID()
				}
			}
			src.ResetWrites()

			got, err := deps.EnsureShare(t.Context(), shareClients(src), spec)
			if err != nil {
				t.Fatalf("EnsureShare() error = %v", err)
			}
			want := *tt.want
			want.Share, want.Objects = shareName, sharedObjects(modelObjects())
			if strings.HasSuffix(want.Recipient, "-") {
				want.Recipient = deps.DefaultRecipientName(dst.GlobalMetastoreID())
			}
			if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
				t.Errorf("EnsureShare() mismatch (-want +got):\n%s", diff)
			}

			wantState := shareState{Objects: modelObjects(), Grants: map[string][]sharing.Privilege{want.Recipient: {sharing.PrivilegeSelect}}}
			if tt.wantState != nil {
				wantState = *tt.wantState
				if g, ok := wantState.Grants["xregion-eu-west-1-"]; ok {
					delete(wantState.Grants, "xregion-eu-west-1-")
					wantState.Grants[want.Recipient] = g
				}
			}
			if diff := cmp.Diff(wantState, readShare(t, src, shareName), cmpOpts); diff != "" {
				t.Errorf("share state mismatch (-want +got):\n%s", diff)
			}

			// A second run finds converged state and writes nothing.
			src.ResetWrites()
			again, err := deps.EnsureShare(t.Context(), shareClients(src), spec)
			if err != nil {
				t.Fatalf("second EnsureShare() error = %v", err)
			}
			if w := src.Writes(); len(w) != 0 {
				t.Errorf("second EnsureShare() wrote %v, want no write", w)
			}
			wantAgain := deps.ShareResult{Share: shareName, Op: xregion.OpUnchanged, Objects: want.Objects, Recipient: want.Recipient,
				SameMetastore: want.SameMetastore, RecipientOp: xregion.OpUnchanged, GrantOp: xregion.OpUnchanged}
			if diff := cmp.Diff(&wantAgain, again, cmpOpts); diff != "" {
				t.Errorf("second EnsureShare() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEnsureShareRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seed    func(src, dst *xregiontest.Workspace)
		spec    func(src, dst *xregiontest.Workspace) deps.ShareSpec
		wantErr error
	}{
		{
			name:    "share_name_with_space",
			spec:    func(_, dst *xregiontest.Workspace) deps.ShareSpec { return specFor(dst, "fraud share") },
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "no_dependencies",
			spec: func(_, dst *xregiontest.Workspace) deps.ShareSpec {
				s := specFor(dst, shareName)
				s.Dependencies = nil
				return s
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "no_recipient",
			spec: func(_, _ *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps()}
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "malformed_target_metastore_id",
			spec: func(_, _ *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: "eu-west-1"}}
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "object_name_not_three_part",
			spec: func(_, dst *xregiontest.Workspace) deps.ShareSpec {
				s := specFor(dst, shareName)
				s.Extra = []deps.SharedObject{{Name: "ml.extra", Type: sharing.SharedDataObjectDataObjectTypeTable}}
				return s
			},
			wantErr: xregion.ErrInvalidInput,
		},
		{
			name: "explicit_recipient_of_another_metastore",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddRecipient(sharing.RecipientInfo{Name: "eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: "aws:ap-southeast-1:99999999-0000-0000-0000-000000000000"})
			},
			spec: func(_, dst *xregiontest.Workspace) deps.ShareSpec {
				s := specFor(dst, shareName)
				s.Recipient.Name = "eu"
				return s
			},
			wantErr: xregion.ErrConflict,
		},
		{
			name: "explicit_token_recipient",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddRecipient(sharing.RecipientInfo{Name: "partner", AuthenticationType: sharing.AuthenticationTypeToken})
			},
			spec: func(_, _ *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{Name: "partner"}}
			},
			wantErr: xregion.ErrPrecondition,
		},
		{
			name: "explicit_recipient_missing_and_no_metastore",
			spec: func(_, _ *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{Name: "ghost"}}
			},
			wantErr: apierr.ErrNotFound,
		},
		{
			name: "share_exposes_another_table_under_the_same_name",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddTable(catalog.TableInfo{FullName: "staging.ml.features"})
				src.AddShare(sharing.ShareInfo{Name: shareName, Objects: []sharing.SharedDataObject{
					{Name: "staging.ml.features", DataObjectType: sharing.SharedDataObjectDataObjectTypeTable},
				}})
			},
			spec:    func(_, dst *xregiontest.Workspace) deps.ShareSpec { return specFor(dst, shareName) },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "share_holds_the_name_with_another_type",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddShare(sharing.ShareInfo{Name: shareName, Objects: []sharing.SharedDataObject{
					{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeStreamingTable},
				}})
			},
			spec:    func(_, dst *xregiontest.Workspace) deps.ShareSpec { return specFor(dst, shareName) },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "same_metastore_without_the_self_recipient",
			spec: func(src, _ *xregiontest.Workspace) deps.ShareSpec {
				return deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: src.GlobalMetastoreID()}}
			},
			wantErr: xregion.ErrPrecondition,
		},
		{
			name: "share_exposes_the_table_under_another_name",
			seed: func(src, _ *xregiontest.Workspace) {
				src.AddShare(sharing.ShareInfo{Name: shareName, Objects: []sharing.SharedDataObject{
					{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable, SharedAs: "published.features"},
				}})
			},
			spec:    func(_, dst *xregiontest.Workspace) deps.ShareSpec { return specFor(dst, shareName) },
			wantErr: xregion.ErrConflict,
		},
		{
			name: "permission_denied_reading_share",
			seed: func(src, _ *xregiontest.Workspace) {
				src.Inject(xregiontest.Fault{Method: "Shares.Get", Err: xregiontest.PermissionDenied("User is not an owner of Share 'fraud_share'.")})
			},
			spec:    func(_, dst *xregiontest.Workspace) deps.ShareSpec { return specFor(dst, shareName) },
			wantErr: apierr.ErrPermissionDenied,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, dst := newRegions(t)
			if tt.seed != nil {
				tt.seed(src, dst)
			}
			src.ResetWrites()
			_, err := deps.EnsureShare(t.Context(), shareClients(src), tt.spec(src, dst))
			var se *xregion.StepError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &se) || se.Step != deps.StepShare {
				t.Fatalf("EnsureShare() error = %v, want an EnsureShare StepError matching %v", err, tt.wantErr)
			}
			if w := src.Writes(); len(w) != 0 {
				t.Errorf("EnsureShare() wrote %v before failing, want no write", w)
			}
		})
	}
}

func specFor(dst *xregiontest.Workspace, share string) deps.ShareSpec {
	return deps.ShareSpec{Name: share, Dependencies: fullDeps(), Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}}
}

func TestEnsureShareChunksLargeUpdates(t *testing.T) {
	t.Parallel()
	src, dst := newRegions(t)
	d := &deps.Dependencies{Model: model, Version: 1}
	for i := range 250 {
		name := fmt.Sprintf("main.ml.t%03d", i)
		src.AddTable(catalog.TableInfo{FullName: name})
		d.Tables = append(d.Tables, deps.Table{Name: name})
	}
	spec := deps.ShareSpec{Name: shareName, Dependencies: d, Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}}
	got, err := deps.EnsureShare(t.Context(), shareClients(src), spec)
	if err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	if len(got.Added) != 251 {
		t.Errorf("added %d objects, want 251", len(got.Added))
	}
	updates := 0
	for _, w := range src.Writes() {
		if w.Method == "Shares.Update" {
			updates++
		}
	}
	if updates != 3 {
		t.Errorf("sent %d share updates for 251 objects, want 3 (at most 100 each)", updates)
	}
	if n := len(readShare(t, src, shareName).Objects); n != 251 {
		t.Errorf("share holds %d objects, want 251", n)
	}
}

func TestEnsureShareReadsEveryPageOfGrants(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace(xregiontest.WithPageSize(2))
	dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
	xregiontest.Link(src, dst)
	seedModel(src)
	src.AddRecipient(sharing.RecipientInfo{Name: "zz-eu", AuthenticationType: sharing.AuthenticationTypeDatabricks, DataRecipientGlobalMetastoreId: dst.GlobalMetastoreID()})
	for i := range 7 {
		src.AddRecipient(sharing.RecipientInfo{Name: fmt.Sprintf("partner%d", i), AuthenticationType: sharing.AuthenticationTypeToken})
	}
	if _, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName)); err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	for i := range 7 {
		src.Grant(shareName, fmt.Sprintf("partner%d", i), sharing.PrivilegeSelect)
	}
	src.ResetWrites()
	before := src.Calls("Shares.SharePermissions")
	got, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName))
	if err != nil {
		t.Fatalf("second EnsureShare() error = %v", err)
	}
	if got.GrantOp != xregion.OpUnchanged || len(src.Writes()) != 0 {
		t.Errorf("grant on the last page was missed: GrantOp = %s, writes %v", got.GrantOp, src.Writes())
	}
	if n := src.Calls("Shares.SharePermissions") - before; n < 4 {
		t.Errorf("read %d pages of grants, want all of them (>= 4 for 8 grants, 2 a page)", n)
	}
}

func TestEnsureShareFailedAddThenRerunConverges(t *testing.T) {
	t.Parallel()
	src, dst := newRegions(t)
	src.Inject(xregiontest.Fault{Method: "Shares.Update", Times: 1, AfterCommit: true, Err: xregiontest.Internal("connection lost after commit")})
	_, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName))
	if !errors.Is(err, apierr.ErrInternalError) {
		t.Fatalf("EnsureShare() error = %v, want the internal error", err)
	}
	got, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName))
	if err != nil {
		t.Fatalf("rerun EnsureShare() error = %v", err)
	}
	if len(got.Added) != 0 {
		t.Errorf("rerun added %v, want nothing: the first run's add had landed", got.Added)
	}
	wantState := shareState{Objects: modelObjects(), Grants: map[string][]sharing.Privilege{got.Recipient: {sharing.PrivilegeSelect}}}
	if diff := cmp.Diff(wantState, readShare(t, src, shareName), cmpOpts); diff != "" {
		t.Errorf("share state mismatch (-want +got):\n%s", diff)
	}
}

// TestEnsureShareConcurrentLegs runs the share step of 8 matrix legs at once,
// each for another target region: all succeed and the share ends with the
// union of their objects and grants.
func TestEnsureShareConcurrentLegs(t *testing.T) {
	t.Parallel()
	src := xregiontest.NewWorkspace()
	seedModel(src)
	targets := make([]*xregiontest.Workspace, 8)
	for i := range targets {
		targets[i] = xregiontest.NewWorkspace(xregiontest.WithRegion("aws", fmt.Sprintf("region-%d", i)))
	}
	xregiontest.Link(append([]*xregiontest.Workspace{src}, targets...)...)
	// Half the legs share one model version, half another, so their objects differ.
	v3 := &deps.Dependencies{Model: model, Version: 3, Tables: fullDeps().Tables[:1]}

	var wg sync.WaitGroup
	errs := make([]error, len(targets))
	for i, dst := range targets {
		wg.Go(func() {
			d := fullDeps()
			if i%2 == 1 {
				d = v3
			}
			_, errs[i] = deps.EnsureShare(t.Context(), shareClients(src), deps.ShareSpec{Name: shareName, Dependencies: d, Recipient: deps.RecipientSpec{TargetMetastoreID: dst.GlobalMetastoreID()}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("leg %d: EnsureShare() error = %v", i, err)
		}
	}
	want := shareState{Objects: modelObjects(), Grants: map[string][]sharing.Privilege{}}
	for _, dst := range targets {
		want.Grants[deps.DefaultRecipientName(dst.GlobalMetastoreID())] = []sharing.Privilege{sharing.PrivilegeSelect}
	}
	if diff := cmp.Diff(want, readShare(t, src, shareName), cmpOpts); diff != "" {
		t.Errorf("share state mismatch (-want +got):\n%s", diff)
	}
	creates := 0
	for _, w := range src.Writes() {
		if w.Method == "Shares.Create" {
			creates++
		}
	}
	if creates != 1 {
		t.Errorf("share created %d times, want 1", creates)
	}
}

func TestEnsureShareObjectsOnly(t *testing.T) {
	t.Parallel()
	src, _ := newRegions(t)
	got, err := deps.EnsureShare(t.Context(), deps.ShareClients{Shares: src.Shares}, deps.ShareSpec{Name: shareName, Dependencies: fullDeps(), ObjectsOnly: true})
	if err != nil {
		t.Fatalf("EnsureShare(ObjectsOnly) error = %v", err)
	}
	if got.Op != xregion.OpCreated || len(got.Added) != len(modelObjects()) || got.GrantOp != xregion.OpUnchanged || got.Recipient != "" {
		t.Errorf("EnsureShare(ObjectsOnly) = %+v, want the share created with its objects and no grant", got)
	}
	want := shareState{Objects: modelObjects()}
	if diff := cmp.Diff(want, readShare(t, src, shareName), cmpOpts); diff != "" {
		t.Errorf("share state mismatch (-want +got):\n%s", diff)
	}
	for _, w := range src.Writes() {
		if w.Method == "Shares.UpdatePermissions" || w.Method == "Recipients.Create" {
			t.Errorf("EnsureShare(ObjectsOnly) wrote %v", w)
		}
	}
}

// TestEnsureShareNewShareReadsOnce: a first EnsureShare reads the share
// once (its clash check, handed on), takes its create and update replies
// for the share's state, and grants on the share it created without
// reading grants; the share ends as a re-read shows it.
func TestEnsureShareNewShareReadsOnce(t *testing.T) {
	t.Parallel()
	src, dst := newRegions(t)
	res, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName))
	if err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	got := map[string]int{}
	for _, m := range []string{"Shares.Get", "Shares.SharePermissions", "Shares.Create", "Shares.Update", "Shares.UpdatePermissions"} {
		got[m] = src.Calls(m)
	}
	want := map[string]int{"Shares.Get": 1, "Shares.SharePermissions": 0, "Shares.Create": 1, "Shares.Update": 1, "Shares.UpdatePermissions": 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls of a first EnsureShare mismatch (-want +got):\n%s", diff)
	}
	if res.Op != xregion.OpCreated || res.GrantOp != xregion.OpCreated {
		t.Errorf("Op, GrantOp = %s, %s, want created, created", res.Op, res.GrantOp)
	}
	st := readShare(t, src, shareName)
	if diff := cmp.Diff(modelObjects(), st.Objects); diff != "" {
		t.Errorf("share objects mismatch (-want +got):\n%s", diff)
	}
	if !slices.Contains(st.Grants[res.Recipient], sharing.PrivilegeSelect) {
		t.Errorf("grants %v, want SELECT for %s", st.Grants, res.Recipient)
	}
	// A re-run still reads the grants, and writes nothing.
	src.ResetWrites()
	if _, err := deps.EnsureShare(t.Context(), shareClients(src), specFor(dst, shareName)); err != nil {
		t.Fatal(err)
	}
	if n := src.Calls("Shares.SharePermissions"); n < 2 || len(src.Writes()) != 0 {
		t.Errorf("re-run: %d grant reads in all, writes %v; want the grants read and no write", n, src.Writes())
	}
}

// trimmedReplies answers a share update with only the objects it sent, a
// reply shape the service does not rule out.
type trimmedReplies struct{ deps.Shares }

func (s trimmedReplies) Update(ctx context.Context, r sharing.UpdateShare) (*sharing.ShareInfo, error) {
	reply, err := s.Shares.Update(ctx, r)
	if reply != nil {
		reply.Objects = slices.DeleteFunc(reply.Objects, func(o sharing.SharedDataObject) bool {
			return !slices.ContainsFunc(r.Updates, func(u sharing.SharedDataObjectUpdate) bool { return u.DataObject != nil && u.DataObject.Name == o.Name })
		})
	}
	return reply, err
}

// TestEnsureShareDistrustsPartialReplies: an update reply that leaves out
// objects the share held is not taken for the share's state; the share is
// read again, and nothing is added twice.
func TestEnsureShareDistrustsPartialReplies(t *testing.T) {
	t.Parallel()
	src, dst := newRegions(t)
	// The share holds one of the model's objects already, as a share an
	// earlier version filled would.
	if _, err := src.Shares.Create(t.Context(), sharing.CreateShare{Name: shareName}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Shares.Update(t.Context(), sharing.UpdateShare{Name: shareName, Updates: []sharing.SharedDataObjectUpdate{{
		Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: &sharing.SharedDataObject{Name: features, DataObjectType: sharing.SharedDataObjectDataObjectTypeTable, HistoryDataSharingStatus: sharing.SharedDataObjectHistoryDataSharingStatusEnabled},
	}}}); err != nil {
		t.Fatal(err)
	}
	before := src.Calls("Shares.Update")
	c := shareClients(src)
	c.Shares = trimmedReplies{c.Shares}
	if _, err := deps.EnsureShare(t.Context(), c, specFor(dst, shareName)); err != nil {
		t.Fatalf("EnsureShare() error = %v", err)
	}
	if n := src.Calls("Shares.Update") - before; n != 1 {
		t.Errorf("EnsureShare sent %d share updates, want 1 (a partial reply must not look like missing objects)", n)
	}
}

// TestEnsureShareWithSourceMetastoreID: a caller that knows the source's
// metastore id (from the model version's read) spares the read of the
// source's metastore summary; the id alone still tells one metastore from
// two.
func TestEnsureShareWithSourceMetastoreID(t *testing.T) {
	t.Parallel()
	t.Run("two_metastores", func(t *testing.T) {
		t.Parallel()
		src, dst := newRegions(t)
		c := shareClients(src)
		c.Metastores = nil // never read
		spec := specFor(dst, shareName)
		spec.Recipient.SourceMetastoreID = src.MetastoreID()
		res, err := deps.EnsureShare(t.Context(), c, spec)
		if err != nil || res.SameMetastore || res.RecipientOp != xregion.OpCreated {
			t.Errorf("EnsureShare() = %+v, %v; want a recipient created for the target", res, err)
		}
		if n := src.Calls("Metastores.Summary"); n != 0 {
			t.Errorf("read the source's metastore summary %d times, want none", n)
		}
	})
	t.Run("one_metastore", func(t *testing.T) {
		t.Parallel()
		src, _ := newRegions(t)
		src.AddRecipient(sharing.RecipientInfo{Name: "self", AuthenticationType: sharing.AuthenticationTypeDatabricks})
		c := shareClients(src)
		c.Metastores = nil
		spec := deps.ShareSpec{Name: shareName, Dependencies: fullDeps(),
			Recipient: deps.RecipientSpec{TargetMetastoreID: src.GlobalMetastoreID(), SourceMetastoreID: src.MetastoreID()}}
		res, err := deps.EnsureShare(t.Context(), c, spec)
		if err != nil || !res.SameMetastore || res.Recipient != "self" {
			t.Errorf("EnsureShare() = %+v, %v; want the same-metastore recipient self", res, err)
		}
	})
}
