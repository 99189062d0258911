package endpoint

import (
	"context"
	"fmt"
	"github.com/org/xregion-action/internal/settings"
	"slices"
	"strings"
	"time"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/serving"
	"github.com/org/xregion-action/xregion"
)

// StepRemove is the step name [Remove] reports in errors.
const StepRemove = "RemoveEndpoint"

// Remove deletes the endpoint called name when xregion created it for model
// (its three-part name in the target, in the shared catalog) and it serves
// nothing else. It is the first step of a teardown, and the only one that
// stops traffic. The decision, read from one GET:
//
//   - no such endpoint: [xregion.OpAbsent];
//   - no [OwnerTag] (xregion did not create it, or created it before the
//     tag existed) and not adopted: kept, serving;
//   - an [OwnerTag] naming another model: kept;
//   - serving entities of other models: kept, for their sake;
//   - a config update in progress: kept (someone is changing it; a re-run
//     after it ends decides again);
//   - otherwise deleted ([xregion.OpRemoved]).
//
// A kept endpoint may still serve the model: the teardown that called Remove
// must then keep what the endpoint reads ([Removal.Why] says so). In a dry
// run ([xregion.WithDryRun]) nothing is deleted and the removal says what
// would happen. A delete that finds the endpoint gone counts as absent, so a
// re-run after a crash finishes the job.
func Remove(ctx context.Context, c Endpoints, name, model string, adopt bool, opts ...xregion.Option) (*xregion.Removal, error) {
	s := settings.New(opts...)
	fail := func(err error) (*xregion.Removal, error) {
		return nil, &xregion.StepError{Step: StepRemove, Resource: fmt.Sprintf("endpoint %q", name), Err: err}
	}
	r := &xregion.Removal{Kind: xregion.KindEndpoint, Name: name}
	ep, err := c.Get(ctx, serving.GetServingEndpointRequest{Name: name})
	if apierr.IsMissing(err) {
		r.Op = xregion.OpAbsent
		return r, nil
	}
	if err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	r.Op, r.Why = removable(ep, model, adopt)
	if r.Op != xregion.OpRemoved || s.DryRun {
		return r, nil
	}
	s.Logger.InfoContext(ctx, "deleting endpoint", "step", StepRemove, "endpoint", name)
	gone, err := deleteEndpoint(ctx, c, name, s)
	if err != nil {
		return fail(err)
	}
	if gone {
		r.Op = xregion.OpAbsent
	}
	return r, nil
}

// deleteEndpoint deletes the endpoint and waits until its GET no longer
// shows it; gone is true when the delete found it missing already.
func deleteEndpoint(ctx context.Context, c Endpoints, name string, s settings.Settings) (gone bool, err error) {
	err = c.Delete(ctx, serving.DeleteServingEndpointRequest{Name: name})
	if apierr.IsMissing(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("delete: %w", err)
	}
	// why: the DELETE answers at once and how long the endpoint takes to
	// disappear is not documented (docs.databricks.com/api/model-serving/v1/
	// delete-inference-endpoint shows only an empty reply): wait until its GET
	// says it is gone, so that what it reads is removed only afterwards
	// and a re-run does not find it.
	wctx, cancel := context.WithTimeoutCause(ctx, DefaultRemoveTimeout, errRemoveTimeout)
	defer cancel()
	err = settings.Poll(wctx, s.NewBackOff(), func(ctx context.Context) (bool, error) {
		_, err := c.Get(ctx, serving.GetServingEndpointRequest{Name: name})
		if apierr.IsMissing(err) {
			return true, nil
		}
		s.Logger.InfoContext(ctx, "waiting for the deleted endpoint to disappear", "endpoint", name)
		return false, err
	})
	if err != nil {
		return false, fmt.Errorf("deleted, but still there: %w", err)
	}
	return false, nil
}

// DefaultRemoveTimeout bounds [Remove]'s wait for a deleted endpoint to
// disappear.
const DefaultRemoveTimeout = 10 * time.Minute

var errRemoveTimeout = fmt.Errorf("timed out after %s waiting for the deleted endpoint to disappear", DefaultRemoveTimeout)

// removable decides whether a teardown of model may delete ep, and why not.
func removable(ep *serving.ServingEndpointDetailed, model string, adopt bool) (xregion.Op, string) {
	owner := tag(ep, OwnerTag)
	switch {
	case owner == "" && !adopt:
		return xregion.OpKept, fmt.Sprintf("not created by xregion (no %s tag): left serving; adopt endpoint to remove it", OwnerTag)
	case owner != "" && !sameModel(owner, model):
		return xregion.OpKept, fmt.Sprintf("created by xregion for %s: left serving", owner)
	case ep.State != nil && ep.State.ConfigUpdate == serving.EndpointStateConfigUpdateInProgress:
		return xregion.OpKept, "a config update is in progress: left serving; re-run when it ends"
	}
	var foreign []string
	if snap := snapshotOf(ep); snap != nil {
		for _, se := range snap.ServedEntities {
			if !sameModel(se.EntityName, model) {
				foreign = append(foreign, se.EntityName)
			}
		}
		for _, sm := range snap.ServedModels {
			if !sameModel(sm.ModelName, model) {
				foreign = append(foreign, sm.ModelName)
			}
		}
	}
	if len(foreign) > 0 {
		return xregion.OpKept, "also serves " + strings.Join(foreign, ", ") + ": left serving"
	}
	return xregion.OpRemoved, ""
}

// Lister lists serving endpoints with a summary of their configs
// (w.ServingEndpoints has ListAll; an [Endpoints] that does not list
// cannot tell [Serving] about other endpoints).
type Lister interface {
	ListAll(ctx context.Context) ([]serving.ServingEndpoint, error)
}

// Serving returns, sorted, the names of the endpoints whose config serves
// an entity (a three-part name, such as a model in a shared catalog) that
// match reports, from one list call. listed is false when c cannot list
// endpoints; the names are then unknown.
func Serving(ctx context.Context, c Endpoints, match func(entity string) bool) (names []string, listed bool, err error) {
	l, ok := c.(Lister)
	if !ok {
		return nil, false, nil
	}
	eps, err := l.ListAll(ctx)
	if err != nil {
		return nil, true, &xregion.StepError{Step: StepRemove, Resource: "endpoints", Err: fmt.Errorf("list: %w", err)}
	}
	for _, ep := range eps {
		if ep.Config == nil {
			continue
		}
		serves := false
		for _, se := range ep.Config.ServedEntities {
			serves = serves || match(se.EntityName)
		}
		for _, sm := range ep.Config.ServedModels {
			serves = serves || match(sm.ModelName)
		}
		if serves {
			names = append(names, ep.Name)
		}
	}
	slices.Sort(names)
	return names, true, nil
}
