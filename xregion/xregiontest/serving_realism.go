package xregiontest

import (
	"context"
	"fmt"
	"slices"

	"github.com/databricks/databricks-sdk-go/service/serving"
)

// RouteNames says how the GET of a serving endpoint names the routes of its
// traffic config (see [WithRouteNames]).
type RouteNames int

const (
	// RouteNamesBoth names each route with served_model_name and
	// served_entity_name and mirrors served_entities into served_models,
	// as a recorded real reply does. It is the default.
	RouteNamesBoth RouteNames = iota
	// RouteNamesModel names each route with served_model_name only, as
	// the documented sample GET reply does, and mirrors nothing.
	RouteNamesModel
	// RouteNamesAsSent names routes as the request named them and mirrors
	// nothing: kinder than the service, for tests that need it.
	RouteNamesAsSent
)

// servingConfig is the serving behaviour a [Workspace] was made with.
type servingConfig struct {
	routeNames RouteNames
	seed       uint64
	even       bool // smooth weighted round robin instead of random routing
	noEntity   bool // the per-entity invocation path answers 404
}

func defaultServingConfig() servingConfig {
	return servingConfig{routeNames: RouteNamesBoth, seed: 1}
}

// WithRouteNames sets how endpoint replies name routes. The default,
// [RouteNamesBoth], is what a recorded real reply does.
func WithRouteNames(n RouteNames) Option {
	if n < RouteNamesBoth || n > RouteNamesAsSent {
		panic(fmt.Sprintf("xregiontest: WithRouteNames: unknown mode %d", n))
	}
	return func(c *config) { c.serving.routeNames = n }
}

// WithRoutingSeed seeds the random routing of queries over an endpoint's
// routes, so that a test is reproducible. The default seed is 1.
func WithRoutingSeed(seed uint64) Option {
	return func(c *config) { c.serving.seed = seed }
}

// WithEvenRouting routes queries by smooth weighted round robin instead of at
// random: any 100 queries in a row split exactly by the route percentages,
// and 90/10 routes send queries 6, 16, 26, ... to the 10% entity. It is
// kinder than the service, which routes at random; use it only in tests that
// count where single queries go.
func WithEvenRouting() Option {
	return func(c *config) { c.serving.even = true }
}

// WithoutEntityQueries makes the per-served-entity invocation path
// ([ServingEndpoints.QueryServedEntity]) answer 404, as a workspace that
// does not offer it would, so that callers' fallbacks can be tested.
func WithoutEntityQueries() Option {
	return func(c *config) { c.serving.noEntity = true }
}

// shapeReply turns an endpoint's config as stored (routes as sent) into the
// shape the service's GET reply has.
func (w *Workspace) shapeReply(out *serving.ServingEndpointDetailed) {
	mode := w.cfg.serving.routeNames
	if mode == RouteNamesAsSent {
		return
	}
	shape := func(tc *serving.TrafficConfig, entities []serving.ServedEntityOutput) []serving.ServedModelOutput {
		if tc != nil {
			for i, r := range tc.Routes {
				name := routeTarget(r)
				// why: the documented sample GET names routes with
				// served_model_name only; a recorded real reply names them
				// both ways (Azure Databricks "Manage model serving endpoints";
				// a create reply recorded on Qiita).
				tc.Routes[i] = serving.Route{ServedModelName: name, TrafficPercentage: r.TrafficPercentage}
				if mode == RouteNamesBoth {
					tc.Routes[i].ServedEntityName = name
				}
			}
		}
		if mode != RouteNamesBoth {
			return nil
		}
		// why: a recorded real reply mirrors served_entities into the
		// deprecated served_models (a create reply recorded on Qiita).
		var models []serving.ServedModelOutput
		for _, se := range entities {
			models = append(models, serving.ServedModelOutput{
				Name: se.Name, ModelName: se.EntityName, ModelVersion: se.EntityVersion,
				WorkloadSize: se.WorkloadSize, WorkloadType: serving.ServingModelWorkloadType(se.WorkloadType),
				ScaleToZeroEnabled: se.ScaleToZeroEnabled, EnvironmentVars: clone(se.EnvironmentVars),
				InstanceProfileArn: se.InstanceProfileArn, State: clone(se.State),
				Creator: se.Creator, CreationTimestamp: se.CreationTimestamp,
			})
		}
		return models
	}
	if c := out.Config; c != nil {
		c.ServedModels = shape(c.TrafficConfig, c.ServedEntities)
	}
	if p := out.PendingConfig; p != nil {
		p.ServedModels = shape(p.TrafficConfig, p.ServedEntities)
	}
}

// QueryServedEntity sends a query to the served entity called entity of the
// endpoint's live config, bypassing the traffic routes, as
// POST /serving-endpoints/{endpoint}/served-models/{entity}/invocations
// does. The entity answers as its script says ([Workspace.ScriptQuery]).
//
// It returns the errors of [ServingEndpoints.Query], and a 404
// RESOURCE_DOES_NOT_EXIST error when the live config has no such entity or
// the workspace was made [WithoutEntityQueries].
func (s *ServingEndpoints) QueryServedEntity(ctx context.Context, endpoint, entity string, req serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error) {
	req.Name = endpoint
	return s.query(ctx, "ServingEndpoints.QueryServedEntity", req, func(e *servingEndpoint) (serving.ServedEntityOutput, error) {
		// why: "for scoring requests to endpoints serving multiple models,
		// see Query individual models behind an endpoint" (Databricks docs,
		// "Query serving endpoints for custom models"): the path names one
		// served entity and skips routing.
		if s.w.cfg.serving.noEntity {
			return serving.ServedEntityOutput{}, NotFound("No API found for 'POST /serving-endpoints/%s/served-models/%s/invocations'", endpoint, entity)
		}
		i := slices.IndexFunc(e.info.Config.ServedEntities, func(se serving.ServedEntityOutput) bool { return se.Name == entity })
		if i < 0 {
			return serving.ServedEntityOutput{}, NotFound("Served model '%s' does not exist on endpoint '%s'.", entity, endpoint)
		}
		return e.info.Config.ServedEntities[i], nil
	})
}

// Patch adds and deletes tags of a serving endpoint and returns its tags
// afterwards. Deleting a tag that is not there is not an error. It returns a
// 404 RESOURCE_DOES_NOT_EXIST error when the endpoint does not exist.
func (s *ServingEndpoints) Patch(ctx context.Context, req serving.PatchServingEndpointTags) (*serving.EndpointTags, error) {
	if err := encodable(req); err != nil {
		return nil, err
	}
	return call(ctx, s.w, "ServingEndpoints.Patch", func() (*serving.EndpointTags, string, error) {
		e := s.w.endpoints[req.Name]
		if e == nil {
			return nil, "", NotFound("Endpoint with name '%s' does not exist.", req.Name)
		}
		tags := slices.DeleteFunc(clone(e.info.Tags), func(t serving.EndpointTag) bool {
			return slices.Contains(req.DeleteTags, t.Key) || slices.ContainsFunc(req.AddTags, func(a serving.EndpointTag) bool { return a.Key == t.Key })
		})
		tags = append(tags, clone(req.AddTags)...)
		e.info.Tags = tags
		return &serving.EndpointTags{Tags: clone(tags)}, req.Name, nil
	})
}

// pick chooses the served entity of the live config of e that the next
// query goes to.
func (w *Workspace) pick(e *servingEndpoint) serving.ServedEntityOutput {
	if w.cfg.serving.even {
		return e.route()
	}
	// why: "traffic is routed at random by percentage" (Databricks docs on A/B
	// testing with traffic_config):
	// each query goes to a route with the probability of its percentage,
	// drawn from the workspace's seeded source so that tests replay.
	c := e.info.Config
	n := w.rng.IntN(100)
	for _, r := range c.TrafficConfig.Routes {
		if n < r.TrafficPercentage {
			return entityNamed(e, routeTarget(r))
		}
		n -= r.TrafficPercentage
	}
	panic(fmt.Sprintf("xregiontest: endpoint %q routes do not add up to 100", e.info.Name)) // routes are validated
}

func entityNamed(e *servingEndpoint, name string) serving.ServedEntityOutput {
	for _, se := range e.info.Config.ServedEntities {
		if se.Name == name {
			return se
		}
	}
	panic(fmt.Sprintf("xregiontest: endpoint %q routes to %q, which it does not serve", e.info.Name, name)) // routes are validated
}

// EndpointConfig returns the live config of the endpoint called name as the
// service holds it, not as its GET shows it: routes named as sent, no
// mirrored served models, and every field of every entity, burst scaling
// included. Tests use it to check what a deployment left behind. It returns
// nil when the endpoint does not exist or has no live config.
func (w *Workspace) EndpointConfig(name string) *serving.EndpointCoreConfigOutput {
	defer w.lock()()
	e := w.endpoints[name]
	if e == nil || e.info.Config == nil {
		return nil
	}
	c := clone(*e.info.Config)
	return &c
}

// EndpointTags returns the tags of the endpoint called name, or nil when it
// does not exist.
func (w *Workspace) EndpointTags(name string) []serving.EndpointTag {
	defer w.lock()()
	e := w.endpoints[name]
	if e == nil {
		return nil
	}
	return clone(e.info.Tags)
}
