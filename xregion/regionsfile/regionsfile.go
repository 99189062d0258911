// Package regionsfile reads a regions file: the workspaces of a fleet, the
// source and every target region, with the names of the environment
// variables that hold their secrets (never the secrets themselves).
//
//	source:                            # optional
//	  host: https://us.cloud.databricks.example
//	  auth-type: oauth-m2m
//	  client-id: 1a2b…
//	  client-secret-env: SOURCE_SECRET
//	regions:
//	  - name: eu-west-1
//	    host: https://eu.cloud.databricks.example
//	    token-env: EU_WEST_1_TOKEN
//	    endpoint: fraud-eu             # optional per-region overrides
//	waves:                             # optional; default: one wave of all
//	  - [eu-west-1]
//
// The file is parsed strictly (unknown or repeated keys are errors) and
// checked as a whole before anything is requested; every error is one line
// naming the file, the entry and the key. The package reads no environment
// itself: the caller passes the function that does.
package regionsfile

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/rollout"
	"gopkg.in/yaml.v3"
)

// Settings is how to reach one workspace, as the file gives it, with the
// secrets read from the variables it names.
type Settings struct {
	Host          string
	Token         string
	ClientID      string
	ClientSecret  string
	AuthType      string
	AzureTenantID string
}

// Client returns the settings for [client.New].
func (s Settings) Client() client.Settings {
	return client.Settings{Host: s.Host, AuthType: s.AuthType, Token: s.Token, ClientID: s.ClientID, ClientSecret: s.ClientSecret, AzureTenantID: s.AzureTenantID}
}

// File is a parsed and checked regions file.
type File struct {
	Path string
	// Source is the file's source, nil when it has none.
	Source *Settings
	// Regions are the targets, in the file's order.
	Regions []Entry
	// Waves are the regions' names, wave by wave; nil: one wave.
	Waves [][]string
	// Secrets are the values read from the variables the file names: what
	// must never be printed.
	Secrets []string
}

// Entry is one target region of a regions file.
type Entry struct {
	Name     string
	Settings Settings
	// Vars are the names of the variables the entry names, by key
	// (token-env, client-secret-env).
	Vars map[string]string
	// Per-region overrides; empty keeps the run's.
	Endpoint, OnlineCatalog, WorkloadSize string
}

// Options says how [Load] reads secrets and checks entries.
type Options struct {
	// Getenv reads an environment variable. Required.
	Getenv func(string) string
	// Secret, if set, is called with every secret as soon as it is read
	// (to mask it), before anything else happens.
	Secret func(string)
	// CheckEntry, if set, checks each region entry once its secrets are
	// read; where names the entry, such as "regions[0] (eu-west-1)". Its
	// error is returned as it is ([Errorf] formats one).
	CheckEntry func(where string, e Entry) error
	// DefaultEndpoint is the endpoint an entry without an endpoint key
	// deploys to: two entries deploying to the same endpoint of one
	// workspace are an error.
	DefaultEndpoint string
}

// Keys of a regions file.
var (
	topKeys    = []string{"source", "regions", "waves"}
	sideKeys   = []string{"host", "auth-type", "token-env", "client-id", "client-secret-env", "azure-tenant-id"}
	regionKeys = append([]string{"name"}, append(slices.Clone(sideKeys), "endpoint", "online-catalog", "workload-size")...)
)

// Errorf returns the one-line error of a bad regions file: an
// [*xregion.InputError] of the input "regions" naming the file, the entry
// (where, may be empty) and the key the message names.
func Errorf(path, where, format string, args ...any) error {
	if where != "" {
		where += ": "
	}
	return invalid.Input("regions", path, "%s%s", where, fmt.Sprintf(format, args...))
}

// Load reads and checks the regions file at path as a whole.
func Load(path string, o Options) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, Errorf(path, "", "cannot read the file: %v", errors.Unwrap(err))
	}
	return parse(path, b, o)
}

func parse(path string, b []byte, o Options) (*File, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errorf(path, "", "not valid YAML or JSON: %s", strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: "), "\n", "; "))
	}
	// A second document (after "---") would be ignored: refuse it.
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, Errorf(path, "", "holds more than one YAML document; put everything in one")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Errorf(path, "", "the file is empty; want a mapping with regions (and optionally source and waves)")
	}
	f := &File{Path: path}
	top, err := nodes(path, "", doc.Content[0], topKeys)
	if err != nil {
		return nil, err
	}
	if n := top["source"]; n != nil {
		vals, err := mapping(path, "source", n, sideKeys)
		if err != nil {
			return nil, err
		}
		s, err := f.side(o, "source", vals)
		if err != nil {
			return nil, err
		}
		f.Source = &s
	}
	list := top["regions"]
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return nil, Errorf(path, "", "key %q: required, a list of at least one region", "regions")
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
		e := Entry{Name: vals["name"], Endpoint: vals["endpoint"], OnlineCatalog: vals["online-catalog"], WorkloadSize: vals["workload-size"]}
		if e.Name == "" {
			return nil, Errorf(path, where, "key %q: required, the region's label", "name")
		}
		if strings.ContainsAny(e.Name, " \t|`,") {
			return nil, Errorf(path, where, "key %q: %q: want a label without spaces, commas, | or `", "name", e.Name)
		}
		where = fmt.Sprintf("regions[%d] (%s)", i, e.Name)
		if j, dup := seen[e.Name]; dup {
			return nil, Errorf(path, where, "key %q: the name is used by regions[%d] too", "name", j)
		}
		seen[e.Name] = i
		e.Vars = map[string]string{"token-env": vals["token-env"], "client-secret-env": vals["client-secret-env"]}
		if e.Settings, err = f.side(o, where, vals); err != nil {
			return nil, err
		}
		if o.CheckEntry != nil {
			if err := o.CheckEntry(where, e); err != nil {
				return nil, err
			}
		}
		// why: an endpoint takes one update at a time (SDK doc of ServingEndpoints.UpdateConfig):
		// two entries deploying to it at once would collide.
		name := e.Endpoint
		if name == "" {
			name = o.DefaultEndpoint
		}
		key := strings.TrimRight(strings.ToLower(e.Settings.Host), "/") + " " + name
		if j, dup := endpoints[key]; dup {
			return nil, Errorf(path, where, "key %q: regions[%d] deploys to the same endpoint of the same workspace", "host", j)
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

// Region returns the entry named name, or nil.
func (f *File) Region(name string) *Entry {
	for i := range f.Regions {
		if f.Regions[i].Name == name {
			return &f.Regions[i]
		}
	}
	return nil
}

// Names returns the regions' names, in the file's order.
func (f *File) Names() []string {
	var out []string
	for _, e := range f.Regions {
		out = append(out, e.Name)
	}
	return out
}

// Target returns the entry as a rollout target on the workspace w.
func (e Entry) Target(w rollout.Workspace) rollout.Target {
	return rollout.Target{Region: e.Name, Workspace: w, Endpoint: e.Endpoint, OnlineCatalog: e.OnlineCatalog, WorkloadSize: e.WorkloadSize}
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

// mapping reads a mapping of scalars, refusing unknown and repeated keys.
func mapping(path, where string, n *yaml.Node, allowed []string) (map[string]string, error) {
	m, err := nodes(path, where, n, allowed)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range m {
		if v.Kind != yaml.ScalarNode {
			return nil, Errorf(path, where, "key %q: want a single value (line %d)", k, v.Line)
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
		return nil, Errorf(path, where, "%s must be a mapping of keys to values (line %d)", what, n.Line)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !slices.Contains(allowed, k) {
			return nil, Errorf(path, where, "key %q: unknown key (line %d); want one of %s", k, n.Content[i].Line, strings.Join(allowed, ", "))
		}
		if _, dup := out[k]; dup {
			return nil, Errorf(path, where, "key %q: given twice (line %d)", k, n.Content[i].Line)
		}
		out[k] = n.Content[i+1]
	}
	return out, nil
}

// envNameRE is what an environment variable name looks like; anything else
// may be a secret pasted into the file, and is never echoed.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// side reads the connection of an entry, reading its secrets from the
// variables it names and reporting them to o.Secret at once.
func (f *File) side(o Options, where string, vals map[string]string) (Settings, error) {
	s := Settings{Host: vals["host"], AuthType: strings.ToLower(vals["auth-type"]), ClientID: vals["client-id"], AzureTenantID: vals["azure-tenant-id"]}
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
			return s, Errorf(f.Path, where, "key %q: want the name of an environment variable, such as EU_TOKEN; map the secret into the step's env", k.key)
		}
		v := o.Getenv(name)
		if v == "" {
			return s, Errorf(f.Path, where, "key %q: the environment variable %s is not set or empty; map the secret into the step's env: (%s: ${{ secrets.%s }})", k.key, name, name, name)
		}
		if o.Secret != nil {
			o.Secret(v)
		}
		f.Secrets = append(f.Secrets, v)
		*k.dst = v
	}
	return s, nil
}

// waves reads the waves: a list of lists of region names, each region in
// exactly one wave.
func waves(path string, n *yaml.Node, regions map[string]int) ([][]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, Errorf(path, "", "key %q: want a list of waves, each a list of region names, such as [[eu-west-1], [ap-southeast-1, us-west-2]]", "waves")
	}
	in := map[string]int{}
	var out [][]string
	for i, w := range n.Content {
		where := fmt.Sprintf("waves[%d]", i)
		if w.Kind != yaml.SequenceNode || len(w.Content) == 0 {
			return nil, Errorf(path, where, "want a non-empty list of region names (line %d)", w.Line)
		}
		var names []string
		for _, r := range w.Content {
			name := strings.TrimSpace(r.Value)
			if r.Kind != yaml.ScalarNode {
				return nil, Errorf(path, where, "want region names (line %d)", r.Line)
			}
			if _, ok := regions[name]; !ok {
				return nil, Errorf(path, where, "region %q is not listed under regions", name)
			}
			if j, dup := in[name]; dup {
				return nil, Errorf(path, where, "region %q is in waves[%d] too; a region rolls out once", name, j)
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
		return nil, Errorf(path, "", "key %q: regions %s are in no wave; list every region in one wave, or leave waves out for one wave of all", "waves", strings.Join(missing, ", "))
	}
	return out, nil
}
