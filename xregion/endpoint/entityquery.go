package endpoint

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/databricks/databricks-sdk-go/client"
	"github.com/databricks/databricks-sdk-go/config"
	"github.com/databricks/databricks-sdk-go/service/serving"
)

// EntityQuerier sends a query to one served entity of an endpoint directly,
// bypassing its traffic routes. [DeployWithRollback] uses it, when its
// [Endpoints] also implement it, to probe a canary with every request; the
// fakes of xregiontest implement it, and [WithEntityQueries] adds it to the
// SDK's service.
type EntityQuerier interface {
	QueryServedEntity(ctx context.Context, endpoint, entity string, request serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error)
}

// SDKEndpoints is the SDK's serving endpoints service with per-entity
// queries ([EntityQuerier]) through the workspace's API client. Make it with
// [WithEntityQueries]; it is safe for concurrent use.
type SDKEndpoints struct {
	serving.ServingEndpointsInterface
	client      *client.DatabricksClient
	workspaceID string
}

var (
	_ Endpoints     = (*SDKEndpoints)(nil)
	_ EntityQuerier = (*SDKEndpoints)(nil)
)

// WithEntityQueries returns svc (typically w.ServingEndpoints) with
// per-entity queries through cfg (typically w.Config).
//
// The path, POST /serving-endpoints/{endpoint}/served-models/{entity}/invocations,
// is the one the Databricks docs give for querying "individual models behind
// an endpoint"; the typed SDK has no method for it. A workspace that does not
// serve it answers 404, and DeployWithRollback then probes through the
// endpoint's routes instead, saying so in the check.
func WithEntityQueries(svc serving.ServingEndpointsInterface, cfg *config.Config) (*SDKEndpoints, error) {
	c, err := client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("serving query client: %w", err)
	}
	return &SDKEndpoints{ServingEndpointsInterface: svc, client: c, workspaceID: cfg.WorkspaceID}, nil
}

// QueryServedEntity queries the served entity called entity of the endpoint.
// The answer's ServedModelName is filled from the served-model-name header,
// as the SDK's Query fills it.
func (s *SDKEndpoints) QueryServedEntity(ctx context.Context, endpoint, entity string, request serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error) {
	headers := map[string]string{"Accept": "application/json", "Content-Type": "application/json"}
	if s.workspaceID != "" {
		headers["X-Databricks-Workspace-Id"] = s.workspaceID
	}
	var resp serving.QueryEndpointResponse
	path := "/serving-endpoints/" + url.PathEscape(endpoint) + "/served-models/" + url.PathEscape(entity) + "/invocations"
	if err := s.client.Do(ctx, http.MethodPost, path, headers, nil, request, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}
