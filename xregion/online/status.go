package online

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/databricks/databricks-sdk-go/service/postgres"
)

// API names the Lakebase API that reports on an online table.
type API string

const (
	// APIAutoscaling is the Lakebase Autoscaling (Postgres) API, which owns
	// the tables of online stores created from 2026-03-23 on.
	APIAutoscaling API = "autoscaling"
	// APIProvisioned is the Lakebase Provisioned (Database) API, which owns
	// the tables of older online stores.
	APIProvisioned API = "provisioned"
)

// syncedTable is an online table as the API that owns it reports it, in
// one shape for both APIs.
type syncedTable struct {
	API API
	// Source is the source table's full name; "" when the reply did not
	// say, as an Autoscaling reply without spec does: unknown, not
	// another source.
	Source string
	// Policy is the scheduling policy, such as SNAPSHOT; "" when unknown.
	Policy       string
	State        database.SyncedTableState
	Provisioning database.ProvisioningInfoState
	Message      string
	PipelineID   string
	// LastSync is when the last successful sync ended; zero when unknown.
	LastSync time.Time
}

// fromDatabase reads a reply of the Provisioned API.
func fromDatabase(t *database.SyncedDatabaseTable) *syncedTable {
	out := &syncedTable{API: APIProvisioned, Provisioning: t.UnityCatalogProvisioningState}
	if s := t.Spec; s != nil {
		out.Source, out.Policy = s.SourceTableFullName, string(s.SchedulingPolicy)
	}
	if ds := t.DataSynchronizationStatus; ds != nil {
		out.State, out.Message, out.PipelineID = ds.DetailedState, ds.Message, ds.PipelineId
		if ls := ds.LastSync; ls != nil && ls.SyncEndTimestamp != "" {
			if at, err := time.Parse(time.RFC3339, ls.SyncEndTimestamp); err == nil {
				out.LastSync = at
			}
		}
	}
	return out
}

// fromPostgres reads a reply of the Autoscaling API, which may leave out
// the input-only spec and the Unity Catalog state.
func fromPostgres(t *postgres.SyncedTable) *syncedTable {
	out := &syncedTable{API: APIAutoscaling}
	if s := t.Spec; s != nil {
		out.Source, out.Policy = s.SourceTableFullName, string(s.SchedulingPolicy)
	}
	if s := t.Status; s != nil {
		// The state names are the Provisioned API's, but for the offline
		// one, which classify knows in both spellings.
		out.State, out.Message, out.PipelineID = database.SyncedTableState(s.DetailedState), s.Message, s.PipelineId
		out.Provisioning = database.ProvisioningInfoState(s.UnityCatalogProvisioningState)
		switch {
		case s.LastSyncTime != nil:
			out.LastSync = s.LastSyncTime.AsTime()
		case s.LastSync != nil && s.LastSync.SyncEndTime != nil:
			out.LastSync = s.LastSync.SyncEndTime.AsTime()
		}
	}
	return out
}

// statusReader reads online tables through the API that owns each one:
// the Autoscaling API first, then the Provisioned one. It remembers which
// API answered for a table and asks that one first from then on. It is
// safe for concurrent use.
type statusReader struct {
	c     StatusClients
	mu    sync.Mutex
	owner map[string]API
	// listed, when set, lists the Unity Catalog tables of a schema: a
	// table the first API does not know and the list does not show is
	// missing, with no read through the second API. Each schema is listed
	// once, at the first such table; set it only while nothing is
	// published.
	listed *ucLists
	// listFirst asks the list before either API: a table it does not
	// show is missing.
	listFirst bool
}

// ucLists lists each schema's Unity Catalog tables once, on demand.
type ucLists struct {
	l     TableLister
	mu    sync.Mutex
	names map[string]map[string]bool // schema -> lower-case full names
	errs  map[string]error
}

// TableLister lists the tables of a schema (w.Tables does). When
// [Clients].Tables is one, PublishOnline lists each online schema once
// instead of asking the second Lakebase API about each online table the
// first does not know: an online table is a Unity Catalog table of its
// catalog and schema.
type TableLister interface {
	ListAll(ctx context.Context, request catalog.ListTablesRequest) ([]catalog.TableInfo, error)
}

// unlisted reports whether the three-part name full is surely not a table:
// its schema's list succeeded and does not show it.
func (u *ucLists) unlisted(ctx context.Context, full string) bool {
	parts := strings.SplitN(full, ".", 3)
	if len(parts) != 3 {
		return false
	}
	key := strings.ToLower(parts[0] + "." + parts[1])
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.names == nil {
		u.names, u.errs = map[string]map[string]bool{}, map[string]error{}
	}
	if _, done := u.names[key]; !done && u.errs[key] == nil {
		all, err := u.l.ListAll(ctx, catalog.ListTablesRequest{CatalogName: parts[0], SchemaName: parts[1]})
		if isMissing(err) {
			all, err = nil, nil // no schema (or catalog): no table in it
		}
		if err != nil {
			u.errs[key] = err // the reads decide, as without a list
		} else {
			set := make(map[string]bool, len(all))
			for _, t := range all {
				set[strings.ToLower(t.FullName)] = true
			}
			u.names[key] = set
		}
	}
	set, ok := u.names[key]
	return ok && !set[strings.ToLower(full)]
}

func newStatusReader(c StatusClients) (*statusReader, error) {
	if c.Postgres == nil && c.SyncedTables == nil {
		return nil, errors.New("no client reads online tables: set StatusClients.Postgres (w.Postgres) or StatusClients.SyncedTables (w.Database)")
	}
	return &statusReader{c: c, owner: map[string]API{}}, nil
}

// read returns the online table called name, or nil when neither API
// knows it (yet).
//
// A refusal with a 4xx status other than 401, 403 and 429 from one API,
// or a 501 (the API is not there), means "try the other": each API refuses
// the tables of the other kind of store, with no documented code. Any other
// error, such as a permission error, is returned at once. When both APIs
// refuse, the table is missing if either said "not found", and otherwise
// the error names both refusals.
func (r *statusReader) read(ctx context.Context, name string) (*syncedTable, error) {
	if r.listFirst && r.listed != nil && r.listed.unlisted(ctx, name) {
		return nil, nil // not in its schema: neither API would know it
	}
	order := []API{APIAutoscaling, APIProvisioned}
	r.mu.Lock()
	if r.owner[name] == APIProvisioned {
		order[0], order[1] = order[1], order[0]
	}
	r.mu.Unlock()
	var refusals []error
	missing := false
	for _, api := range order {
		t, err := r.get(ctx, api, name)
		if t == nil && err == nil {
			continue // no client for this API
		}
		if err == nil {
			r.mu.Lock()
			r.owner[name] = api
			r.mu.Unlock()
			return t, nil
		}
		if !tryOther(err) {
			return nil, fmt.Errorf("read online table %s through the Lakebase %s API: %w", name, api, err)
		}
		missing = missing || isMissing(err)
		refusals = append(refusals, fmt.Errorf("Lakebase %s API: %w", api, err))
		if len(refusals) == 1 && isMissing(err) && r.listed != nil && r.listed.unlisted(ctx, name) {
			return nil, nil // no such table at all: the other API would say so too
		}
	}
	if missing {
		return nil, nil
	}
	return nil, fmt.Errorf("read online table %s: neither Lakebase API serves it: %w", name, errors.Join(refusals...))
}

// get reads name through one API; it returns nil, nil when there is no
// client for it.
func (r *statusReader) get(ctx context.Context, api API, name string) (*syncedTable, error) {
	switch {
	case api == APIAutoscaling && r.c.Postgres != nil:
		t, err := r.c.Postgres.GetSyncedTable(ctx, postgres.GetSyncedTableRequest{Name: "synced_tables/" + name})
		if err != nil {
			return nil, err
		}
		return fromPostgres(t), nil
	case api == APIProvisioned && r.c.SyncedTables != nil:
		t, err := r.c.SyncedTables.GetSyncedDatabaseTable(ctx, database.GetSyncedDatabaseTableRequest{Name: name})
		if err != nil {
			return nil, err
		}
		return fromDatabase(t), nil
	}
	return nil, nil
}

// tryOther reports whether err from one Lakebase API means "ask the other
// one": a 4xx other than 401 and 403 (Databricks' Lakebase agent skill says
// the Provisioned API "fails on current Lakebase" without naming a code) and 429
// (throttling, which the SDK has retried already), or a 501 from a
// workspace without that API.
func tryOther(err error) bool {
	var ae *apierr.APIError
	if errors.As(err, &ae) {
		switch s := ae.StatusCode; {
		case s == http.StatusUnauthorized, s == http.StatusForbidden, s == http.StatusTooManyRequests:
			return false
		case s >= 400 && s < 500, s == http.StatusNotImplemented:
			return true
		}
	}
	return errors.Is(err, apierr.ErrNotImplemented)
}

// Classify reads a synced table's states as one [Phase], comparing exact
// enum values. A table is online when its data is in the ONLINE family and
// Unity Catalog shows it ACTIVE or does not say (a Lakebase Autoscaling
// reply may leave the state out); ONLINE_PIPELINE_FAILED counts as failed,
// since the table then serves stale data. A table whose provisioning state
// is DELETING is [PhaseDeleting]. DEGRADED is not ready, and left to the
// timeout.
func Classify(t *database.SyncedDatabaseTable) Phase { return classify(fromDatabase(t)) }

func classify(t *syncedTable) Phase {
	if t.Provisioning == database.ProvisioningInfoStateDeleting {
		return PhaseDeleting
	}
	switch t.State {
	case database.SyncedTableStateSyncedTableOfflineFailed,
		database.SyncedTableStateSyncedTableOnlinePipelineFailed,
		database.SyncedTableStateSyncedTabledOffline,                           // sic: the Provisioned API's spelling
		database.SyncedTableState(postgres.SyncedTableStateSyncedTableOffline): // the Autoscaling spelling
		return PhaseFailed
	}
	if t.Provisioning == database.ProvisioningInfoStateFailed {
		return PhaseFailed
	}
	switch t.State {
	case database.SyncedTableStateSyncedTableOnline,
		database.SyncedTableStateSyncedTableOnlineNoPendingUpdate,
		database.SyncedTableStateSyncedTableOnlineTriggeredUpdate,
		database.SyncedTableStateSyncedTableOnlineContinuousUpdate,
		database.SyncedTableStateSyncedTableOnlineUpdatingPipelineResources:
		if t.Provisioning == database.ProvisioningInfoStateActive || t.Provisioning == "" {
			return PhaseOnline
		}
	}
	return PhasePending
}

func isMissing(err error) bool  { return apierr.IsMissing(err) }
func isConflict(err error) bool { return errors.Is(err, apierr.ErrResourceConflict) }
