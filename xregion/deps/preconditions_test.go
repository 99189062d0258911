package deps_test

import (
	"errors"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestCheckPreconditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seed    func(*xregiontest.Workspace)
		wantErr []error
	}{
		{name: "all_present", seed: func(w *xregiontest.Workspace) { w.AddConnection(conn); w.AddCredential(cred) }},
		{name: "credential_missing", seed: func(w *xregiontest.Workspace) { w.AddConnection(conn) }, wantErr: []error{xregion.ErrPrecondition}},
		{name: "both_missing", wantErr: []error{xregion.ErrPrecondition}},
		{
			name: "read_denied",
			seed: func(w *xregiontest.Workspace) {
				w.AddCredential(cred)
				w.Inject(xregiontest.Fault{Method: "Connections.Get", Err: xregiontest.PermissionDenied("no USE CONNECTION")})
			},
			wantErr: []error{apierr.ErrPermissionDenied},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := xregiontest.NewWorkspace(xregiontest.WithRegion("aws", "eu-west-1"))
			if tt.seed != nil {
				tt.seed(dst)
			}
			err := deps.CheckPreconditions(t.Context(), deps.TargetClients{Connections: dst.Connections, Credentials: dst.Credentials}, fullDeps())
			if len(tt.wantErr) == 0 && err != nil {
				t.Fatalf("CheckPreconditions() error = %v", err)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("CheckPreconditions() error = %v, want it to match %v", err, want)
				}
			}
		})
	}
}
