package main

import (
	"strings"
	"testing"
)

// TestRunPreflight: a run the target cannot take fails before its first
// write, in a real run and in a dry run, with a one-line error naming the
// input to change.
func TestRunPreflight(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        map[string]string
		wantInput string
	}{
		{name: "online_catalog_typo", in: map[string]string{"online-catalog": "servng"}, wantInput: "online-catalog"},
		{name: "online_schema_missing", in: map[string]string{"online-schema": "features"}, wantInput: "online-schema"},
		{name: "use_existing_catalog_missing", in: map[string]string{"use-existing-catalog": "true"}, wantInput: "shared-catalog"},
	}
	for _, tt := range tests {
		for _, dry := range []string{"false", "true"} {
			t.Run(tt.name+"/dry_run_"+dry, func(t *testing.T) {
				t.Parallel()
				w := newFakeWorld()
				in := baseInputs()
				in["dry-run"] = dry
				for k, v := range tt.in {
					in[k] = v
				}
				r := runAction(t, w, in)
				if r.err == nil {
					t.Fatalf("run() = nil error, want the preflight to fail; log:\n%s", r.log.String())
				}
				if !strings.Contains(r.err.Error(), tt.wantInput) {
					t.Errorf("run() error = %q, want it to name %s", r.err, tt.wantInput)
				}
				if writes := w.writes(); len(writes) != 0 {
					t.Errorf("run() wrote %v, want no write", writes)
				}
				if !strings.Contains(r.log.String(), "::error title=xregion%3A Preflight failed::") {
					t.Errorf("log lacks the Preflight annotation:\n%s", r.log.String())
				}
			})
		}
	}
}
