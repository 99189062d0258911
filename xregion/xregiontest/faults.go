package xregiontest

import (
	"fmt"
	"slices"
)

// Write is one entry of a workspace's write log: a successful call of a
// write method, such as Method "Shares.Update" on Resource "s1".
type Write struct {
	// Method is the call, as "Service.Method", such as "Shares.Update".
	Method string
	// Resource is the name of the share, recipient, catalog, online store,
	// online table or serving endpoint written.
	Resource string
}

// Fault makes calls of one method fail. Inject it with [Workspace.Inject].
type Fault struct {
	// Method is the call to fail, as "Service.Method", such as
	// "Shares.Update" or "Providers.ListAll". Reads can fail too.
	Method string
	// Skip lets this many calls of Method through before the fault starts.
	Skip int
	// Times is how many calls fail after the skipped ones; 0 means every
	// one.
	Times int
	// Err is returned to the caller, such as [Unavailable]("try again").
	Err error
	// AfterCommit makes the call take effect before the caller gets Err, as
	// when the SDK retries a create that had landed. A call that fails by
	// itself still returns its own error and changes nothing.
	AfterCommit bool
}

type faultRule struct {
	Fault
	seen int // calls of Method since the fault was injected
}

// Inject adds a fault. Every call of a method is counted by every fault for
// that method; when several would fire on the same call, the one injected
// first decides the error. A fault without AfterCommit fails the call with
// no effect at all: the call is not logged as a write.
//
// It panics if f.Method is not a method of the fake, if f.Err is nil, or if
// Skip or Times is negative.
func (w *Workspace) Inject(f Fault) {
	if !knownMethod(f.Method) {
		panic(fmt.Sprintf("xregiontest: Inject: unknown method %q", f.Method))
	}
	if f.Err == nil {
		panic("xregiontest: Inject: nil Err")
	}
	if f.Skip < 0 || f.Times < 0 {
		panic("xregiontest: Inject: negative Skip or Times")
	}
	defer w.lock()()
	w.faults = append(w.faults, &faultRule{Fault: f})
}

// fault counts a call of method against every fault and returns the fault
// that fires for it, if any.
func (w *Workspace) fault(method string) *Fault {
	var fired *Fault
	for _, r := range w.faults {
		if r.Method != method {
			continue
		}
		r.seen++
		n := r.seen - r.Skip // 1-based index among the calls past Skip
		if n >= 1 && (r.Times == 0 || n <= r.Times) && fired == nil {
			fired = &r.Fault
		}
	}
	return fired
}

// Writes returns the write log: every successful call of a write method
// (Shares.Create, Shares.Update, Shares.UpdatePermissions, Shares.Delete,
// Recipients.Create, Recipients.Delete, Catalogs.Create, Catalogs.Update,
// Catalogs.Delete, FeatureStore.CreateOnlineStore,
// FeatureStore.PublishTable, FeatureStore.DeleteOnlineTable,
// FeatureStore.DeleteOnlineStore, Database.DeleteSyncedDatabaseTable,
// Postgres.DeleteSyncedTable, ServingEndpoints.Create,
// ServingEndpoints.UpdateConfig, ServingEndpoints.Delete,
// ServingEndpoints.Patch, Schemas.Create), in order,
// including calls that took effect under an AfterCommit fault. A
// successful write that happened to change nothing, such as granting a
// privilege already held, is logged too, so that a test can assert that a
// converged run makes no write calls. Reads and seeding are never logged.
func (w *Workspace) Writes() []Write {
	defer w.lock()()
	return slices.Clone(w.writes)
}

// ResetWrites empties the write log.
func (w *Workspace) ResetWrites() {
	defer w.lock()()
	w.writes = nil
}

// Calls returns how many times method, such as "Shares.Get", was called,
// failed calls included. Calls made with a context that was already done
// never reach the fake's state and are not counted.
func (w *Workspace) Calls(method string) int {
	defer w.lock()()
	return w.calls[method]
}

func knownMethod(m string) bool {
	switch m {
	case "ModelVersions.Get", "ModelVersions.GetByAlias", "ModelVersions.ListAll",
		"Tables.Get", "Tables.ListAll", "Functions.Get", "Functions.ListAll", "Functions.SecurableKind",
		"Connections.Get", "Credentials.GetCredential", "Metastores.Summary",
		"Shares.Get", "Shares.SharePermissions", "Shares.ListSharesAll",
		"Recipients.Get", "Recipients.ListAll", "Recipients.SharePermissions",
		"Providers.Get", "Providers.ListAll", "Providers.ListSharesAll",
		"Catalogs.Get", "Catalogs.ListAll", "Schemas.Get", "Schemas.ListAll",
		"FeatureStore.GetOnlineStore", "FeatureStore.ListOnlineStoresAll",
		"Database.GetSyncedDatabaseTable", "Postgres.GetSyncedTable",
		"Database.ListSyncedDatabaseTablesAll",
		"ServingEndpoints.Get", "ServingEndpoints.Query", "ServingEndpoints.QueryServedEntity", "ServingEndpoints.ListAll":
		return true
	}
	return isWrite(m)
}

func isWrite(m string) bool {
	switch m {
	case "Shares.Create", "Shares.Update", "Shares.UpdatePermissions",
		"Recipients.Create", "Catalogs.Create",
		"FeatureStore.CreateOnlineStore", "FeatureStore.PublishTable",
		"FeatureStore.DeleteOnlineTable", "Database.DeleteSyncedDatabaseTable",
		"FeatureStore.DeleteOnlineStore", "Postgres.DeleteSyncedTable",
		"ServingEndpoints.Create", "ServingEndpoints.UpdateConfig", "ServingEndpoints.Delete",
		"ServingEndpoints.Patch", "Schemas.Create":
		return true
	case "Shares.Delete", "Recipients.Delete", "Catalogs.Update", "Catalogs.Delete":
		return true
	}
	return false
}
