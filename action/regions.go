package main

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"strings"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/regionsfile"
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/sethvargo/go-githubactions"
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

// regionsError is the one-line error of a bad regions file: it names the
// input, the file, the entry and the key.
func regionsError(path, where, format string, args ...any) error {
	return regionsfile.Errorf(path, where, format, args...)
}

// loadRegions reads and checks the regions file at path as a whole, before
// any request (xregion/regionsfile). Every secret it reads from the
// environment is masked at once. spec is the action's spec, for checking
// per-region overrides.
func loadRegions(a *githubactions.Action, path string, spec rollout.Spec) (*regionsFile, error) {
	lf, err := regionsfile.Load(path, regionsfile.Options{
		Getenv:          a.Getenv,
		Secret:          a.AddMask,
		DefaultEndpoint: cmp.Or(spec.Endpoint.Name, rollout.DefaultEndpointName(spec.Model)),
		CheckEntry: func(where string, e regionsfile.Entry) error {
			if err := side(e.Settings).check("target", true, a.Getenv); err != nil {
				return sideError(path, where, err)
			}
			if err := checkOverrides(regionEntry{Endpoint: e.Endpoint, OnlineCatalog: e.OnlineCatalog, WorkloadSize: e.WorkloadSize}, spec); err != nil {
				return regionsError(path, where, "%s", err)
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	f := &regionsFile{Path: lf.Path, Waves: lf.Waves, secrets: lf.Secrets}
	if lf.Source != nil {
		s := side(*lf.Source)
		f.Source = &s
	}
	for _, e := range lf.Regions {
		f.Regions = append(f.Regions, regionEntry{Name: e.Name, Side: side(e.Settings), vars: e.Vars, Endpoint: e.Endpoint, OnlineCatalog: e.OnlineCatalog, WorkloadSize: e.WorkloadSize})
	}
	return f, nil
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
	if err := s.Validate(rollout.WithSource); errors.As(err, &ie) {
		key := map[string]string{"endpoint": "endpoint", "online catalog": "online-catalog"}[ie.Input]
		if key == "" || (key == "endpoint" && e.Endpoint == "") || (key == "online-catalog" && e.OnlineCatalog == "") {
			return nil // the action's own input; reported against it
		}
		return fmt.Errorf("key %q %q: %s", key, ie.Value, ie.Reason)
	}
	return nil
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
		return invalid.Input("regions", in.Regions, "give regions or target-host (with the other target-* inputs), not both")
	}
	if in.Region != "" {
		return invalid.Input("region", in.Region, "labels the one target-host; with regions, each entry's name labels its region")
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
			return invalid.Input("poll-interval", in.PollInterval.String(), "at least %s against a real workspace (shorter only when every host is a loopback address, as the emulator's)", MinPollInterval)
		}
	}
	return nil
}
