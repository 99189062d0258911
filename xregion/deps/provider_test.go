package deps_test

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/deps"
)

// TestNamedProviderMissing: a named provider that does not exist is waited
// for DefaultNamedProviderTimeout, not the whole provider timeout, and the
// error lists the providers the caller can see.
func TestNamedProviderMissing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst := sharedRegions(t)
		spec := deps.CatalogSpec{Name: "fraud_shared", Share: shareName, Provider: "org-us-east-l", // a typo
			SourceMetastoreID: src.GlobalMetastoreID(), ProviderTimeout: 10 * time.Minute}
		const poll = 5 * time.Second
		start := time.Now()
		_, err := deps.EnsureSharedCatalog(t.Context(), catalogClients(dst), spec, xregion.WithPollInterval(poll))
		elapsed := time.Since(start)
		if !errors.Is(err, xregion.ErrPrecondition) || !strings.Contains(err.Error(), "org-us-east-1") || !strings.Contains(err.Error(), "`provider`") {
			t.Fatalf("EnsureSharedCatalog() error = %v, want the missing provider reported with the visible ones", err)
		}
		if elapsed < deps.DefaultNamedProviderTimeout || elapsed > deps.DefaultNamedProviderTimeout+poll {
			t.Errorf("failed after %v, want after %v (plus at most one poll), well before the provider timeout %v",
				elapsed, deps.DefaultNamedProviderTimeout, spec.ProviderTimeout)
		}
		if w := dst.Writes(); len(w) != 0 {
			t.Errorf("EnsureSharedCatalog() wrote %v", w)
		}
	})
}
