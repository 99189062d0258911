package xregiontest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/go-cmp/cmp"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestFaultSkipTimes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault xregiontest.Fault
		want  []bool // per call: did it fail
	}{
		{name: "every_call", fault: xregiontest.Fault{}, want: []bool{true, true, true}},
		{name: "skip_one_then_every", fault: xregiontest.Fault{Skip: 1}, want: []bool{false, true, true}},
		{name: "skip_one_fail_two", fault: xregiontest.Fault{Skip: 1, Times: 2}, want: []bool{false, true, true, false, false}},
		{name: "fail_once", fault: xregiontest.Fault{Times: 1}, want: []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddCatalog(catalog.CatalogInfo{Name: "main"})
			f := tt.fault
			f.Method, f.Err = "Catalogs.Get", xregiontest.Unavailable("busy")
			w.Inject(f)
			var got []bool
			for range tt.want {
				_, err := w.Catalogs.Get(t.Context(), catalog.GetCatalogRequest{Name: "main"})
				if err != nil && !errors.Is(err, apierr.ErrTemporarilyUnavailable) {
					t.Fatalf("Catalogs.Get: unexpected error %v", err)
				}
				got = append(got, err != nil)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("failures mismatch (-want +got):\n%s", diff)
			}
			if n := w.Calls("Catalogs.Get"); n != len(tt.want) {
				t.Errorf("Calls() = %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestFaultCommit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		afterCommit bool
		share       string
		wantErr     error
		wantExists  bool
		wantWrites  []xregiontest.Write
	}{
		{name: "before_commit", share: "s2", wantErr: apierr.ErrTemporarilyUnavailable},
		{
			name: "after_commit", afterCommit: true, share: "s2", wantErr: apierr.ErrTemporarilyUnavailable, wantExists: true,
			wantWrites: []xregiontest.Write{{Method: "Shares.Create", Resource: "s2"}},
		},
		// A call that fails by itself reports its own error, after commit or not.
		{name: "after_commit_own_error_wins", afterCommit: true, share: "s1", wantErr: apierr.ErrResourceAlreadyExists, wantExists: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := xregiontest.NewWorkspace()
			w.AddShare(sharing.ShareInfo{Name: "s1"})
			w.Inject(xregiontest.Fault{Method: "Shares.Create", Times: 1, AfterCommit: tt.afterCommit, Err: xregiontest.Unavailable("retry")})
			got, err := w.Shares.Create(t.Context(), sharing.CreateShare{Name: tt.share})
			checkErr(t, "Create", err, tt.wantErr)
			if got != nil {
				t.Errorf("Create() returned %+v with an error", got)
			}
			_, err = w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: tt.share})
			if exists := err == nil; exists != tt.wantExists {
				t.Errorf("share %s exists = %v, want %v (Get error %v)", tt.share, exists, tt.wantExists, err)
			}
			if diff := cmp.Diff(tt.wantWrites, w.Writes(), ignoreServerFields); diff != "" {
				t.Errorf("Writes() mismatch (-want +got):\n%s", diff)
			}
			// The fault fired once: the next create of a new share works.
			if _, err := w.Shares.Create(t.Context(), sharing.CreateShare{Name: "s3"}); err != nil {
				t.Errorf("Create after the fault: %v", err)
			}
		})
	}
}

func TestFaultsStack(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	first, second := xregiontest.Internal("first"), xregiontest.PermissionDenied("second")
	w.Inject(xregiontest.Fault{Method: "Metastores.Summary", Times: 1, Err: first})
	w.Inject(xregiontest.Fault{Method: "Metastores.Summary", Times: 2, Err: second})
	var got []error
	for range 3 {
		_, err := w.Metastores.Summary(t.Context())
		got = append(got, err)
	}
	// Call 1: both fire, the first injected wins. Call 2: only the second.
	want := []error{first, second, nil}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: error %v, want %v", i+1, got[i], want[i])
		}
	}
}

func TestInjectPanics(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	mustPanic(t, func() { w.Inject(xregiontest.Fault{Method: "Shares.Undelete", Err: xregiontest.Internal("x")}) })
	mustPanic(t, func() { w.Inject(xregiontest.Fault{Method: "Shares.Get"}) })
	mustPanic(t, func() { w.Inject(xregiontest.Fault{Method: "Shares.Get", Skip: -1, Err: xregiontest.Internal("x")}) })
}

func TestWriteLog(t *testing.T) {
	t.Parallel()
	src, dst := regions(t)
	ctx := t.Context()
	shareTo(t, src, dst, allObjects()...)
	if _, err := dst.Catalogs.Create(ctx, catalog.CreateCatalog{Name: "shared", ProviderName: "org-us-east-1", ShareName: "s1"}); err != nil {
		t.Fatal(err)
	}
	// Reads and failed writes are not logged.
	_, _ = src.Shares.Get(ctx, sharing.GetShareRequest{Name: "s1", IncludeSharedData: true})
	_, _ = src.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
	// A write that changes nothing is still a write call.
	grant(t, src, "s1", "eu")

	wantSrc := []xregiontest.Write{
		{Method: "Recipients.Create", Resource: "eu"},
		{Method: "Shares.Create", Resource: "s1"},
		{Method: "Shares.Update", Resource: "s1"},
		{Method: "Shares.UpdatePermissions", Resource: "s1"},
		{Method: "Shares.UpdatePermissions", Resource: "s1"},
	}
	got := src.Writes()
	if diff := cmp.Diff(wantSrc, got); diff != "" {
		t.Errorf("source Writes() mismatch (-want +got):\n%s", diff)
	}
	got[0].Method = "changed"
	if src.Writes()[0].Method != "Recipients.Create" {
		t.Errorf("changing the returned log changed the fake")
	}
	if diff := cmp.Diff([]xregiontest.Write{{Method: "Catalogs.Create", Resource: "shared"}}, dst.Writes()); diff != "" {
		t.Errorf("target Writes() mismatch (-want +got):\n%s", diff)
	}
	src.ResetWrites()
	if got := src.Writes(); len(got) != 0 {
		t.Errorf("Writes() after ResetWrites() = %v", got)
	}
	if n := src.Calls("Shares.Create"); n != 2 {
		t.Errorf("Calls(Shares.Create) = %d, want 2", n)
	}
}

func TestContextDone(t *testing.T) {
	t.Parallel()
	w := xregiontest.NewWorkspace()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := w.Shares.Create(ctx, sharing.CreateShare{Name: "s1"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Create() error = %v, want context.Canceled", err)
	}
	_, err = w.Shares.Get(t.Context(), sharing.GetShareRequest{Name: "s1"})
	checkErr(t, "Get", err, apierr.ErrResourceDoesNotExist)
	if n, writes := w.Calls("Shares.Create"), w.Writes(); n != 0 || len(writes) != 0 {
		t.Errorf("cancelled call counted (%d) or logged (%v)", n, writes)
	}
}
