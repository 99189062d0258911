package endpoint

import (
	"cmp"
	"github.com/org/xregion-action/internal/invalid"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

const (
	// DefaultTimeout bounds each endpoint update unless told otherwise:
	// serving updates routinely take 20 minutes and more.
	DefaultTimeout = 45 * time.Minute
	// DefaultRollbackTimeout bounds the rollback unless told otherwise.
	DefaultRollbackTimeout = 45 * time.Minute
	// DefaultWorkloadSize is the workload size of the served entity of an
	// endpoint DeployWithRollback creates, unless told otherwise. On an
	// existing endpoint the new entity inherits the live one's.
	DefaultWorkloadSize = "Small"
	// DefaultScaleToZero is whether the served entity of an endpoint
	// DeployWithRollback creates scales to zero, unless told otherwise. On
	// an existing endpoint the new entity inherits the live one's.
	DefaultScaleToZero = false
)

// OnFailure says what DeployWithRollback does when a deployment fails.
type OnFailure string

const (
	// Rollback restores the endpoint's previous config (the default).
	Rollback OnFailure = "rollback"
	// Freeze leaves the endpoint as the failure left it, for debugging.
	Freeze OnFailure = "freeze"
)

// Spec is the desired deployment of one model version to one endpoint.
type Spec struct {
	// Name is the serving endpoint's name. It is created if missing.
	Name string
	// Entity is the model version to serve.
	Entity Entity
	// Tags are set on an endpoint DeployWithRollback creates; an existing
	// endpoint's tags are left alone.
	Tags map[string]string
	// Canary lists traffic percentages for the new version, ascending and
	// ending at 100, such as 10, 50, 100. Empty means a direct update. With
	// a canary, the new version serves beside the current one, traffic
	// shifts step by step with health checks at each step, and promotion
	// finally removes the old version.
	Canary []int
	// Bake is how long to let each canary step serve before its health
	// checks run.
	Bake time.Duration
	// Probes are requests sent through the serving query API after the
	// update (and at each canary step); see [LoadProbes].
	Probes []Probe
	// OnFailure is [Rollback] (default) or [Freeze].
	OnFailure OnFailure
	// KeepNewOnFailure keeps an endpoint that DeployWithRollback created
	// when its first deployment fails, for inspection. By default it is
	// deleted, since there is no previous config to restore.
	KeepNewOnFailure bool
	// Timeout bounds each update. Default: [DefaultTimeout].
	Timeout time.Duration
	// RollbackTimeout bounds the rollback, which runs even when ctx is
	// cancelled. Default: [DefaultRollbackTimeout].
	RollbackTimeout time.Duration
	// SkipChecksIfUnchanged skips the health checks when the endpoint
	// already serves the version as asked. By default they run: a
	// converged re-run is a verification, and a failing check makes it
	// [OutcomeUnhealthy].
	SkipChecksIfUnchanged bool
	// Caller is the user or service principal running the deployment, as
	// the workspace names it (for example from w.CurrentUser.Me). When an
	// update fails to deploy on an endpoint that someone else created, the
	// error says that the endpoint runs as its creator and which grants
	// the creator needs. Empty: the hint names the creator whenever an
	// existing endpoint's update fails.
	Caller string
}

// Entity is the served entity to deploy. On an existing endpoint the new
// entity starts from the live entity it replaces, every setting the
// service reported included (workload size and type, scale to zero, burst
// scaling, provisioned concurrency, instance profile, environment
// variables), and then applies the fields set here. Unset fields (empty,
// nil) inherit; on an endpoint DeployWithRollback creates they take the
// documented defaults.
type Entity struct {
	// Name is the served entity's name on the endpoint. Default:
	// [DefaultEntityName].
	Name string
	// Model is the model's three-part name in the target workspace, that
	// is in the shared catalog.
	Model string
	// Version is the model version.
	Version int
	// WorkloadSize is Small, Medium, Large or a custom size; sizes are
	// passed through as they are. Empty inherits the live entity's, or is
	// [DefaultWorkloadSize] on a new endpoint. Setting it drops an
	// inherited provisioned concurrency, which the service takes instead
	// of a size.
	WorkloadSize string
	// WorkloadType is the compute type, such as CPU or GPU_SMALL. Empty
	// inherits the live entity's, or is the service's default (CPU) on a
	// new endpoint.
	WorkloadType serving.ServingModelWorkloadType
	// ScaleToZero lets the entity scale to zero when idle. Nil inherits
	// the live entity's, or is [DefaultScaleToZero] on a new endpoint.
	ScaleToZero *bool
	// EnvironmentVars are set in the serving container, over the live
	// entity's (a key set here wins; the others are kept). Values may be
	// secret references such as "{{secrets/scope/key}}".
	EnvironmentVars map[string]string
}

// DefaultEntityName returns "<model>-<version>" for model "c.s.model": the
// served entity name DeployWithRollback uses unless told otherwise.
func DefaultEntityName(model string, version int) string {
	short := model[strings.LastIndexByte(model, '.')+1:]
	return short + "-" + strconv.Itoa(version)
}

var endpointNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`)

// Validate reports the first bad input of the spec, as DeployWithRollback
// would before any call. The error matches [xregion.ErrInvalidInput].
func (spec Spec) Validate() error {
	_, err := spec.validate()
	return err
}

// validate checks the spec before any call and fills defaults.
func (spec Spec) validate() (Spec, error) {
	if !endpointNameRE.MatchString(spec.Name) {
		return spec, invalid.Input("endpoint", spec.Name, "want 1 to 63 letters, digits, hyphens and underscores, starting with a letter or digit")
	}
	if _, err := xregion.ParseFullName("model", spec.Entity.Model); err != nil {
		return spec, err
	}
	if spec.Entity.Version <= 0 {
		return spec, invalid.Input("model version", strconv.Itoa(spec.Entity.Version), "want a positive version number")
	}
	spec.Entity.Name = cmp.Or(spec.Entity.Name, DefaultEntityName(spec.Entity.Model, spec.Entity.Version))
	if !endpointNameRE.MatchString(spec.Entity.Name) {
		return spec, invalid.Input("served entity name", spec.Entity.Name, "want letters, digits, hyphens and underscores")
	}
	if len(spec.Canary) > 0 && !validCanary(spec.Canary) {
		return spec, invalid.Input("canary", canaryString(spec.Canary), "want strictly rising percentages between 1 and 100 that end at 100, such as 10,50,100")
	}
	switch spec.OnFailure {
	case "":
		spec.OnFailure = Rollback
	case Rollback, Freeze:
	default:
		return spec, invalid.Input("on-failure", string(spec.OnFailure), "want %q or %q", Rollback, Freeze)
	}
	for _, k := range []string{OwnerTag, CanaryTag} {
		if _, ok := spec.Tags[k]; ok {
			return spec, invalid.Input("endpoint tag", k, "is xregion's own mark; choose another key")
		}
	}
	if spec.Bake < 0 {
		return spec, invalid.Input("bake", spec.Bake.String(), "must not be negative")
	}
	for i, p := range spec.Probes {
		if err := p.validate(); err != nil {
			return spec, err
		}
		if slices.ContainsFunc(spec.Probes[:i], func(q Probe) bool { return q.Name == p.Name }) {
			return spec, invalid.Input("probe", p.Name, "name used twice")
		}
	}
	spec.Timeout = cmp.Or(spec.Timeout, DefaultTimeout)
	spec.RollbackTimeout = cmp.Or(spec.RollbackTimeout, DefaultRollbackTimeout)
	return spec, nil
}

func validCanary(steps []int) bool {
	for i, w := range steps {
		if w <= 0 || i > 0 && w <= steps[i-1] {
			return false
		}
	}
	return steps[len(steps)-1] == 100
}

func canaryString(steps []int) string {
	s := make([]string, len(steps))
	for i, w := range steps {
		s[i] = strconv.Itoa(w)
	}
	return strings.Join(s, ",")
}

// input returns the served entity the spec asks for, built on base, the live
// entity it replaces (nil on a new endpoint): every field base had, as the
// service reported it, then the fields the spec sets.
func (e Entity) input(base *serving.ServedEntityOutput) serving.ServedEntityInput {
	var in serving.ServedEntityInput
	if base != nil {
		// As a restore would send it: the SDK documents workload size and
		// provisioned concurrency as alternatives, so a size wins.
		in = entityInput(*base)
		in.ExternalModel = nil // custom models only
	} else {
		in.WorkloadSize, in.ScaleToZeroEnabled = DefaultWorkloadSize, DefaultScaleToZero
		in.ForceSendFields = []string{"ScaleToZeroEnabled"}
	}
	in.Name, in.EntityName, in.EntityVersion = e.Name, e.Model, strconv.Itoa(e.Version)
	if e.WorkloadSize != "" {
		in.WorkloadSize = e.WorkloadSize
		in.MinProvisionedConcurrency, in.MaxProvisionedConcurrency = 0, 0
	}
	if e.WorkloadType != "" {
		in.WorkloadType = e.WorkloadType
	}
	if e.ScaleToZero != nil {
		in.ScaleToZeroEnabled = *e.ScaleToZero
		// Send false as false, not as "unset" (the service's default).
		in.ForceSendFields = appendOnce(in.ForceSendFields, "ScaleToZeroEnabled")
	}
	if len(e.EnvironmentVars) > 0 {
		if in.EnvironmentVars == nil {
			in.EnvironmentVars = map[string]string{}
		}
		maps.Copy(in.EnvironmentVars, e.EnvironmentVars)
	}
	return in
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// LogValue shows the entity without its environment variables' values,
// which may be secrets: only their names.
func (e Entity) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", e.Name), slog.String("model", e.Model), slog.Int("version", e.Version),
		slog.String("workload_size", e.WorkloadSize), slog.Any("environment_vars", slices.Sorted(maps.Keys(e.EnvironmentVars))))
}
