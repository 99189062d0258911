package endpoint

import (
	"context"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

// StepObserve is the step name [Observe] reports in errors.
const StepObserve = "ObserveEndpoint"

// Status is what an endpoint serves, as [Observe] read it.
type Status struct {
	// Endpoint is the endpoint's name.
	Endpoint string `json:"endpoint"`
	// Exists is false when there is no such endpoint.
	Exists bool `json:"exists"`
	// State is the endpoint's config update and readiness, such as
	// "NOT_UPDATING/READY".
	State string `json:"state,omitempty"`
	// Ready is true when the endpoint is READY and every live entity
	// DEPLOYMENT_READY.
	Ready bool `json:"ready"`
	// Config is the live config: version, entities and routes.
	Config ConfigSummary `json:"config"`
	// Versions maps each version of the model the endpoint serves to its
	// share of the traffic, in percent.
	Versions map[int]int `json:"versions,omitempty"`
	// Canary names the entity of a canary an xregion run started and did
	// not finish ([CanaryTag]), if any.
	Canary string `json:"canary,omitempty"`
	// CreatedByXregion is true when the endpoint carries [OwnerTag].
	CreatedByXregion bool `json:"created_by_xregion"`
	// Foreign lists served entities of other models.
	Foreign []string `json:"foreign,omitempty"`
	// Checks are the health checks run, when probes were given.
	Checks []CheckResult `json:"checks,omitempty"`
}

// Serves reports whether the endpoint sends all its traffic to version.
func (s *Status) Serves(version int) bool {
	return s.Exists && len(s.Versions) == 1 && s.Versions[version] == 100
}

// Observe reads what the endpoint called name serves of model (its
// three-part name in the target, that is in the shared catalog) and, when
// probes are given, runs them through the endpoint as a whole. It writes
// nothing. A missing endpoint is a Status with Exists false, not an error;
// any other failed read is a [*xregion.StepError].
func Observe(ctx context.Context, c Endpoints, name, model string, probes []Probe, opts ...xregion.Option) (*Status, error) {
	s := settings.New(opts...)
	st := &Status{Endpoint: name}
	ep, err := c.Get(ctx, serving.GetServingEndpointRequest{Name: name})
	if apierr.IsMissing(err) {
		return st, nil
	}
	if err != nil {
		return st, &xregion.StepError{Step: StepObserve, Resource: fmt.Sprintf("endpoint %q", name), Err: fmt.Errorf("read: %w", err)}
	}
	st.Exists = true
	st.State = describe(ep)
	st.Ready = ep.State != nil && ep.State.Ready == serving.EndpointStateReadyReady && allReady(ep.Config)
	st.Config = summary(ep)
	st.Canary = tag(ep, CanaryTag)
	st.CreatedByXregion = tag(ep, OwnerTag) != ""
	if snap := snapshotOf(ep); snap != nil {
		weights := routes(snap.TrafficConfig)
		for _, se := range snap.ServedEntities {
			if !sameModel(se.EntityName, model) {
				st.Foreign = append(st.Foreign, se.Name+"="+se.EntityName+"@"+se.EntityVersion)
				continue
			}
			if v, err := strconv.Atoi(se.EntityVersion); err == nil {
				if st.Versions == nil {
					st.Versions = map[int]int{}
				}
				st.Versions[v] += weights[se.Name]
			}
		}
		for _, sm := range snap.ServedModels {
			if v, err := strconv.Atoi(sm.ModelVersion); err == nil && sameModel(sm.ModelName, model) {
				if st.Versions == nil {
					st.Versions = map[int]int{}
				}
				st.Versions[v] += weights[sm.Name]
			}
		}
	}
	if len(probes) > 0 && st.Ready {
		log := s.Logger.With("step", StepObserve, "endpoint", name)
		for _, p := range probes {
			if err := p.validate(); err != nil {
				return st, &xregion.StepError{Step: StepObserve, Resource: fmt.Sprintf("endpoint %q", name), Err: err}
			}
			r := runProbe(ctx, c, name, p, "", 100)
			log.InfoContext(ctx, "health check", "check", r.Name, "status", r.Status, "detail", r.Detail)
			st.Checks = append(st.Checks, r)
		}
	}
	return st, nil
}

// Healthy reports whether the endpoint is ready and every check passed.
func (s *Status) Healthy() bool {
	return s.Ready && !slices.ContainsFunc(s.Checks, func(c CheckResult) bool { return c.Status != CheckPass })
}

// Describe says in a few words what the endpoint serves, such as
// "version 3 (100%)" or "versions 3 (90%), 4 (10%), canary fraud-4".
func (s *Status) Describe() string {
	if !s.Exists {
		return "no endpoint"
	}
	var parts []string
	for _, v := range slices.Sorted(maps.Keys(s.Versions)) {
		parts = append(parts, fmt.Sprintf("%d (%d%%)", v, s.Versions[v]))
	}
	out := "nothing of the model"
	switch len(parts) {
	case 0:
	case 1:
		out = "version " + parts[0]
	default:
		out = "versions " + strings.Join(parts, ", ")
	}
	if s.Canary != "" {
		out += ", canary " + s.Canary
	}
	if len(s.Foreign) > 0 {
		out += ", other models " + strings.Join(s.Foreign, ", ")
	}
	return out
}
