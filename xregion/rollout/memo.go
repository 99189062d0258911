package rollout

import (
	"context"
	"sync"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion/deps"
)

// onceSummary reads a workspace's metastore summary once per run and hands
// the same answer to every step that asks: the metastore a workspace is
// attached to does not change during a run. A failed read is not kept.
type onceSummary struct {
	m  deps.Metastores
	mu sync.Mutex
	v  *catalog.GetMetastoreSummaryResponse
}

func (o *onceSummary) Summary(ctx context.Context) (*catalog.GetMetastoreSummaryResponse, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.v == nil {
		v, err := o.m.Summary(ctx)
		if err != nil {
			return nil, err
		}
		o.v = v
	}
	v := *o.v
	return &v, nil
}

// withOnceSummary returns a copy of w that reads its metastore summary once.
func withOnceSummary(w *Workspace) *Workspace {
	if w == nil || w.Metastores == nil {
		return w
	}
	if _, ok := w.Metastores.(*onceSummary); ok {
		return w
	}
	c := *w
	c.Metastores = &onceSummary{m: w.Metastores}
	return &c
}
