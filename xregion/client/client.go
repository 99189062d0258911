// Package client builds Databricks workspace clients from explicit settings
// only: nothing is read from DATABRICKS_* variables, config files or other
// loaders, so that with several workspaces in one process the credentials
// meant for one never reach another. The action, the live acceptance suite
// and user tools build their clients with [New].
//
// Every request of such a client goes through a [RetryingTransport], the one
// place where xregion retries requests (reads on transient failures, writes
// only when they certainly did not take effect), and a [Meter] given to
// [Settings].Observe counts them by step.
//
// This package imports no other xregion package.
package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/config"
)

// Auth types [New] accepts, as the action's *-auth-type inputs name them.
const (
	AuthPAT               = "pat"
	AuthOAuthM2M          = "oauth-m2m"
	AuthGitHubOIDC        = "github-oidc"
	AuthAzureClientSecret = "azure-client-secret"
	AuthAzureMSI          = "azure-msi"
)

// DefaultConnectTimeout bounds what client construction may spend reaching
// the workspace (its host metadata) unless told otherwise; the SDK would
// otherwise retry a wrong or unreachable host for minutes.
const DefaultConnectTimeout = 20 * time.Second

// Settings say how to reach and authenticate to one workspace.
type Settings struct {
	// Host is the workspace URL. Required.
	Host string
	// AuthType is one of the Auth constants. Empty picks from what is set:
	// pat with a Token, oauth-m2m with a client id and secret, github-oidc
	// with a client id alone.
	AuthType string
	// Token is a personal access token (pat).
	Token string
	// ClientID is the service principal's application id (oauth-m2m,
	// github-oidc, azure-client-secret), or the user-assigned managed
	// identity's client id (azure-msi; empty for the system one).
	ClientID string
	// ClientSecret is the service principal's secret (oauth-m2m,
	// azure-client-secret).
	ClientSecret string
	// AzureTenantID is the Microsoft Entra tenant (azure-client-secret).
	AzureTenantID string
	// IDTokenRequestURL and IDTokenRequestToken are the GitHub job's
	// ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN (github-oidc); they belong to
	// the job, not to a workspace.
	IDTokenRequestURL, IDTokenRequestToken string
	// ConnectTimeout bounds construction. Default: [DefaultConnectTimeout].
	ConnectTimeout time.Duration
	// Transport, if set, carries every attempt of every request of the
	// client, such as a transport that counts them. Default:
	// http.DefaultTransport.
	Transport http.RoundTripper
	// NoRetry leaves retries to the SDK's own policy instead of a
	// [RetryingTransport] over Transport; for measuring the difference.
	NoRetry bool
	// Observe, if set, is called after every attempt of every request (see
	// [RetryingTransport]); it must be safe for concurrent use. It is not
	// called under NoRetry.
	Observe func(Attempt)
	// RateLimit is the client's requests per second. Default: the SDK's, 15.
	RateLimit int
}

// ResolvedAuthType returns the auth type [New] uses for s.
func (s Settings) ResolvedAuthType() string {
	switch {
	case s.AuthType != "":
		return s.AuthType
	case s.Token != "":
		return AuthPAT
	case s.ClientID != "" && s.ClientSecret != "":
		return AuthOAuthM2M
	case s.ClientID != "":
		return AuthGitHubOIDC
	}
	return ""
}

// LogValue shows the settings without their secrets.
func (s Settings) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", s.Host), slog.String("auth_type", s.ResolvedAuthType()), slog.String("client_id", s.ClientID))
}

// noLoader keeps the SDK from filling a config from the environment.
type noLoader struct{}

func (noLoader) Name() string                   { return "xregion-explicit" }
func (noLoader) Configure(*config.Config) error { return nil }

// Config returns the SDK config of s: every attribute explicit, no loaders,
// and, unless s.NoRetry, a [RetryingTransport] over s.Transport as its
// HTTPTransport.
func (s Settings) Config() *databricks.Config {
	cfg := &databricks.Config{
		Host:          s.Host,
		AuthType:      s.ResolvedAuthType(),
		Token:         s.Token,
		ClientID:      s.ClientID,
		ClientSecret:  s.ClientSecret,
		Loaders:       []config.Loader{noLoader{}},
		HTTPTransport: s.Transport,
		// The SDK's own retries cannot be turned off (see
		// RetryingTransport); the transport answers it so that it has
		// nothing to retry.
		RateLimitPerSecond: s.RateLimit,
	}
	if !s.NoRetry {
		cfg.HTTPTransport = &RetryingTransport{Base: s.Transport, Observe: s.Observe}
	}
	switch cfg.AuthType {
	case AuthGitHubOIDC:
		cfg.ActionsIDTokenRequestURL, cfg.ActionsIDTokenRequestToken = s.IDTokenRequestURL, s.IDTokenRequestToken
	case AuthAzureClientSecret:
		cfg.ClientID, cfg.ClientSecret = "", ""
		cfg.AzureClientID, cfg.AzureClientSecret, cfg.AzureTenantID = s.ClientID, s.ClientSecret, s.AzureTenantID
	case AuthAzureMSI:
		cfg.ClientID = ""
		cfg.AzureUseMSI, cfg.AzureClientID = true, s.ClientID
	}
	return cfg
}

// New builds a workspace client from s, bounded by ctx and s.ConnectTimeout.
// Its errors name the host, never a secret.
func New(ctx context.Context, s Settings) (*databricks.WorkspaceClient, error) {
	cfg := s.Config()
	fetch := (*config.Config)(cfg).DefaultHostMetadataResolver()
	timeout := s.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	cfg.HostMetadataResolver = func(_ context.Context, host string) (*config.HostMetadata, error) {
		// The SDK passes no caller context: bound the fetch by ours.
		fctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return fetch(fctx, host)
	}
	w, err := databricks.NewWorkspaceClient(cfg)
	if err != nil {
		// The SDK's message names config attributes, never their values.
		return nil, fmt.Errorf("connect to %s: %w", s.Host, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return w, nil
}
