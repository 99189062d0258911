package xregiontest

import (
	"context"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// ListAll lists the tables of one schema (CatalogName and SchemaName are
// required), sorted by name, as this workspace sees them: its own, or,
// through a catalog created from a share, the share's tables of that
// schema the share lag no longer hides. Each list (its first page, over
// HTTP) counts as a read of every table it could show, for the lag
// ([WithShareLag]). It answers 404
// when the catalog does not exist, or a schema of a local catalog does
// not.
func (s *Tables) ListAll(ctx context.Context, req catalog.ListTablesRequest) ([]catalog.TableInfo, error) {
	return call(ctx, s.w, "Tables.ListAll", func() ([]catalog.TableInfo, string, error) {
		out, err := s.w.listTables(req.CatalogName, req.SchemaName, req.PageToken == "")
		return out, "", err
	})
}

// listTables lists a schema's tables; first is set for the first page of
// a list, which alone counts as a read for the share lag, so that the lag
// hides as much from a list of many pages as from one of one.
func (w *Workspace) listTables(cat, schema string, first bool) ([]catalog.TableInfo, error) {
	if cat == "" || schema == "" {
		// why: the service requires both (TablesAPI.List doc comment).
		return nil, InvalidParameter("catalog_name and schema_name are required")
	}
	c, ok := w.catalogs[cat]
	if !ok {
		return nil, NotFound("Catalog '%s' does not exist.", cat)
	}
	var out []catalog.TableInfo
	if c.CatalogType != catalog.CatalogTypeDeltasharingCatalog {
		if _, ok := w.schemas[cat+"."+schema]; !ok && !w.hasTablesIn(cat, schema) {
			return nil, NotFound("Schema '%s.%s' does not exist.", cat, schema)
		}
		for name, t := range w.tables {
			// why: "The caller must be a metastore admin or an owner of (or
			// have the SELECT privilege on) the table" (SDK doc of
			// TablesService.List); grants are not modelled.
			if strings.HasPrefix(name, cat+"."+schema+".") && (w.cfg.admin || t.Owner == "" || t.Owner == w.cfg.user) {
				out = append(out, clone(t))
			}
		}
	} else {
		for _, v := range w.visibleShared(c, schema, first, isTableLike) {
			t, found := v.src.tables[v.source]
			if !found {
				continue // dropped at the source
			}
			t = clone(t)
			t.FullName, t.CatalogName, t.SchemaName, t.Name = v.full, v.parts[0], v.parts[1], v.parts[2]
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b catalog.TableInfo) int { return strings.Compare(a.FullName, b.FullName) })
	return out, nil
}

// shared is an object of a share as a catalog created from it shows it.
type shared struct {
	src    *Workspace // the provider's workspace
	source string     // the object's name there
	full   string     // its name in the catalog
	parts  []string   // full, split: catalog, schema, name
}

// visibleShared returns the objects of kind that the catalog c, created
// from a share, shows in schema to a list: first is set for the first page
// of a list, which alone counts as a read for the share lag.
func (w *Workspace) visibleShared(c catalog.CatalogInfo, schema string, first bool, kind func(sharing.SharedDataObjectDataObjectType) bool) []shared {
	// why: a catalog created from a share shows the share's objects
	// (SDK doc of Providers.ListProviderShareAssets), each after the share
	// lag (Databricks docs on reading shares: cached about a minute);
	// "a list that leaves it out" is how the lag shows in lists.
	links, shares := w.eligible()
	link, ok := links[c.ProviderName]
	if !ok || !slices.Contains(shares[c.ProviderName], c.ShareName) {
		return nil
	}
	var out []shared
	for _, e := range link.src.shares[c.ShareName].view() {
		o := e.obj
		exposed := exposedName(o)
		if !kind(o.DataObjectType) || !strings.HasPrefix(exposed, schema+".") {
			continue
		}
		full := c.Name + "." + exposed
		key := objectKey(c.ShareName, o)
		switch {
		case e.gone != "":
			if !w.seesRemoved(link.src, c.ShareName, e, full, first) {
				continue // removed, and the lag no longer hides it
			}
		case first && w.lagHides(link.src, key, full) || !first && w.lagStillHides(link.src, key):
			continue
		}
		out = append(out, shared{src: link.src, source: o.Name, full: full, parts: strings.SplitN(full, ".", 3)})
	}
	return out
}

// hasTablesIn reports whether a local schema holds seeded tables: AddTable
// creates no schema entry.
func (w *Workspace) hasTablesIn(cat, schema string) bool {
	for name := range w.tables {
		if strings.HasPrefix(name, cat+"."+schema+".") {
			return true
		}
	}
	return false
}

// ListAll lists the functions of one schema (CatalogName and SchemaName
// are required), sorted by name, as this workspace sees them: its own, or,
// through a catalog created from a share, the share's functions and
// FeatureSpecs of that schema the share lag no longer hides. Each list
// (its first page, over HTTP) counts as a read of every function it could
// show, for the lag.
func (s *Functions) ListAll(ctx context.Context, req catalog.ListFunctionsRequest) ([]catalog.FunctionInfo, error) {
	return call(ctx, s.w, "Functions.ListAll", func() ([]catalog.FunctionInfo, string, error) {
		out, err := s.w.listFunctions(req.CatalogName, req.SchemaName, req.PageToken == "")
		return out, "", err
	})
}

func (w *Workspace) listFunctions(cat, schema string, first bool) ([]catalog.FunctionInfo, error) {
	if cat == "" || schema == "" {
		// why: the service requires both (FunctionsAPI.List doc comment).
		return nil, InvalidParameter("catalog_name and schema_name are required")
	}
	c, ok := w.catalogs[cat]
	if !ok {
		return nil, NotFound("Catalog '%s' does not exist.", cat)
	}
	var out []catalog.FunctionInfo
	if c.CatalogType != catalog.CatalogTypeDeltasharingCatalog {
		for name, f := range w.functions {
			if strings.HasPrefix(name, cat+"."+schema+".") {
				out = append(out, clone(f.info))
			}
		}
	} else {
		for _, v := range w.visibleShared(c, schema, first, isFunctionLike) {
			f, found := v.src.functions[v.source]
			if !found {
				continue // dropped at the source
			}
			info := clone(f.info)
			info.FullName, info.CatalogName, info.SchemaName, info.Name = v.full, v.parts[0], v.parts[1], v.parts[2]
			out = append(out, info)
		}
	}
	slices.SortFunc(out, func(a, b catalog.FunctionInfo) int { return strings.Compare(a.FullName, b.FullName) })
	return out, nil
}
