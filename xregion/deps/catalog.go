package deps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/marks"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
)

// StepCatalog is the step name [EnsureSharedCatalog] reports in errors.
const StepCatalog = "EnsureSharedCatalog"

// DefaultProviderTimeout is how long EnsureSharedCatalog waits, by default,
// for the source's provider and share to become visible in the target
// workspace after the grant.
const DefaultProviderTimeout = 5 * time.Minute

// DefaultNamedProviderTimeout is how long EnsureSharedCatalog waits, by
// default, for a provider named in [CatalogSpec.Provider] to appear when
// nothing was just granted: such a provider exists already or is misnamed.
const DefaultNamedProviderTimeout = time.Minute

// DefaultProviderListGrace is how long EnsureSharedCatalog waits, by
// default, when no provider at all is visible right after a grant, before it
// reports that the caller probably may not list providers.
const DefaultProviderListGrace = 15 * time.Second

// providerListHint says who sees providers in lists.
const providerListHint = "provider lists show only the providers you own or hold USE_PROVIDER on, unless you are a metastore admin: " +
	"ask for USE_PROVIDER on the target's metastore (GRANT USE PROVIDER ON METASTORE TO `you`), or name the provider with `provider` " +
	"(reading it by name needs its ownership or metastore admin)"

// CatalogClients are the target-workspace services [EnsureSharedCatalog]
// and [RemoveSharedCatalog] call.
type CatalogClients struct {
	Providers Providers
	Catalogs  Catalogs
	// Editor changes and deletes catalogs. When nil, Catalogs is used if
	// it has those methods too, as w.Catalogs and the fakes do. Without
	// either, EnsureSharedCatalog cannot add the model to an existing
	// catalog's mark (it logs that and goes on) and RemoveSharedCatalog
	// fails.
	Editor CatalogEditor
}

// editor returns the catalog editor, or nil.
func (c CatalogClients) editor() CatalogEditor {
	if c.Editor != nil {
		return c.Editor
	}
	e, _ := c.Catalogs.(CatalogEditor)
	return e
}

// CatalogSpec is the desired shared catalog in the target workspace.
type CatalogSpec struct {
	// Name is the catalog to create from the share, or to accept if it is
	// already mounted from it.
	Name string
	// Share is the share's name in the source workspace.
	Share string
	// Provider names the provider explicitly. When empty it is found by
	// SourceMetastoreID.
	Provider string
	// SourceMetastoreID is the source workspace's global metastore id,
	// "cloud:region:uuid", or its metastore id (the uuid) alone, as a
	// model version's read reports it. Required unless Provider is set.
	// With the uuid alone, providers are listed unfiltered and matched by
	// the uuid their global id ends in.
	SourceMetastoreID string
	// UseExisting accepts only a catalog that already exists and never
	// creates one, for teams without CREATE CATALOG.
	UseExisting bool
	// Comment is set when the catalog is created, with the ownership mark
	// ([xregion.MarkKey]) naming Model appended.
	Comment string
	// Model is the source model's three-part name, the owner named on the
	// catalog's ownership mark: a catalog EnsureSharedCatalog creates is
	// marked for it, and an existing catalog of the share that is marked
	// for other models only gets it added. With no Model, a created
	// catalog is left unmarked, and teardown keeps it unless adopted.
	Model string
	// ProviderTimeout bounds the wait for the provider and the share to show
	// up in the target after the grant. Default: [DefaultProviderTimeout],
	// or [DefaultNamedProviderTimeout] for a named provider when
	// JustGranted is false.
	ProviderTimeout time.Duration
	// JustGranted says that the share was granted, or its recipient
	// created, by this run, so that the provider may still be appearing in
	// the target: an empty provider list is then waited on. Otherwise an
	// empty provider list fails at once, as it means that the caller may
	// not list providers.
	JustGranted bool
	// MaybeJustGranted says that another run may have granted the share
	// moments ago, as a share job right before a deploy-phase run does: an
	// empty provider list is waited on for ProviderListGrace before it is
	// blamed on permissions, but a named provider keeps its shorter
	// deadline.
	MaybeJustGranted bool
	// ProviderListGrace bounds the wait while no provider at all is
	// visible after a grant: the provider of a new recipient appears on
	// its own, but a list that stays empty means that the caller may not
	// list providers. Default: [DefaultProviderListGrace].
	ProviderListGrace time.Duration
}

// CatalogResult reports what [EnsureSharedCatalog] did.
type CatalogResult struct {
	// Catalog is the catalog's name. Shared objects appear in it as
	// <catalog>.<schema>.<name>.
	Catalog string `json:"catalog"`
	// Op is OpCreated, OpUpdated when only the model was added to the
	// existing catalog's ownership mark, or OpUnchanged.
	Op xregion.Op `json:"op"`
	// Provider is the provider the catalog is mounted from.
	Provider string `json:"provider"`
	// Share is the share the catalog is mounted from.
	Share string `json:"share"`
	// MarkWarning says why the model could not be added to the mark of an
	// existing catalog marked for other models (the caller does not own
	// it); the catalog still serves the model.
	MarkWarning string `json:"mark_warning,omitempty"`
}

// EnsureSharedCatalog makes the target workspace hold a catalog mounted from
// the source's share.
//
// It finds the provider whose global metastore id is the source's (or takes
// spec.Provider), waiting with the settings' backoff up to
// spec.ProviderTimeout for it to become visible, and creates the catalog.
// A create that may not have found the share (a share granted moments ago
// may reach the target after its provider) waits for the share in the
// provider's list within the same timeout and creates again. An existing
// catalog is accepted only if it is a Delta Sharing catalog of that
// provider and share; anything else is an error matching
// [xregion.ErrConflict] that says what is there. With spec.UseExisting a
// missing catalog is an error matching [xregion.ErrPrecondition]. Every error
// is a [*xregion.StepError].
//
// A catalog it creates carries the ownership mark of spec.Model in its
// comment; an existing catalog of the share whose comment is marked for
// other models only gets spec.Model added (Op is then OpUpdated); when the
// caller may not change it, the step goes on and says so in
// [CatalogResult].MarkWarning. An unmarked existing catalog is left alone.
func EnsureSharedCatalog(ctx context.Context, c CatalogClients, spec CatalogSpec, opts ...xregion.Option) (*CatalogResult, error) {
	r, err := ensureSharedCatalog(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return nil, &xregion.StepError{Step: StepCatalog, Resource: fmt.Sprintf("catalog %q", spec.Name), Err: err}
	}
	return r, nil
}

func ensureSharedCatalog(ctx context.Context, c CatalogClients, spec CatalogSpec, s settings.Settings) (*CatalogResult, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	log := s.Logger.With("step", StepCatalog, "catalog", spec.Name, "share", spec.Share)

	existing, err := c.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: spec.Name})
	switch {
	case err == nil:
		return markCatalog(ctx, c, spec, existing, s, log)
	case !isMissing(err):
		return nil, fmt.Errorf("read: %w", err)
	case spec.UseExisting:
		return nil, fmt.Errorf("does not exist, and use-existing is set so xregion will not create it: %w", errors.Join(xregion.ErrPrecondition, err))
	}

	if s.DryRun {
		// The provider may appear only once the share is granted: plan
		// with what is visible now.
		provider, err := findProvider(ctx, c.Providers, spec, false)
		if errors.Is(err, errNoProviders) && spec.JustGranted {
			provider, err = "", nil // it appears once the grant is made
		}
		if err != nil {
			return nil, err
		}
		return &CatalogResult{Catalog: spec.Name, Op: xregion.OpCreated, Provider: cmp.Or(provider, spec.Provider), Share: spec.Share}, nil
	}
	var provider string
	create := func(ctx context.Context) error {
		_, err := c.Catalogs.Create(ctx, catalog.CreateCatalog{Name: spec.Name, ProviderName: provider, ShareName: spec.Share, Comment: catalogComment(spec)})
		return err
	}
	// The catalog is created as soon as its provider is visible; only a
	// create that may not have found the share waits for the share in the
	// provider's list, and then creates again. The create runs under the
	// step's context, not the provider wait's deadline. A caller who may
	// not list the provider's shares learns of the share's arrival only
	// from a create that stops answering "not found"; any other refusal
	// of that second create is reported at once.
	var early error
	outer := ctx
	provider, unchecked, tried, err := waitForShare(ctx, c.Providers, spec, s, log, func(_ context.Context, p string) bool {
		provider = p
		early = create(outer)
		return early == nil || !(shareNotThereYet(early) || errors.Is(early, apierr.ErrPermissionDenied))
	})
	if err != nil {
		return nil, err
	}
	if tried {
		err = early
	} else {
		err = create(ctx)
	}
	if unchecked && isMissing(err) {
		// The caller may not list the provider's shares, so the share's
		// arrival shows only as a create that succeeds.
		timeout := cmp.Or(spec.ProviderTimeout, DefaultProviderTimeout)
		wctx, cancel := context.WithTimeoutCause(ctx, timeout, errProviderTimeout)
		defer cancel()
		if perr := settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
			if err = create(ctx); isMissing(err) {
				log.InfoContext(ctx, "waiting for the share to appear in the target", "waiting_for", fmt.Sprintf("share %q from provider %q", spec.Share, provider), "timeout", timeout)
				return false, nil
			}
			return true, nil
		}); perr != nil {
			return nil, fmt.Errorf("share %q from provider %q not visible after %s: was it granted to a recipient for this metastore? %w",
				spec.Share, provider, timeout, errors.Join(xregion.ErrPrecondition, err, perr))
		}
	}
	if isConflict(err) {
		// Created concurrently: accept it only if it is ours.
		existing, gerr := c.Catalogs.Get(ctx, catalog.GetCatalogRequest{Name: spec.Name})
		if gerr != nil {
			return nil, fmt.Errorf("create: %w", errors.Join(err, gerr))
		}
		return markCatalog(ctx, c, spec, existing, s, log)
	}
	if err != nil {
		return nil, fmt.Errorf("create from provider %q share %q: %w", provider, spec.Share, err)
	}
	log.InfoContext(ctx, "created shared catalog", "provider", provider)
	return &CatalogResult{Catalog: spec.Name, Op: xregion.OpCreated, Provider: provider, Share: spec.Share}, nil
}

func (spec CatalogSpec) validate() error {
	if err := invalid.CheckName("shared catalog", spec.Name); err != nil {
		return err
	}
	if err := invalid.CheckName("share", spec.Share); err != nil {
		return err
	}
	if spec.Provider != "" {
		if err := invalid.CheckName("provider", spec.Provider); err != nil {
			return err
		}
		if spec.SourceMetastoreID == "" {
			return nil
		}
	}
	if _, _, _, ok := splitGlobalID(spec.SourceMetastoreID); !ok && !bareMetastoreID(spec.SourceMetastoreID) {
		return invalid.Input("source metastore id", spec.SourceMetastoreID, `want a global metastore id "cloud:region:uuid" or a metastore id, or name the provider`)
	}
	return nil
}

// catalogComment is the comment of a catalog EnsureSharedCatalog creates.
func catalogComment(spec CatalogSpec) string {
	if spec.Model == "" {
		return spec.Comment
	}
	return marks.With(spec.Comment, spec.Model)
}

// markCatalog accepts an existing catalog and adds spec.Model to its
// ownership mark when it is marked for other models only.
func markCatalog(ctx context.Context, c CatalogClients, spec CatalogSpec, cat *catalog.CatalogInfo, s settings.Settings, log *slog.Logger) (*CatalogResult, error) {
	res, err := acceptCatalog(ctx, c.Providers, spec, cat)
	if err != nil || spec.Model == "" || !marks.Parse(cat.Comment).Found {
		return res, err
	}
	comment, changed := marks.AddOwner(cat.Comment, spec.Model)
	if !changed {
		return res, nil
	}
	if s.DryRun {
		res.Op = xregion.OpUpdated
		return res, nil
	}
	ed := c.editor()
	if ed == nil {
		res.MarkWarning = fmt.Sprintf("cannot add %s to the catalog's ownership mark: CatalogClients has no Editor; a teardown of the models named on it "+
			"would remove the catalog %s still uses", spec.Model, spec.Model)
		log.WarnContext(ctx, res.MarkWarning)
		return res, nil
	}
	_, err = ed.Update(ctx, catalog.UpdateCatalog{Name: cat.Name, Comment: comment})
	if errors.Is(err, apierr.ErrPermissionDenied) {
		// The catalog serves the model as it is: go on, and say what it
		// means for teardown.
		res.MarkWarning = fmt.Sprintf("cannot add %s to the catalog's ownership mark (%v): a teardown of the models named on it "+
			"would remove the catalog %s still uses; ask the catalog's owner to run this once", spec.Model, err, spec.Model)
		log.WarnContext(ctx, res.MarkWarning)
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("add model %s to the catalog's ownership mark: %w", spec.Model, err)
	}
	log.InfoContext(ctx, "added the model to the catalog's ownership mark", "model", spec.Model)
	res.Op = xregion.OpUpdated
	return res, nil
}

// acceptCatalog checks that an existing catalog is mounted from the share.
func acceptCatalog(ctx context.Context, providers Providers, spec CatalogSpec, cat *catalog.CatalogInfo) (*CatalogResult, error) {
	if cat.CatalogType != catalog.CatalogTypeDeltasharingCatalog {
		return nil, fmt.Errorf("exists as a %s, want a Delta Sharing catalog of share %q: %w",
			cmp.Or(string(cat.CatalogType), "catalog of unknown type"), spec.Share, xregion.ErrConflict)
	}
	if !strings.EqualFold(cat.ShareName, spec.Share) {
		return nil, fmt.Errorf("is mounted from share %q of provider %q, want share %q: %w",
			cat.ShareName, cat.ProviderName, spec.Share, xregion.ErrConflict)
	}
	if spec.Provider != "" && !strings.EqualFold(cat.ProviderName, spec.Provider) {
		return nil, fmt.Errorf("is mounted from provider %q, want %q: %w", cat.ProviderName, spec.Provider, xregion.ErrConflict)
	}
	if spec.SourceMetastoreID != "" {
		p, err := providers.Get(ctx, sharing.GetProviderRequest{Name: cat.ProviderName})
		if errors.Is(err, apierr.ErrPermissionDenied) {
			// Reading a provider needs its ownership or metastore admin;
			// USE_PROVIDER still lists it.
			var lerr error
			if p, lerr = listedProvider(ctx, providers, cat.ProviderName); lerr != nil {
				return nil, fmt.Errorf("list providers: %w", lerr)
			}
			if p == nil {
				return nil, fmt.Errorf("cannot read its provider %q to check that it shares from the source metastore %s: %s: %w",
					cat.ProviderName, spec.SourceMetastoreID, providerListHint, errors.Join(xregion.ErrPrecondition, err))
			}
			err = nil
		}
		if err != nil {
			return nil, fmt.Errorf("read its provider %q: %w", cat.ProviderName, err)
		}
		if !metastoreMatches(p.DataProviderGlobalMetastoreId, spec.SourceMetastoreID) {
			return nil, fmt.Errorf("is mounted from provider %q of metastore %s, want the source metastore %s: %w",
				cat.ProviderName, p.DataProviderGlobalMetastoreId, spec.SourceMetastoreID, xregion.ErrConflict)
		}
	}
	return &CatalogResult{Catalog: cat.Name, Op: xregion.OpUnchanged, Provider: cat.ProviderName, Share: cat.ShareName}, nil
}

// waitForShare returns the provider once it and the share are visible.
// Delta Sharing creates the provider in the recipient's metastore on its own
// after the grant, some time later.
//
// A caller with USE_PROVIDER but neither ownership of the provider nor
// metastore admin may not list the provider's shares: then unchecked is
// true, and the share's arrival is left to the catalog's creation.
//
// Once the provider is found, try (if not nil) is called once with its
// name before its shares are listed: it reports whether the wait is over,
// and tried is then true. A try that creates the catalog saves the list
// when the share is there, as it is unless the grant is very recent.
func waitForShare(ctx context.Context, providers Providers, spec CatalogSpec, s settings.Settings, log *slog.Logger,
	try func(ctx context.Context, provider string) bool) (provider string, unchecked, tried bool, err error) {
	timeout := cmp.Or(spec.ProviderTimeout, DefaultProviderTimeout)
	// A named provider that should exist already gets a shorter deadline
	// to appear; the share then gets the rest of the timeout.
	named := timeout
	if spec.Provider != "" && !spec.JustGranted {
		named = min(timeout, DefaultNamedProviderTimeout)
	}
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errProviderTimeout)
	defer cancel()

	grace := cmp.Or(spec.ProviderListGrace, DefaultProviderListGrace)
	start := time.Now()
	var waitingFor string
	err = settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		if provider == "" {
			// Within the grace of a new grant, an empty list means "not
			// yet" whatever else the caller sees: the other providers
			// are not listed then.
			inGrace := (spec.JustGranted || spec.MaybeJustGranted) && time.Since(start) < grace
			p, err := findProvider(ctx, providers, spec, inGrace)
			if errors.Is(err, errNoProviders) && inGrace {
				// The provider of a new recipient may still be appearing.
				log.InfoContext(ctx, "no provider visible yet; waiting for the provider of the new grant", "grace", grace)
				return false, nil
			}
			if err != nil || p == "" {
				waitingFor = "provider for metastore " + spec.SourceMetastoreID
				if spec.Provider != "" {
					waitingFor = fmt.Sprintf("provider %q", spec.Provider)
				}
				if err == nil && time.Since(start) >= named {
					return false, errNamedProviderTimeout
				}
				if err == nil {
					log.InfoContext(ctx, "waiting for the provider to appear in the target", "waiting_for", waitingFor, "timeout", named)
				}
				return false, err
			}
			provider = p
			if try != nil {
				f := try
				try = nil // once: a later provider is checked by its list
				if f(ctx, provider) {
					tried = true
					return true, nil
				}
			}
		}
		shares, err := providers.ListSharesAll(ctx, sharing.ListSharesRequest{Name: provider})
		if isMissing(err) {
			provider = ""
			return false, nil
		}
		if errors.Is(err, apierr.ErrPermissionDenied) {
			// Listing a provider's shares needs its ownership or
			// metastore admin; USE_PROVIDER does not give it.
			log.InfoContext(ctx, "cannot list the provider's shares; the catalog's creation will tell whether the share has arrived", "provider", provider)
			unchecked = true
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("list shares of provider %q: %w", provider, err)
		}
		if slices.ContainsFunc(shares, func(ps sharing.ProviderShare) bool { return strings.EqualFold(ps.Name, spec.Share) }) {
			return true, nil
		}
		waitingFor = fmt.Sprintf("share %q from provider %q", spec.Share, provider)
		log.InfoContext(ctx, "waiting for the share to appear in the target", "waiting_for", waitingFor, "timeout", timeout)
		return false, nil
	})
	if err != nil {
		if errors.Is(err, errProviderTimeout) || errors.Is(err, errNamedProviderTimeout) || errors.Is(err, xregion.ErrWaitStopped) {
			if spec.Provider != "" && provider == "" {
				visible := visibleProviders(ctx, providers)
				return "", false, false, fmt.Errorf("provider %q did not appear in the target within %s (providers visible to you: %s): check the `provider` input, "+
					"or leave it out to find the provider by the source metastore: %w",
					spec.Provider, named, visible, errors.Join(xregion.ErrPrecondition, err))
			}
			return "", false, false, fmt.Errorf("no %s visible after %s: was the share granted to a recipient for this metastore? If it was, %s: %w",
				waitingFor, timeout, providerListHint, errors.Join(xregion.ErrPrecondition, err))
		}
		return "", false, false, err
	}
	return provider, unchecked, tried, nil
}

// shareNotThereYet reports whether a catalog's create failed in a way that
// may mean the share has not reached the target yet: "not found", or a
// refusal of the parameters (ErrInvalidParameterValue is an
// ErrBadRequest). Which answer the service gives is not documented; the
// fakes answer 404. The provider's share list then decides. A first create
// refused for permission waits for that list too, which tells a share not
// there yet from a refusal that stays.
func shareNotThereYet(err error) bool {
	return isMissing(err) || errors.Is(err, apierr.ErrBadRequest)
}

// visibleProvidersTimeout bounds the provider list an error message shows.
const visibleProvidersTimeout = 10 * time.Second

var (
	errProviderTimeout      = errors.New("timed out waiting for the share's provider")
	errNamedProviderTimeout = errors.New("timed out waiting for the named provider")
)

// visibleProviders names the providers the caller sees, for an error
// message; "none" when there are none or they cannot be listed.
func visibleProviders(ctx context.Context, providers Providers) string {
	if ctx.Err() != nil {
		return "unknown (interrupted)" // the caller stopped: ask nothing more
	}
	// A short deadline of its own, so that an unreachable host cannot hold
	// the error for minutes.
	lctx, cancel := context.WithTimeout(ctx, visibleProvidersTimeout)
	defer cancel()
	all, err := providers.ListAll(lctx, sharing.ListProvidersRequest{})
	if err != nil || len(all) == 0 {
		return "none"
	}
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// errNoProviders reports an empty provider list.
var errNoProviders = errors.New("no provider is visible to you in the target workspace")

// findProvider returns the provider to mount from, or "" if not visible yet.
// An empty provider list when nothing was just granted, or a provider the
// caller may not read, is an error at once: waiting would not change it.
// With late (a grant so recent that its provider may still be appearing),
// no provider of the source's metastore is "not visible yet" without
// listing the others.
func findProvider(ctx context.Context, providers Providers, spec CatalogSpec, late bool) (string, error) {
	if spec.Provider != "" {
		p, err := providers.Get(ctx, sharing.GetProviderRequest{Name: spec.Provider})
		if isMissing(err) {
			return "", nil
		}
		if errors.Is(err, apierr.ErrPermissionDenied) {
			// Reading a provider needs its ownership or metastore admin;
			// one the caller holds USE_PROVIDER on is still listed.
			if p, lerr := listedProvider(ctx, providers, spec.Provider); lerr != nil || p != nil {
				if lerr != nil {
					return "", fmt.Errorf("list providers: %w", lerr)
				}
				return checkProviderMetastore(p, spec.SourceMetastoreID)
			}
			return "", fmt.Errorf("provider %q exists but is not visible to you: %s: %w",
				spec.Provider, providerListHint, errors.Join(xregion.ErrPrecondition, err))
		}
		if err != nil {
			return "", fmt.Errorf("read provider %q: %w", spec.Provider, err)
		}
		return checkProviderMetastore(p, spec.SourceMetastoreID)
	}
	// The list filters by global id only; a bare metastore id is matched
	// here, in the list of every provider the caller sees.
	global := strings.Contains(spec.SourceMetastoreID, ":")
	filter := ""
	if global {
		filter = spec.SourceMetastoreID
	}
	all, err := providers.ListAll(ctx, sharing.ListProvidersRequest{DataProviderGlobalMetastoreId: filter})
	if err != nil {
		return "", fmt.Errorf("list providers of metastore %s: %w", spec.SourceMetastoreID, err)
	}
	var names []string
	for _, p := range all {
		if metastoreMatches(p.DataProviderGlobalMetastoreId, spec.SourceMetastoreID) {
			names = append(names, p.Name)
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		return names[0], nil
	}
	if late {
		return "", nil
	}
	// If the caller sees other providers, it may list them and this one is
	// late or missing; if it sees none at all, the list is most likely
	// filtered.
	others := all
	if global {
		if others, err = providers.ListAll(ctx, sharing.ListProvidersRequest{}); err != nil {
			return "", fmt.Errorf("list providers: %w", err)
		}
	}
	if len(others) > 0 {
		return "", nil
	}
	return "", fmt.Errorf("%w, so the provider of metastore %s cannot be found: %s (if the share was granted for the first time just now, run again in a minute): %w",
		errNoProviders, spec.SourceMetastoreID, providerListHint, xregion.ErrPrecondition)
}

// checkProviderMetastore returns p's name if it shares from the source
// metastore (when known).
func checkProviderMetastore(p *sharing.ProviderInfo, sourceMetastoreID string) (string, error) {
	if sourceMetastoreID != "" && !metastoreMatches(p.DataProviderGlobalMetastoreId, sourceMetastoreID) {
		return "", fmt.Errorf("provider %q shares from metastore %s, not the source %s: %w",
			p.Name, p.DataProviderGlobalMetastoreId, sourceMetastoreID, xregion.ErrConflict)
	}
	return p.Name, nil
}

// listedProvider finds a provider by name in the caller's provider list, or
// returns nil.
func listedProvider(ctx context.Context, providers Providers, name string) (*sharing.ProviderInfo, error) {
	all, err := providers.ListAll(ctx, sharing.ListProvidersRequest{})
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if strings.EqualFold(p.Name, name) {
			return &p, nil
		}
	}
	return nil, nil
}
