// Package online serves a model's feature tables online in a target region:
// [PublishOnline] makes sure an online feature store exists and publishes
// each feature table, read from the shared catalog, into it in SNAPSHOT
// mode; [WaitOnline] then waits until every published table is online, which
// must happen before a serving endpoint that looks features up is deployed.
//
// Publishing and waiting are separate steps: PublishOnline returns right
// after the publish calls, and WaitOnline owns the polling, under a deadline
// and with an injectable backoff ([xregion.WithBackOff]).
//
// The steps take the SDK services they call as small interfaces
// ([FeatureStore], [SyncedTables], [PostgresSyncedTables], [Tables]) that
// w.FeatureStore, w.Database, w.Postgres and w.Tables of a
// *databricks.WorkspaceClient satisfy, as do the fakes of
// [github.com/org/xregion-action/xregion/xregiontest]. This package imports
// only [github.com/org/xregion-action/xregion] of xregion's own packages.
//
// # Two Lakebase APIs
//
// Online stores created from 2026-03-23 on are Lakebase Autoscaling
// projects, whose synced tables only the Postgres API (w.Postgres) reports
// on; older stores are Lakebase Provisioned instances, reported on by the
// Database API (w.Database). Both steps read each online table through the
// API that owns it ([StatusClients]): the Autoscaling API first, then the
// Provisioned one. A refusal with any 4xx status but 401, 403 and 429, or
// a 501, means "ask the other API"; a table both refuse with "not found"
// is missing. An Autoscaling reply may leave out the input-only spec, so a
// table whose source is not named is accepted, not taken for one fed from
// another source; and an ONLINE sync state without a Unity Catalog state
// is online. A table (or store) whose provisioning state is DELETING fails
// the step at once with the service's message.
//
// # Freshness
//
// An online table of a shared feature table is a SNAPSHOT, a copy as of
// its last sync that is never refreshed by itself, and a failed or offline
// table stays so until it is published again. PublishOnline therefore
// publishes again every existing table that has failed, leaves alone one
// that is still syncing, and applies [PublishSpec].Refresh to the healthy
// ones: [RefreshAuto] (the default) syncs a table again when its last sync
// ended before [PublishSpec].VersionCreated, [RefreshAlways] on every run,
// [RefreshNever] never; [PublishSpec].MaxStaleness adds a bound on the age
// of the last sync. A table whose last sync is not reported is left alone,
// so that a converged re-run makes no write. Results report each table's
// last sync ([PublishedTable].LastSync, [TableStatus].LastSync) and why it
// was published again.
//
// Syncing again is publishing again, from the same source into the same
// store and online table: the one write this package makes to an existing
// table. It keeps the table and its sync pipeline (the SDK documents
// republishing to an existing online table), and publishing never deletes
// an online table, which an endpoint may serve from. Only [Remove], the
// teardown's step, deletes online tables and stores. That a republish of a
// healthy SNAPSHOT table runs a new full sync is not documented, and so
// unverified; the documented refresh of a SNAPSHOT pipeline is an update of
// the pipeline.
package online
