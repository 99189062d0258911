package deps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
)

// StepShareVisible is the step name [WaitShareVisible] reports in errors.
const StepShareVisible = "WaitShareVisible"

// DefaultShareVisibleTimeout is how long [WaitShareVisible] waits, by
// default, for a share's objects to reach the target. The service caches
// what a recipient sees of a share for about a minute.
const DefaultShareVisibleTimeout = 5 * time.Minute

// SharedReaders are the target-workspace services [WaitShareVisible] reads
// the shared catalog with.
type SharedReaders struct {
	ModelVersions ModelVersions
	Tables        Tables
	Functions     Functions
}

// VisibleSpec says which shared objects to wait for.
type VisibleSpec struct {
	// Catalog is the catalog mounted from the share in the target.
	Catalog string
	// Dependencies are the model version and what it needs, under their
	// source names: each catalog.schema.name is looked for as
	// Catalog.schema.name, and the model version under its number.
	Dependencies *Dependencies
	// Region labels the target in progress records and errors.
	Region string
	// Timeout bounds the wait. Default: [DefaultShareVisibleTimeout].
	Timeout time.Duration
	// Served says the target already serves the model version from the
	// catalog (an endpoint serves it, as wanted): the version and its
	// functions were visible when it was deployed, and objects are never
	// removed from the share by xregion, so only the tables, which are
	// read through the catalog next, are waited for.
	Served bool
}

// WaitShareVisible waits until the target workspace sees, through the
// catalog mounted from the share, the model version and every table and
// function it depends on. Share changes, such as an object just added or a
// new version of a shared model, reach a recipient about a minute after
// they are made; reading through the shared catalog before that finds the
// old state, or nothing.
//
// It polls with the settings' backoff until every object reads back, logging
// progress ("2 of 3 shared objects visible in eu-west-1") and what it still
// waits for; an object seen once is not read again. Not-found answers mean
// "not yet"; any other error ends the wait. When spec.Timeout passes first
// the error matches [xregion.ErrNotReady] and names what is still missing.
// It makes no write, and in a dry run it returns at once. Every error is a
// [*xregion.StepError].
func WaitShareVisible(ctx context.Context, c SharedReaders, spec VisibleSpec, opts ...xregion.Option) error {
	if err := waitShareVisible(ctx, c, spec, settings.New(opts...)); err != nil {
		return &xregion.StepError{Step: StepShareVisible, Resource: fmt.Sprintf("catalog %q", spec.Catalog), Err: err}
	}
	return nil
}

// sharedObject is one object to look for through the shared catalog.
type sharedObject struct {
	kind, name string // name as the target reads it
	read       func(context.Context) error
	// deferred objects are read after the others of a poll, with
	// lastResort set when none of the others is pending.
	deferred, lastResort bool
}

func waitShareVisible(ctx context.Context, c SharedReaders, spec VisibleSpec, s settings.Settings) error {
	if err := invalid.CheckName("shared catalog", spec.Catalog); err != nil {
		return err
	}
	d := spec.Dependencies
	if d == nil {
		return invalid.Input("dependencies", "", "nothing to wait for: run DiscoverDependencies first")
	}
	if s.DryRun {
		return nil
	}
	at := func(name string) (string, error) {
		n, err := xregion.ParseFullName("shared object", name)
		if err != nil {
			return "", err
		}
		return n.InCatalog(spec.Catalog).String(), nil
	}
	model, err := at(d.Model)
	if err != nil {
		return err
	}
	var objs []*sharedObject
	if !spec.Served {
		objs = append(objs, &sharedObject{kind: "model version", name: fmt.Sprintf("%s version %d", model, d.Version), read: func(ctx context.Context) error {
			_, err := c.ModelVersions.Get(ctx, catalog.GetModelVersionRequest{FullName: model, Version: d.Version})
			return err
		}})
	}
	var lists []*schemaLists // reset before each poll
	var fnListed *schemaLists
	if l, ok := c.Functions.(FunctionLister); ok {
		fnListed = &schemaLists{list: func(ctx context.Context, cat, schema string) ([]string, error) {
			all, err := l.ListAll(ctx, catalog.ListFunctionsRequest{CatalogName: cat, SchemaName: schema})
			names := make([]string, len(all))
			for i, f := range all {
				names[i] = f.FullName
			}
			return names, err
		}}
		lists = append(lists, fnListed)
	}
	for _, f := range d.Functions {
		if spec.Served {
			break
		}
		name, err := at(f.Name)
		if err != nil {
			return err
		}
		read := func(ctx context.Context) error {
			_, err := c.Functions.Get(ctx, catalog.GetFunctionRequest{Name: name})
			return err
		}
		o := sharedObject{kind: "function", name: name, read: read}
		if fnListed != nil {
			// One list of the schema per poll answers for all its
			// functions. Whether a list shows a shared FeatureSpec is not
			// known (not documented: only terraform's share docs list FEATURE_SPEC objects): one it leaves out is read,
			// once nothing else is pending. While other objects are still
			// on their way the share is evidently late, and the read would
			// only say "not yet" too.
			get := read
			o.read = func(ctx context.Context) error {
				err := fnListed.has(ctx, name)
				if err == nil || isMissing(err) && !o.lastResort {
					return err
				}
				return get(ctx) // not listed and nothing else pending, or the list failed
			}
			o.deferred = true
		}
		objs = append(objs, &o)
	}
	var listed *schemaLists
	if l, ok := c.Tables.(TableLister); ok {
		listed = &schemaLists{list: func(ctx context.Context, cat, schema string) ([]string, error) {
			all, err := l.ListAll(ctx, catalog.ListTablesRequest{CatalogName: cat, SchemaName: schema})
			names := make([]string, len(all))
			for i, t := range all {
				names[i] = t.FullName
			}
			return names, err
		}}
		lists = append(lists, listed)
	}
	for _, t := range d.Tables {
		name, err := at(t.Name)
		if err != nil {
			return err
		}
		read := func(ctx context.Context) error {
			_, err := c.Tables.Get(ctx, catalog.GetTableRequest{FullName: name})
			return err
		}
		if listed != nil {
			// One list of the schema per poll answers for all its tables;
			// if the list fails, the table is read.
			get := read
			read = func(ctx context.Context) error {
				if err := listed.has(ctx, name); err == nil || isMissing(err) {
					return err
				}
				return get(ctx)
			}
		}
		objs = append(objs, &sharedObject{kind: "table", name: name, read: read})
	}

	if len(objs) == 0 {
		return nil // served, and no table to read through the catalog
	}
	region := cmp.Or(spec.Region, "the target")
	log := s.Logger.With("step", StepShareVisible, "catalog", spec.Catalog)
	timeout := cmp.Or(spec.Timeout, DefaultShareVisibleTimeout)
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errShareTimeout)
	defer cancel()

	pending := objs
	err = settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		for _, l := range lists {
			l.reset() // each poll lists afresh
		}
		// Deferred objects go last, told whether any other is still
		// pending.
		var still []*sharedObject
		others := 0 // objects not deferred still pending
		for _, deferred := range []bool{false, true} {
			if deferred {
				others = len(still)
			}
			for _, o := range pending {
				if o.deferred != deferred {
					continue
				}
				o.lastResort = deferred && others == 0
				err := o.read(ctx)
				switch {
				case isMissing(err):
					still = append(still, o)
				case err != nil:
					return false, fmt.Errorf("read shared %s %s: %w", o.kind, o.name, err)
				}
			}
		}
		pending = still
		if len(pending) == 0 {
			log.InfoContext(ctx, fmt.Sprintf("%d of %d shared objects visible in %s", len(objs), len(objs), region))
			return true, nil
		}
		log.InfoContext(ctx, fmt.Sprintf("%d of %d shared objects visible in %s", len(objs)-len(pending), len(objs), region),
			"waiting_for", names(pending))
		return false, nil
	})
	if err != nil {
		if errors.Is(err, errShareTimeout) || errors.Is(err, xregion.ErrWaitStopped) {
			return fmt.Errorf("after %s, %d of %d shared objects are visible in %s; still missing: %s. "+
				"Share changes usually reach a recipient within about a minute: check that they are in the share: %w",
				timeout, len(objs)-len(pending), len(objs), region, strings.Join(names(pending), ", "), errors.Join(xregion.ErrNotReady, err))
		}
		return err
	}
	return nil
}

var errShareTimeout = errors.New("timed out waiting for the share to reach the target")

// TableLister lists the tables of a schema (w.Tables does). When the
// tables client of [SharedReaders] is one, WaitShareVisible lists each
// schema once per poll instead of reading each table.
type TableLister interface {
	ListAll(ctx context.Context, request catalog.ListTablesRequest) ([]catalog.TableInfo, error)
}

var _ TableLister = catalog.TablesInterface(nil)

// FunctionLister lists the functions of a schema (w.Functions does): the
// share wait then lists each schema once per poll instead of reading each
// function.
type FunctionLister interface {
	ListAll(ctx context.Context, request catalog.ListFunctionsRequest) ([]catalog.FunctionInfo, error)
}

var _ FunctionLister = catalog.FunctionsInterface(nil)

// schemaLists lists each schema once per poll, on demand.
type schemaLists struct {
	list  func(ctx context.Context, catalog, schema string) ([]string, error)
	names map[string]map[string]bool // schema -> lower-case table names listed
	errs  map[string]error
}

func (s *schemaLists) reset() { s.names, s.errs = map[string]map[string]bool{}, map[string]error{} }

// has reports nil when the table full (catalog.schema.table) is listed, an
// error matching apierr.ErrNotFound when it is not (yet), or the list's
// error.
func (s *schemaLists) has(ctx context.Context, full string) error {
	parts := strings.SplitN(full, ".", 3)
	key := parts[0] + "." + parts[1]
	if _, done := s.names[key]; !done {
		if _, failed := s.errs[key]; !failed {
			all, err := s.list(ctx, parts[0], parts[1])
			if err != nil {
				s.errs[key] = err
			} else {
				set := map[string]bool{}
				for _, n := range all {
					set[strings.ToLower(n)] = true
				}
				s.names[key] = set
			}
		}
	}
	if err := s.errs[key]; err != nil {
		return err
	}
	if !s.names[key][strings.ToLower(full)] {
		return fmt.Errorf("%s not listed yet: %w", full, apierr.ErrNotFound)
	}
	return nil
}

func names(objs []*sharedObject) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.kind + " " + o.name
	}
	slices.Sort(out)
	return out
}
