package main

import (
	"testing"

	"github.com/databricks/databricks-sdk-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSDKConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL": "https://runner.example/token?v=2", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req",
		// Variables a config must never pick up on its own.
		"DATABRICKS_TOKEN": "leak", "ARM_TENANT_ID": "leak", "DATABRICKS_WORKSPACE_ID": "555",
	}
	getenv := func(k string) string { return env[k] }
	const host = "https://adb-1.azuredatabricks.net"
	tests := []struct {
		name string
		side side
		want *databricks.Config
	}{
		{
			name: "pat",
			side: side{Host: host, Token: "dapi"},
			want: &databricks.Config{Host: host, AuthType: "pat", Token: "dapi"},
		},
		{
			name: "oauth_m2m",
			side: side{Host: host, ClientID: "id", ClientSecret: "s"},
			want: &databricks.Config{Host: host, AuthType: "oauth-m2m", ClientID: "id", ClientSecret: "s"},
		},
		{
			name: "github_oidc",
			side: side{Host: host, ClientID: "id"},
			want: &databricks.Config{Host: host, AuthType: "github-oidc", ClientID: "id",
				ActionsIDTokenRequestURL: "https://runner.example/token?v=2", ActionsIDTokenRequestToken: "req"},
		},
		{
			name: "azure_client_secret",
			side: side{Host: host, AuthType: "azure-client-secret", ClientID: "app", ClientSecret: "s", AzureTenantID: "tenant"},
			want: &databricks.Config{Host: host, AuthType: "azure-client-secret", AzureClientID: "app", AzureClientSecret: "s", AzureTenantID: "tenant"},
		},
		{
			name: "azure_msi_user_assigned",
			side: side{Host: host, AuthType: "azure-msi", ClientID: "identity"},
			want: &databricks.Config{Host: host, AuthType: "azure-msi", AzureUseMSI: true, AzureClientID: "identity"},
		},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := sdkConfig(tt.side, getenv)
			if len(got.Loaders) != 1 {
				t.Errorf("Loaders = %v, want only the explicit-config loader", got.Loaders)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(databricks.Config{}), cmpopts.IgnoreFields(databricks.Config{}, "Loaders")); diff != "" {
				t.Errorf("sdkConfig() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
