package xregiontest

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
)

// ListAll lists the schemas of a catalog (CatalogName is required), sorted
// by name: a catalog created from a share shows the schemas its share's
// objects are exposed under, a local catalog its default and
// information_schema schemas, those created in it and those seeded tables
// live in. It answers 404 when the catalog does not exist.
func (s *Schemas) ListAll(ctx context.Context, req catalog.ListSchemasRequest) ([]catalog.SchemaInfo, error) {
	return call(ctx, s.w, "Schemas.ListAll", func() ([]catalog.SchemaInfo, string, error) {
		out, err := s.w.listSchemas(req.CatalogName)
		return out, "", err
	})
}

func (w *Workspace) listSchemas(cat string) ([]catalog.SchemaInfo, error) {
	if cat == "" {
		// why: the service requires it (SchemasAPI.List doc comment).
		return nil, InvalidParameter("catalog_name is required")
	}
	c, ok := w.catalogs[cat]
	if !ok {
		return nil, NotFound("Catalog '%s' does not exist.", cat)
	}
	// why: every catalog lists an information_schema (Databricks docs on
	// the information schema), shared ones too (assumed: the more
	// inconvenient case for a caller walking the schemas).
	names := []string{"information_schema"}
	if c.CatalogType == catalog.CatalogTypeDeltasharingCatalog {
		// why: its schemas are those its share's objects are exposed
		// under (schemaExists), read through the provider link.
		links, shares := w.eligible()
		if link, ok := links[c.ProviderName]; ok && slices.Contains(shares[c.ProviderName], c.ShareName) {
			for _, o := range link.src.shares[c.ShareName].info.Objects {
				s, _, _ := strings.Cut(exposedName(o), ".")
				names = append(names, s)
			}
		}
	} else {
		names = append(names, "default")
		for full := range w.schemas {
			if c, s, _ := strings.Cut(full, "."); c == cat {
				names = append(names, s)
			}
		}
		for full := range w.tables {
			if parts := strings.SplitN(full, ".", 3); len(parts) == 3 && parts[0] == cat {
				names = append(names, parts[1])
			}
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]catalog.SchemaInfo, len(names))
	for i, n := range names {
		out[i] = catalog.SchemaInfo{Name: n, CatalogName: cat, FullName: cat + "." + n, CatalogType: c.CatalogType, MetastoreId: w.cfg.metastoreID}
	}
	return out, nil
}

// listSchemas serves a page of the schemas of a catalog.
func (h *handler) listSchemas(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.ListSchemasRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Schemas.ListAll(r.Context(), catalog.ListSchemasRequest{CatalogName: req.CatalogName})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x catalog.SchemaInfo) string { return x.FullName })
	return catalog.ListSchemasResponse{Schemas: items, NextPageToken: next}, nil
}
