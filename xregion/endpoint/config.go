package endpoint

import (
	"cmp"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/serving"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Snapshot is an endpoint's live config as captured before the first write,
// the target of a rollback.
type Snapshot struct {
	// ConfigVersion is the live config's version.
	ConfigVersion int64
	// ServedEntities are the live served entities.
	ServedEntities []serving.ServedEntityOutput
	// ServedModels are the live served models of an endpoint configured
	// through the deprecated served_models field.
	ServedModels []serving.ServedModelOutput
	// TrafficConfig is the live routing.
	TrafficConfig *serving.TrafficConfig
	// AutoCaptureConfig is the live inference-table config, if any.
	AutoCaptureConfig *serving.AutoCaptureConfigOutput
}

// snapshotOf captures ep's live config, or returns nil if it has none.
func snapshotOf(ep *serving.ServingEndpointDetailed) *Snapshot {
	c := ep.Config
	if c == nil || len(c.ServedEntities) == 0 && len(c.ServedModels) == 0 {
		return nil
	}
	return &Snapshot{
		ConfigVersion:     c.ConfigVersion,
		ServedEntities:    slices.Clone(c.ServedEntities),
		ServedModels:      slices.Clone(c.ServedModels),
		TrafficConfig:     cloneTraffic(c.TrafficConfig),
		AutoCaptureConfig: c.AutoCaptureConfig,
	}
}

// Input returns the update that restores the snapshot on endpoint name:
// every field of every served entity, false booleans included, the routes and
// the auto-capture config.
func (s *Snapshot) Input(name string) serving.EndpointCoreConfigInput {
	in := serving.EndpointCoreConfigInput{Name: name, TrafficConfig: cloneTraffic(s.TrafficConfig)}
	for _, o := range s.ServedEntities {
		in.ServedEntities = append(in.ServedEntities, entityInput(o))
	}
	if len(s.ServedEntities) == 0 {
		for _, o := range s.ServedModels {
			in.ServedModels = append(in.ServedModels, modelInput(o))
		}
	}
	if a := s.AutoCaptureConfig; a != nil {
		in.AutoCaptureConfig = &serving.AutoCaptureConfigInput{
			CatalogName: a.CatalogName, SchemaName: a.SchemaName, TableNamePrefix: a.TableNamePrefix, Enabled: a.Enabled,
			ForceSendFields: []string{"Enabled"},
		}
	}
	return in
}

// entityInput turns a live served entity back into the input that made it.
// Both booleans are always sent: a false left out would come back as the
// service's default (true, for burst scaling). The SDK documents workload
// size and provisioned concurrency as alternatives, so only one is sent:
// the size when the entity has one.
func entityInput(o serving.ServedEntityOutput) serving.ServedEntityInput {
	in := entityInputAll(o)
	if in.WorkloadSize != "" {
		in.MinProvisionedConcurrency, in.MaxProvisionedConcurrency = 0, 0
	}
	return in
}

func entityInputAll(o serving.ServedEntityOutput) serving.ServedEntityInput {
	return serving.ServedEntityInput{
		Name:                      o.Name,
		EntityName:                o.EntityName,
		EntityVersion:             o.EntityVersion,
		WorkloadSize:              o.WorkloadSize,
		WorkloadType:              o.WorkloadType,
		ScaleToZeroEnabled:        o.ScaleToZeroEnabled,
		BurstScalingEnabled:       o.BurstScalingEnabled,
		EnvironmentVars:           maps.Clone(o.EnvironmentVars),
		ExternalModel:             o.ExternalModel,
		InstanceProfileArn:        o.InstanceProfileArn,
		MaxProvisionedConcurrency: o.MaxProvisionedConcurrency,
		MinProvisionedConcurrency: o.MinProvisionedConcurrency,
		MaxProvisionedThroughput:  o.MaxProvisionedThroughput,
		MinProvisionedThroughput:  o.MinProvisionedThroughput,
		ProvisionedModelUnits:     o.ProvisionedModelUnits,
		ForceSendFields:           []string{"ScaleToZeroEnabled", "BurstScalingEnabled"},
	}
}

func modelInput(o serving.ServedModelOutput) serving.ServedModelInput {
	return serving.ServedModelInput{
		Name:                      o.Name,
		ModelName:                 o.ModelName,
		ModelVersion:              o.ModelVersion,
		WorkloadSize:              o.WorkloadSize,
		WorkloadType:              serving.ServedModelInputWorkloadType(o.WorkloadType),
		ScaleToZeroEnabled:        o.ScaleToZeroEnabled,
		BurstScalingEnabled:       o.BurstScalingEnabled,
		EnvironmentVars:           maps.Clone(o.EnvironmentVars),
		InstanceProfileArn:        o.InstanceProfileArn,
		MaxProvisionedConcurrency: o.MaxProvisionedConcurrency,
		MinProvisionedConcurrency: o.MinProvisionedConcurrency,
		ProvisionedModelUnits:     o.ProvisionedModelUnits,
		ForceSendFields:           []string{"ScaleToZeroEnabled", "BurstScalingEnabled"},
	}
}

func cloneTraffic(t *serving.TrafficConfig) *serving.TrafficConfig {
	if t == nil {
		return nil
	}
	return &serving.TrafficConfig{Routes: slices.Clone(t.Routes)}
}

// configEq compares configs the way a rollback must restore them: every
// input field of every entity, the routes and auto-capture, ignoring order,
// output-only fields and the SDK's bookkeeping of which fields were sent.
var configEq = gocmp.Options{
	cmpopts.IgnoreFields(serving.ServedEntityInput{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.ServedModelInput{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.Route{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.AutoCaptureConfigInput{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.EndpointCoreConfigInput{}, "Name"),
	cmpopts.SortSlices(func(a, b serving.ServedEntityInput) bool { return a.Name < b.Name }),
	cmpopts.SortSlices(func(a, b serving.ServedModelInput) bool { return a.Name < b.Name }),
	cmpopts.SortSlices(func(a, b serving.Route) bool { return routeKey(a) < routeKey(b) }),
	cmpopts.EquateEmpty(),
}

func routeKey(r serving.Route) string { return r.ServedEntityName + "\x00" + r.ServedModelName }

// restored reports whether ep's live config equals the snapshot.
func (s *Snapshot) restored(ep *serving.ServingEndpointDetailed) bool {
	live := snapshotOf(ep)
	if live == nil {
		return false
	}
	return gocmp.Equal(s.Input(""), live.Input(""), configEq)
}

// served lists a config's entities as "name=model@version".
func served(entities []serving.ServedEntityOutput, models []serving.ServedModelOutput) []string {
	var out []string
	for _, e := range entities {
		out = append(out, e.Name+"="+e.EntityName+"@"+e.EntityVersion)
	}
	for _, m := range models {
		out = append(out, m.Name+"="+m.ModelName+"@"+m.ModelVersion)
	}
	slices.Sort(out)
	return out
}

// routes maps served entity names to their traffic percentage.
func routes(t *serving.TrafficConfig) map[string]int {
	if t == nil {
		return nil
	}
	m := make(map[string]int, len(t.Routes))
	for _, r := range t.Routes {
		m[cmp.Or(r.ServedEntityName, r.ServedModelName)] = r.TrafficPercentage
	}
	return m
}

func sameModel(a, b string) bool { return strings.EqualFold(a, b) }

// matches reports whether the live config is the one asked for. Fields the
// request left to the service (burst scaling unless sent, an empty workload
// type, auto-capture when not given) take the live value.
func matches(asked, live serving.EndpointCoreConfigInput) bool {
	asked.ServedEntities = slices.Clone(asked.ServedEntities)
	for i, a := range asked.ServedEntities {
		j := slices.IndexFunc(live.ServedEntities, func(e serving.ServedEntityInput) bool { return e.Name == a.Name })
		if j < 0 {
			return false
		}
		if !slices.Contains(a.ForceSendFields, "BurstScalingEnabled") {
			asked.ServedEntities[i].BurstScalingEnabled = live.ServedEntities[j].BurstScalingEnabled
		}
		if a.WorkloadType == "" {
			asked.ServedEntities[i].WorkloadType = live.ServedEntities[j].WorkloadType
		}
	}
	if asked.AutoCaptureConfig == nil {
		asked.AutoCaptureConfig = live.AutoCaptureConfig
	}
	return gocmp.Equal(asked, live, configEq)
}

// LogValue lists the snapshot's entities without their environment
// variables, whose values may be secrets.
func (s *Snapshot) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("config_version", s.ConfigVersion), slog.Any("served", served(s.ServedEntities, s.ServedModels)))
}
