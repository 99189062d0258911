package regionsfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/org/xregion-action/xregion"
)

func write(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "regions.yml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Parallel()
	p := write(t, `
source:
  host: https://src.example
  client-id: app
  client-secret-env: SRC_SECRET
regions:
  - name: eu
    host: https://eu.example
    token-env: EU_TOKEN
    endpoint: fraud-eu
  - name: ap
    host: https://ap.example
    token-env: AP_TOKEN
waves: [[eu], [ap]]
`)
	var masked []string
	var checked []string
	f, err := Load(p, Options{
		Getenv:     env(map[string]string{"SRC_SECRET": "s3", "EU_TOKEN": "t-eu", "AP_TOKEN": "t-ap"}),
		Secret:     func(s string) { masked = append(masked, s) },
		CheckEntry: func(where string, e Entry) error { checked = append(checked, where); return nil },
	})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	want := &File{
		Path:   p,
		Source: &Settings{Host: "https://src.example", ClientID: "app", ClientSecret: "s3"},
		Regions: []Entry{
			{Name: "eu", Settings: Settings{Host: "https://eu.example", Token: "t-eu"}, Vars: map[string]string{"token-env": "EU_TOKEN", "client-secret-env": ""}, Endpoint: "fraud-eu"},
			{Name: "ap", Settings: Settings{Host: "https://ap.example", Token: "t-ap"}, Vars: map[string]string{"token-env": "AP_TOKEN", "client-secret-env": ""}},
		},
		Waves:   [][]string{{"eu"}, {"ap"}},
		Secrets: []string{"s3", "t-eu", "t-ap"},
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Secrets, masked); diff != "" {
		t.Errorf("secrets reported (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"regions[0] (eu)", "regions[1] (ap)"}, checked); diff != "" {
		t.Errorf("entries checked (-want +got):\n%s", diff)
	}
	if e := f.Region("ap"); e == nil || e.Name != "ap" {
		t.Errorf("Region(ap) = %v", e)
	}
	if f.Region("nope") != nil {
		t.Errorf("Region(nope) != nil")
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"unknown key", "regions:\n  - name: eu\n    host: h\n    token: x\n", `regions[0] (eu): key "token": unknown key`},
		{"missing variable", "regions:\n  - name: eu\n    host: h\n    token-env: NOPE\n", `key "token-env": the environment variable NOPE is not set`},
		{"pasted secret", "regions:\n  - name: eu\n    host: h\n    token-env: dapi-123-xyz\n", `key "token-env": want the name of an environment variable`},
		{"duplicate name", "regions:\n  - {name: eu, host: h1}\n  - {name: eu, host: h2}\n", `key "name": the name is used by regions[0] too`},
		{"same endpoint", "regions:\n  - {name: eu, host: h}\n  - {name: ap, host: h}\n", `regions[1] (ap): key "host": regions[0] deploys to the same endpoint`},
		{"unknown wave region", "regions:\n  - {name: eu, host: h}\nwaves: [[ap]]\n", `waves[0]: region "ap" is not listed`},
		{"no regions", "source: {host: h}\n", `key "regions": required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(write(t, tt.text), Options{Getenv: env(nil)})
			var ie *xregion.InputError
			if !errors.As(err, &ie) || ie.Input != "regions" {
				t.Fatalf("Load() error = %v, want an InputError of regions", err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "dapi-123") || strings.Contains(err.Error(), "\n") {
				t.Errorf("Load() error = %q, want one line containing %q and no secret", err, tt.want)
			}
		})
	}
}

func TestLoadCheckEntry(t *testing.T) {
	t.Parallel()
	bad := errors.New("entry refused")
	_, err := Load(write(t, "regions:\n  - {name: eu, host: h}\n"), Options{Getenv: env(nil), CheckEntry: func(string, Entry) error { return bad }})
	if !errors.Is(err, bad) {
		t.Errorf("Load() error = %v, want the check's error", err)
	}
}
