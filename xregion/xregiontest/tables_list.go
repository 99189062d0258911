package xregiontest

import (
	"context"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
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
			if strings.HasPrefix(name, cat+"."+schema+".") {
				out = append(out, clone(t))
			}
		}
	} else {
		// why: a catalog created from a share shows the share's objects
		// (reference §3), each after the share lag (service-facts fact 14);
		// "a list that leaves it out" is how the lag shows in lists.
		links, shares := w.eligible()
		link, ok := links[c.ProviderName]
		if ok && slices.Contains(shares[c.ProviderName], c.ShareName) {
			for _, o := range link.src.shares[c.ShareName].info.Objects {
				exposed := exposedName(o)
				if !isTableLike(o.DataObjectType) || !strings.HasPrefix(exposed, schema+".") {
					continue
				}
				full := cat + "." + exposed
				if first && w.lagHides(link.src, objectKey(c.ShareName, o), full) || !first && w.lagStillHides(link.src, objectKey(c.ShareName, o)) {
					continue
				}
				t, found := link.src.tables[o.Name]
				if !found {
					continue // dropped at the source
				}
				t = clone(t)
				parts := strings.SplitN(full, ".", 3)
				t.FullName, t.CatalogName, t.SchemaName, t.Name = full, parts[0], parts[1], parts[2]
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b catalog.TableInfo) int { return strings.Compare(a.FullName, b.FullName) })
	return out, nil
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
		// why: as for tables (see listTables): the share's objects, each
		// after the share lag (service-facts fact 14).
		links, shares := w.eligible()
		link, ok := links[c.ProviderName]
		if ok && slices.Contains(shares[c.ProviderName], c.ShareName) {
			for _, o := range link.src.shares[c.ShareName].info.Objects {
				exposed := exposedName(o)
				if !isFunctionLike(o.DataObjectType) || !strings.HasPrefix(exposed, schema+".") {
					continue
				}
				full := cat + "." + exposed
				if first && w.lagHides(link.src, objectKey(c.ShareName, o), full) || !first && w.lagStillHides(link.src, objectKey(c.ShareName, o)) {
					continue
				}
				f, found := link.src.functions[o.Name]
				if !found {
					continue
				}
				info := clone(f.info)
				parts := strings.SplitN(full, ".", 3)
				info.FullName, info.CatalogName, info.SchemaName, info.Name = full, parts[0], parts[1], parts[2]
				out = append(out, info)
			}
		}
	}
	slices.SortFunc(out, func(a, b catalog.FunctionInfo) int { return strings.Compare(a.FullName, b.FullName) })
	return out, nil
}
