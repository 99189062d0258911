package xregiontest_test

import (
	"github.com/org/xregion-action/xregion/deps"
	"github.com/org/xregion-action/xregion/xregiontest"
)

// The fakes fit the interfaces the steps consume.
var (
	_ deps.ModelVersions = (*xregiontest.ModelVersions)(nil)
	_ deps.Tables        = (*xregiontest.Tables)(nil)
	_ deps.Functions     = (*xregiontest.Functions)(nil)
	_ deps.FunctionKinds = (*xregiontest.Functions)(nil)
	_ deps.Metastores    = (*xregiontest.Metastores)(nil)
	_ deps.Shares        = (*xregiontest.Shares)(nil)
	_ deps.Recipients    = (*xregiontest.Recipients)(nil)
	_ deps.Providers     = (*xregiontest.Providers)(nil)
	_ deps.Catalogs      = (*xregiontest.Catalogs)(nil)
)
