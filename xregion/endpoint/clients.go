package endpoint

import (
	"context"

	"github.com/databricks/databricks-sdk-go/service/serving"
)

// Endpoints reads, changes and queries serving endpoints
// (w.ServingEndpoints). The waiters Create and UpdateConfig return are not
// used: DeployWithRollback polls with its own nil-safe loop, deadline and
// backoff. Patch sets and clears the canary mark ([CanaryTag]). An Endpoints
// that is also an [EntityQuerier] lets canary probes reach the new entity
// directly.
type Endpoints interface {
	Get(ctx context.Context, request serving.GetServingEndpointRequest) (*serving.ServingEndpointDetailed, error)
	Create(ctx context.Context, request serving.CreateServingEndpoint) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error)
	UpdateConfig(ctx context.Context, request serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error)
	Delete(ctx context.Context, request serving.DeleteServingEndpointRequest) error
	Query(ctx context.Context, request serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error)
	Patch(ctx context.Context, request serving.PatchServingEndpointTags) (*serving.EndpointTags, error)
}

// Compile-time proof that the real SDK service still fits.
var _ Endpoints = serving.ServingEndpointsInterface(nil)
