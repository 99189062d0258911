package online

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/ml"
	"github.com/databricks/databricks-sdk-go/service/postgres"
	"github.com/org/xregion-action/xregion"
	"golang.org/x/sync/errgroup"
)

// StepRemove is the step name [Remove] reports in errors.
const StepRemove = "RemoveOnline"

// DefaultRemoveTimeout bounds each of [Remove]'s waits (for its online
// tables to be gone, then for its store) unless told otherwise.
const DefaultRemoveTimeout = 20 * time.Minute

// progressEvery is the longest a wait goes without logging its progress.
const progressEvery = 30 * time.Second

// RemoveSpec names a model's online tables in one target workspace, and the
// online store they were published into, for [Remove].
type RemoveSpec struct {
	// Catalog and Schema are where the online tables were published
	// ([PublishSpec].Catalog and Schema).
	Catalog, Schema string
	// Tables are the source tables of this model's online tables, as full
	// names in the shared catalog ([PublishedTable].Source), such as
	// "fraud_shared.ml.features". Name only tables whose online copies
	// serve this model alone: Remove deletes every online table it finds
	// fed from one of them (or whose source the service does not report).
	Tables []string
	// Names overrides the online table name (three-part) of a source
	// table, keyed by the name given in Tables, as [PublishSpec].Names did
	// at publish time. Default: [DefaultOnlineName].
	Names map[string]string
	// Store is the online store. Default: [DefaultStoreName] of Catalog.
	Store string
	// AdoptStore lets Remove delete the store once it holds no online
	// table. Online stores carry no ownership mark, so without it the store
	// is always kept.
	AdoptStore bool
	// Timeout bounds each wait: for the deleted online tables to be gone,
	// then for the store. Default: [DefaultRemoveTimeout].
	Timeout time.Duration
}

// RemoveResult reports what [Remove] did, or in a dry run would do.
type RemoveResult struct {
	// Removals has one entry per online table, sorted by name, then one for
	// the store.
	Removals []xregion.Removal `json:"removals"`
}

// tableRemoval is one online table's state as read before any write, and
// what to do.
type tableRemoval struct {
	xregion.Removal
	source string
	api    API
	// deleting is set when the service already shows the table DELETING:
	// nothing to call, only to wait for.
	deleting bool
}

// Remove deletes a model's online tables from one target workspace, then
// the online store they were published into when it is adopted and empty.
// It returns one [xregion.Removal] per table, then one for the store.
//
// Each online table is named as [PublishOnline] names it and read through
// the Lakebase API that owns it (see [StatusClients]):
//   - not found: OpAbsent;
//   - fed from another source than the one given: OpKept, "fed from X"
//     (another model's table of the same name, or a foreign one); a reply
//     that does not name its source counts as this model's, as it does
//     for PublishOnline;
//   - already DELETING: OpRemoved, and waited for;
//   - otherwise deleted through the API that owns it (w.Postgres for a
//     Lakebase Autoscaling store, w.Database with purge_data=true for a
//     Provisioned one), OpRemoved, and waited for until the service no
//     longer shows it.
//
// The store carries no mark (neither a comment nor a readable tag), so it
// is kept unless spec.AdoptStore is set, and even then it is deleted only
// when it is provably empty: a Lakebase Provisioned store whose synced
// tables (w.Database lists them by instance) are all this model's tables
// being removed; the list is checked again, once those are gone, right
// before the delete. A store whose tables cannot be listed is kept with a
// why saying how to delete it by hand: a Lakebase Autoscaling store (the
// Postgres API has no list of synced tables, and whether the service
// refuses to delete a store that holds tables is not known), or any store
// while the Provisioned API does not implement the list (its SDK doc says
// so). A store already DELETING is OpRemoved and waited for; a missing one
// is OpAbsent. The delete goes through w.FeatureStore; the store is then
// DELETING until it is gone. A refusal of the delete (400 or 409) keeps the
// store, with the service's reason as the why.
//
// Every decision is made from reads before the first write; the clients a
// write needs are checked then too. A dry run ([xregion.WithDryRun]) makes
// the same reads and decisions and reports the same Removals, with no
// write and no wait. A delete that finds the object already gone counts it
// absent, so a re-run after a crash finishes the job, and a run after a
// finished teardown makes no write. Waits poll with the backoff of
// [xregion.WithBackOff], log their progress at least every 30 s, and are
// bounded by spec.Timeout.
//
// Every error is a [*xregion.StepError]. With an error that came after a
// write, Remove also returns the tables it dealt with so far, for the
// caller's report; otherwise the result is nil.
func Remove(ctx context.Context, c Clients, spec RemoveSpec, opts ...xregion.Option) (*RemoveResult, error) {
	s := settings.New(opts...)
	res, err := remove(ctx, c, spec, s)
	if err != nil {
		resource := fmt.Sprintf("online store %q", cmp.Or(spec.Store, DefaultStoreName(spec.Catalog)))
		if len(spec.Tables) > 0 {
			resource = fmt.Sprintf("online tables in %s.%s and %s", spec.Catalog, spec.Schema, resource)
		}
		return res, &xregion.StepError{Step: StepRemove, Resource: resource, Err: err}
	}
	return res, nil
}

// validate checks the spec before any call and lays out one removal per
// online table, sorted by name.
func (spec RemoveSpec) validate() ([]tableRemoval, string, error) {
	if spec.Store != "" && !storeNameRE.MatchString(spec.Store) {
		return nil, "", invalid.Input("online store", spec.Store, "want 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit")
	}
	if spec.Store == "" || len(spec.Tables) > 0 {
		if err := invalid.CheckName("online catalog", spec.Catalog); err != nil {
			return nil, "", err
		}
	}
	if len(spec.Tables) > 0 {
		if err := invalid.CheckName("online schema", spec.Schema); err != nil {
			return nil, "", err
		}
	}
	if spec.Timeout < 0 {
		return nil, "", invalid.Input("online removal timeout", spec.Timeout.String(), "want a positive duration")
	}
	for src, name := range spec.Names {
		if !slices.ContainsFunc(spec.Tables, func(t string) bool { return strings.EqualFold(t, src) }) {
			return nil, "", invalid.Input("online table name", src, "names no table to remove")
		}
		if _, err := xregion.ParseFullName("online table name", name); err != nil {
			return nil, "", err
		}
	}
	var out []tableRemoval
	seen := map[string]string{}
	for _, src := range spec.Tables {
		if _, err := xregion.ParseFullName("online table source", src); err != nil {
			return nil, "", err
		}
		online := ""
		for s, name := range spec.Names {
			if strings.EqualFold(s, src) {
				online = name
			}
		}
		if online == "" {
			online = DefaultOnlineName(spec.Catalog, spec.Schema, src)
		}
		key := strings.ToLower(online)
		if prev, dup := seen[key]; dup {
			if strings.EqualFold(prev, src) {
				continue // the same table twice
			}
			return nil, "", invalid.Input("online table name", online, "is used for both %s and %s", prev, src)
		}
		seen[key] = src
		out = append(out, tableRemoval{Removal: xregion.Removal{Kind: xregion.KindOnlineTable, Name: online}, source: src})
	}
	slices.SortFunc(out, func(a, b tableRemoval) int { return strings.Compare(a.Name, b.Name) })
	return out, cmp.Or(spec.Store, DefaultStoreName(spec.Catalog)), nil
}

// storePlan is the store's state as read before any write, and what to
// do.
type storePlan struct {
	xregion.Removal
	deleting bool // already DELETING: only wait
	// autoscaling is set when the store is known to be a Lakebase
	// Autoscaling project (see autoscalingStore).
	autoscaling bool
}

// autoscalingSince is the day from which new online stores are Lakebase
// Autoscaling projects.
var autoscalingSince = time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)

// autoscalingStore reports whether the store is known to be a Lakebase
// Autoscaling project: one of its tables was read through the Autoscaling
// API, or it was created on or after 2026-03-23.
func autoscalingStore(s *ml.OnlineStore, tables []tableRemoval) bool {
	if slices.ContainsFunc(tables, func(t tableRemoval) bool { return t.api == APIAutoscaling }) {
		return true
	}
	// why: "stores created after 2026-03-23 are Autoscaling projects"
	// (Databricks online feature store docs).
	created, err := time.Parse(time.RFC3339, s.CreationTime)
	return err == nil && !created.Before(autoscalingSince)
}

func remove(ctx context.Context, c Clients, spec RemoveSpec, s settings.Settings) (*RemoveResult, error) {
	tables, store, err := spec.validate()
	if err != nil {
		return nil, err
	}
	if c.StoreRemover == nil {
		return nil, errors.New("no client deletes online stores: set Clients.StoreRemover (w.FeatureStore)")
	}
	r, err := newStatusReader(c.Status())
	if err != nil {
		return nil, err
	}
	log := s.Logger.With("step", StepRemove, "store", store)

	// Reads: every table, then the store.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pollConcurrency)
	for i := range tables {
		g.Go(func() error { return readRemoval(gctx, r, &tables[i]) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sp, err := planStore(ctx, c, store, spec.AdoptStore, tables)
	if err != nil {
		return nil, err
	}
	if err := checkRemovers(c, tables); err != nil {
		return nil, err
	}
	report := func() *RemoveResult {
		out := &RemoveResult{Removals: make([]xregion.Removal, 0, len(tables)+1)}
		for _, t := range tables {
			out.Removals = append(out.Removals, t.Removal)
		}
		out.Removals = append(out.Removals, sp.Removal)
		return out
	}
	for _, t := range tables {
		log.InfoContext(ctx, "online table", "online", t.Name, "op", t.Op, "why", t.Why)
	}
	log.InfoContext(ctx, "online store", "op", sp.Op, "why", sp.Why)
	if s.DryRun {
		return report(), nil
	}

	timeout := cmp.Or(spec.Timeout, DefaultRemoveTimeout)
	// Writes: the tables, then wait until they are gone.
	var gone []string
	for i := range tables {
		t := &tables[i]
		if t.Op != xregion.OpRemoved {
			continue
		}
		if !t.deleting {
			absent, err := deleteTable(ctx, c, t)
			if err != nil {
				return withTables(tables[:i]), err
			}
			if absent {
				t.Op = xregion.OpAbsent
				continue
			}
			log.InfoContext(ctx, "deleting online table", "online", t.Name, "api", t.api)
		}
		gone = append(gone, t.Name)
	}
	if err := waitTablesGone(ctx, r, gone, timeout, s, log); err != nil {
		return withTables(tables), err
	}

	// The store, once its tables are gone.
	if sp.Op == xregion.OpRemoved && !sp.deleting {
		if err := deleteStore(ctx, c, store, tables, &sp, log); err != nil {
			return withTables(tables), err
		}
	}
	if sp.Op == xregion.OpRemoved {
		if err := waitStoreGone(ctx, c.StoreRemover, store, timeout, s, log); err != nil {
			return withTables(tables), err
		}
	}
	return report(), nil
}

// withTables reports the tables only, for an error in the store's part.
func withTables(tables []tableRemoval) *RemoveResult {
	out := &RemoveResult{}
	for _, t := range tables {
		out.Removals = append(out.Removals, t.Removal)
	}
	return out
}

// readRemoval reads one online table and decides what to do with it.
func readRemoval(ctx context.Context, r *statusReader, t *tableRemoval) error {
	got, err := r.read(ctx, t.Name)
	if err != nil {
		return err
	}
	if got == nil {
		t.Op = xregion.OpAbsent
		return nil
	}
	t.api = got.API
	// why: an Autoscaling reply may leave out the input-only spec
	// (the Postgres API page marks spec input-only): an absent source is unknown, and the
	// table is taken for this model's, as PublishOnline takes it.
	if got.Source != "" && !strings.EqualFold(got.Source, t.source) {
		t.Op, t.Why = xregion.OpKept, fmt.Sprintf("fed from %s, not %s: not this model's online table", got.Source, t.source)
		return nil
	}
	t.Op = xregion.OpRemoved
	t.deleting = got.Provisioning == database.ProvisioningInfoStateDeleting
	return nil
}

// checkRemovers makes sure that a client can delete each table to delete,
// before any write.
func checkRemovers(c Clients, tables []tableRemoval) error {
	for _, t := range tables {
		if t.Op != xregion.OpRemoved || t.deleting {
			continue
		}
		switch {
		case t.api == APIAutoscaling && c.AutoscalingRemover == nil:
			return fmt.Errorf("online table %s is in a Lakebase Autoscaling store, and no client deletes those: set Clients.AutoscalingRemover (w.Postgres)", t.Name)
		case t.api == APIProvisioned && c.ProvisionedRemover == nil:
			return fmt.Errorf("online table %s is in a Lakebase Provisioned store, and no client deletes those: set Clients.ProvisionedRemover (w.Database)", t.Name)
		}
	}
	return nil
}

// planStore reads the store and decides what to do with it, given what
// will become of the tables.
func planStore(ctx context.Context, c Clients, store string, adopt bool, tables []tableRemoval) (storePlan, error) {
	sp := storePlan{Removal: xregion.Removal{Kind: xregion.KindOnlineStore, Name: store}}
	got, err := c.StoreRemover.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: store})
	switch {
	case isMissing(err):
		sp.Op = xregion.OpAbsent
		return sp, nil
	case err != nil:
		return sp, fmt.Errorf("read online store %q: %w", store, err)
	case got.State == ml.OnlineStoreStateDeleting:
		// A teardown that a crash or a timeout interrupted: finish it.
		sp.Op, sp.deleting = xregion.OpRemoved, true
		return sp, nil
	case !adopt:
		sp.Op, sp.Why = xregion.OpKept, "online stores carry no mark; adopt: online-store removes it once empty"
		return sp, nil
	}
	sp.autoscaling = autoscalingStore(got, tables)
	others, unlisted, err := storeTables(ctx, c, store, sp.autoscaling, tables)
	switch {
	case err != nil:
		return sp, err
	case unlisted != "":
		sp.Op, sp.Why = xregion.OpKept, unlisted
	case len(others) > 0:
		sp.Op, sp.Why = xregion.OpKept, "still holds tables: "+strings.Join(others, ", ")
	default:
		sp.Op = xregion.OpRemoved
	}
	return sp, nil
}

// storeTables lists the store's online tables other than those this run
// removes. When the store's tables cannot be listed, unlisted says why and
// what to do: the store is not a Lakebase Provisioned instance (the
// Database API refuses it), or the list is not implemented.
func storeTables(ctx context.Context, c Clients, store string, autoscaling bool, tables []tableRemoval) (others []string, unlisted string, err error) {
	if c.ProvisionedRemover == nil {
		return nil, "", errors.New("cannot tell whether the adopted online store is empty: set Clients.ProvisionedRemover (w.Database), which lists a Lakebase Provisioned store's tables")
	}
	// why: an online store of the Provisioned kind is a Lakebase database
	// instance named like the store (the online feature store docs say so of
	// Autoscaling projects; the same of instances is an assumption), whose
	// synced tables the Database API lists by instance (SDK
	// Database.ListSyncedDatabaseTables).
	all, err := c.ProvisionedRemover.ListSyncedDatabaseTablesAll(ctx, database.ListSyncedDatabaseTablesRequest{InstanceName: store})
	switch {
	case err == nil:
	case isNotImplemented(err) && !autoscaling:
		// why: the SDK documents the list as "currently unimplemented, but
		// exposed for Terraform support" (SDK service/database/api.go).
		return nil, "cannot list the store's tables (the Lakebase Provisioned API does not implement the list), so it cannot be proven empty; delete it in the Lakebase UI after checking", nil
	case tryOther(err):
		// why: the Postgres API has no list of synced tables (SDK
		// service/postgres), and the Database API knows no Autoscaling
		// project (online feature store docs). Whether the service refuses
		// to delete a store that still holds tables is unknown (no
		// Databricks doc or issue says), so nothing guards other models' tables
		// but this check: keep it.
		return nil, "cannot list an Autoscaling store's tables, so it cannot be proven empty; delete it in the Lakebase UI after checking", nil
	default:
		return nil, "", fmt.Errorf("list the tables of online store %q: %w", store, err)
	}
	mine := map[string]bool{}
	for _, t := range tables {
		if t.Op == xregion.OpRemoved {
			mine[strings.ToLower(t.Name)] = true
		}
	}
	for _, t := range all {
		if !mine[strings.ToLower(t.Name)] {
			others = append(others, t.Name)
		}
	}
	slices.Sort(others)
	return slices.Compact(others), "", nil
}

// isNotImplemented reports whether err is a 501 or NOT_IMPLEMENTED.
func isNotImplemented(err error) bool {
	var ae *apierr.APIError
	return errors.Is(err, apierr.ErrNotImplemented) || errors.As(err, &ae) && ae.StatusCode == http.StatusNotImplemented
}

// deleteTable deletes one online table through the API that owns it. It
// reports absent when the service no longer had it.
//
// why: the Lakebase APIs are the delete paths whose effect is documented:
// purge_data=true drops the Postgres table as well as the Unity Catalog
// entry and the sync pipeline (docs.databricks.com/api/database/v1/
// delete-synced-database-table), and the Postgres API's delete is a long-running
// operation (SDK Postgres.DeleteSyncedTable). What the feature store's
// DELETE online-tables does (synchronous or not, data dropped or not) is
// not documented (SDK ml.DeleteOnlineTableRequest says nothing of it), so it is not used.
func deleteTable(ctx context.Context, c Clients, t *tableRemoval) (absent bool, err error) {
	switch t.api {
	case APIAutoscaling:
		// The operation is not waited on: the table is polled until it is
		// gone instead, which also covers a re-run that finds it DELETING.
		_, err = c.AutoscalingRemover.DeleteSyncedTable(ctx, postgres.DeleteSyncedTableRequest{Name: "synced_tables/" + t.Name})
	default:
		err = c.ProvisionedRemover.DeleteSyncedDatabaseTable(ctx, database.DeleteSyncedDatabaseTableRequest{Name: t.Name, PurgeData: true})
	}
	if isMissing(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete online table %s through the Lakebase %s API: %w", t.Name, t.api, err)
	}
	return false, nil
}

// deleteStore deletes the store once its tables are gone, making sure
// first that no table was published into it meanwhile.
func deleteStore(ctx context.Context, c Clients, store string, tables []tableRemoval, sp *storePlan, log *slog.Logger) error {
	others, unlisted, err := storeTables(ctx, c, store, sp.autoscaling, tables)
	switch {
	case err != nil:
		return err
	case unlisted != "" || len(others) > 0:
		sp.Op, sp.Why = xregion.OpKept, cmp.Or(unlisted, "still holds tables: "+strings.Join(others, ", "))
		log.InfoContext(ctx, "keeping online store", "why", sp.Why)
		return nil
	}
	err = c.StoreRemover.DeleteOnlineStore(ctx, ml.DeleteOnlineStoreRequest{Name: store})
	var ae *apierr.APIError
	switch {
	case isMissing(err):
		sp.Op = xregion.OpAbsent
		return nil
	case errors.As(err, &ae) && (ae.StatusCode == http.StatusBadRequest || ae.StatusCode == http.StatusConflict):
		// why: a refusal of the store's delete is not documented; one
		// that names tables is plausible (Google Vertex's online store refuses
		// without force; a different product, analogous only). The store
		// stays, with the service's reason, and nothing else is deleted
		// to make way: the tables left are not this model's.
		sp.Op, sp.Why = xregion.OpKept, "the service refused to delete it: "+ae.Message
		log.InfoContext(ctx, "keeping online store", "why", sp.Why)
		return nil
	case err != nil:
		return fmt.Errorf("delete online store %q: %w", store, err)
	}
	log.InfoContext(ctx, "deleting online store")
	return nil
}

// waitTablesGone polls the tables until the service no longer shows any.
func waitTablesGone(ctx context.Context, r *statusReader, names []string, timeout time.Duration, s settings.Settings, log *slog.Logger) error {
	if len(names) == 0 {
		return nil
	}
	pending := slices.Clone(names)
	last := map[string]string{}
	return waitGone(ctx, fmt.Sprintf("%d online table(s)", len(names)), timeout, s, log, func(ctx context.Context) (string, bool, error) {
		still := pending[:0]
		for _, name := range pending {
			t, err := r.read(ctx, name)
			if err != nil {
				return "", false, err
			}
			if t != nil {
				still = append(still, name)
				last[name] = statusOf(name, t).describe()
			}
		}
		pending = still
		if len(pending) == 0 {
			return "", true, nil
		}
		return fmt.Sprintf("%d of %d online tables still there; %s: %s", len(pending), len(names), pending[0], last[pending[0]]), false, nil
	})
}

// waitStoreGone polls the store until the service no longer shows it.
func waitStoreGone(ctx context.Context, fs StoreRemover, store string, timeout time.Duration, s settings.Settings, log *slog.Logger) error {
	return waitGone(ctx, fmt.Sprintf("online store %q", store), timeout, s, log, func(ctx context.Context) (string, bool, error) {
		got, err := fs.GetOnlineStore(ctx, ml.GetOnlineStoreRequest{Name: store})
		switch {
		case isMissing(err):
			return "", true, nil
		case err != nil:
			return "", false, fmt.Errorf("read online store %q: %w", store, err)
		}
		return fmt.Sprintf("online store %q is %s", store, got.State), false, nil
	})
}

// errRemoveTimeout is the cause of a wait that ran out of time.
var errRemoveTimeout = errors.New("timed out waiting for the deletion")

// waitGone polls check until it reports done, and fails after timeout
// naming what was still there. It logs the status when it changes, and
// often enough that no 30 s pass without a record: it polls at least every
// 30 s, and logs before any pause that would end more than 30 s after the
// last record.
func waitGone(ctx context.Context, what string, timeout time.Duration, s settings.Settings, log *slog.Logger, check func(context.Context) (status string, done bool, err error)) error {
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errRemoveTimeout)
	defer cancel()
	p := &progressBackOff{BackOff: s.NewBackOff()}
	p.log = func() { log.InfoContext(ctx, "waiting for the deletion", "what", what, "status", p.status) }
	err := settings.Poll(wctx, p, func(ctx context.Context) (bool, error) {
		st, done, err := check(ctx)
		if err != nil || done {
			return done, err
		}
		changed := st != p.status
		p.status = st
		if changed {
			p.log()
			p.logged = time.Now()
		}
		return false, nil
	})
	switch {
	case err == nil:
		log.InfoContext(ctx, "deleted", "what", what)
		return nil
	case errors.Is(err, errRemoveTimeout):
		return fmt.Errorf("%s not gone after %s (%s); run again to go on waiting: %w", what, timeout, p.status, errors.Join(context.DeadlineExceeded, xregion.ErrNotReady))
	case errors.Is(err, xregion.ErrWaitStopped):
		return fmt.Errorf("%s not gone (%s): %w", what, p.status, errors.Join(xregion.ErrNotReady, err))
	}
	return err
}

// progressBackOff caps the pauses of a wait at 30 s, and logs the wait's
// status before a pause that would end more than 30 s after the last
// record.
type progressBackOff struct {
	backoff.BackOff
	status string
	logged time.Time
	log    func()
}

func (p *progressBackOff) Reset() {
	p.BackOff.Reset()
	p.logged = time.Now()
}

func (p *progressBackOff) NextBackOff() time.Duration {
	d := p.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	d = min(d, progressEvery)
	if time.Since(p.logged)+d > progressEvery {
		p.log()
		p.logged = time.Now()
	}
	return d
}
