package xregiontest

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
)

// ListAll lists the catalogs the caller may see, sorted by name: all of them
// for a metastore admin ([WithMetastoreAdmin]), else those it owns (a
// seeded catalog without an owner is the caller's). Grants of USE_CATALOG
// are not modelled.
func (s *Catalogs) ListAll(ctx context.Context, req catalog.ListCatalogsRequest) ([]catalog.CatalogInfo, error) {
	return call(ctx, s.w, "Catalogs.ListAll", func() ([]catalog.CatalogInfo, string, error) {
		out := make([]catalog.CatalogInfo, 0, len(s.w.catalogs))
		for _, c := range s.w.catalogs {
			// why: "If the caller is the metastore admin, all catalogs will
			// be retrieved. Otherwise, only catalogs owned by the caller (or
			// for which the caller has the USE_CATALOG privilege)" (SDK doc
			// of CatalogsService.List).
			if !s.w.cfg.admin && c.Owner != s.w.cfg.user {
				continue
			}
			out = append(out, clone(c))
		}
		slices.SortFunc(out, func(a, b catalog.CatalogInfo) int { return strings.Compare(a.Name, b.Name) })
		return out, "", nil
	})
}

// listCatalogs serves a page of the workspace's catalogs.
func (h *handler) listCatalogs(_ http.ResponseWriter, r *http.Request, _ []string) (any, error) {
	var req catalog.ListCatalogsRequest
	if err := decodeQuery(r, &req); err != nil {
		return nil, err
	}
	pg, err := h.newPager("max_results", req.MaxResults, req.PageToken)
	if err != nil {
		return nil, err
	}
	all, err := h.w.Catalogs.ListAll(r.Context(), catalog.ListCatalogsRequest{})
	if err != nil {
		return nil, err
	}
	items, next := page(pg, all, func(x catalog.CatalogInfo) string { return x.Name })
	return catalog.ListCatalogsResponse{Catalogs: items, NextPageToken: next}, nil
}
