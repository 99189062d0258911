package xregiontest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/retries"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/serving"
)

// ServingEndpoints is the fake of w.ServingEndpoints: model serving
// endpoints, their config updates and their queries. It is safe for
// concurrent use. Get it from a [Workspace]; the zero value is not usable.
//
// A config update deploys the served entities it adds or changes. It is
// IN_PROGRESS until it has been read a number of times with
// [ServingEndpoints.Get], and then completes or fails as the deployment
// scripts say ([Workspace.ScriptDeployment]). Only Get reads move it on,
// never the wall clock, Query or ListAll.
type ServingEndpoints struct{ w *Workspace }

// Deployment is the script of the deployment of one served entity (see
// [Workspace.ScriptDeployment]).
type Deployment struct {
	// Polls is how many [ServingEndpoints.Get] reads report the entity as
	// DEPLOYMENT_CREATING, and its update as IN_PROGRESS, before the
	// deployment ends. 0 ends it at the first read.
	Polls int
	// Fail makes the deployment end in DEPLOYMENT_FAILED, and the update
	// in UPDATE_FAILED, rather than DEPLOYMENT_READY.
	Fail bool
	// Message is the DeploymentStateMessage of a failed deployment.
	Message string
}

// QueryScript is how a served entity answers queries (see
// [Workspace.ScriptQuery]).
type QueryScript struct {
	// Predictions is returned as the response's Predictions, whatever the
	// input. When nil, the entity predicts 0.5 for each input record.
	Predictions []any
	// Err, when set, is returned instead of a response, as it is: use an
	// *apierr.APIError such as [InvalidParameter]("model error") for a
	// model that fails on the input.
	Err error
	// Latency is how long each query takes before it answers, spent on a
	// timer that stops early when the query's context is done. Tests that
	// set it should run under testing/synctest, where no real time passes.
	Latency time.Duration
}

// EndpointEvent is one state change of a serving endpoint, as recorded by
// [Workspace.EndpointHistory].
type EndpointEvent struct {
	// Tick is the workspace's logical clock at the change (see
	// [Workspace.EndpointHistory]): later changes have larger ticks.
	Tick int64
	// ConfigVersion is the version of the live config, 0 when there is
	// none.
	ConfigVersion int64
	// Ready is whether the endpoint reported READY.
	Ready bool
	// ConfigUpdate is the endpoint's config update state.
	ConfigUpdate serving.EndpointStateConfigUpdate
	// Served lists the entities of the live config, as
	// "entityName@entityVersion", in config order.
	Served []string
	// Routes is the live config's traffic, percentage by served entity
	// name.
	Routes map[string]int
	// Deleted marks the event of the endpoint's deletion, whose other
	// fields are zero but Tick.
	Deleted bool
}

const (
	// defaultDeployPolls is Deployment.Polls for an entity with no script.
	defaultDeployPolls = 2
	// maxServedEntities is the most served entities one config may have.
	maxServedEntities = 15
)

// servingEndpoint is an endpoint with its update in progress, if any.
type servingEndpoint struct {
	// info is the endpoint as reported: Config is the live config and
	// PendingConfig the last update's.
	info serving.ServingEndpointDetailed
	// rollout is the update in progress; nil when none is.
	rollout *rollout
	// credit is the smooth weighted round-robin state of the live config
	// (see route), by served entity name; nil when no query was routed
	// since the live config last changed.
	credit map[string]int
}

// rollout is the progress of an update, one step per served entity of the
// pending config.
type rollout struct {
	steps []entityDeploy
	// idle is how many more reads an update that deploys nothing stays
	// IN_PROGRESS for.
	idle int
}

// entityDeploy is the deployment of one entity of a pending config.
type entityDeploy struct {
	// deploy is false for an entity the update keeps from the live config
	// or that has finished.
	deploy bool
	left   int // reads left before it ends
	fail   bool
	msg    string
}

// scriptKey keys the scripts of a served entity.
func scriptKey(entityName, entityVersion string) string {
	return entityName + "@" + entityVersion
}

// ScriptDeployment sets how every deployment of the served entity
// entityName at entityVersion that starts from now on goes: it reports
// DEPLOYMENT_CREATING, and its update IN_PROGRESS, for s.Polls
// [ServingEndpoints.Get] reads, then DEPLOYMENT_READY, or DEPLOYMENT_FAILED
// with s.Message when s.Fail is set. An entity without a script deploys in
// 2 reads and succeeds. An update in progress keeps the scripts it
// started with.
//
// It panics if entityName or entityVersion is empty or s.Polls < 0.
func (w *Workspace) ScriptDeployment(entityName, entityVersion string, s Deployment) {
	if entityName == "" || entityVersion == "" {
		panic("xregiontest: ScriptDeployment: empty entity name or version")
	}
	if s.Polls < 0 {
		panic(fmt.Sprintf("xregiontest: ScriptDeployment: Polls %d < 0", s.Polls))
	}
	defer w.lock()()
	w.deployScripts[scriptKey(entityName, entityVersion)] = s
}

// ScriptQuery sets how the served entity entityName at entityVersion
// answers the queries routed to it, on every endpoint that serves it. An
// entity without a script predicts 0.5 per input record, at once.
//
// It panics if entityName or entityVersion is empty or q.Latency < 0.
func (w *Workspace) ScriptQuery(entityName, entityVersion string, q QueryScript) {
	if entityName == "" || entityVersion == "" {
		panic("xregiontest: ScriptQuery: empty entity name or version")
	}
	if q.Latency < 0 {
		panic(fmt.Sprintf("xregiontest: ScriptQuery: Latency %v < 0", q.Latency))
	}
	defer w.lock()()
	q.Predictions = clone(q.Predictions)
	w.queryScripts[scriptKey(entityName, entityVersion)] = q
}

// EndpointHistory returns the state changes of the endpoint called name,
// oldest first: its seeding or creation, the start, completion and failure
// of each config update, and its deletion (an event with Deleted set). A
// deleted endpoint keeps its history, and one created again under the
// same name adds to it. Tests can check with it that a READY config was
// serving throughout a rollout. It returns nil for a name never used.
func (w *Workspace) EndpointHistory(name string) []EndpointEvent {
	defer w.lock()()
	return clone(w.history[name])
}

// record appends the current state of e, or its deletion when e is nil, to
// the history of the endpoint called name, at the current tick.
func (w *Workspace) record(name string, e *servingEndpoint) {
	ev := EndpointEvent{Tick: w.grp.tick, Deleted: e == nil}
	if e != nil {
		ev.Ready = e.info.State.Ready == serving.EndpointStateReadyReady
		ev.ConfigUpdate = e.info.State.ConfigUpdate
		if c := e.info.Config; c != nil {
			ev.ConfigVersion = c.ConfigVersion
			for _, se := range c.ServedEntities {
				ev.Served = append(ev.Served, scriptKey(se.EntityName, se.EntityVersion))
			}
			if c.TrafficConfig != nil {
				ev.Routes = map[string]int{}
				for _, r := range c.TrafficConfig.Routes {
					ev.Routes[routeTarget(r)] = r.TrafficPercentage
				}
			}
		}
	}
	w.history[name] = append(w.history[name], ev)
}

// endpointNameProblem says what is wrong with a serving endpoint name, or
// returns "" when it is valid.
func endpointNameProblem(name string) string {
	switch {
	case name == "":
		return "name is empty"
	case len(name) > 63:
		return "name is longer than 63 characters"
	}
	if !isServingName(name) {
		return "name may only contain letters, digits, dashes and underscores"
	}
	return ""
}

// isServingName reports whether s consists of letters, digits, dashes and
// underscores only, the characters of endpoint and served entity names.
func isServingName(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// routeTarget is the served entity a route sends traffic to.
func routeTarget(r serving.Route) string {
	if r.ServedEntityName != "" {
		return r.ServedEntityName
	}
	return r.ServedModelName
}

// encodable fails as the SDK does, before sending anything, when req cannot
// be encoded as a request body.
func encodable(req any) error {
	// why: the SDK encodes bodies with its marshal package, which fails on
	// a ForceSendFields name the struct does not have, as when a
	// ServedEntityOutput's list is copied into a ServedEntityInput as it
	// is (seen with the SDK: marshal.Marshal fails on such a name). The error wraps as the
	// SDK's httpclient and common packages wrap it.
	if _, err := json.Marshal(req); err != nil {
		return fmt.Errorf("request marshal: request marshal failure: %w", err)
	}
	return nil
}

// wire returns v as the SDK decodes it from the service's JSON reply: a
// deep copy, with ForceSendFields listing the basic fields the reply had.
func wire[T any](v T) T {
	// why: the SDK's decoder records every basic field it sees in
	// ForceSendFields, false booleans included (SDK marshal package), and
	// a rollback that carries them over works on a real workspace. The
	// fake returns what that decoder would return, not a hand-built copy.
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("xregiontest: encoding %T: %v", v, err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("xregiontest: decoding %T: %v", v, err))
	}
	return out
}

// reply returns the endpoint e as the service sends it.
func (w *Workspace) reply(e *servingEndpoint) *serving.ServingEndpointDetailed {
	out := clone(e.info)
	w.shapeReply(&out)
	sent := func(entities []serving.ServedEntityOutput) {
		for i := range entities {
			// why: the service sends scale_to_zero_enabled even when
			// false (seen in recorded real replies).
			entities[i].ForceSendFields = []string{"ScaleToZeroEnabled", "BurstScalingEnabled"}
		}
	}
	omitted := func(entities []serving.ServedEntityOutput) {
		for i := range entities {
			// why: two recorded real replies leave burst_scaling_enabled
			// out; the fake leaves it out at its server
			// default, true, so that the SDK decodes an absent field, false,
			// that means "on".
			if entities[i].BurstScalingEnabled {
				entities[i].BurstScalingEnabled = false
				entities[i].ForceSendFields = slices.DeleteFunc(entities[i].ForceSendFields, func(f string) bool { return f == "BurstScalingEnabled" })
			}
			// why: the documented sample GET reply has no workload_type
			// for an entity on the default, CPU (Azure Databricks "Manage model
			// serving endpoints"; SDK doc of ServedEntityInput.WorkloadType).
			if entities[i].WorkloadType == serving.ServingModelWorkloadTypeCpu {
				entities[i].WorkloadType = ""
				entities[i].ForceSendFields = slices.DeleteFunc(entities[i].ForceSendFields, func(f string) bool { return f == "WorkloadType" })
			}
		}
	}
	if out.Config != nil {
		sent(out.Config.ServedEntities)
	}
	if out.PendingConfig != nil {
		sent(out.PendingConfig.ServedEntities)
	}
	out = wire(out)
	if out.Config != nil {
		omitted(out.Config.ServedEntities)
	}
	if out.PendingConfig != nil {
		omitted(out.PendingConfig.ServedEntities)
	}
	return &out
}

// waiter returns the waiter of a Create or UpdateConfig call made with ctx
// that replied resp.
func (s *ServingEndpoints) waiter(ctx context.Context, resp *serving.ServingEndpointDetailed) *serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed] {
	// why: the SDK builds the waiter from the name in the reply, and its
	// Poll captures the ctx of the call (SDK service/serving/api.go).
	name := resp.Name
	return &serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed]{
		Response: resp,
		Name:     name,
		Poll: func(_ time.Duration, progress func(*serving.ServingEndpointDetailed)) (*serving.ServingEndpointDetailed, error) {
			// why: the SDK's waiter polls Get until NOT_UPDATING, halts on
			// UPDATE_FAILED and UPDATE_CANCELED with this message, and
			// halts on any Get error (SDK service/serving/api.go, retries
			// package). Reads, not time, move an update on, so the fake reads
			// back to back and never sleeps; every update ends after a bounded
			// number of reads.
			for {
				e, err := s.Get(ctx, serving.GetServingEndpointRequest{Name: name})
				if err != nil {
					return nil, retries.Halt(err)
				}
				if progress != nil {
					progress(e)
				}
				switch status := e.State.ConfigUpdate; status {
				case serving.EndpointStateConfigUpdateNotUpdating:
					return e, nil
				case serving.EndpointStateConfigUpdateUpdateFailed, serving.EndpointStateConfigUpdateUpdateCanceled:
					return nil, retries.Halt(fmt.Errorf("failed to reach %s, got %s: current status: %s",
						serving.EndpointStateConfigUpdateNotUpdating, status, status))
				}
			}
		},
	}
}

// Create creates a serving endpoint and starts deploying its config. Until
// the first deployment completes the endpoint has no live Config and is
// NOT_READY, and its PendingConfig (config_version 1) is IN_PROGRESS.
// The waiter returned has the reply as Response and the endpoint's name as
// Name; its Poll reads the endpoint with [ServingEndpoints.Get], back to
// back and with the ctx of this call, until the update is no longer
// IN_PROGRESS, ignoring its timeout (see [ServingEndpoints.UpdateConfig]
// for the config rules).
//
// It returns
//   - the SDK's own encoding error, before anything is sent or counted,
//     for a request the SDK cannot encode;
//   - a 400 INVALID_PARAMETER_VALUE error for a missing or invalid name
//     (letters, digits, dashes and underscores, at most 63), a missing
//     config, or an invalid config;
//   - a 404 RESOURCE_DOES_NOT_EXIST error when a served model version
//     does not exist;
//   - a 409 RESOURCE_ALREADY_EXISTS error when the endpoint exists;
//   - a 501 NOT_IMPLEMENTED error for rate limits, served models, external
//     models, feature specs and Workspace Model Registry models, which the
//     fake does not model.
func (s *ServingEndpoints) Create(ctx context.Context, req serving.CreateServingEndpoint) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	if err := encodable(req); err != nil {
		return nil, err
	}
	out, err := call(ctx, s.w, "ServingEndpoints.Create", func() (*serving.ServingEndpointDetailed, string, error) {
		w := s.w
		// why: "An endpoint name can consist of alphanumeric characters,
		// dashes, and underscores" (SDK doc of CreateServingEndpoint.Name);
		// the 63-character limit is from the product docs (assumption).
		if p := endpointNameProblem(req.Name); p != "" {
			return nil, "", InvalidParameter("invalid serving endpoint name %q: %s", req.Name, p)
		}
		if _, ok := w.endpoints[req.Name]; ok {
			return nil, "", AlreadyExists("Endpoint with name '%s' already exists.", req.Name)
		}
		// why: the fake serves custom models only, which need a config
		// (assumption: the service may accept a config-less create for
		// other kinds of endpoints).
		if req.Config == nil {
			return nil, "", InvalidParameter("config is required")
		}
		if len(req.RateLimits) > 0 {
			return nil, "", notImplemented("rate_limits (deprecated); use ai_gateway")
		}
		pending, steps, err := w.pendingConfig(*req.Config, nil)
		if err != nil {
			return nil, "", err
		}
		ts := pending.StartTime
		e := &servingEndpoint{
			info: serving.ServingEndpointDetailed{
				Name: req.Name, Id: strings.ReplaceAll(w.newID("serving-endpoint"), "-", ""),
				Creator: w.cfg.user, CreationTimestamp: ts, LastUpdatedTimestamp: ts,
				PermissionLevel: serving.ServingEndpointDetailedPermissionLevelCanManage,
				Tags:            clone(req.Tags), RouteOptimized: req.RouteOptimized, AiGateway: clone(req.AiGateway),
				BudgetPolicyId: req.BudgetPolicyId, Description: req.Description,
				EmailNotifications: clone(req.EmailNotifications), TelemetryConfig: clone(req.TelemetryConfig),
				PendingConfig: pending,
				// why: a new endpoint has nothing serving until its first
				// deployment completes, "Not ready (Updating)" (endpoint
				// statuses in Azure Databricks "Manage model serving endpoints").
				State: &serving.EndpointState{
					ConfigUpdate: serving.EndpointStateConfigUpdateInProgress,
					Ready:        serving.EndpointStateReadyNotReady,
				},
			},
			rollout: &rollout{steps: steps, idle: 1},
		}
		w.endpoints[req.Name] = e
		delete(w.vanishing, req.Name)
		w.record(req.Name, e)
		return w.reply(e), req.Name, nil
	})
	if err != nil {
		return nil, err
	}
	return s.waiter(ctx, out), nil
}

// UpdateConfig replaces the config of an endpoint: the new config becomes
// the PendingConfig, with config_version one more than the live one (1
// when there is none), and the endpoint reports IN_PROGRESS until the
// update ends (see [ServingEndpoints]). Served entities the update keeps
// unchanged from the live config are not deployed again: an update that
// only changes the routes is IN_PROGRESS for one read and then completes,
// bumping config_version all the same. On success the pending config
// becomes the live Config and PendingConfig goes away; on failure the
// endpoint reports UPDATE_FAILED, keeps serving its live Config unchanged,
// and keeps the PendingConfig, with the failed entity's state and message.
// The waiter returned works as [ServingEndpoints.Create]'s does.
//
// Served entities are echoed with the output-only State, Creator and
// CreationTimestamp. Name defaults to "<entity_name>-<entity_version>";
// BurstScalingEnabled is true unless sent false, that is, unless
// ForceSendFields names it; ScaleToZeroEnabled is false unless true.
// Without TrafficConfig, a single entity gets all the traffic.
//
// It returns
//   - the SDK's own encoding error, before anything is sent or counted,
//     for a request the SDK cannot encode;
//   - a 404 RESOURCE_DOES_NOT_EXIST error when the endpoint, or a served
//     model version, does not exist;
//   - a 409 RESOURCE_CONFLICT error while an update is IN_PROGRESS;
//   - a 400 INVALID_PARAMETER_VALUE error for no served entity or more
//     than 15, two entities of one name, an invalid entity name, a
//     missing entity name or version, a missing workload size (and no
//     provisioned concurrency), an unknown workload type, a model version
//     that is not READY, routes that name no served entity or do not add
//     up to 100, or several entities without a traffic config;
//   - a 501 NOT_IMPLEMENTED error for served models, external models,
//     feature specs and Workspace Model Registry models.
func (s *ServingEndpoints) UpdateConfig(ctx context.Context, req serving.EndpointCoreConfigInput) (*serving.WaitGetServingEndpointNotUpdating[serving.ServingEndpointDetailed], error) {
	if err := encodable(req); err != nil {
		return nil, err
	}
	out, err := call(ctx, s.w, "ServingEndpoints.UpdateConfig", func() (*serving.ServingEndpointDetailed, string, error) {
		w := s.w
		e := w.endpoints[req.Name]
		if e == nil {
			return nil, "", NotFound("Endpoint with name '%s' does not exist.", req.Name)
		}
		// why: "An endpoint that already has an update in progress can not
		// be updated until the current update completes or fails" (SDK
		// doc); the reply is a 409 that the SDK does not retry (SDK
		// apierr/error_mapping.go; the code is an assumption).
		if e.info.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress {
			return nil, "", resourceConflict("Endpoint '%s' has an update in progress (config version %d); "+
				"it can not be updated until the current update completes or fails.", req.Name, e.info.PendingConfig.ConfigVersion)
		}
		pending, steps, err := w.pendingConfig(req, e.info.Config)
		if err != nil {
			return nil, "", err
		}
		e.info.PendingConfig = pending
		e.info.LastUpdatedTimestamp = pending.StartTime
		e.rollout = &rollout{steps: steps, idle: 1}
		// why: the live config keeps serving while the update runs, so
		// readiness does not change ("Ready (Update failed)" in Azure
		// Databricks "Manage model serving endpoints").
		ready := e.info.State.Ready
		if e.info.Config == nil {
			ready = serving.EndpointStateReadyNotReady
		}
		e.info.State = &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateInProgress, Ready: ready}
		w.record(req.Name, e)
		return w.reply(e), req.Name, nil
	})
	if err != nil {
		return nil, err
	}
	return s.waiter(ctx, out), nil
}

// pendingConfig validates the config in against the workspace and returns
// the pending config it makes on an endpoint whose live config is live
// (nil when none), with its rollout steps.
func (w *Workspace) pendingConfig(in serving.EndpointCoreConfigInput, live *serving.EndpointCoreConfigOutput) (*serving.EndpointPendingConfig, []entityDeploy, error) {
	if len(in.ServedModels) > 0 {
		return nil, nil, notImplemented("served_models (deprecated); use served_entities")
	}
	n := len(in.ServedEntities)
	if n == 0 {
		return nil, nil, InvalidParameter("The config must have at least one served entity.")
	}
	// why: an endpoint serves at most 15 entities (databricks-sdk-py#1496;
	// the docs' "10" is stale).
	if n > maxServedEntities {
		return nil, nil, InvalidParameter("The config has %d served entities; at most %d are allowed.", n, maxServedEntities)
	}
	entities := make([]serving.ServedEntityOutput, n)
	names := map[string]bool{}
	for i, se := range in.ServedEntities {
		out, err := w.servedEntity(i, se)
		if err != nil {
			return nil, nil, err
		}
		// why: a served entity name "must be unique across an endpoint"
		// (SDK doc of ServedEntityInput.Name).
		if names[out.Name] {
			return nil, nil, InvalidParameter("Served entity name '%s' is used more than once; names must be unique across an endpoint.", out.Name)
		}
		names[out.Name] = true
		entities[i] = out
	}
	traffic, err := trafficFor(in.TrafficConfig, entities)
	if err != nil {
		return nil, nil, err
	}
	ts := w.now()
	version := 1
	if live != nil {
		// why: a new config version follows the live one; an update that
		// failed does not use a number up (assumption).
		version = int(live.ConfigVersion) + 1
	}
	steps := make([]entityDeploy, n)
	for i := range entities {
		// why: an entity the update keeps unchanged is not deployed again;
		// an update that only changes routes still passes briefly through
		// IN_PROGRESS (a Pulumi/Terraform note says "~30 seconds" for a
		// similar no-op; analogous evidence). Keeping the
		// entity's creator and creation time is an assumption.
		if kept := keptEntity(live, entities[i]); kept != nil {
			entities[i] = *kept
			continue
		}
		se := &entities[i]
		se.Creator, se.CreationTimestamp = w.cfg.user, ts
		se.State = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentCreating}
		steps[i] = w.deployStep(se.EntityName, se.EntityVersion)
	}
	var capture *serving.AutoCaptureConfigOutput
	if c := in.AutoCaptureConfig; c != nil {
		capture = &serving.AutoCaptureConfigOutput{
			CatalogName: c.CatalogName, SchemaName: c.SchemaName, TableNamePrefix: c.TableNamePrefix, Enabled: c.Enabled,
		}
	}
	return &serving.EndpointPendingConfig{
		ConfigVersion: version, StartTime: ts,
		ServedEntities: entities, TrafficConfig: traffic, AutoCaptureConfig: capture,
	}, steps, nil
}

// deployStep is the rollout step of an entity to deploy, from its script.
func (w *Workspace) deployStep(entityName, entityVersion string) entityDeploy {
	d, ok := w.deployScripts[scriptKey(entityName, entityVersion)]
	if !ok {
		d.Polls = defaultDeployPolls
	}
	return entityDeploy{deploy: true, left: d.Polls, fail: d.Fail, msg: d.Message}
}

// keptEntity returns a copy of the entity of the live config that the
// entity se of a new config leaves unchanged, or nil.
func keptEntity(live *serving.EndpointCoreConfigOutput, se serving.ServedEntityOutput) *serving.ServedEntityOutput {
	if live == nil {
		return nil
	}
	bare := func(e serving.ServedEntityOutput) serving.ServedEntityOutput {
		e = clone(e)
		e.State, e.Creator, e.CreationTimestamp = nil, "", 0
		return e
	}
	for _, l := range live.ServedEntities {
		if l.Name == se.Name && reflect.DeepEqual(bare(l), bare(se)) {
			out := clone(l)
			return &out
		}
	}
	return nil
}

// servedEntity validates the i-th served entity of a config and returns
// its output, without the output-only fields.
func (w *Workspace) servedEntity(i int, se serving.ServedEntityInput) (serving.ServedEntityOutput, error) {
	var zero serving.ServedEntityOutput
	if se.ExternalModel != nil {
		return zero, notImplemented("external models (served_entities[%d].external_model)", i)
	}
	if se.EntityName == "" {
		return zero, InvalidParameter("served_entities[%d].entity_name is required.", i)
	}
	// why: a one-part entity name is a model of the Workspace Model
	// Registry (SDK doc of ServedEntityInput.EntityName), not modelled.
	if !strings.Contains(se.EntityName, ".") {
		return zero, notImplemented("Workspace Model Registry models (served entity %q)", se.EntityName)
	}
	if se.EntityVersion == "" {
		// why: a function of type FEATURE_SPEC can be served, without a
		// version (SDK doc of ServedEntityInput.EntityName); the fake does
		// not model it.
		if f, _, err := w.function(se.EntityName); err == nil && f.kind == "FUNCTION_FEATURE_SPEC" {
			return zero, notImplemented("serving feature specs (served entity %q)", se.EntityName)
		}
		return zero, InvalidParameter("served_entities[%d].entity_version is required for Unity Catalog model '%s'.", i, se.EntityName)
	}
	version, err := strconv.Atoi(se.EntityVersion)
	if err != nil || version <= 0 {
		return zero, InvalidParameter("served_entities[%d].entity_version %q is not a model version number.", i, se.EntityVersion)
	}
	name := se.Name
	if name == "" {
		// why: "if not specified for other entities, it defaults to
		// entity_name-entity_version" (SDK doc of ServedEntityInput.Name),
		// taken literally, dots and all (assumption: the UI fills in a
		// name of its own).
		name = se.EntityName + "-" + se.EntityVersion
	} else if !isServingName(name) {
		// why: "A served entity name can consist of alphanumeric
		// characters, dashes, and underscores" (same doc).
		return zero, InvalidParameter("Invalid served entity name %q: it may only contain letters, digits, dashes and underscores.", name)
	}
	// why: a custom model needs a size: workload_size, or provisioned
	// concurrency instead of it (SDK doc of ServedEntityInput). The doc
	// says not to use both, but not that the service rejects both, so the
	// fake accepts them (assumption).
	if se.WorkloadSize == "" && se.MinProvisionedConcurrency == 0 && se.MaxProvisionedConcurrency == 0 {
		return zero, InvalidParameter("served_entities[%d].workload_size is required.", i)
	}
	if se.WorkloadType != "" && !slices.Contains(se.WorkloadType.Values(), se.WorkloadType) {
		return zero, InvalidParameter("served_entities[%d].workload_type %q is not a known workload type.", i, se.WorkloadType)
	}
	// why: the entity must be a model version this workspace can read,
	// through a catalog created from a share included (Databricks docs
	// suggest AI models can be shared; not verified live).
	m, _, err := w.model(se.EntityName)
	if err != nil {
		return zero, err
	}
	mv, ok := m.versions[version]
	if !ok {
		return zero, NotFound("Model version %s/%d does not exist.", se.EntityName, version)
	}
	// why: a version still registering, or whose registration failed, has
	// no model to serve (the code is an assumption).
	if mv.Status != catalog.ModelVersionInfoStatusReady {
		return zero, InvalidParameter("Model version %s/%d is %s, not READY.", se.EntityName, version, mv.Status)
	}
	return serving.ServedEntityOutput{
		Name: name, EntityName: se.EntityName, EntityVersion: se.EntityVersion,
		WorkloadSize: se.WorkloadSize,
		// why: "workload_type ... defaults to CPU" (SDK doc of
		// ServedEntityInput.WorkloadType): the GET shows
		// the server's default for a request that left it out.
		WorkloadType: cmp.Or(se.WorkloadType, serving.ServingModelWorkloadTypeCpu),
		// why: "BurstScalingEnabled defaults to true on the server"
		// (SDK doc of ServedEntityInput.BurstScalingEnabled). The service
		// tells a false that was sent from none by the JSON key, which the
		// SDK sends for false only when ForceSendFields names the field.
		BurstScalingEnabled: se.BurstScalingEnabled || !slices.Contains(se.ForceSendFields, "BurstScalingEnabled"),
		ScaleToZeroEnabled:  se.ScaleToZeroEnabled,
		EnvironmentVars:     clone(se.EnvironmentVars), InstanceProfileArn: se.InstanceProfileArn,
		MinProvisionedConcurrency: se.MinProvisionedConcurrency, MaxProvisionedConcurrency: se.MaxProvisionedConcurrency,
		MinProvisionedThroughput: se.MinProvisionedThroughput, MaxProvisionedThroughput: se.MaxProvisionedThroughput,
		ProvisionedModelUnits: se.ProvisionedModelUnits,
	}, nil
}

// trafficFor validates the traffic config tc of a config serving entities
// and returns the one the config gets.
func trafficFor(tc *serving.TrafficConfig, entities []serving.ServedEntityOutput) (*serving.TrafficConfig, error) {
	if tc == nil {
		// why: an endpoint always reports its traffic config; one entity
		// gets all the traffic. Which split several entities would get is
		// undocumented, so the fake asks for routes (assumption).
		if len(entities) == 1 {
			return &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: entities[0].Name, TrafficPercentage: 100}}}, nil
		}
		return nil, InvalidParameter("traffic_config is required when the config has %d served entities.", len(entities))
	}
	seen := map[string]bool{}
	sum := 0
	for _, r := range tc.Routes {
		target := routeTarget(r)
		if !slices.ContainsFunc(entities, func(e serving.ServedEntityOutput) bool { return e.Name == target }) {
			return nil, InvalidParameter("Route to served entity '%s': the config has no served entity of that name.", target)
		}
		if seen[target] {
			return nil, InvalidParameter("Served entity '%s' has more than one route.", target)
		}
		seen[target] = true
		// why: "It must be an integer between 0 and 100 inclusive" (SDK
		// doc of Route.TrafficPercentage).
		if r.TrafficPercentage < 0 || r.TrafficPercentage > 100 {
			return nil, InvalidParameter("Route to served entity '%s' has traffic percentage %d; it must be between 0 and 100.", target, r.TrafficPercentage)
		}
		sum += r.TrafficPercentage
	}
	if sum != 100 {
		return nil, InvalidParameter("The traffic percentages of the routes add up to %d, not 100.", sum)
	}
	out := clone(*tc)
	return &out, nil
}

// advance moves the update in progress on e, if any, by one Get read: an
// entity with reads left uses one up, and one with none left ends its
// deployment. The update fails as soon as an entity fails, and completes
// once every entity it deploys is ready.
func (w *Workspace) advance(name string, e *servingEndpoint) {
	r := e.rollout
	if r == nil {
		return
	}
	p := e.info.PendingConfig
	deploys, busy, failed := false, false, false
	for i := range r.steps {
		d := &r.steps[i]
		if !d.deploy {
			continue
		}
		deploys = true
		if d.left > 0 {
			d.left--
			busy = true
			continue
		}
		d.deploy = false
		st := &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentReady}
		if d.fail {
			st = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentFailed, DeploymentStateMessage: d.msg}
			failed = true
		}
		p.ServedEntities[i].State = st
	}
	switch {
	case failed:
		w.failUpdate(name, e)
	case busy:
	case !deploys && r.idle > 0:
		// why: even an update that deploys nothing, such as a change of
		// routes only, passes through IN_PROGRESS (a Pulumi/Terraform note
		// on a similar no-op; analogous evidence).
		r.idle--
	default:
		w.completeUpdate(name, e)
	}
}

// completeUpdate makes the pending config of e the live one.
func (w *Workspace) completeUpdate(name string, e *servingEndpoint) {
	p := e.info.PendingConfig
	for i := range p.ServedEntities {
		p.ServedEntities[i].State = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentReady}
	}
	// why: on success the pending config is served and "pending_config is
	// no longer returned" (Databricks serving docs; exact page not identified).
	e.info.Config = &serving.EndpointCoreConfigOutput{
		ConfigVersion: int64(p.ConfigVersion), ServedEntities: p.ServedEntities,
		TrafficConfig: p.TrafficConfig, AutoCaptureConfig: p.AutoCaptureConfig,
	}
	e.info.PendingConfig = nil
	e.info.State = &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateNotUpdating, Ready: serving.EndpointStateReadyReady}
	e.rollout = nil
	e.credit = nil
	e.info.LastUpdatedTimestamp = w.now()
	w.record(name, e)
}

// failUpdate ends the update of e in UPDATE_FAILED.
func (w *Workspace) failUpdate(name string, e *servingEndpoint) {
	// why: entities still deploying when another fails are given up
	// (assumption), and the pending config stays to show why the update
	// failed (assumption: no public source says whether it stays).
	for i, se := range e.info.PendingConfig.ServedEntities {
		if se.State != nil && se.State.Deployment == serving.ServedModelStateDeploymentDeploymentCreating {
			e.info.PendingConfig.ServedEntities[i].State = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentAborted}
		}
	}
	// why: "Ready (Update failed)": the previous config keeps serving,
	// unchanged; with none, "Not ready (Update failed)" (Azure Databricks
	// "Manage model serving endpoints").
	ready := e.info.State.Ready
	if e.info.Config == nil {
		ready = serving.EndpointStateReadyNotReady
	}
	e.info.State = &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateUpdateFailed, Ready: ready}
	e.rollout = nil
	e.info.LastUpdatedTimestamp = w.now()
	w.record(name, e)
}

// Get returns a serving endpoint, always with its State (the SDK's waiter
// in service/serving/api.go panics without it). Each read moves an update in
// progress on (see [ServingEndpoints]). It returns a 404
// RESOURCE_DOES_NOT_EXIST error when the endpoint does not exist.
func (s *ServingEndpoints) Get(ctx context.Context, req serving.GetServingEndpointRequest) (*serving.ServingEndpointDetailed, error) {
	return call(ctx, s.w, "ServingEndpoints.Get", func() (*serving.ServingEndpointDetailed, string, error) {
		e := s.w.endpoints[req.Name]
		if v := s.w.vanishing[req.Name]; e == nil && v != nil && v.reads > 0 {
			v.reads--
			return clone(v.ep), "", nil
		}
		if e == nil {
			return nil, "", NotFound("Endpoint with name '%s' does not exist.", req.Name)
		}
		// why: an update has no end time of its own; the fake ends it after
		// a number of reads, never with the wall clock (the SDK waiter polls
		// Get: service/serving/api.go).
		s.w.advance(req.Name, e)
		return s.w.reply(e), "", nil
	})
}

// ListAll returns every serving endpoint, sorted by name, with the
// entities of its live config (of its pending config when it has none
// yet). Listing does not move updates on.
func (s *ServingEndpoints) ListAll(ctx context.Context) ([]serving.ServingEndpoint, error) {
	return call(ctx, s.w, "ServingEndpoints.ListAll", func() ([]serving.ServingEndpoint, string, error) {
		out := []serving.ServingEndpoint{}
		for _, name := range slices.Sorted(maps.Keys(s.w.endpoints)) {
			d := s.w.endpoints[name].info
			e := serving.ServingEndpoint{
				Name: d.Name, Id: d.Id, Creator: d.Creator, CreationTimestamp: d.CreationTimestamp,
				LastUpdatedTimestamp: d.LastUpdatedTimestamp, State: d.State, Tags: d.Tags, AiGateway: d.AiGateway,
				BudgetPolicyId: d.BudgetPolicyId, Description: d.Description, Task: d.Task, TelemetryConfig: d.TelemetryConfig,
			}
			// why: the list shows a summary of the config (SDK type
			// EndpointCoreConfigSummary); that a new endpoint shows its
			// pending entities is an assumption.
			var entities []serving.ServedEntityOutput
			switch {
			case d.Config != nil:
				entities = d.Config.ServedEntities
			case d.PendingConfig != nil:
				entities = d.PendingConfig.ServedEntities
			}
			if entities != nil {
				e.Config = &serving.EndpointCoreConfigSummary{}
				for _, se := range entities {
					e.Config.ServedEntities = append(e.Config.ServedEntities, serving.ServedEntitySpec{
						Name: se.Name, EntityName: se.EntityName, EntityVersion: se.EntityVersion,
						ExternalModel: se.ExternalModel, FoundationModel: se.FoundationModel,
					})
				}
			}
			out = append(out, e)
		}
		// why: a deleted endpoint stays visible for a few reads (see
		// Delete); the list shows it as long as its GET does, but reading
		// the list does not move it on.
		for _, name := range slices.Sorted(maps.Keys(s.w.vanishing)) {
			if v := s.w.vanishing[name]; v.reads > 0 && s.w.endpoints[name] == nil {
				e := serving.ServingEndpoint{Name: v.ep.Name, Id: v.ep.Id, Creator: v.ep.Creator, State: v.ep.State, Tags: v.ep.Tags}
				if v.ep.Config != nil {
					e.Config = &serving.EndpointCoreConfigSummary{}
					for _, se := range v.ep.Config.ServedEntities {
						e.Config.ServedEntities = append(e.Config.ServedEntities, serving.ServedEntitySpec{Name: se.Name, EntityName: se.EntityName, EntityVersion: se.EntityVersion})
					}
				}
				out = append(out, e)
			}
		}
		slices.SortFunc(out, func(a, b serving.ServingEndpoint) int { return strings.Compare(a.Name, b.Name) })
		return wire(out), "", nil
	})
}

// Delete deletes a serving endpoint, an update in progress included, and
// records its deletion in [Workspace.EndpointHistory]. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when the endpoint does not exist.
func (s *ServingEndpoints) Delete(ctx context.Context, req serving.DeleteServingEndpointRequest) error {
	_, err := call(ctx, s.w, "ServingEndpoints.Delete", func() (struct{}, string, error) {
		w := s.w
		if w.endpoints[req.Name] == nil {
			return struct{}{}, "", NotFound("Endpoint with name '%s' does not exist.", req.Name)
		}
		// why: the DELETE answers at once and how long the endpoint stays
		// visible is not documented (the REST API page shows an empty reply:
		// docs.databricks.com/api/model-serving/v1/delete-inference-endpoint):
		// its GET shows it for a few more reads.
		w.vanishing[req.Name] = &vanishingEndpoint{ep: w.reply(w.endpoints[req.Name]), reads: endpointLinger}
		delete(w.endpoints, req.Name)
		w.now()
		w.record(req.Name, nil)
		return struct{}{}, req.Name, nil
	})
	return err
}

// endpointLinger is how many GETs still show a deleted endpoint.
const endpointLinger = 2

// vanishingEndpoint is a deleted endpoint its GET still shows.
type vanishingEndpoint struct {
	ep    *serving.ServingEndpointDetailed
	reads int
}

// routed is what a query is routed to.
type routed struct {
	resp   *serving.QueryEndpointResponse
	script QueryScript
}

// Query sends a query to an endpoint and returns the answer of the served
// entity of its live config that it is routed to, named in
// ServedModelName. Routing follows the route percentages exactly and
// evenly: any 100 queries in a row split 90/10 over routes of 90 and 10,
// and any 10 in a row send one to the 10% entity, the 6th, 16th, ... of
// the live config. The entity answers as its script says
// ([Workspace.ScriptQuery]): by default one prediction of 0.5 per input
// record (each of DataframeRecords, DataframeSplit.Data or Instances, or
// one for Inputs), at once. A script's Latency is spent after the query
// is routed, outside the workspace's lock, and a done ctx cuts it short
// with ctx.Err(). Queries do not move updates on.
//
// It returns
//   - a 404 RESOURCE_DOES_NOT_EXIST error when the endpoint does not
//     exist;
//   - a 400 INVALID_STATE error when the endpoint is not READY or has no
//     live config;
//   - a 400 INVALID_PARAMETER_VALUE error when the query has none, or
//     more than one, of DataframeRecords, DataframeSplit, Instances and
//     Inputs;
//   - a 501 NOT_IMPLEMENTED error for chat, completions and embeddings
//     queries;
//   - the script's Err, as it is.
func (s *ServingEndpoints) Query(ctx context.Context, req serving.QueryEndpointInput) (*serving.QueryEndpointResponse, error) {
	return s.query(ctx, "ServingEndpoints.Query", req, func(e *servingEndpoint) (serving.ServedEntityOutput, error) {
		return s.w.pick(e), nil
	})
}

// query answers a query to the endpoint req.Name with the served entity of
// its live config that pick chooses, as call method.
func (s *ServingEndpoints) query(ctx context.Context, method string, req serving.QueryEndpointInput, pick func(*servingEndpoint) (serving.ServedEntityOutput, error)) (*serving.QueryEndpointResponse, error) {
	if err := encodable(req); err != nil {
		return nil, err
	}
	r, err := call(ctx, s.w, method, func() (routed, string, error) {
		w := s.w
		e := w.endpoints[req.Name]
		if e == nil {
			return routed{}, "", NotFound("Endpoint with name '%s' does not exist.", req.Name)
		}
		// why: only a READY live config serves queries. The service's code
		// for a query to an endpoint that is not ready is undocumented
		// (no public sample); the fake sends a 400 INVALID_STATE, which the
		// SDK does not retry, so a probe fails at once, where a 503 would
		// be retried by the SDK for up to 5 minutes (SDK httpclient/api_client.go
		// and Config.RetryTimeoutSeconds).
		if e.info.Config == nil || e.info.State.Ready != serving.EndpointStateReadyReady {
			return routed{}, "", invalidState("Endpoint '%s' is not ready to serve queries: it is %s (config update %s).",
				req.Name, e.info.State.Ready, e.info.State.ConfigUpdate)
		}
		n, err := inputRecords(req)
		if err != nil {
			return routed{}, "", err
		}
		se, err := pick(e)
		if err != nil {
			return routed{}, "", err
		}
		script := w.queryScripts[scriptKey(se.EntityName, se.EntityVersion)]
		preds := clone(script.Predictions)
		if preds == nil {
			preds = make([]any, n)
			for i := range preds {
				preds[i] = 0.5
			}
		}
		// why: the SDK fills ServedModelName from the reply header
		// served-model-name, the name of the served entity that answered
		// (SDK serving/model.go, header tag of QueryEndpointResponse).
		return routed{resp: &serving.QueryEndpointResponse{Predictions: preds, ServedModelName: se.Name}, script: script}, "", nil
	})
	if err != nil {
		return nil, err
	}
	if d := r.script.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	if r.script.Err != nil {
		return nil, r.script.Err
	}
	return r.resp, nil
}

// route picks the served entity of the live config of e that the next
// query goes to under [WithEvenRouting].
func (e *servingEndpoint) route() serving.ServedEntityOutput {
	// Smooth weighted round robin: each entity earns its percentage per
	// query and the richest, first in route order on a tie, answers and
	// pays 100. The picks repeat every 100 queries, with each entity's
	// percentage among them, and spread out: 90/10 routes send queries 6,
	// 16, 26, ... to the 10% entity.
	c := e.info.Config
	if e.credit == nil {
		e.credit = map[string]int{}
	}
	best, total := "", 0
	for _, r := range c.TrafficConfig.Routes {
		if r.TrafficPercentage == 0 {
			continue
		}
		t := routeTarget(r)
		e.credit[t] += r.TrafficPercentage
		total += r.TrafficPercentage
		if best == "" || e.credit[t] > e.credit[best] {
			best = t
		}
	}
	e.credit[best] -= total
	for _, se := range c.ServedEntities {
		if se.Name == best {
			return se
		}
	}
	panic(fmt.Sprintf("xregiontest: endpoint %q routes to %q, which it does not serve", e.info.Name, best)) // routes are validated
}

// inputRecords returns how many records the query carries.
func inputRecords(req serving.QueryEndpointInput) (int, error) {
	// why: a custom model takes exactly one of the four input formats
	// (SDK doc of QueryEndpointInput). Empty lists count as absent: the
	// SDK leaves them out of the body.
	formats, n := 0, 0
	if len(req.DataframeRecords) > 0 {
		formats, n = formats+1, len(req.DataframeRecords)
	}
	if req.DataframeSplit != nil {
		formats, n = formats+1, len(req.DataframeSplit.Data)
	}
	if len(req.Instances) > 0 {
		formats, n = formats+1, len(req.Instances)
	}
	if req.Inputs != nil {
		formats, n = formats+1, 1
	}
	switch {
	case formats == 0 && (req.Messages != nil || req.Prompt != nil || req.Input != nil):
		return 0, notImplemented("chat, completions and embeddings queries")
	case formats == 0:
		return 0, InvalidParameter("The query has no input: set one of dataframe_records, dataframe_split, instances or inputs.")
	case formats > 1:
		return 0, InvalidParameter("The query has several inputs: set only one of dataframe_records, dataframe_split, instances or inputs.")
	case n == 0:
		return 0, InvalidParameter("dataframe_split.data is empty.")
	}
	return n, nil
}

// AddEndpoint seeds a serving endpoint as given. State defaults to
// NOT_UPDATING and READY (NOT_READY when there is no Config); a served
// entity without State is DEPLOYMENT_READY, or DEPLOYMENT_CREATING in the
// PendingConfig of an endpoint seeded IN_PROGRESS. A Config with one
// entity and no TrafficConfig sends it all the traffic, and a Config
// without ConfigVersion gets version 1. Id, Creator, CreationTimestamp,
// LastUpdatedTimestamp and PermissionLevel are filled when empty. An
// endpoint seeded IN_PROGRESS deploys the entities of its PendingConfig
// that are DEPLOYMENT_CREATING as an update would. Served model versions
// are not checked.
//
// It panics if Name is not a valid endpoint name or the endpoint exists,
// if a config uses ServedModels, if the Config's routes name entities it
// does not have or do not add up to 100, if it has several entities and
// no TrafficConfig, or if the endpoint is IN_PROGRESS without a
// PendingConfig.
func (w *Workspace) AddEndpoint(e serving.ServingEndpointDetailed) {
	if p := endpointNameProblem(e.Name); p != "" {
		panic(fmt.Sprintf("xregiontest: AddEndpoint: %q: %s", e.Name, p))
	}
	e = clone(e)
	if (e.Config != nil && len(e.Config.ServedModels) > 0) || (e.PendingConfig != nil && len(e.PendingConfig.ServedModels) > 0) {
		panic(fmt.Sprintf("xregiontest: AddEndpoint: %q: served models are not modelled; use served entities", e.Name))
	}
	if c := e.Config; c != nil {
		if c.TrafficConfig == nil && len(c.ServedEntities) == 1 {
			c.TrafficConfig = &serving.TrafficConfig{Routes: []serving.Route{{ServedEntityName: c.ServedEntities[0].Name, TrafficPercentage: 100}}}
		}
		if _, err := trafficFor(c.TrafficConfig, c.ServedEntities); err != nil {
			panic(fmt.Sprintf("xregiontest: AddEndpoint: %q: %v", e.Name, err))
		}
		if c.ConfigVersion == 0 {
			c.ConfigVersion = 1
		}
	}
	if e.State == nil {
		e.State = &serving.EndpointState{ConfigUpdate: serving.EndpointStateConfigUpdateNotUpdating, Ready: serving.EndpointStateReadyReady}
		if e.Config == nil {
			e.State.Ready = serving.EndpointStateReadyNotReady
		}
	}
	inProgress := e.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress
	if inProgress && e.PendingConfig == nil {
		panic(fmt.Sprintf("xregiontest: AddEndpoint: %q: IN_PROGRESS without a pending config", e.Name))
	}
	defer w.lock()()
	if _, ok := w.endpoints[e.Name]; ok {
		panic(fmt.Sprintf("xregiontest: AddEndpoint: endpoint %q exists", e.Name))
	}
	ts := w.now()
	ready := serving.ServedModelStateDeploymentDeploymentReady
	if e.Config != nil {
		for i := range e.Config.ServedEntities {
			if e.Config.ServedEntities[i].State == nil {
				e.Config.ServedEntities[i].State = &serving.ServedModelState{Deployment: ready}
			}
		}
	}
	se := &servingEndpoint{info: e}
	if p := e.PendingConfig; p != nil {
		if inProgress {
			se.rollout = &rollout{steps: make([]entityDeploy, len(p.ServedEntities)), idle: 1}
		}
		for i := range p.ServedEntities {
			ent := &p.ServedEntities[i]
			switch {
			case inProgress && (ent.State == nil || ent.State.Deployment == serving.ServedModelStateDeploymentDeploymentCreating):
				ent.State = &serving.ServedModelState{Deployment: serving.ServedModelStateDeploymentDeploymentCreating}
				se.rollout.steps[i] = w.deployStep(ent.EntityName, ent.EntityVersion)
			case ent.State == nil:
				ent.State = &serving.ServedModelState{Deployment: ready}
			}
		}
	}
	if e.Id == "" {
		se.info.Id = strings.ReplaceAll(w.newID("serving-endpoint"), "-", "")
	}
	if e.Creator == "" {
		se.info.Creator = w.cfg.user
	}
	if e.CreationTimestamp == 0 {
		se.info.CreationTimestamp = ts
	}
	if e.LastUpdatedTimestamp == 0 {
		se.info.LastUpdatedTimestamp = ts
	}
	if e.PermissionLevel == "" {
		se.info.PermissionLevel = serving.ServingEndpointDetailedPermissionLevelCanManage
	}
	w.endpoints[e.Name] = se
	delete(w.vanishing, e.Name)
	w.record(e.Name, se)
}
