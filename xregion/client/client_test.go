package client_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/databricks/databricks-sdk-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   client.Settings
		want *databricks.Config
	}{
		{name: "pat", in: client.Settings{Host: "h", Token: "t"}, want: &databricks.Config{Host: "h", AuthType: "pat", Token: "t"}},
		{name: "oauth_m2m", in: client.Settings{Host: "h", ClientID: "id", ClientSecret: "s"},
			want: &databricks.Config{Host: "h", AuthType: "oauth-m2m", ClientID: "id", ClientSecret: "s"}},
		{name: "github_oidc", in: client.Settings{Host: "h", ClientID: "id", IDTokenRequestURL: "u", IDTokenRequestToken: "rt"},
			want: &databricks.Config{Host: "h", AuthType: "github-oidc", ClientID: "id", ActionsIDTokenRequestURL: "u", ActionsIDTokenRequestToken: "rt"}},
		{name: "azure_client_secret", in: client.Settings{Host: "h", AuthType: client.AuthAzureClientSecret, ClientID: "id", ClientSecret: "s", AzureTenantID: "tn"},
			want: &databricks.Config{Host: "h", AuthType: "azure-client-secret", AzureClientID: "id", AzureClientSecret: "s", AzureTenantID: "tn"}},
		{name: "azure_msi", in: client.Settings{Host: "h", AuthType: client.AuthAzureMSI, ClientID: "id"},
			want: &databricks.Config{Host: "h", AuthType: "azure-msi", AzureUseMSI: true, AzureClientID: "id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.in.Config()
			if len(got.Loaders) != 1 {
				t.Errorf("Loaders = %v, want only the explicit one", got.Loaders)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(databricks.Config{}), cmpopts.IgnoreFields(databricks.Config{}, "Loaders", "HTTPTransport")); diff != "" {
				t.Errorf("Config() mismatch (-want +got):\n%s", diff)
			}
			if _, ok := got.HTTPTransport.(*client.RetryingTransport); !ok {
				t.Errorf("HTTPTransport = %T, want the retry policy's *client.RetryingTransport", got.HTTPTransport)
			}
		})
	}
}

// counting counts the requests it carries.
type counting struct{ n atomic.Int64 }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestNew(t *testing.T) {
	// Not parallel: it sets an environment variable that New must ignore.
	ws := xregiontest.NewWorkspace()
	srv := httptest.NewServer(ws.Handler(xregiontest.WithToken("dapi-x")))
	t.Cleanup(srv.Close)
	t.Setenv("DATABRICKS_HOST", "https://wrong.example") // must be ignored
	tr := &counting{}
	w, err := client.New(t.Context(), client.Settings{Host: srv.URL, Token: "dapi-x", Transport: tr})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	if _, err := w.Metastores.Summary(t.Context()); err != nil {
		t.Fatalf("Summary() error = %v", err)
	}
	if tr.n.Load() == 0 {
		t.Error("the transport carried no request")
	}

}

func TestLogValueHidesSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "ws", client.Settings{Host: "h", Token: "dapi-secret", ClientSecret: "s3cret"})
	if strings.Contains(buf.String(), "secret") {
		t.Errorf("log shows a secret: %s", buf.String())
	}
}
