package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
	"gopkg.in/yaml.v3"
)

// regionsFile is a parsed and checked regions file: the targets of a fleet
// rollout, their waves, and optionally the source.
type regionsFile struct {
	Path string
	// Source is the file's source, nil when it has none.
	Source *side
	// Regions are the targets, in the file's order.
	Regions []regionEntry
	// Waves are the regions' names, wave by wave; nil: one wave.
	Waves [][]string
	// secrets are the values read from the variables the file names.
	secrets []string
}

// regionEntry is one target of a regions file.
type regionEntry struct {
	Name string
	Side side
	// vars are the variables the entry names, by key (token-env,
	// client-secret-env).
	vars map[string]string
	// Per-region overrides of the action's inputs; empty keeps them.
	Endpoint, OnlineCatalog, WorkloadSize string
}

// Keys of a regions file. Secrets are never in the file, only the names of
// the environment variables that hold them.
var (
	topKeys    = []string{"source", "regions", "waves"}
	sideKeys   = []string{"host", "auth-type", "token-env", "client-id", "client-secret-env", "azure-tenant-id"}
	regionKeys = append([]string{"name"}, append(slices.Clone(sideKeys), "endpoint", "online-catalog", "workload-size")...)
)

// regionsError is the one-line error of a bad regions file: it names the
// input, the file, the entry and the key.
func regionsError(path, where, format string, args ...any) error {
	if where != "" {
		where += ": "
	}
	return xregion.Invalid("regions", path, "%s%s", where, fmt.Sprintf(format, args...))
}

// loadRegions reads and checks the regions file at path as a whole, before
// any request. Every secret it reads from the environment is masked at
// once. spec is the action's spec, for checking per-region overrides.
func loadRegions(a *githubactions.Action, path string, spec rollout.Spec) (*regionsFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, regionsError(path, "", "cannot read the file: %v", errors.Unwrap(err))
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, regionsError(path, "", "not valid YAML or JSON: %s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", "; "))
	}
	// A second document (after "---") would be ignored: refuse it.
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, regionsError(path, "", "holds more than one YAML document; put everything in one")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, regionsError(path, "", "the file is empty; want a mapping with regions (and optionally source and waves)")
	}
	f := &regionsFile{Path: path}
	top, err := nodes(path, "", doc.Content[0], topKeys)
	if err != nil {
		return nil, err
	}
	if n := top["source"]; n != nil {
		vals, err := mapping(path, "source", n, sideKeys)
		if err != nil {
			return nil, err
		}
		s, err := f.side(a, "source", vals)
		if err != nil {
			return nil, err
		}
		f.Source = &s
	}
	list := top["regions"]
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, regionsError(path, "", "key %q: required, a list of at least one region", "regions")
	}
	seen := map[string]int{}
	endpoints := map[string]int{} // by host and endpoint name
	for i, n := range list.Content {
		where := fmt.Sprintf("regions[%d]", i)
		if name := entryName(n); name != "" {
			where += " (" + name + ")"
		}
		vals, err := mapping(path, where, n, regionKeys)
		if err != nil {
			return nil, err
		}
		e := regionEntry{Name: vals["name"], Endpoint: vals["endpoint"], OnlineCatalog: vals["online-catalog"], WorkloadSize: vals["workload-size"]}
		if e.Name == "" {
			return nil, regionsError(path, where, "key %q: required, the region's label", "name")
		}
		if strings.ContainsAny(e.Name, " \t|`,") {
			return nil, regionsError(path, where, "key %q: %q: want a label without spaces, commas, | or `", "name", e.Name)
		}
		where = fmt.Sprintf("regions[%d] (%s)", i, e.Name)
		if j, dup := seen[e.Name]; dup {
			return nil, regionsError(path, where, "key %q: the name is used by regions[%d] too", "name", j)
		}
		seen[e.Name] = i
		e.vars = map[string]string{"token-env": vals["token-env"], "client-secret-env": vals["client-secret-env"]}
		if e.Side, err = f.side(a, where, vals); err != nil {
			return nil, err
		}
		if err := e.Side.check("target", true, a.Getenv); err != nil {
			return nil, sideError(path, where, err)
		}
		if err := checkOverrides(e, spec); err != nil {
			return nil, regionsError(path, where, "%s", err)
		}
		// why: an endpoint takes one update at a time (service-facts §4):
		// two entries deploying to it at once would collide.
		key := strings.TrimRight(strings.ToLower(e.Side.Host), "/") + " " + cmp.Or(e.Endpoint, spec.Endpoint.Name, rollout.DefaultEndpointName(spec.Model))
		if j, dup := endpoints[key]; dup {
			return nil, regionsError(path, where, "key %q: regions[%d] deploys to the same endpoint of the same workspace", "host", j)
		}
		endpoints[key] = i
		f.Regions = append(f.Regions, e)
	}
	if n := top["waves"]; n != nil {
		if f.Waves, err = waves(path, n, seen); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// entryName is the name of a region entry, if it has a plain one, to name
// the entry in errors.
func entryName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if v := n.Content[i+1]; n.Content[i].Value == "name" && v.Kind == yaml.ScalarNode && !strings.ContainsAny(v.Value, "\n|`") {
			return strings.TrimSpace(v.Value)
		}
	}
	return ""
}

// mapping reads a mapping of scalars (and, at the top, of nodes), refusing
// unknown and repeated keys.
func mapping(path, where string, n *yaml.Node, allowed []string) (map[string]string, error) {
	m, err := nodes(path, where, n, allowed)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range m {
		if v.Kind != yaml.ScalarNode {
			return nil, regionsError(path, where, "key %q: want a single value (line %d)", k, v.Line)
		}
		out[k] = strings.TrimSpace(v.Value)
	}
	return out, nil
}

// nodes reads a mapping whose values may be lists or mappings, refusing
// unknown and repeated keys.
func nodes(path, where string, n *yaml.Node, allowed []string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		what := "the file"
		if where != "" {
			what = where
		}
		return nil, regionsError(path, where, "%s must be a mapping of keys to values (line %d)", what, n.Line)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !slices.Contains(allowed, k) {
			return nil, regionsError(path, where, "key %q: unknown key (line %d); want one of %s", k, n.Content[i].Line, strings.Join(allowed, ", "))
		}
		if _, dup := out[k]; dup {
			return nil, regionsError(path, where, "key %q: given twice (line %d)", k, n.Content[i].Line)
		}
		out[k] = n.Content[i+1]
	}
	return out, nil
}

// envNameRE is what an environment variable name looks like; anything else
// may be a secret pasted into the file, and is never echoed.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// side builds the connection of an entry, reading its secrets from the
// variables it names and masking them at once.
func (f *regionsFile) side(a *githubactions.Action, where string, vals map[string]string) (side, error) {
	s := side{Host: vals["host"], AuthType: strings.ToLower(vals["auth-type"]), ClientID: vals["client-id"], AzureTenantID: vals["azure-tenant-id"]}
	for _, k := range []struct {
		key string
		dst *string
	}{{"token-env", &s.Token}, {"client-secret-env", &s.ClientSecret}} {
		name := vals[k.key]
		if name == "" {
			continue
		}
		if !envNameRE.MatchString(name) {
			// Never echo a value that may be the secret itself.
			return s, regionsError(f.Path, where, "key %q: want the name of an environment variable, such as EU_TOKEN; map the secret into the step's env", k.key)
		}
		v := a.Getenv(name)
		if v == "" {
			return s, regionsError(f.Path, where, "key %q: the environment variable %s is not set or empty; map the secret into the step's env: (%s: ${{ secrets.%s }})", k.key, name, name, name)
		}
		a.AddMask(v)
		f.secrets = append(f.secrets, v)
		*k.dst = v
	}
	return s, nil
}

// sideKey maps the input names of side.check to a regions file's keys.
var sideKey = strings.NewReplacer("target-token", "token-env", "target-client-secret", "client-secret-env", "target-", "")

// sideError restates an error of side.check in a regions file's terms.
func sideError(path, where string, err error) error {
	var ie *xregion.InputError
	if !errors.As(err, &ie) {
		return regionsError(path, where, "%v", err)
	}
	key := sideKey.Replace(ie.Input)
	value := ""
	if ie.Value != "" && !strings.HasSuffix(key, "-env") {
		value = fmt.Sprintf(" %q", ie.Value)
	}
	return regionsError(path, where, "key %q%s: %s", key, value, sideKey.Replace(ie.Reason))
}

// checkOverrides checks an entry's overrides as the action checks its own
// inputs.
func checkOverrides(e regionEntry, spec rollout.Spec) error {
	if ws := e.WorkloadSize; strings.ContainsAny(ws, " \t/.") {
		return fmt.Errorf("key %q %q: want Small, Medium, Large or a custom size name", "workload-size", ws)
	}
	s := spec
	if e.Endpoint != "" {
		s.Endpoint.Name = e.Endpoint
	}
	if e.OnlineCatalog != "" {
		s.OnlineCatalog = e.OnlineCatalog
	}
	var ie *xregion.InputError
	if err := s.Validate(true); errors.As(err, &ie) {
		key := map[string]string{"endpoint": "endpoint", "online catalog": "online-catalog"}[ie.Input]
		if key == "" || (key == "endpoint" && e.Endpoint == "") || (key == "online-catalog" && e.OnlineCatalog == "") {
			return nil // the action's own input; reported against it
		}
		return fmt.Errorf("key %q %q: %s", key, ie.Value, ie.Reason)
	}
	return nil
}

// waves reads the waves: a list of lists of region names, each region in
// exactly one wave.
func waves(path string, n *yaml.Node, regions map[string]int) ([][]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, regionsError(path, "", "key %q: want a list of waves, each a list of region names, such as [[eu-west-1], [ap-southeast-1, us-west-2]]", "waves")
	}
	in := map[string]int{}
	var out [][]string
	for i, w := range n.Content {
		where := fmt.Sprintf("waves[%d]", i)
		if w.Kind != yaml.SequenceNode || len(w.Content) == 0 {
			return nil, regionsError(path, where, "want a non-empty list of region names (line %d)", w.Line)
		}
		var names []string
		for _, r := range w.Content {
			name := strings.TrimSpace(r.Value)
			if r.Kind != yaml.ScalarNode {
				return nil, regionsError(path, where, "want region names (line %d)", r.Line)
			}
			if _, ok := regions[name]; !ok {
				return nil, regionsError(path, where, "region %q is not listed under regions", name)
			}
			if j, dup := in[name]; dup {
				return nil, regionsError(path, where, "region %q is in waves[%d] too; a region rolls out once", name, j)
			}
			in[name] = i
			names = append(names, name)
		}
		out = append(out, names)
	}
	var missing []string
	for name := range regions {
		if _, ok := in[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, regionsError(path, "", "key %q: regions %s are in no wave; list every region in one wave, or leave waves out for one wave of all", "waves", strings.Join(missing, ", "))
	}
	return out, nil
}

// merge returns the file's source with every source-* input given taking
// its place: the action's inputs win.
func (f *regionsFile) merge(in side) side {
	if f.Source == nil {
		return in
	}
	s := *f.Source
	for _, p := range []struct{ dst, v *string }{
		{&s.Host, &in.Host}, {&s.Token, &in.Token}, {&s.ClientID, &in.ClientID}, {&s.ClientSecret, &in.ClientSecret},
		{&s.AuthType, &in.AuthType}, {&s.AzureTenantID, &in.AzureTenantID},
	} {
		if *p.v != "" {
			*p.dst = *p.v
		}
	}
	return s
}

// targets returns the fleet's targets, connected by ws (keyed by name).
func (f *regionsFile) targets(ws map[string]rollout.Workspace) []rollout.Target {
	var out []rollout.Target
	for _, e := range f.Regions {
		out = append(out, rollout.Target{Region: e.Name, Workspace: ws[e.Name], Endpoint: e.Endpoint, OnlineCatalog: e.OnlineCatalog, WorkloadSize: e.WorkloadSize})
	}
	return out
}

// readFleet reads the regions file the regions input names, after the
// other inputs: the file's source under the source-* inputs, and every
// region's connection. Nothing is requested before the whole file is
// known to be valid.
func (in *inputs) readFleet(a *githubactions.Action) error {
	if in.Target != (side{}) {
		return xregion.Invalid("regions", in.Regions, "give regions or target-host (with the other target-* inputs), not both")
	}
	if in.Region != "" {
		return xregion.Invalid("region", in.Region, "labels the one target-host; with regions, each entry's name labels its region")
	}
	f, err := loadRegions(a, in.Regions, in.Spec)
	if err != nil {
		return err
	}
	in.Fleet = f
	in.Source = f.merge(in.Source)
	if err := in.Source.check("source", in.Spec.Phase != rollout.PhaseDeploy, a.Getenv); err != nil {
		return err
	}
	if in.PollInterval > 0 && in.PollInterval < MinPollInterval {
		loopback := loopbackHost(in.Source.Host)
		for _, r := range f.Regions {
			loopback = loopback && loopbackHost(r.Side.Host)
		}
		if !loopback {
			return xregion.Invalid("poll-interval", in.PollInterval.String(), "at least %s against a real workspace (shorter only when every host is a loopback address, as the emulator's)", MinPollInterval)
		}
	}
	return nil
}
