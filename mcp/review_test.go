package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// TestLoadRefusesUnnamedCredentials: every workspace must get its
// credentials from the file's variables, and no region may be called
// "source".
func TestLoadRefusesUnnamedCredentials(t *testing.T) {
	t.Parallel()
	env := map[string]string{"EU_TOKEN": "dapi-eu"}
	getenv := func(k string) string { return env[k] }
	for _, tt := range []struct{ name, file, want string }{
		{"no_credentials", "regions:\n  - name: eu\n    host: https://eu.example\n", "no credentials"},
		{"cli_auth", "regions:\n  - name: eu\n    host: https://eu.example\n    auth-type: databricks-cli\n    token-env: EU_TOKEN\n", "auth-type"},
		{"region_named_source", "regions:\n  - name: source\n    host: https://eu.example\n    token-env: EU_TOKEN\n", "names the source workspace"},
		{"source_without_credentials", "source:\n  host: https://us.example\nregions:\n  - name: eu\n    host: https://eu.example\n    token-env: EU_TOKEN\n", "no credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "regions.yml")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := load(path, getenv)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("load() error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestRedactorLongestFirst: a secret that starts another never leaves the
// rest of the longer one visible.
func TestRedactorLongestFirst(t *testing.T) {
	t.Parallel()
	r := redactor([]string{"s3cret", "s3cret-longer-secret"})
	if got := r.Replace("x s3cret-longer-secret y s3cret"); got != "x *** y ***" {
		t.Errorf("Replace() = %q", got)
	}
}

// TestScrubRecipient keeps no activation link, sharing code or token id.
func TestScrubRecipient(t *testing.T) {
	t.Parallel()
	r := scrubRecipient(sharing.RecipientInfo{Name: "r", ActivationUrl: "https://x/activate/tok1", SharingCode: "code1",
		Tokens: []sharing.RecipientTokenInfo{{Id: "tok1", ActivationUrl: "https://x/activate/tok1", ExpirationTime: 5}}})
	if r.ActivationUrl != "" || r.SharingCode != "" || len(r.Tokens) != 1 || r.Tokens[0].Id != "" || r.Tokens[0].ActivationUrl != "" || r.Tokens[0].ExpirationTime != 5 {
		t.Errorf("scrubRecipient() = %+v", r)
	}
}

// TestEndpointArgumentAgainstTheFile: an endpoint argument that names
// another endpoint than the regions file's for the region is refused, in
// the changing and the read-only tools alike.
func TestEndpointArgumentAgainstTheFile(t *testing.T) {
	t.Parallel()
	cs := newFleet(t, "serving").session(t)
	for _, tool := range []string{"plan_rollout", "check_endpoint_status", "rollout"} {
		args := map[string]any{"region": "ap-southeast-1", "model": "main.ml.fraud", "version": "1", "endpoint": "asked-ep"}
		if tool == "check_endpoint_status" {
			delete(args, "version")
		}
		res := call(t, cs, tool, args)
		if !res.IsError || !strings.Contains(text(res), "fraud-ap") {
			t.Errorf("%s with another endpoint: IsError %v, %q; want a refusal naming the file's endpoint", tool, res.IsError, text(res))
		}
	}
}
