package main

import (
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/xregiontest"
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
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(databricks.Config{}), cmpopts.IgnoreFields(databricks.Config{}, "Loaders", "HTTPTransport")); diff != "" {
				t.Errorf("sdkConfig() mismatch (-want +got):\n%s", diff)
			}
			if _, ok := got.HTTPTransport.(*client.RetryingTransport); !ok {
				t.Errorf("HTTPTransport = %T, want the retry policy's *client.RetryingTransport", got.HTTPTransport)
			}
		})
	}
}

// TestConnectUnreachable connects to a closed loopback port: the SDK would
// retry the refused connection for minutes; the connection bound ends it,
// and the error names the host input, the host and what was tried.
func TestConnectUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := "http://" + l.Addr().String()
	l.Close() // nothing listens there any more: connections are refused
	env := map[string]string{"XREGION_CONNECT_TIMEOUT": "300ms"}
	_, err = connectSDK(t.Context(), "target", side{Host: host, Token: "dapi-secret"}, func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("connectSDK() = nil error, want the host unreachable")
	}
	// It ended because of the configured bound, not by the SDK giving up.
	if !errors.Is(err, errConnectTimeout) {
		t.Errorf("connectSDK() error = %v, want it to end at the configured bound", err)
	}
	for _, want := range []string{"target-host", host, "300ms", "tried "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("connectSDK() error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "dapi-secret") {
		t.Errorf("connectSDK() error %q shows the token", err)
	}
}

func TestConnectTimeoutInput(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]time.Duration{"": defaultConnectTimeout, "5s": 5 * time.Second} {
		got, err := connectTimeout(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("connectTimeout(%q) = %v, %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"soon", "-1s", "0"} {
		if _, err := connectTimeout(func(string) string { return v }); !errors.Is(err, xregion.ErrInvalidInput) {
			t.Errorf("connectTimeout(%q) error = %v, want an input error", v, err)
		}
	}
}

// TestConnectRefused: a workspace that answers but does not let the caller
// in fails at once, pointing at the credentials rather than the host.
func TestConnectRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(xregiontest.NewWorkspace().Handler(xregiontest.WithToken("dapi-right")))
	t.Cleanup(srv.Close)
	_, err := connectSDK(t.Context(), "source", side{Host: srv.URL, Token: "dapi-wrong"}, func(string) string { return "" })
	if err == nil || errors.Is(err, errConnectTimeout) || !strings.Contains(err.Error(), "check the source credentials") {
		t.Fatalf("connectSDK() error = %v, want a refusal pointing at the credentials", err)
	}
	if strings.Contains(err.Error(), "dapi-wrong") {
		t.Errorf("connectSDK() error %q shows the token", err)
	}
	if _, err := connectSDK(t.Context(), "source", side{Host: srv.URL, Token: "dapi-right"}, func(string) string { return "" }); err != nil {
		t.Errorf("connectSDK(right token) error = %v", err)
	}
}
