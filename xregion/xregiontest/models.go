package xregiontest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
)

// registeredModel is a registered model with its versions and aliases.
type registeredModel struct {
	versions map[int]catalog.ModelVersionInfo
	aliases  map[string]int // alias -> version
}

// ModelVersions is the fake of w.ModelVersions. It is safe for concurrent
// use. Get it from a [Workspace]; the zero value is not usable.
type ModelVersions struct{ w *Workspace }

// AddModelVersion seeds a model version, keyed by
// CatalogName.SchemaName.ModelName and Version, creating the registered
// model (and its catalog) if needed. Status defaults to READY; Id,
// MetastoreId, CreatedAt and CreatedBy are filled when empty. Aliases are
// ignored: set them with [Workspace.SetAlias].
//
// It panics if the three name parts do not form a valid name, if Version is
// not positive, if the version exists, or if the catalog was created from a
// share.
func (w *Workspace) AddModelVersion(v catalog.ModelVersionInfo) {
	full := v.CatalogName + "." + v.SchemaName + "." + v.ModelName
	mustFull("AddModelVersion", full)
	if v.Version <= 0 {
		panic(fmt.Sprintf("xregiontest: AddModelVersion: %s version %d is not positive", full, v.Version))
	}
	defer w.lock()()
	w.ensureCatalog("AddModelVersion", v.CatalogName)
	m := w.models[full]
	if m == nil {
		m = &registeredModel{versions: map[int]catalog.ModelVersionInfo{}, aliases: map[string]int{}}
		w.models[full] = m
	}
	if _, ok := m.versions[v.Version]; ok {
		panic(fmt.Sprintf("xregiontest: AddModelVersion: %s version %d exists", full, v.Version))
	}
	v = clone(v)
	v.Aliases = nil
	if v.Status == "" {
		v.Status = catalog.ModelVersionInfoStatusReady
	}
	if v.Id == "" {
		v.Id = w.newID("model-version")
	}
	if v.MetastoreId == "" {
		// why: metastore_id is "the unique identifier of the metastore
		// containing the model version" (API docs, ModelVersionInfo).
		v.MetastoreId = w.cfg.metastoreID
	}
	if v.CreatedAt == 0 {
		v.CreatedAt = w.now()
	}
	if v.CreatedBy == "" {
		v.CreatedBy = w.cfg.user
	}
	m.versions[v.Version] = v
	for _, sh := range w.shares {
		if slices.ContainsFunc(sh.info.Objects, func(o sharing.SharedDataObject) bool { return isModel(o.DataObjectType) && o.Name == full }) {
			// why: a new version of a shared model reaches recipients
			// about a minute later (Databricks docs on reading shares); see WithShareLag.
			w.fresh[versionKey(full, v)] = true
			break
		}
	}
}

// SetAlias points alias of the registered model named model
// ("catalog.schema.name") at version, moving it if it pointed elsewhere.
// It panics if the model or the version does not exist or alias is not a
// valid name.
func (w *Workspace) SetAlias(model, alias string, version int) {
	if p := nameProblem(alias); p != "" {
		panic(fmt.Sprintf("xregiontest: SetAlias: alias %q: %s", alias, p))
	}
	defer w.lock()()
	m := w.models[model]
	if m == nil {
		panic(fmt.Sprintf("xregiontest: SetAlias: no model %q", model))
	}
	if _, ok := m.versions[version]; !ok {
		panic(fmt.Sprintf("xregiontest: SetAlias: model %q has no version %d", model, version))
	}
	m.aliases[alias] = version
}

// output returns a copy of version v of m as seen under the name
// cat.schema.name, with its aliases when withAliases is set.
func (m *registeredModel) output(v int, parts []string, withAliases bool) *catalog.ModelVersionInfo {
	out := clone(m.versions[v])
	out.CatalogName, out.SchemaName, out.ModelName = parts[0], parts[1], parts[2]
	out.Aliases = nil
	if withAliases {
		for _, a := range slices.Sorted(maps.Keys(m.aliases)) {
			if m.aliases[a] == v {
				out.Aliases = append(out.Aliases, catalog.RegisteredModelAlias{
					AliasName: a, VersionNum: v,
					CatalogName: parts[0], SchemaName: parts[1], ModelName: parts[2],
				})
			}
		}
	}
	return &out
}

// model finds the registered model called name, locally or through a
// shared catalog.
func (w *Workspace) model(name string) (*registeredModel, []string, error) {
	parts, err := parseFull("model", name)
	if err != nil {
		return nil, nil, err
	}
	src, srcName, found := w.resolve(parts, isModel)
	var m *registeredModel
	if found {
		m = src.models[srcName]
	}
	if m == nil {
		return nil, nil, NotFound("Registered model '%s' does not exist.", name)
	}
	if src == w {
		return m, parts, nil
	}
	// Read through a share: leave out the versions the share lag still
	// hides, and the aliases that point at them. Every read of the model
	// counts for each of its hidden versions.
	view := &registeredModel{versions: map[int]catalog.ModelVersionInfo{}, aliases: map[string]int{}}
	for _, n := range slices.Sorted(maps.Keys(m.versions)) {
		v := m.versions[n]
		if !w.lagHides(src, versionKey(srcName, v), fmt.Sprintf("%s@%d", name, n)) {
			view.versions[n] = v
		}
	}
	for a, n := range m.aliases {
		if _, ok := view.versions[n]; ok {
			view.aliases[a] = n
		}
	}
	return view, parts, nil
}

// Get returns a model version. Aliases are included only when
// IncludeAliases is set. It returns a 404 RESOURCE_DOES_NOT_EXIST error when
// the model or the version does not exist.
func (s *ModelVersions) Get(ctx context.Context, req catalog.GetModelVersionRequest) (*catalog.ModelVersionInfo, error) {
	return call(ctx, s.w, "ModelVersions.Get", func() (*catalog.ModelVersionInfo, string, error) {
		m, parts, err := s.w.model(req.FullName)
		if err != nil {
			return nil, "", err
		}
		if _, ok := m.versions[req.Version]; !ok {
			return nil, "", NotFound("Model version %s/%d does not exist.", req.FullName, req.Version)
		}
		return m.output(req.Version, parts, req.IncludeAliases), "", nil
	})
}

// GetByAlias returns the model version an alias points at, with its
// aliases. It returns a 404 RESOURCE_DOES_NOT_EXIST error when the model or
// the alias does not exist.
func (s *ModelVersions) GetByAlias(ctx context.Context, req catalog.GetByAliasRequest) (*catalog.ModelVersionInfo, error) {
	return call(ctx, s.w, "ModelVersions.GetByAlias", func() (*catalog.ModelVersionInfo, string, error) {
		m, parts, err := s.w.model(req.FullName)
		if err != nil {
			return nil, "", err
		}
		v, ok := m.aliases[req.Alias]
		if !ok {
			return nil, "", NotFound("Alias %s@%s does not exist.", req.FullName, req.Alias)
		}
		return m.output(v, parts, true), "", nil
	})
}

// ListAll returns every version of a model. It returns a 404
// RESOURCE_DOES_NOT_EXIST error when the model does not exist.
func (s *ModelVersions) ListAll(ctx context.Context, req catalog.ListModelVersionsRequest) ([]catalog.ModelVersionInfo, error) {
	return call(ctx, s.w, "ModelVersions.ListAll", func() ([]catalog.ModelVersionInfo, string, error) {
		m, parts, err := s.w.model(req.FullName)
		if err != nil {
			return nil, "", err
		}
		// why: the API promises no order (SDK doc of ModelVersions.List, "no
		// guarantee of a specific ordering"); sorting by the decimal string
		// puts 10 before 2, so callers that assume numeric order fail.
		keys := slices.SortedFunc(maps.Keys(m.versions), func(a, b int) int {
			return strings.Compare(strconv.Itoa(a), strconv.Itoa(b))
		})
		out := []catalog.ModelVersionInfo{}
		for _, v := range keys {
			mv := m.output(v, parts, false)
			// why: list entries carry no aliases (SDK doc of ModelVersions.List),
			// and whether they carry dependencies is undocumented, so the fake
			// leaves them out and callers must re-Get the version.
			mv.ModelVersionDependencies = nil
			out = append(out, *mv)
		}
		return out, "", nil
	})
}
