package main

import (
	"context"
	"fmt"
	"time"

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

// sdkConfig is the client config of one side: every attribute explicit,
// no loaders.
func sdkConfig(s side, getenv func(string) string) *databricks.Config {
	cfg := &databricks.Config{
		Host:         s.Host,
		AuthType:     s.authType(),
		Token:        s.Token,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Loaders:      []config.Loader{noLoader{}},
	}
	switch cfg.AuthType {
	case "github-oidc":
		cfg.ActionsIDTokenRequestURL = getenv("ACTIONS_ID_TOKEN_REQUEST_URL")
		cfg.ActionsIDTokenRequestToken = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	case "azure-client-secret":
		cfg.ClientID, cfg.ClientSecret = "", ""
		cfg.AzureClientID, cfg.AzureClientSecret, cfg.AzureTenantID = s.ClientID, s.ClientSecret, s.AzureTenantID
	case "azure-msi":
		cfg.ClientID = ""
		cfg.AzureUseMSI, cfg.AzureClientID = true, s.ClientID
	}
	return cfg
}

// constructionTimeout bounds what client construction may spend reaching
// the workspace (its host metadata), which the SDK would otherwise retry for
// minutes against a wrong or unreachable host.
const constructionTimeout = 20 * time.Second

// connectSDK builds a real workspace client with an explicit auth type and
// every attribute given explicitly: nothing is read from DATABRICKS_* or
// other variables, so credentials meant for one workspace never reach the
// other. GitHub OIDC reads the runner's ID-token request variables, which
// belong to the job, not to a workspace.
func connectSDK(ctx context.Context, label string, s side, getenv func(string) string) (rollout.Workspace, error) {
	cfg := sdkConfig(s, getenv)
	fetch := (*config.Config)(cfg).DefaultHostMetadataResolver()
	cfg.HostMetadataResolver = func(_ context.Context, host string) (*config.HostMetadata, error) {
		// The SDK passes no caller context: bound the fetch by ours.
		fctx, cancel := context.WithTimeout(ctx, constructionTimeout)
		defer cancel()
		return fetch(fctx, host)
	}
	w, err := databricks.NewWorkspaceClient(cfg)
	if err != nil {
		// The SDK's message names config attributes, never their values.
		return rollout.Workspace{}, fmt.Errorf("connect to the %s workspace %s: %w", label, s.Host, err)
	}
	if err := ctx.Err(); err != nil {
		return rollout.Workspace{}, err
	}
	return rollout.FromClient(w)
}
