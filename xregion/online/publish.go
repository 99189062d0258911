package online

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/org/xregion-action/xregion"
	"golang.org/x/sync/errgroup"
)

// StepPublish is the step name [PublishOnline] reports in errors.
const StepPublish = "PublishOnline"

const (
	// DefaultCapacity is the capacity of an online store PublishOnline
	// creates unless told otherwise.
	DefaultCapacity = "CU_1"
	// DefaultStoreTimeout bounds the wait for an online store to become
	// AVAILABLE.
	DefaultStoreTimeout = 15 * time.Minute
	// OnlineSuffix ends the default name of an online table.
	OnlineSuffix = "_online"
)

// capacities are the capacities the service accepts for an online store.
var capacities = []string{"CU_1", "CU_2", "CU_4", "CU_8"}

// PublishSpec is the desired online state of a model's feature tables in
// one target workspace.
type PublishSpec struct {
	// Store is the online store to publish into; it is created if missing.
	// Default: [DefaultStoreName] of Catalog.
	Store string
	// Capacity is the capacity of a store PublishOnline creates: CU_1, CU_2,
	// CU_4 or CU_8. Default: [DefaultCapacity]. An existing store's
	// capacity is left alone.
	Capacity string
	// SharedCatalog is the catalog mounted from the share; each feature
	// table is read from it as <SharedCatalog>.<schema>.<table>.
	SharedCatalog string
	// Catalog and Schema are where online tables are created. The catalog
	// must be writable, so it cannot be SharedCatalog.
	Catalog, Schema string
	// Tables are the feature tables, named as in the source workspace.
	Tables []Table
	// Names overrides the online table name (three-part) of a feature
	// table, keyed by the table's source name. Default: [DefaultOnlineName].
	Names map[string]string
	// StoreTimeout bounds the wait for the store to become AVAILABLE.
	// Default: [DefaultStoreTimeout].
	StoreTimeout time.Duration
	// CheckTableIDs makes each shared table's id match its Table.TableID: a
	// different id means the source table was dropped and re-created since
	// it was discovered. Off by default: that a shared table keeps its
	// source's id is not verified against a live workspace.
	CheckTableIDs bool
	// Refresh decides when an online table that is healthy is synced
	// again (see "Freshness" in the package documentation). Default:
	// [RefreshAuto]. A failed or offline table is published again
	// whatever it says.
	Refresh Refresh
	// MaxStaleness, if positive, also syncs again a healthy table whose
	// last sync ended longer ago than this. It cannot be combined with
	// [RefreshNever].
	MaxStaleness time.Duration
	// VersionCreated is when the model version being deployed was
	// created. Under [RefreshAuto] a table last synced before it is
	// synced again. Zero means unknown: then only MaxStaleness applies.
	VersionCreated time.Time
	// ListFirst lists the Unity Catalog tables of each online schema
	// before any online table is read, and reads only the tables the list
	// shows: one request per schema instead of one or two per table, for
	// tables that are most likely new (rollout sets it when it has just
	// created the shared catalog that feeds them). The list shows only
	// the tables the caller may see (Databricks API docs, "List tables":
	// metastore admin, owner, or SELECT), while a read of a table the
	// caller may not see fails: with ListFirst, an online table of that
	// name which the caller cannot see is taken for new, the store is
	// made ready, and its publish meets the service's answer (a "conflict"
	// is then read as for a table published concurrently, and the table,
	// if fed from the same source, is left as it is, even failed) instead
	// of a read before any write. It needs a [TableLister] in [Clients].Tables,
	// and has no effect without one.
	ListFirst bool
}

// Refresh is a policy for syncing healthy SNAPSHOT online tables again.
type Refresh string

const (
	// RefreshAuto syncs a table again when its last sync ended before the
	// model version being deployed was created, or longer ago than
	// [PublishSpec].MaxStaleness.
	RefreshAuto Refresh = "auto"
	// RefreshAlways syncs every table again on every run: a re-run then
	// writes.
	RefreshAlways Refresh = "always"
	// RefreshNever leaves healthy tables as they are, however old.
	RefreshNever Refresh = "never"
)

// Table is a feature table to serve online.
type Table struct {
	// Name is the table's three-part name in the source workspace.
	Name string
	// PrimaryKeys are its primary-key columns; an online table needs them.
	PrimaryKeys []string
	// TableID is the source table's id, if known. It is compared with the
	// shared table's id only when [PublishSpec].CheckTableIDs is set.
	TableID string
}

// PublishResult reports what [PublishOnline] did.
type PublishResult struct {
	// Store is the online store's name; empty when there was nothing to
	// publish.
	Store string `json:"store"`
	// StoreOp is OpCreated when the store was created.
	StoreOp xregion.Op `json:"store_op"`
	// Tables reports each feature table, in the order of the spec.
	Tables []PublishedTable `json:"tables,omitempty"`
	// Read holds the status, as read by this call, of each online table
	// that was online and left as it was: pass it to [WaitSpec].Known so
	// that the wait does not read those tables again. Not in the JSON.
	Read []TableStatus `json:"-"`
}

// PublishedTable reports one feature table.
type PublishedTable struct {
	// Source is the table in the shared catalog that feeds the online table.
	Source string `json:"source"`
	// Online is the online table's three-part name.
	Online string `json:"online"`
	// Op is OpCreated when it was published now, OpUpdated when an
	// existing online table was published again (see Reason), and
	// OpUnchanged when an online table fed from Source existed and was left
	// as it was.
	Op xregion.Op `json:"op"`
	// Reason says why an existing table was published again: it had
	// failed, or its data was stale by the refresh policy.
	Reason string `json:"reason,omitempty"`
	// PipelineID is the sync pipeline, when the service reported it.
	PipelineID string `json:"pipeline_id"`
	// API is the Lakebase API that reported an existing table.
	API API `json:"api,omitempty"`
	// LastSync is when the existing table's last successful sync ended,
	// as read before this step, if the service said. After a publish,
	// [WaitOnline] reports the new one.
	LastSync time.Time `json:"last_sync,omitzero"`
}

// Resynced returns the tables this step published again, with the last sync
// each had before, for [WaitSpec].SyncedAfter: a table published again is
// online only once it has synced again. Tables whose last sync the service
// did not report are left out.
func (r *PublishResult) Resynced() map[string]time.Time {
	out := map[string]time.Time{}
	for _, t := range r.Tables {
		if t.Op == xregion.OpUpdated && !t.LastSync.IsZero() {
			out[t.Online] = t.LastSync
		}
	}
	return out
}

// OnlineNames returns the names of the online tables, for [WaitSpec].
func (r *PublishResult) OnlineNames() []string {
	names := make([]string, len(r.Tables))
	for i, t := range r.Tables {
		names[i] = t.Online
	}
	return names
}

var (
	storeNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	nonDNS      = regexp.MustCompile(`[^a-z0-9-]+`)
	hyphens     = regexp.MustCompile(`-{2,}`)
)

// DefaultStoreName returns the store name PublishOnline uses for online
// tables in catalog: the catalog's name made DNS-safe (lower case, "_" to
// "-", other characters dropped) followed by "-online-store", at most 63
// characters.
func DefaultStoreName(catalog string) string {
	base := strings.ReplaceAll(strings.ToLower(catalog), "_", "-")
	base = hyphens.ReplaceAllString(nonDNS.ReplaceAllString(base, ""), "-")
	const suffix = "-online-store"
	base = strings.Trim(base, "-")
	if len(base) > 63-len(suffix) {
		base = strings.TrimRight(base[:63-len(suffix)], "-")
	}
	if base == "" {
		return suffix[1:]
	}
	return base + suffix
}

// DefaultOnlineName returns the name of the online table of source table
// "c.s.t": "<catalog>.<schema>.s_t_online". The source schema is kept so that
// tables of the same name in different schemas do not collide.
func DefaultOnlineName(catalog, schema, source string) string {
	parts := strings.SplitN(source, ".", 3)
	if len(parts) != 3 {
		return ""
	}
	return catalog + "." + schema + "." + parts[1] + "_" + parts[2] + OnlineSuffix
}

// PublishOnline makes every feature table available to publish into an
// online store of the target workspace, then publishes the ones not yet
// published, in SNAPSHOT mode (the only mode for shared tables). An online
// table that exists is published again when it has failed or is offline,
// or when the refresh policy says its data is stale ([PublishSpec].Refresh);
// one being synced is left to sync, and a healthy fresh one is left alone.
// It never deletes an online table. It creates the store if missing and
// waits for it to become AVAILABLE before publishing; it does not wait for
// the tables to come online, which is [WaitOnline]'s job.
//
// Existing tables are read through the Lakebase API that owns them (see
// [StatusClients]). Before any write it rejects an online catalog equal to
// the shared catalog (shared catalogs are read-only), tables without
// primary keys, an existing online table fed from another source table (see
// the table-ID note in the error; a reply that does not name the source
// is not a conflict) and an online table being deleted; with
// [PublishSpec].ListFirst, only among the tables the online schema's list
// shows. A spec with no tables does nothing and makes no call. Every error
// is a [*xregion.StepError].
func PublishOnline(ctx context.Context, c Clients, spec PublishSpec, opts ...xregion.Option) (*PublishResult, error) {
	r, err := publish(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return nil, &xregion.StepError{Step: StepPublish, Resource: fmt.Sprintf("online tables in %s.%s", spec.Catalog, spec.Schema), Err: err}
	}
	return r, nil
}

// plan is one table's state as read before any write, and what to do.
type plan struct {
	PublishedTable
	sourceID string
	// publish is set when the table is to be published (again).
	publish bool
	// phase is the existing table's phase; "" for a new one.
	phase Phase
	// status is the existing table's status as read; nil for a new one.
	status *TableStatus
}

func publish(ctx context.Context, c Clients, spec PublishSpec, s settings.Settings) (*PublishResult, error) {
	plans, err := spec.validate()
	if err != nil {
		return nil, err
	}
	log := s.Logger.With("step", StepPublish)
	if len(plans) == 0 {
		log.InfoContext(ctx, "model has no feature tables: nothing to publish")
		return &PublishResult{StoreOp: xregion.OpUnchanged}, nil
	}
	store := cmp.Or(spec.Store, DefaultStoreName(spec.Catalog))
	log = log.With("store", store)
	r, err := newStatusReader(c.Status())
	if err != nil {
		return nil, err
	}

	// Reads: every source must be there and every existing online table ours.
	// With several tables, an online table neither the first Lakebase API
	// nor its schema's list knows is missing, unasked of the second API;
	// with ListFirst, one its schema's list does not show is missing,
	// unasked of either.
	if l, ok := c.Tables.(TableLister); ok && (len(plans) > 1 || spec.ListFirst) {
		r.listed, r.listFirst = &ucLists{l: l}, spec.ListFirst
	}
	now := s.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range plans {
		g.Go(func() error {
			if err := checkTable(gctx, c.Tables, r, &plans[i], s.DryRun); err != nil {
				return err
			}
			plans[i].decide(spec, now)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	r.listed, r.listFirst = nil, false // the lists are out of date once anything is published
	for _, p := range plans {
		switch {
		case p.Op == xregion.OpUpdated:
			log.InfoContext(ctx, "online table is to be published again", "online", p.Online, "reason", p.Reason)
		case p.phase == PhaseOnline && p.Op == xregion.OpUnchanged && p.LastSync.IsZero() && cmp.Or(spec.Refresh, RefreshAuto) != RefreshNever:
			log.InfoContext(ctx, "the service does not report when the online table was last synced: leaving it as it is", "online", p.Online)
		}
	}
	if s.DryRun {
		return planPublish(ctx, c.FeatureStore, store, plans)
	}
	storeOp, known, err := ensureStore(ctx, c.FeatureStore, store, cmp.Or(spec.Capacity, DefaultCapacity), log)
	if err != nil {
		return nil, err
	}
	res := &PublishResult{Store: store, StoreOp: storeOp}
	var todo []int
	for i, p := range plans {
		if p.publish {
			todo = append(todo, i)
		}
	}
	if len(todo) > 0 {
		if err := waitStore(ctx, c.FeatureStore, store, known, cmp.Or(spec.StoreTimeout, DefaultStoreTimeout), s, log); err != nil {
			return nil, err
		}
	}
	for _, i := range todo {
		if err := publishTable(ctx, c.FeatureStore, r, store, &plans[i], log); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		res.Tables = append(res.Tables, p.PublishedTable)
		if !p.publish && p.status != nil && p.status.Phase == PhaseOnline {
			res.Read = append(res.Read, *p.status)
		}
	}
	return res, nil
}

// Validate reports the first bad input of the spec, as PublishOnline would
// before any call. Catalog and Schema may be empty when there are no tables.
// The error matches [xregion.ErrInvalidInput].
func (spec PublishSpec) Validate() error {
	_, err := spec.validate()
	return err
}

// validate checks the spec before any call and lays out one plan per table.
func (spec PublishSpec) validate() ([]plan, error) {
	if spec.Store != "" && !storeNameRE.MatchString(spec.Store) {
		return nil, invalid.Input("online store", spec.Store, "want 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit")
	}
	if spec.Capacity != "" && !slices.Contains(capacities, spec.Capacity) {
		return nil, invalid.Input("online store capacity", spec.Capacity, "want one of %s", strings.Join(capacities, ", "))
	}
	for _, in := range [][2]string{{"shared catalog", spec.SharedCatalog}, {"online catalog", spec.Catalog}, {"online schema", spec.Schema}} {
		if in[1] != "" || len(spec.Tables) > 0 {
			if err := invalid.CheckName(in[0], in[1]); err != nil {
				return nil, err
			}
		}
	}
	switch spec.Refresh {
	case "", RefreshAuto, RefreshAlways, RefreshNever:
	default:
		return nil, invalid.Input("refresh policy", string(spec.Refresh), "want auto, always or never")
	}
	if spec.MaxStaleness < 0 {
		return nil, invalid.Input("max staleness", spec.MaxStaleness.String(), "want a positive duration")
	}
	if spec.MaxStaleness > 0 && spec.Refresh == RefreshNever {
		return nil, invalid.Input("max staleness", spec.MaxStaleness.String(), "has no effect with refresh policy never: leave one of them out")
	}
	if spec.Catalog != "" && strings.EqualFold(spec.Catalog, spec.SharedCatalog) {
		return nil, invalid.Input("online catalog", spec.Catalog, "is the shared catalog, which is read-only: name a writable catalog of the target workspace")
	}
	if len(spec.Tables) == 0 {
		return nil, nil
	}
	for src, name := range spec.Names {
		if !slices.ContainsFunc(spec.Tables, func(t Table) bool { return strings.EqualFold(t.Name, src) }) {
			return nil, invalid.Input("online table name", src, "names no feature table of the model")
		}
		n, err := xregion.ParseFullName("online table name", name)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(n.Catalog, spec.SharedCatalog) {
			return nil, invalid.Input("online table name", name, "is in the shared catalog, which is read-only")
		}
	}
	plans := make([]plan, 0, len(spec.Tables))
	seen := map[string]string{}
	for _, t := range spec.Tables {
		n, err := xregion.ParseFullName("feature table", t.Name)
		if err != nil {
			return nil, err
		}
		if len(t.PrimaryKeys) == 0 {
			return nil, invalid.Input("feature table", t.Name, "has no primary key; an online table needs a PRIMARY KEY constraint on the source table")
		}
		online := ""
		for src, name := range spec.Names {
			if strings.EqualFold(src, t.Name) {
				online = name
			}
		}
		if online == "" {
			online = DefaultOnlineName(spec.Catalog, spec.Schema, t.Name)
		}
		if _, err := xregion.ParseFullName("online table name", online); err != nil {
			return nil, err
		}
		if prev, dup := seen[strings.ToLower(online)]; dup {
			return nil, invalid.Input("online table name", online, "is used for both %s and %s", prev, t.Name)
		}
		seen[strings.ToLower(online)] = t.Name
		plans = append(plans, plan{PublishedTable: PublishedTable{
			Source: n.InCatalog(spec.SharedCatalog).String(), Online: online, Op: xregion.OpUnchanged,
		}})
		if spec.CheckTableIDs {
			plans[len(plans)-1].sourceID = t.TableID
		}
	}
	return plans, nil
}

// planPublish reports what publish would do, reading only.
func planPublish(ctx context.Context, fs FeatureStore, store string, plans []plan) (*PublishResult, error) {
	res := &PublishResult{Store: store, StoreOp: xregion.OpUnchanged}
	got, err := fs.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: store})
	switch {
	case isMissing(err):
		res.StoreOp = xregion.OpCreated
	case err != nil:
		return nil, fmt.Errorf("read online store %q: %w", store, err)
	default:
		if err := deadStore(got); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		res.Tables = append(res.Tables, p.PublishedTable)
	}
	return res, nil
}

// checkTable reads the shared source table and any existing online table.
// In a dry run, a source not visible yet (its catalog is still to be
// created) is not an error.
func checkTable(ctx context.Context, tables Tables, r *statusReader, p *plan, dryRun bool) error {
	src, err := tables.Get(ctx, catalog.GetTableRequest{FullName: p.Source})
	if dryRun && isMissing(err) {
		src, err = &catalog.TableInfo{}, nil
	}
	if err != nil {
		return fmt.Errorf("read shared feature table %s (is it in the share, and the catalog mounted?): %w", p.Source, err)
	}
	if p.sourceID != "" && src.TableId != "" && src.TableId != p.sourceID {
		return fmt.Errorf("shared table %s has table id %s but the source table has %s: %w",
			p.Source, src.TableId, p.sourceID, xregion.ErrConflict)
	}
	t, err := r.read(ctx, p.Online)
	if err != nil {
		return err
	}
	if t == nil {
		p.publish, p.Op = true, xregion.OpCreated
		return nil
	}
	if err := sameSource(t, p); err != nil {
		return err
	}
	st := statusOf(p.Online, t)
	p.API, p.LastSync, p.phase, p.status = t.API, t.LastSync, st.Phase, &st
	switch st.Phase {
	case PhaseDeleting:
		// why: DELETING is terminal for our purposes (nothing leaves it but
		// removal): publishing into it or waiting it out is pointless.
		return fmt.Errorf("%w: wait until it is gone and run again, or name another online table", &TableFailedError{Status: st})
	case PhaseFailed:
		// why: a failed or offline synced table stays so until it is
		// published again (a snapshot pipeline "stops after" its copy: SDK
		// doc of catalog.OnlineTableSpec.PerformFullCopy).
		p.publish, p.Op, p.Reason = true, xregion.OpUpdated, "failed: "+st.describe()
	}
	return nil
}

// sameSource accepts an existing online table only if it is fed from the
// shared table, or if the reply does not say where it is fed from.
func sameSource(t *syncedTable, p *plan) error {
	// why: an Autoscaling reply may leave out the input-only spec
	// (the Postgres API page marks spec input-only): an absent source is unknown, not a
	// conflict.
	if t.Source != "" && !strings.EqualFold(t.Source, p.Source) {
		return fmt.Errorf("online table %s already exists, fed from %q instead of %s. "+
			"Feature lookups resolve tables by id, not name, so an online table from another source (or from a source table "+
			"dropped and re-created since) does not serve this model: restore the original table with UNDROP TABLE WITH ID, "+
			"or delete the online table (or pick another name) and run again: %w",
			p.Online, t.Source, p.Source, xregion.ErrConflict)
	}
	if t.PipelineID != "" {
		p.PipelineID = t.PipelineID
	}
	return nil
}

// decide applies the refresh policy to a healthy existing table: it marks
// it to be synced again when its data is stale. A table still syncing is
// left to sync.
func (p *plan) decide(spec PublishSpec, now time.Time) {
	if p.phase != PhaseOnline {
		return // new or failed (published anyway), or syncing
	}
	if reason := refreshReason(spec, p.LastSync, now); reason != "" {
		p.publish, p.Op, p.Reason = true, xregion.OpUpdated, reason
	}
}

// refreshReason says why a healthy table last synced at last is to be
// synced again under spec's policy, or returns "" to leave it. A table
// whose last sync is unknown is left alone: syncing it on every run would
// break the promise of a re-run without writes.
func refreshReason(spec PublishSpec, last, now time.Time) string {
	// why: a SNAPSHOT table is a copy as of its last sync and is never
	// refreshed by itself (SDK doc of catalog.OnlineTableSpec.PerformFullCopy;
	// the cross-region-model-serving-dab article, "Snapshot-only sync").
	switch cmp.Or(spec.Refresh, RefreshAuto) {
	case RefreshNever:
		return ""
	case RefreshAlways:
		return "refresh policy always"
	}
	if last.IsZero() {
		return ""
	}
	if !spec.VersionCreated.IsZero() && last.Before(spec.VersionCreated) {
		return fmt.Sprintf("stale: last synced %s, before the model version was created (%s)",
			last.UTC().Format(time.RFC3339), spec.VersionCreated.UTC().Format(time.RFC3339))
	}
	if spec.MaxStaleness > 0 && now.Sub(last) > spec.MaxStaleness {
		return fmt.Sprintf("stale: last synced %s, more than %s ago", last.UTC().Format(time.RFC3339), spec.MaxStaleness)
	}
	return ""
}

// ensureStore creates the online store if it does not exist. It returns
// the create's reply, when it created the store.
func ensureStore(ctx context.Context, fs FeatureStore, name, capacity string, log *slog.Logger) (xregion.Op, *ml.OnlineStore, error) {
	got, err := fs.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: name})
	if err == nil {
		if got.Capacity != capacity {
			log.InfoContext(ctx, "reusing online store with another capacity; leaving it as it is", "capacity", got.Capacity, "wanted", capacity)
		}
		return xregion.OpUnchanged, nil, deadStore(got)
	}
	if !isMissing(err) {
		return "", nil, fmt.Errorf("read online store %q: %w", name, err)
	}
	created, err := fs.CreateOnlineStore(ctx, ml.CreateOnlineStoreRequest{OnlineStore: ml.OnlineStore{Name: name, Capacity: capacity}})
	if isConflict(err) {
		return xregion.OpUnchanged, nil, nil // created concurrently
	}
	if err != nil {
		return "", nil, fmt.Errorf("create online store %q: %w", name, err)
	}
	log.InfoContext(ctx, "created online store", "capacity", capacity)
	return xregion.OpCreated, created, nil
}

// deadStore reports a store that cannot become AVAILABLE without someone's
// action.
func deadStore(s *ml.OnlineStore) error {
	switch s.State {
	case ml.OnlineStoreStateStopped:
		return fmt.Errorf("online store %q is %s and cannot become AVAILABLE: start it, or name another store: %w", s.Name, s.State, xregion.ErrNotReady)
	case ml.OnlineStoreStateDeleting:
		// why: DELETING is terminal for our purposes (nothing leaves it but
		// removal): fail fast rather than wait it out.
		return fmt.Errorf("online store %q is being deleted (%s) and cannot become AVAILABLE: wait until it is gone, or name another store: %w", s.Name, s.State, xregion.ErrNotReady)
	}
	return nil
}

// waitStore polls until the store is AVAILABLE: publishing into a store that
// is still starting fails. known is the reply of the store's creation, if
// this run created it: when it says AVAILABLE, nothing is read.
func waitStore(ctx context.Context, fs FeatureStore, name string, known *ml.OnlineStore, timeout time.Duration, s settings.Settings, log *slog.Logger) error {
	if known != nil && known.State == ml.OnlineStoreStateAvailable {
		return nil // created AVAILABLE: the create's reply says so
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last ml.OnlineStoreState
	err := settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		got, err := fs.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: name})
		if isMissing(err) {
			last = "not visible yet"
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read online store %q: %w", name, err)
		}
		if err := deadStore(got); err != nil {
			return false, err
		}
		if got.State == ml.OnlineStoreStateAvailable {
			return true, nil
		}
		if got.State != last {
			log.InfoContext(ctx, "waiting for online store", "state", got.State)
		}
		last = got.State
		return false, nil
	})
	if err != nil && ctx.Err() == nil && wctx.Err() != nil {
		return fmt.Errorf("online store %q not AVAILABLE after %s (last state %s): %w", name, timeout, last, errors.Join(xregion.ErrNotReady, err))
	}
	if errors.Is(err, xregion.ErrWaitStopped) {
		return fmt.Errorf("online store %q not AVAILABLE (last state %s): %w", name, last, errors.Join(xregion.ErrNotReady, err))
	}
	return err
}

// publishTable publishes one table in SNAPSHOT mode: a new one, or an
// existing one again. Publishing again is the only way this package syncs
// an existing table: it keeps the table and its sync pipeline (the SDK's
// PublishSpec speaks of "republishing to an existing online table", whose
// pipeline is reused) and never deletes it, so an endpoint that serves from
// it keeps its table. That a republish of a healthy SNAPSHOT table runs a
// new full sync is not documented (see "Freshness" in the package docs).
func publishTable(ctx context.Context, fs FeatureStore, r *statusReader, store string, p *plan, log *slog.Logger) error {
	resp, err := fs.PublishTable(ctx, ml.PublishTableRequest{
		SourceTableName: p.Source,
		PublishSpec: ml.PublishSpec{
			OnlineStore:     store,
			OnlineTableName: p.Online,
			PublishMode:     ml.PublishSpecPublishModeSnapshot,
		},
	})
	if isConflict(err) && p.Op == xregion.OpCreated {
		// Published concurrently: accept it only if it is fed from our source.
		t, gerr := r.read(ctx, p.Online)
		if gerr != nil || t == nil {
			return fmt.Errorf("publish %s as %s: %w", p.Source, p.Online, errors.Join(err, gerr))
		}
		p.Op = xregion.OpUnchanged
		return sameSource(t, p)
	}
	if err != nil {
		return fmt.Errorf("publish %s as %s: %w", p.Source, p.Online, err)
	}
	p.PipelineID = cmp.Or(resp.PipelineId, p.PipelineID)
	if p.Op == xregion.OpUpdated {
		log.InfoContext(ctx, "published feature table again", "source", p.Source, "online", p.Online, "reason", p.Reason)
	} else {
		log.InfoContext(ctx, "published feature table", "source", p.Source, "online", p.Online)
	}
	return nil
}
