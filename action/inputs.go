package main

import (
	"cmp"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/endpoint"
	"github.com/org/xregion-action/xregion/online"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
)

// side is how to reach one workspace.
type side struct {
	Host          string
	Token         string
	ClientID      string
	ClientSecret  string
	AuthType      string
	AzureTenantID string
}

// inputs are the action's inputs, parsed and checked.
type inputs struct {
	Source, Target  side
	Region          string
	DryRun          bool
	HealthChecks    string
	Spec            rollout.Spec
	OnlineTimeout   time.Duration
	EndpointTimeout time.Duration
	// PollInterval is a fixed interval between status reads; 0 backs off
	// as the library does by default.
	PollInterval time.Duration
	// Regions names a regions file: a fleet rollout to every region it
	// lists, instead of the one target-host. Fleet is the parsed file.
	Regions      string
	Fleet        *regionsFile
	WaveBake     time.Duration
	AllOrNothing bool
	// Command is rollout (the default), status, refresh or teardown.
	Command string
	// Teardown is the confirmation and the adopted kinds of a teardown.
	Teardown rollout.TeardownSpec
	// FailOnDrift makes a status with drift fail the step.
	FailOnDrift bool
}

// MinPollInterval is the shortest poll-interval against a workspace that is
// not on a loopback address: every wait reads the service's state once per
// interval, for as long as 45 minutes.
const MinPollInterval = 5 * time.Second

// booleans are the spellings of a boolean input, as @actions/core's
// getBooleanInput accepts them (YAML 1.2 core schema).
var booleans = map[string]bool{"true": true, "True": true, "TRUE": true, "false": false, "False": false, "FALSE": false}

// enum returns the value of values that v names, ignoring case, or ok false.
func enum[T ~string](v string, values ...T) (T, bool) {
	for _, x := range values {
		if strings.EqualFold(v, string(x)) {
			return x, true
		}
	}
	return T(v), false
}

// authTypes are the auth types an input may name; empty picks one from
// the credentials given. Each is wired per workspace from the inputs alone.
// OAuth M2M also covers Databricks service principals on Azure; the Azure
// types use Microsoft Entra ID service principals and managed identities.
var authTypes = []string{"pat", "oauth-m2m", "github-oidc", "azure-client-secret", "azure-msi"}

// readInputs reads and checks every input. The first bad one is reported
// as a one-line error naming it.
func readInputs(a *githubactions.Action) (*inputs, error) {
	in := &inputs{}
	get := func(name string) string { return a.GetInput(name) }
	var err error
	boolean := func(name string, def bool) bool {
		v := get(name)
		if v == "" || err != nil {
			return def
		}
		b, ok := booleans[v]
		if !ok {
			err = invalid.Input(name, v, `want true or false (True, TRUE, False and FALSE too)`)
		}
		return b
	}
	duration := func(name, example string) time.Duration {
		v := get(name)
		if v == "" || err != nil {
			return 0
		}
		d, perr := time.ParseDuration(v)
		if perr != nil || d <= 0 {
			err = invalid.Input(name, v, "want a positive duration such as %s", example)
		}
		return d
	}

	phase := rollout.Phase(get("phase"))
	if p, ok := enum(string(phase), rollout.PhaseAll, rollout.PhaseShare, rollout.PhaseDeploy); ok {
		phase = p
	}
	capacity := get("online-store-capacity")
	if strings.HasPrefix(strings.ToUpper(capacity), "CU_") {
		capacity = strings.ToUpper(capacity)
	}
	spec := rollout.Spec{
		Model:              get("model"),
		Version:            get("version"),
		Phase:              phase,
		Share:              get("share"),
		Recipient:          get("recipient"),
		Provider:           get("provider"),
		SharedCatalog:      get("shared-catalog"),
		OnlineStore:        get("online-store"),
		OnlineCapacity:     capacity,
		OnlineCatalog:      get("online-catalog"),
		OnlineSchema:       get("online-schema"),
		UseExistingCatalog: boolean("use-existing-catalog", false),
	}
	if spec.Model == "" {
		return nil, invalid.Input("model", "", "required: the model's three-part name catalog.schema.model")
	}
	in.DryRun = boolean("dry-run", false)
	in.Region = get("region")
	in.HealthChecks = get("health-checks")
	in.OnlineTimeout, in.EndpointTimeout = duration("online-timeout", "10m"), duration("endpoint-timeout", "45m")
	in.PollInterval = duration("poll-interval", "10s")
	in.Regions, in.WaveBake = get("regions"), duration("wave-bake", "30m")
	in.AllOrNothing = boolean("all-or-nothing", false)
	in.FailOnDrift = boolean("fail-on-drift", false)
	if c := get("command"); c != "" {
		v, ok := enum(c, commandRollout, commandStatus, commandRefresh, commandTeardown)
		if !ok {
			return nil, invalid.Input("command", c, "want rollout, status, refresh or teardown")
		}
		in.Command = v
	}
	in.Command = cmp.Or(in.Command, commandRollout)
	in.Teardown.Confirm = get("confirm")
	adopt, aerr := xregion.ParseAdopt("adopt", get("adopt"))
	if aerr != nil {
		return nil, aerr
	}
	in.Teardown.Adopt = adopt
	spec.OnlineTimeout = in.OnlineTimeout
	spec.OnlineRefresh, spec.OnlineMaxStaleness = online.Refresh(get("refresh-online")), duration("max-staleness", "24h")
	// Unset inherits the live entity's setting; the default applies only
	// to an endpoint the action creates.
	var scaleToZero *bool
	if get("scale-to-zero") != "" {
		v := boolean("scale-to-zero", false)
		scaleToZero = &v
	}
	if err != nil {
		return nil, err
	}
	onFailure := endpoint.OnFailure(get("on-failure"))
	if f, ok := enum(string(onFailure), endpoint.Rollback, endpoint.Freeze); ok {
		onFailure = f
	}
	spec.Endpoint = endpoint.Spec{
		Name:      get("endpoint"),
		OnFailure: onFailure,
		Timeout:   in.EndpointTimeout,
		Entity: endpoint.Entity{
			WorkloadSize: get("workload-size"),
			WorkloadType: serving.ServingModelWorkloadType(get("workload-type")),
			ScaleToZero:  scaleToZero,
		},
	}
	if spec.OnlineRefresh != "" {
		v, ok := enum(string(spec.OnlineRefresh), online.RefreshAuto, online.RefreshAlways, online.RefreshNever)
		if !ok {
			return nil, invalid.Input("refresh-online", string(spec.OnlineRefresh), "want auto, always or never")
		}
		spec.OnlineRefresh = v
	}
	if spec.OnlineRefresh == online.RefreshNever && spec.OnlineMaxStaleness > 0 {
		return nil, invalid.Input("max-staleness", get("max-staleness"), "has no effect with refresh-online: never; leave one of them out")
	}
	if wt := spec.Endpoint.Entity.WorkloadType; wt != "" {
		v, ok := enum(string(wt), wt.Values()...)
		if !ok {
			return nil, invalid.Input("workload-type", string(wt), "want one of %v", wt.Values())
		}
		spec.Endpoint.Entity.WorkloadType = v
	}
	if ws := spec.Endpoint.Entity.WorkloadSize; strings.ContainsAny(ws, " \t/.") {
		return nil, invalid.Input("workload-size", ws, "want Small, Medium, Large or a custom size name")
	}
	if c := get("canary"); c != "" {
		steps, cerr := parseCanary(c)
		if cerr != nil {
			return nil, cerr
		}
		spec.Endpoint.Canary = steps
	}
	for _, s := range []struct {
		prefix string
		dst    *side
	}{{"source", &in.Source}, {"target", &in.Target}} {
		*s.dst = side{
			Host: get(s.prefix + "-host"), Token: get(s.prefix + "-token"), ClientID: get(s.prefix + "-client-id"),
			ClientSecret: get(s.prefix + "-client-secret"), AuthType: strings.ToLower(get(s.prefix + "-auth-type")),
			AzureTenantID: get(s.prefix + "-azure-tenant-id"),
		}
	}
	if in.Regions != "" {
		in.Spec = spec
		return in, in.readFleet(a)
	}
	if in.WaveBake > 0 || in.AllOrNothing {
		name := map[bool]string{true: "wave-bake", false: "all-or-nothing"}[in.WaveBake > 0]
		return nil, invalid.Input(name, get(name), "applies to a fleet rollout only: name a regions file in regions")
	}
	// The share phase touches only the source when the recipient is named.
	needTarget := spec.Phase != rollout.PhaseShare || spec.Recipient == ""
	if err := in.Target.check("target", needTarget, a.Getenv); err != nil {
		return nil, err
	}
	if err := in.Source.check("source", spec.Phase != rollout.PhaseDeploy, a.Getenv); err != nil {
		return nil, err
	}
	if in.PollInterval > 0 && in.PollInterval < MinPollInterval && !(loopbackHost(in.Source.Host) && loopbackHost(in.Target.Host)) {
		return nil, invalid.Input("poll-interval", get("poll-interval"), "at least %s against a real workspace (shorter only when every host is a loopback address, as the emulator's)", MinPollInterval)
	}
	in.Spec = spec
	return in, nil
}

// loopbackHost reports whether a checked workspace URL is on a loopback
// address, or is not given.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	u, err := url.Parse(host)
	return err == nil && isLoopback(u.Hostname())
}

func parseCanary(v string) ([]int, error) {
	var steps []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, invalid.Input("canary", v, "want comma-separated percentages such as 10,50,100")
		}
		steps = append(steps, n)
	}
	return steps, nil
}

// check validates one side's connection inputs.
func (s side) check(prefix string, required bool, getenv func(string) string) error {
	if s.Host == "" {
		if required || s.Token != "" || s.ClientID != "" || s.ClientSecret != "" || s.AuthType != "" {
			return invalid.Input(prefix+"-host", "", "required: the workspace URL, such as https://adb-123.azuredatabricks.net")
		}
		return nil
	}
	if shown := withoutUserinfo(s.Host); shown != s.Host {
		return invalid.Input(prefix+"-host", shown, "a workspace URL carries no credentials: give them in %s-token or %s-client-secret", prefix, prefix)
	}
	u, err := url.Parse(s.Host)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return invalid.Input(prefix+"-host", s.Host, "want an https:// workspace URL (http:// only for localhost)")
	}
	if s.AuthType != "" && !slices.Contains(authTypes, s.AuthType) {
		return invalid.Input(prefix+"-auth-type", s.AuthType, "want one of %s", strings.Join(authTypes, ", "))
	}
	switch s.authType() {
	case "pat":
		if s.Token == "" {
			return invalid.Input(prefix+"-token", "", "required for auth type pat")
		}
	case "oauth-m2m":
		if s.ClientID == "" || s.ClientSecret == "" {
			return invalid.Input(prefix+"-client-secret", "", "auth type oauth-m2m needs %s-client-id and %s-client-secret", prefix, prefix)
		}
	case "github-oidc":
		if s.ClientID == "" {
			return invalid.Input(prefix+"-client-id", "", "auth type github-oidc needs the service principal's application id (and permissions: id-token: write)")
		}
		if getenv("ACTIONS_ID_TOKEN_REQUEST_URL") == "" {
			return invalid.Input(prefix+"-auth-type", "github-oidc", "the job cannot request an ID token: give it permissions: id-token: write")
		}
	case "azure-client-secret":
		if s.ClientID == "" || s.ClientSecret == "" || s.AzureTenantID == "" {
			return invalid.Input(prefix+"-azure-tenant-id", s.AzureTenantID, "auth type azure-client-secret needs %s-client-id, %s-client-secret and %s-azure-tenant-id", prefix, prefix, prefix)
		}
	case "azure-msi":
		if s.Token != "" || s.ClientSecret != "" {
			return invalid.Input(prefix+"-auth-type", "azure-msi", "a managed identity takes no token or secret; %s-client-id may name a user-assigned identity", prefix)
		}
	case "":
		return invalid.Input(prefix+"-token", "", "no credentials: give %s-token, %s-client-id and %s-client-secret, or %s-client-id for GitHub OIDC", prefix, prefix, prefix, prefix)
	}
	if s.AzureTenantID != "" && s.authType() != "azure-client-secret" {
		return invalid.Input(prefix+"-azure-tenant-id", s.AzureTenantID, "is used only with auth type azure-client-secret")
	}
	if s.Token != "" && s.ClientSecret != "" {
		return invalid.Input(prefix+"-token", "(set)", "give a token or a client secret, not both")
	}
	return nil
}

// authType is the explicit auth type, or the one the credentials imply.
func (s side) authType() string {
	switch {
	case s.AuthType != "":
		return s.AuthType
	case s.Token != "":
		return "pat"
	case s.ClientID != "" && s.ClientSecret != "":
		return "oauth-m2m"
	case s.ClientID != "":
		return "github-oidc"
	}
	return ""
}

// userinfo returns the userinfo ("user:password") of a URL, or "". It
// works on text that does not parse as a URL too. A pasted secret may hold
// a "/", "?" or "#", which would end the authority by the URL standard:
// when the authority has no "@" but the text after it does, everything up
// to the last "@" is taken for userinfo, since a host input has no path
// worth showing (hiding too much of a bad host input beats showing part of
// a secret).
func userinfo(v string) string {
	_, rest, ok := strings.Cut(v, "://")
	if !ok {
		rest = v
	}
	auth := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth = rest[:i]
	}
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		return auth[:at+1]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return rest[:at+1]
	}
	return ""
}

// withoutUserinfo returns a URL with its userinfo, if any, replaced by
// "***", so that a credential pasted into a host input is never printed.
func withoutUserinfo(v string) string {
	info := userinfo(v)
	if info == "" {
		return v
	}
	return strings.Replace(v, info, "***@", 1)
}

// userinfoSecret returns the part of a URL's userinfo that is likely a
// secret, to be masked: the password, or the user name without one.
func userinfoSecret(v string) string {
	info := strings.TrimSuffix(userinfo(v), "@")
	user, pw, _ := strings.Cut(info, ":")
	return cmp.Or(pw, user)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (s side) String() string { return fmt.Sprintf("%s (%s)", s.Host, s.authType()) }
