// Package rollouttest wires the shipped fakes of
// [github.com/org/xregion-action/xregion/xregiontest] into the pipeline of
// [github.com/org/xregion-action/xregion/rollout], for tests of code built
// on rollout. It lives apart from xregiontest so that the fakes stay free of
// xregion's own packages.
package rollouttest

import (
	"github.com/org/xregion-action/xregion/rollout"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// Workspace returns the services of the fake workspace ws as the pipeline
// takes them, as [rollout.FromClient] does for a real client.
func Workspace(ws *xregiontest.Workspace) rollout.Workspace {
	return rollout.Workspace{
		Metastores: ws.Metastores, ModelVersions: ws.ModelVersions, Tables: ws.Tables, Functions: ws.Functions,
		Connections: ws.Connections, Credentials: ws.Credentials, Shares: ws.Shares, Recipients: ws.Recipients,
		Providers: ws.Providers, Catalogs: ws.Catalogs, Schemas: ws.Schemas, FeatureStore: ws.FeatureStore, Database: ws.Database, Postgres: ws.Postgres,
		ServingEndpoints: ws.ServingEndpoints, FunctionKinds: ws.Functions,
	}
}
