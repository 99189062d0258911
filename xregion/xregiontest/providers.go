package xregiontest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// Providers is the fake of w.Providers. Its providers are not stored but
// derived from the linked workspaces (see [Link]): a linked workspace S on
// another metastore is a provider of this workspace once S has a D2D
// recipient for this workspace's metastore and has granted that recipient
// SELECT on at least one share. The provider is named after S's Delta
// Sharing organization and lists the shares granted to the recipient.
//
// It is safe for concurrent use. Get it from a [Workspace]; the zero value
// is not usable.
type Providers struct{ w *Workspace }

// providerLink is what a provider name of a recipient stands for: a linked
// workspace and its recipient for the recipient's metastore.
type providerLink struct {
	src       *Workspace
	recipient string
}

// eligible returns, by provider name, the linked workspaces that share
// data with w, and the names of the shares each grants, sorted. It ignores
// the provider lag.
func (w *Workspace) eligible() (map[string]providerLink, map[string][]string) {
	links, shares := map[string]providerLink{}, map[string][]string{}
	me := w.GlobalMetastoreID()
	for _, s := range w.grp.members {
		if s == w || strings.EqualFold(s.GlobalMetastoreID(), me) {
			continue
		}
		if _, ok := links[s.cfg.org]; ok {
			continue
		}
		for _, rn := range slices.Sorted(maps.Keys(s.recipients)) {
			r := s.recipients[rn]
			if r.AuthenticationType != sharing.AuthenticationTypeDatabricks || !strings.EqualFold(r.DataRecipientGlobalMetastoreId, me) {
				continue
			}
			var granted []string
			for _, sn := range slices.Sorted(maps.Keys(s.shares)) {
				if s.shares[sn].grants[rn][sharing.PrivilegeSelect] {
					granted = append(granted, sn)
				}
			}
			// why: "the provider object is created automatically in the
			// recipient metastore once a share is granted" (Databricks docs, "manage providers").
			if len(granted) > 0 {
				links[s.cfg.org] = providerLink{src: s, recipient: rn}
				shares[s.cfg.org] = granted
				break
			}
		}
	}
	return links, shares
}

// visibility is what w's Providers calls show, the provider lag applied.
type visibility struct {
	links     map[string]providerLink
	providers []string            // visible provider names, sorted
	shares    map[string][]string // visible share names by visible provider, sorted
}

func providerKey(p string) string { return "provider\x00" + p }
func shareKey(p, s string) string { return "share\x00" + p + "\x00" + s }
func (w *Workspace) shown(key string) bool {
	return w.cfg.providerLag == 0 || w.seen[key] > w.cfg.providerLag
}

// visible returns what w's Providers calls show now, without counting a
// call.
func (w *Workspace) visible() visibility {
	links, shares := w.eligible()
	v := visibility{links: links, shares: map[string][]string{}}
	for _, p := range slices.Sorted(maps.Keys(links)) {
		if !w.shown(providerKey(p)) {
			continue
		}
		v.providers = append(v.providers, p)
		for _, s := range shares[p] {
			if w.shown(shareKey(p, s)) {
				v.shares[p] = append(v.shares[p], s)
			}
		}
	}
	return v
}

// observe counts one Providers call against the provider lag and returns
// what the call shows.
func (w *Workspace) observe() visibility {
	// why: D2D providers and shares appear in the recipient metastore after
	// an undocumented delay ("manage providers" docs); WithProviderLag models it.
	// A new grant's provider and share start their lag together, so a new
	// provider shows its shares at once: an assumption, not documented.
	links, shares := w.eligible()
	now := map[string]bool{}
	for p := range links {
		now[providerKey(p)] = true
		for _, s := range shares[p] {
			now[shareKey(p, s)] = true
		}
	}
	for k := range w.seen {
		if !now[k] && (strings.HasPrefix(k, "provider\x00") || strings.HasPrefix(k, "share\x00")) {
			delete(w.seen, k) // revoked: the lag starts again on a new grant
		}
	}
	for k := range now {
		w.seen[k]++
	}
	return w.visible()
}

// providerInfo describes the provider that link stands for, as w sees it.
func (w *Workspace) providerInfo(name string, link providerLink) sharing.ProviderInfo {
	s := link.src
	return sharing.ProviderInfo{
		Name:                          name,
		AuthenticationType:            sharing.AuthenticationTypeDatabricks,
		DataProviderGlobalMetastoreId: s.GlobalMetastoreID(),
		MetastoreId:                   s.cfg.metastoreID,
		Cloud:                         s.cfg.cloud,
		Region:                        s.cfg.region,
		Owner:                         w.cfg.providerOwner,
	}
}

// mayListProvider reports whether the caller sees provider p in lists:
// "The caller must either be a metastore admin, have the USE_PROVIDER
// privilege on the providers, or be the owner of the providers. Providers
// not owned by the caller and for which the caller does not have the
// USE_PROVIDER privilege are not included in the response" (SDK doc of
// ProvidersService.List).
func (w *Workspace) mayListProvider(p sharing.ProviderInfo) bool {
	return w.cfg.admin || w.cfg.privileges["USE_PROVIDER"] || p.Owner == w.cfg.user
}

// mayReadProvider reports whether the caller may Get provider p or list its
// shares: "must either be a metastore admin or the owner of the provider"
// (SDK docs of ProvidersService.Get and ListShares).
func (w *Workspace) mayReadProvider(p sharing.ProviderInfo) bool {
	return w.cfg.admin || p.Owner == w.cfg.user
}

// Get returns a provider visible to this workspace. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when there is none of that name.
func (s *Providers) Get(ctx context.Context, req sharing.GetProviderRequest) (*sharing.ProviderInfo, error) {
	return call(ctx, s.w, "Providers.Get", func() (*sharing.ProviderInfo, string, error) {
		v := s.w.observe()
		if !slices.Contains(v.providers, req.Name) {
			return nil, "", NotFound("Provider '%s' does not exist.", req.Name)
		}
		p := s.w.providerInfo(req.Name, v.links[req.Name])
		// why: SDK doc of ProvidersService.Get (see mayReadProvider).
		if !s.w.mayReadProvider(p) {
			return nil, "", PermissionDenied("User does not have permission to read Provider '%s': it needs to be a metastore admin or the owner of the provider.", req.Name)
		}
		return &p, "", nil
	})
}

// ListAll returns the providers visible to this workspace sorted by name,
// only those whose DataProviderGlobalMetastoreId equals the one requested
// when it is set.
func (s *Providers) ListAll(ctx context.Context, req sharing.ListProvidersRequest) ([]sharing.ProviderInfo, error) {
	return call(ctx, s.w, "Providers.ListAll", func() ([]sharing.ProviderInfo, string, error) {
		v := s.w.observe()
		out := []sharing.ProviderInfo{}
		for _, n := range v.providers {
			p := s.w.providerInfo(n, v.links[n])
			// why: "If no providers exist with this ID, no results will be
			// returned" (SDK doc of ListProvidersRequest.DataProviderGlobalMetastoreId).
			if req.DataProviderGlobalMetastoreId != "" && !strings.EqualFold(p.DataProviderGlobalMetastoreId, req.DataProviderGlobalMetastoreId) {
				continue
			}
			// why: the list is filtered by permission, not refused
			// (SDK doc of ProvidersService.List).
			if !s.w.mayListProvider(p) {
				continue
			}
			out = append(out, p)
		}
		return out, "", nil
	})
}

// ListSharesAll returns the shares a provider shares with this workspace,
// sorted by name. It returns a 404 RESOURCE_DOES_NOT_EXIST error when the
// provider is not visible.
func (s *Providers) ListSharesAll(ctx context.Context, req sharing.ListSharesRequest) ([]sharing.ProviderShare, error) {
	return call(ctx, s.w, "Providers.ListSharesAll", func() ([]sharing.ProviderShare, string, error) {
		v := s.w.observe()
		if !slices.Contains(v.providers, req.Name) {
			return nil, "", NotFound("Provider '%s' does not exist.", req.Name)
		}
		// why: SDK doc of ProvidersService.ListShares (see
		// mayReadProvider).
		if !s.w.mayReadProvider(s.w.providerInfo(req.Name, v.links[req.Name])) {
			return nil, "", PermissionDenied("User does not have permission to list the shares of Provider '%s': it needs to be a metastore admin or the owner of the provider.", req.Name)
		}
		out := []sharing.ProviderShare{}
		for _, n := range v.shares[req.Name] {
			out = append(out, sharing.ProviderShare{Name: n})
		}
		return out, "", nil
	})
}

// resolve finds where the object named by parts (catalog, schema, name)
// lives. Outside catalogs created from a share that is w itself, under the
// same name. In such a catalog it is the provider's workspace, under the
// name of the share object that is exposed as schema.name and whose type
// passes kind. found is false when the provider no longer shares the share
// with w or the share holds no such object.
func (w *Workspace) resolve(parts []string, kind func(sharing.SharedDataObjectDataObjectType) bool) (src *Workspace, srcName string, found bool) {
	c, ok := w.catalogs[parts[0]]
	if !ok || c.CatalogType != catalog.CatalogTypeDeltasharingCatalog {
		return w, strings.Join(parts, "."), true
	}
	// why: a catalog created from a share is a read-only, read-through view
	// of the provider's share (the cross-region-model-serving-dab article,
	// "Shared catalogs are read-only"): revoking the grant, deleting the share
	// (docs: "all recipients of that share lose access to it") or dropping the
	// source object makes the object disappear; an object removed from the
	// share goes after the share lag (docs on reading shares).
	links, shares := w.eligible()
	link, ok := links[c.ProviderName]
	if !ok || !slices.Contains(shares[c.ProviderName], c.ShareName) {
		return nil, "", false
	}
	exposed := parts[1] + "." + parts[2]
	for _, e := range link.src.shares[c.ShareName].view() {
		o := e.obj
		if !kind(o.DataObjectType) || exposedName(o) != exposed {
			continue
		}
		if e.gone != "" {
			if w.seesRemoved(link.src, c.ShareName, e, strings.Join(parts, "."), true) {
				return link.src, o.Name, true
			}
			continue
		}
		if w.lagHides(link.src, objectKey(c.ShareName, o), strings.Join(parts, ".")) {
			return nil, "", false
		}
		return link.src, o.Name, true
	}
	return nil, "", false
}

// LaggedRead is a call that did not see a share change because of the share
// lag ([WithShareLag]).
type LaggedRead struct {
	// Method is the call, such as "Tables.Get" or
	// "ServingEndpoints.UpdateConfig".
	Method string
	// Object is what it did not see: a table, function or model as this
	// workspace names it, or "model@version".
	Object string
}

// LaggedReads returns the calls of this workspace that, so far, did not see
// a share change because of the share lag, in order. A rollout that waits
// for the share to reach the target has only the reads of that wait here.
func (w *Workspace) LaggedReads() []LaggedRead {
	defer w.lock()()
	return slices.Clone(w.lagged)
}

// objectKey identifies one addition of object o to a share, for the share
// lag.
func objectKey(share string, o sharing.SharedDataObject) string {
	return fmt.Sprintf("object\x00%s\x00%s\x00%d", share, o.Name, o.AddedAt)
}

// versionKey identifies one model version, for the share lag.
func versionKey(model string, v catalog.ModelVersionInfo) string {
	return fmt.Sprintf("version\x00%s\x00%d\x00%d", model, v.Version, v.CreatedAt)
}

// lagStillHides reports whether the share lag hides the share change key
// of src from w, without counting a read: for the later pages of one list.
func (w *Workspace) lagStillHides(src *Workspace, key string) bool {
	if !src.fresh[key] || w.cfg.shareLag == 0 {
		return false
	}
	return w.seen["lag\x00"+src.GlobalMetastoreID()+"\x00"+key] <= w.cfg.shareLag
}

// lagHides counts one read by w of the share change key of src, and
// reports whether the share lag still hides it, logging the read if so.
func (w *Workspace) lagHides(src *Workspace, key, object string) bool {
	// why: "Share changes reach recipients with a delay of about a minute"
	// (Databricks docs on reading shares: cached for about a minute); reads
	// move the lag on, never the wall clock.
	if !src.fresh[key] || w.cfg.shareLag == 0 {
		return false
	}
	seen := "lag\x00" + src.GlobalMetastoreID() + "\x00" + key
	w.seen[seen]++
	if w.seen[seen] > w.cfg.shareLag {
		return false
	}
	w.lagged = append(w.lagged, LaggedRead{Method: w.method, Object: object})
	return true
}
