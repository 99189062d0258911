// Package online serves a model's feature tables online in a target region:
// [PublishOnline] makes sure an online feature store exists and publishes
// each feature table, read from the shared catalog, into it in SNAPSHOT mode;
// [WaitOnline] then waits until every published table is online, which must
// happen before a serving endpoint that looks features up is deployed.
//
// Publishing and waiting are separate steps: PublishOnline returns right
// after the publish calls, and WaitOnline owns the polling, under a deadline
// and with an injectable backoff ([xregion.WithBackOff]).
//
// The steps take the SDK services they call as small interfaces
// ([FeatureStore], [SyncedTables], [Tables]) that w.FeatureStore, w.Database
// and w.Tables of a *databricks.WorkspaceClient satisfy, as do the fakes of
// [github.com/org/xregion-action/xregion/xregiontest]. This package imports
// only [github.com/org/xregion-action/xregion] of xregion's own packages.
package online
