package deps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/databricks/databricks-sdk-go/client"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/catalog"
)

// SDKFunctionKinds reads a function's securable kind from the Unity Catalog
// function API with a raw call, because the typed SDK drops the field. It
// implements [FunctionKinds] and is safe for concurrent use.
//
// The "securable_kind" field and its value FUNCTION_FEATURE_SPEC are known
// from Databricks' own feature-engineering client, not from the API
// reference; where the service leaves it out, SecurableKind returns "" and
// the function counts as an ordinary one unless [DiscoverSpec.FeatureSpecs]
// names it.
type SDKFunctionKinds struct {
	client      *client.DatabricksClient
	workspaceID string
}

var _ FunctionKinds = (*SDKFunctionKinds)(nil)

// NewFunctionKinds returns an [SDKFunctionKinds] that calls the workspace
// cfg points at, typically the Config of a *databricks.WorkspaceClient.
func NewFunctionKinds(cfg *config.Config) (*SDKFunctionKinds, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("function kinds client: %w", err)
	}
	return &SDKFunctionKinds{client: c, workspaceID: cfg.WorkspaceID}, nil
}

// SecurableKind returns the securable kind the service reports for the
// function, such as FUNCTION_FEATURE_SPEC, or "".
func (k *SDKFunctionKinds) SecurableKind(ctx context.Context, fullName string) (string, error) {
	_, kind, err := k.GetWithKind(ctx, fullName)
	return kind, err
}

var _ FunctionReader = (*SDKFunctionKinds)(nil)

// GetWithKind reads the function and its securable kind in one request: the
// typed SDK call reads the same path but drops the kind.
func (k *SDKFunctionKinds) GetWithKind(ctx context.Context, fullName string) (*catalog.FunctionInfo, string, error) {
	headers := map[string]string{"Accept": "application/json"}
	if k.workspaceID != "" {
		// Raw calls do not add the header the typed calls send.
		headers["X-Databricks-Workspace-Id"] = k.workspaceID
	}
	var raw []byte
	if err := k.client.Do(ctx, http.MethodGet, "/api/2.1/unity-catalog/functions/"+fullName, headers, nil, nil, &raw); err != nil {
		return nil, "", err
	}
	var fi catalog.FunctionInfo
	var kind struct {
		SecurableKind string `json:"securable_kind"`
	}
	if err := json.Unmarshal(raw, &fi); err != nil {
		return nil, "", fmt.Errorf("function %q: %w", fullName, err)
	}
	if err := json.Unmarshal(raw, &kind); err != nil {
		return nil, "", fmt.Errorf("function %q: %w", fullName, err)
	}
	return &fi, kind.SecurableKind, nil
}
