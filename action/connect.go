package main

import (
	"context"
	"fmt"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/org/xregion-action/xregion/rollout"
)

// connectFunc returns the services of the workspace one side names. label
// is "source" or "target"; getenv reads the runner's environment.
type connectFunc func(ctx context.Context, label string, s side, getenv func(string) string) (rollout.Workspace, error)

// noLoader keeps the SDK from filling a client's config from the
// environment: with two workspaces in one process, DATABRICKS_* variables
// meant for one would leak into the other.
type noLoader struct{}

func (noLoader) Name() string                   { return "xregion-explicit" }
func (noLoader) Configure(*config.Config) error { return nil }

// connectSDK builds a real workspace client with an explicit auth type and
// every attribute given explicitly.
func connectSDK(_ context.Context, label string, s side, getenv func(string) string) (rollout.Workspace, error) {
	cfg := &databricks.Config{
		Host:         s.Host,
		AuthType:     s.authType(),
		Token:        s.Token,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Loaders:      []config.Loader{noLoader{}},
	}
	switch cfg.AuthType {
	case "github-oidc", "github-oidc-azure":
		cfg.ActionsIDTokenRequestURL = getenv("ACTIONS_ID_TOKEN_REQUEST_URL")
		cfg.ActionsIDTokenRequestToken = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
		cfg.TokenAudience = getenv("DATABRICKS_TOKEN_AUDIENCE")
	case "azure-client-secret", "azure-msi", "azure-cli":
		cfg.AzureClientID = s.ClientID
		cfg.AzureClientSecret = s.ClientSecret
		cfg.AzureTenantID = getenv("ARM_TENANT_ID")
	}
	w, err := databricks.NewWorkspaceClient(cfg)
	if err != nil {
		// The SDK's message names config attributes, never their values.
		return rollout.Workspace{}, fmt.Errorf("connect to the %s workspace %s: %w", label, s.Host, err)
	}
	return rollout.FromClient(w)
}
