package endpoint

import (
	"cmp"
	"log/slog"
	"maps"
	"reflect"
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

// snapshotOf captures ep's live config, or returns nil if it has none. The
// service's GET may name routes by served_model_name, alone or beside
// served_entity_name, and mirror served_entities into served_models: the
// snapshot names each route by its served entity only and keeps
// served_models only for an endpoint configured through them.
func snapshotOf(ep *serving.ServingEndpointDetailed) *Snapshot {
	c := ep.Config
	if c == nil || len(c.ServedEntities) == 0 && len(c.ServedModels) == 0 {
		return nil
	}
	s := &Snapshot{
		ConfigVersion:     c.ConfigVersion,
		ServedEntities:    slices.Clone(c.ServedEntities),
		TrafficConfig:     normalTraffic(c.TrafficConfig),
		AutoCaptureConfig: c.AutoCaptureConfig,
	}
	if len(c.ServedEntities) == 0 {
		s.ServedModels = slices.Clone(c.ServedModels)
	}
	return s
}

// normalTraffic names each route by its target alone, in the request's
// field: served_entity_name, falling back to served_model_name.
func normalTraffic(t *serving.TrafficConfig) *serving.TrafficConfig {
	if t == nil {
		return nil
	}
	out := &serving.TrafficConfig{Routes: make([]serving.Route, len(t.Routes))}
	for i, r := range t.Routes {
		out.Routes[i] = serving.Route{ServedEntityName: cmp.Or(r.ServedEntityName, r.ServedModelName), TrafficPercentage: r.TrafficPercentage}
		if r.TrafficPercentage == 0 {
			out.Routes[i].ForceSendFields = []string{"TrafficPercentage"}
		}
	}
	return out
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

// entityInput turns a live served entity back into the input that made it:
// exactly the fields the service's reply had, no more. A field the reply
// left out, such as burst_scaling_enabled in some real replies, is left out
// of the request too, so that the service keeps its own value rather than
// getting a false it never had. The SDK documents workload size and
// provisioned concurrency as alternatives, so only one is sent: the size
// when the entity has one.
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
		ForceSendFields:           sentBooleans(o.ForceSendFields, "ScaleToZeroEnabled", "BurstScalingEnabled"),
	}
}

// sentBooleans returns those of fields that the reply had (the SDK's
// decoder lists them in ForceSendFields), so that a false the service sent
// is sent back as false, and one it left out stays out.
func sentBooleans(decoded []string, fields ...string) []string {
	var out []string
	for _, f := range fields {
		if slices.Contains(decoded, f) {
			out = append(out, f)
		}
	}
	return out
}

// modelAsEntity reads a served model of the deprecated served_models field
// as the served entity it would be, for a new entity to inherit from.
func modelAsEntity(o serving.ServedModelOutput) serving.ServedEntityOutput {
	return serving.ServedEntityOutput{
		Name: o.Name, EntityName: o.ModelName, EntityVersion: o.ModelVersion,
		WorkloadSize: o.WorkloadSize, WorkloadType: serving.ServingModelWorkloadType(o.WorkloadType),
		ScaleToZeroEnabled: o.ScaleToZeroEnabled, BurstScalingEnabled: o.BurstScalingEnabled,
		EnvironmentVars: maps.Clone(o.EnvironmentVars), InstanceProfileArn: o.InstanceProfileArn,
		MinProvisionedConcurrency: o.MinProvisionedConcurrency, MaxProvisionedConcurrency: o.MaxProvisionedConcurrency,
		ProvisionedModelUnits: o.ProvisionedModelUnits, ForceSendFields: o.ForceSendFields,
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
		ForceSendFields:           sentBooleans(o.ForceSendFields, "ScaleToZeroEnabled", "BurstScalingEnabled"),
	}
}

func cloneTraffic(t *serving.TrafficConfig) *serving.TrafficConfig {
	if t == nil {
		return nil
	}
	return &serving.TrafficConfig{Routes: slices.Clone(t.Routes)}
}

// ServedEntity returns the snapshot's served entity called name, or nil.
func (s *Snapshot) entity(name string) *serving.ServedEntityOutput {
	i := slices.IndexFunc(s.ServedEntities, func(e serving.ServedEntityOutput) bool { return e.Name == name })
	if i < 0 {
		return nil
	}
	return &s.ServedEntities[i]
}

// without returns the snapshot without the served entity called name, the
// other routes scaled back up to 100 percent: the config before a canary of
// that entity started.
func (s *Snapshot) without(name string) *Snapshot {
	out := &Snapshot{ConfigVersion: s.ConfigVersion, AutoCaptureConfig: s.AutoCaptureConfig}
	out.ServedEntities = slices.DeleteFunc(slices.Clone(s.ServedEntities), func(e serving.ServedEntityOutput) bool { return e.Name == name })
	var rest []serving.Route
	if s.TrafficConfig != nil {
		for _, r := range s.TrafficConfig.Routes {
			if r.ServedEntityName != name {
				rest = append(rest, r)
			}
		}
	}
	if len(rest) == 0 {
		for _, e := range out.ServedEntities {
			rest = append(rest, serving.Route{ServedEntityName: e.Name})
		}
	}
	if len(rest) > 0 {
		out.TrafficConfig = &serving.TrafficConfig{Routes: scaleTo(rest, 100)}
	}
	return out
}

// configEq compares configs the way a rollback must restore them: every
// input field of every entity, the routes and auto-capture, ignoring order,
// output-only fields and the SDK's bookkeeping of which fields were sent.
var configEq = gocmp.Options{
	cmpopts.IgnoreFields(serving.ServedEntityInput{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.ServedModelInput{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.Route{}, "ForceSendFields"),
	cmpopts.IgnoreFields(serving.AutoCaptureConfigInput{}, "ForceSendFields"),
	gocmp.Transformer("routeTarget", func(r serving.Route) serving.Route {
		return serving.Route{ServedEntityName: cmp.Or(r.ServedEntityName, r.ServedModelName), TrafficPercentage: r.TrafficPercentage}
	}),
	cmpopts.IgnoreFields(serving.EndpointCoreConfigInput{}, "Name"),
	cmpopts.SortSlices(func(a, b serving.ServedEntityInput) bool { return a.Name < b.Name }),
	cmpopts.SortSlices(func(a, b serving.ServedModelInput) bool { return a.Name < b.Name }),
	cmpopts.SortSlices(func(a, b serving.Route) bool { return routeKey(a) < routeKey(b) }),
	cmpopts.EquateEmpty(),
}

func routeKey(r serving.Route) string { return cmp.Or(r.ServedEntityName, r.ServedModelName) }

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

// matches reports whether the live config is the one asked for. The
// service's GET does not say everything: fields the request left to the
// service (burst scaling unless sent, an empty workload type, auto-capture
// when not given) take the live value, and so does every field the GET left
// out (an empty string or number, a nil map, a boolean it did not send),
// whatever was asked: the documented sample GET has no workload_type, and
// recorded replies leave out burst_scaling_enabled.
func matches(asked, live serving.EndpointCoreConfigInput) bool {
	asked.ServedEntities = slices.Clone(asked.ServedEntities)
	for i, a := range asked.ServedEntities {
		j := slices.IndexFunc(live.ServedEntities, func(e serving.ServedEntityInput) bool { return e.Name == a.Name })
		if j < 0 {
			return false
		}
		asked.ServedEntities[i] = unsaid(a, live.ServedEntities[j])
	}
	if asked.AutoCaptureConfig == nil {
		asked.AutoCaptureConfig = live.AutoCaptureConfig
	}
	return gocmp.Equal(asked, live, configEq)
}

// unsaid returns asked with every field that the request left to the
// service, or that the live GET did not report, set to the live value, so
// that a comparison judges only what both sides say.
func unsaid(asked, live serving.ServedEntityInput) serving.ServedEntityInput {
	av, lv := reflect.ValueOf(&asked).Elem(), reflect.ValueOf(live)
	t := av.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == "ForceSendFields" || f.Name == "Name" {
			continue
		}
		a, l := av.Field(i), lv.Field(i)
		var leftOut, notReported bool
		if f.Type.Kind() == reflect.Bool {
			leftOut = !a.Bool() && !slices.Contains(asked.ForceSendFields, f.Name)
			notReported = !l.Bool() && !slices.Contains(live.ForceSendFields, f.Name)
		} else {
			leftOut, notReported = a.IsZero(), l.IsZero()
		}
		if leftOut || notReported {
			a.Set(l)
		}
	}
	return asked
}

// LogValue lists the snapshot's entities without their environment
// variables, whose values may be secrets.
func (s *Snapshot) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("config_version", s.ConfigVersion), slog.Any("served", served(s.ServedEntities, s.ServedModels)))
}
