package online

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/service/database"
	"github.com/org/xregion-action/xregion"
	"golang.org/x/sync/errgroup"
)

// StepWait is the step name [WaitOnline] reports in errors.
const StepWait = "WaitOnline"

// DefaultWaitTimeout bounds WaitOnline unless told otherwise.
const DefaultWaitTimeout = 10 * time.Minute

// pollConcurrency bounds the status reads WaitOnline keeps in flight.
const pollConcurrency = 16

// ErrTableFailed is matched by the error WaitOnline returns when a table
// reaches a failed state. The error is a [*TableFailedError].
var ErrTableFailed = errors.New("online table failed")

// TableFailedError reports an online table in a failed state, or being
// deleted, with the service's message.
type TableFailedError struct {
	Status TableStatus
}

// Error names the table, its state and the service's message.
func (e *TableFailedError) Error() string {
	if e.Status.Phase == PhaseDeleting {
		return fmt.Sprintf("online table %s is being deleted: %s", e.Status.Name, e.Status.describe())
	}
	return fmt.Sprintf("online table %s failed: %s", e.Status.Name, e.Status.describe())
}

// Is makes errors.Is(err, ErrTableFailed) true.
func (e *TableFailedError) Is(target error) bool { return target == ErrTableFailed }

// Phase classifies an online table's status.
type Phase string

const (
	// PhasePending means the table is still being provisioned or synced.
	PhasePending Phase = "pending"
	// PhaseMissing means the service does not show the table (yet).
	PhaseMissing Phase = "missing"
	// PhaseOnline means the table serves its data.
	PhaseOnline Phase = "online"
	// PhaseFailed means the table will not come online without help.
	PhaseFailed Phase = "failed"
	// PhaseDeleting means the table is being deleted (provisioning state
	// DELETING): it will not come online, and waiting is pointless.
	PhaseDeleting Phase = "deleting"
)

// TableStatus is one online table's status at one poll.
type TableStatus struct {
	// Name is the online table's three-part name.
	Name string `json:"name"`
	// Phase is how WaitOnline reads the states below.
	Phase Phase `json:"phase"`
	// State is the data synchronization state, such as
	// SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT.
	State database.SyncedTableState `json:"state"`
	// Provisioning is the Unity Catalog provisioning state, such as ACTIVE.
	Provisioning database.ProvisioningInfoState `json:"provisioning"`
	// Message is the service's message about the state, if any.
	Message string `json:"message"`
	// API is the Lakebase API that reported the table.
	API API `json:"api,omitempty"`
	// LastSync is when the table's last successful sync ended, if the
	// service said: its data is as of then.
	LastSync time.Time `json:"last_sync,omitzero"`
}

func (s TableStatus) describe() string {
	if s.Phase == PhaseMissing {
		return "not found"
	}
	d := cmp.Or(string(s.State), "no sync state")
	if s.Provisioning != "" && s.Provisioning != database.ProvisioningInfoStateActive {
		d += ", provisioning " + string(s.Provisioning)
	}
	if s.Message != "" {
		d += ": " + s.Message
	}
	return d
}

// Progress is reported after every poll.
type Progress struct {
	// Online and Total count tables.
	Online, Total int
	// Pending are the tables not online yet, sorted by name.
	Pending []TableStatus
}

// statusOf is the status of the online table called name as read.
func statusOf(name string, t *syncedTable) TableStatus {
	return TableStatus{
		Name: name, Phase: classify(t), State: t.State, Provisioning: t.Provisioning,
		Message: t.Message, API: t.API, LastSync: t.LastSync,
	}
}

// WaitSpec says which online tables to wait for.
type WaitSpec struct {
	// Tables are the online tables' three-part names, such as
	// [PublishResult.OnlineNames].
	Tables []string
	// Timeout bounds the whole wait. Default: [DefaultWaitTimeout].
	Timeout time.Duration
	// OnProgress, if set, is called after every poll, from the calling
	// goroutine.
	OnProgress func(Progress)
	// MissingGrace bounds how long a table may stay not found, as right
	// after its publish: past it the wait fails. Default:
	// [DefaultMissingGrace].
	MissingGrace time.Duration
	// Known are statuses of some of the Tables read moments ago in this
	// run, such as [PublishResult].Read: a table Known to be online is not
	// read again, and its Known status is reported.
	Known []TableStatus
	// SyncedAfter names tables published again (to heal them or refresh
	// their data), with their last sync before: such a table is online
	// only once it reports a later last sync, since an online state alone
	// may still be the old data. See [PublishResult.Resynced].
	SyncedAfter map[string]time.Time
}

// DefaultMissingGrace is how long WaitOnline lets a table stay not found
// unless told otherwise.
const DefaultMissingGrace = 2 * time.Minute

// ErrTableMissing is matched when a table stays not found past the grace
// period: it was never published, or was deleted.
var ErrTableMissing = errors.New("online table not found")

// WaitOnline waits until every online table of spec is online. Each poll
// reads only the tables not online yet, all of them concurrently, sleeping
// between polls as the settings' backoff says ([xregion.WithBackOff]).
//
// Each table is read through the Lakebase API that owns it: the
// Autoscaling API first, then the Provisioned one (see [StatusClients]).
// A table in a failed state, or being deleted, ends the wait at once with
// a [*TableFailedError] carrying the service's message. When spec.Timeout
// passes first, the error matches context.DeadlineExceeded and names the
// tables still pending and why. A table not found past spec.MissingGrace
// fails the wait with [ErrTableMissing]; any other read error ends it (the
// SDK has already retried throttling and unavailability). Progress goes to
// spec.OnProgress and to the settings' logger. Every error is a
// [*xregion.StepError].
func WaitOnline(ctx context.Context, c StatusClients, spec WaitSpec, opts ...xregion.Option) ([]TableStatus, error) {
	got, err := wait(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return got, &xregion.StepError{Step: StepWait, Resource: tablesLabel(len(spec.Tables)), Err: err}
	}
	return got, nil
}

func wait(ctx context.Context, c StatusClients, spec WaitSpec, s settings.Settings) ([]TableStatus, error) {
	r, err := newStatusReader(c)
	if err != nil {
		return nil, err
	}
	pending := slices.Clone(spec.Tables)
	slices.Sort(pending)
	pending = slices.Compact(pending)
	for _, name := range pending {
		if _, err := xregion.ParseFullName("online table", name); err != nil {
			return nil, err
		}
	}
	total := len(pending)
	final := map[string]TableStatus{}
	for _, k := range spec.Known {
		if i, found := slices.BinarySearch(pending, k.Name); found && k.Phase == PhaseOnline {
			final[k.Name] = k
			pending = slices.Delete(pending, i, i+1)
		}
	}
	log := s.Logger.With("step", StepWait)
	timeout := cmp.Or(spec.Timeout, DefaultWaitTimeout)
	wctx, cancel := context.WithTimeoutCause(ctx, timeout, errWaitTimeout)
	defer cancel()

	statuses := make([]TableStatus, len(pending))
	resync := map[string]bool{} // online but not synced again since its re-publish
	start, grace := time.Now(), cmp.Or(spec.MissingGrace, DefaultMissingGrace)
	err = settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		statuses = statuses[:len(pending)]
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(pollConcurrency)
		for i, name := range pending {
			g.Go(func() (err error) {
				statuses[i], err = readStatus(gctx, r, name)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return false, err
		}
		still := pending[:0]
		var waiting []TableStatus
		for i, st := range statuses {
			final[st.Name] = st
			switch st.Phase {
			case PhaseFailed, PhaseDeleting:
				// why: a table DELETING will not come online (nothing leaves
				// DELETING but removal): fail fast with the service's message.
				return false, &TableFailedError{Status: st}
			case PhaseOnline:
				if before, ok := spec.SyncedAfter[st.Name]; ok && !before.IsZero() && !st.LastSync.After(before) {
					// Published again, but not synced again yet.
					st.Phase = PhasePending
					st.Message = cmp.Or(st.Message, "published again; waiting for a sync newer than "+before.UTC().Format(time.RFC3339))
					final[st.Name] = st
					resync[st.Name] = true
					still = append(still, pending[i])
					waiting = append(waiting, st)
				}
			case PhaseMissing:
				if time.Since(start) > grace {
					return false, fmt.Errorf("%s still not found after %s: was it published? %w", st.Name, grace, ErrTableMissing)
				}
				still = append(still, pending[i])
				waiting = append(waiting, st)
			default:
				still = append(still, pending[i])
				waiting = append(waiting, st)
			}
		}
		pending = still
		p := Progress{Online: total - len(pending), Total: total, Pending: waiting}
		if spec.OnProgress != nil {
			spec.OnProgress(p)
		}
		if len(waiting) > 0 {
			log.InfoContext(ctx, fmt.Sprintf("%d of %d tables online", p.Online, p.Total),
				"waiting_for", waiting[0].Name, "status", waiting[0].describe())
		} else {
			log.InfoContext(ctx, fmt.Sprintf("all %d tables online", total))
		}
		// A dry run reports the state once and waits for nothing.
		return len(pending) == 0 || s.DryRun, nil
	})

	out := make([]TableStatus, 0, len(final))
	for _, name := range slices.Sorted(maps.Keys(final)) {
		out = append(out, final[name])
	}
	if err == nil {
		return out, nil
	}
	if errors.Is(err, errWaitTimeout) || errors.Is(err, xregion.ErrWaitStopped) {
		var desc []string
		for _, name := range pending {
			d := name + " (" + final[name].describe() + ")"
			if resync[name] {
				// Publishing again is how xregion re-syncs a table, and that
				// it syncs a healthy SNAPSHOT table is not documented.
				d = name + " (online, but publishing it again did not sync it again: its last sync is still " +
					final[name].LastSync.UTC().Format(time.RFC3339) + "; re-syncing by publishing again is unverified, see the README)"
			}
			desc = append(desc, d)
		}
		return out, fmt.Errorf("%d of %d tables not online after %s: %s: %w",
			len(pending), total, timeout, strings.Join(desc, "; "), errors.Join(context.DeadlineExceeded, err))
	}
	return out, err
}

var errWaitTimeout = errors.New("timed out waiting for online tables")

// readStatus reads one table.
func readStatus(ctx context.Context, r *statusReader, name string) (TableStatus, error) {
	// Throttling and unavailability were already retried by the SDK for
	// minutes; every other error is the caller's to see.
	t, err := r.read(ctx, name)
	if err != nil || t == nil {
		return TableStatus{Name: name, Phase: PhaseMissing}, err
	}
	return statusOf(name, t), nil
}
