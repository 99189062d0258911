package deps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"github.com/org/xregion-action/internal/marks"
	"github.com/org/xregion-action/internal/settings"
	"log/slog"
	"slices"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/org/xregion-action/xregion"
)

// StepShare is the step name [EnsureShare] reports in errors.
const StepShare = "EnsureShare"

// DefaultSameMetastoreRecipient is the recipient EnsureShare grants to when
// the source and target workspaces share one metastore. It follows the
// reference implementation (debu-sinha/cross-region-model-serving-dab),
// which relies on a built-in recipient of that
// name; the SDK documents no such recipient and it has not been verified
// against a live workspace, so [RecipientSpec.SameMetastoreName] can change it.
const DefaultSameMetastoreRecipient = "self"

const (
	// maxUpdatesPerRequest is the service's documented limit on object
	// updates in one share PATCH; the SDK does not enforce it.
	maxUpdatesPerRequest = 100
	// maxReconcileAttempts bounds how often EnsureShare re-reads a share
	// after losing a race to a concurrent writer.
	maxReconcileAttempts = 8
)

// ShareClients are the source-workspace services [EnsureShare] and
// [RemoveShare] call.
type ShareClients struct {
	Shares     Shares
	Recipients Recipients
	// Metastores reads the source metastore. It is needed only when the
	// recipient is resolved from [RecipientSpec.TargetMetastoreID].
	Metastores Metastores
	// ShareDeleter deletes shares, for [RemoveShare]. When nil, Shares is
	// used if it has a Delete method, as w.Shares and the fakes do.
	ShareDeleter ShareDeleter
	// RecipientRemover reads a recipient's grants and deletes recipients,
	// for [RemoveShare]. When nil, Recipients is used if it has those
	// methods, as w.Recipients and the fakes do.
	RecipientRemover RecipientRemover
}

// ShareSpec is the desired state of a share.
type ShareSpec struct {
	// Name is the share's name. It is created if missing.
	Name string
	// Comment is set when EnsureShare creates the share, with the
	// ownership mark ([xregion.MarkKey]) naming the model appended. An
	// existing share's comment is left alone, except that a share marked
	// for other models gets this model added to its mark.
	Comment string
	// Dependencies is what DiscoverDependencies found: the model and every
	// table and function it needs are added to the share.
	Dependencies *Dependencies
	// Extra objects to share as well, such as tables a FeatureSpec reads
	// that its routine dependencies do not list.
	Extra []SharedObject
	// Recipient is who gets SELECT on the share.
	Recipient RecipientSpec
	// ObjectsOnly ensures the share and its objects and grants nothing;
	// Recipient is then ignored. Running it once before the per-region
	// calls spares concurrent regions from racing to add the same objects.
	ObjectsOnly bool
}

// RecipientSpec says which recipient gets the share. Give Name, or
// TargetMetastoreID, or both.
type RecipientSpec struct {
	// Name is an explicit recipient. If it does not exist and
	// TargetMetastoreID is set, a Databricks-to-Databricks recipient of
	// that name is created for that metastore.
	Name string
	// TargetMetastoreID is the target workspace's global metastore id,
	// "cloud:region:uuid" (its Metastores.Summary GlobalMetastoreId). With no
	// Name, the recipient already registered for that metastore is reused,
	// or one is created.
	TargetMetastoreID string
	// NewName names a recipient EnsureShare creates when Name is empty.
	// Default: [DefaultRecipientName] of TargetMetastoreID.
	NewName string
	// SameMetastoreName is the recipient used when the source and target
	// share one metastore and Name is empty. Default:
	// [DefaultSameMetastoreRecipient].
	SameMetastoreName string
	// SourceMetastoreID is the source workspace's metastore id (the uuid,
	// as a model version's read reports it) or global metastore id, when
	// the caller knows it: EnsureShare then does not read the source's
	// metastore summary to tell whether source and target share one.
	SourceMetastoreID string
}

// SharedObject is one object in a share.
type SharedObject struct {
	// Name is the object's three-part name in the source workspace.
	Name string `json:"name"`
	// Type is its data object type, such as TABLE, MODEL or FEATURE_SPEC.
	Type sharing.SharedDataObjectDataObjectType `json:"type"`
}

// ShareResult reports what [EnsureShare] did.
type ShareResult struct {
	// Share is the share's name.
	Share string `json:"share"`
	// Op is OpCreated when the share was created, OpUpdated when objects
	// were added to an existing share, SELECT was granted on it or the
	// model was added to ownership marks (Marked, ShareMarked), OpUnchanged
	// otherwise.
	Op xregion.Op `json:"op"`
	// Objects are all the objects the model needs, sorted by name; every one
	// of them is in the share.
	Objects []SharedObject `json:"objects,omitempty"`
	// Added are the objects of Objects that were missing when the step
	// started.
	Added []SharedObject `json:"added,omitempty"`
	// Recipient is the recipient that holds SELECT on the share.
	Recipient string `json:"recipient"`
	// RecipientOp is OpCreated when EnsureShare created the recipient.
	RecipientOp xregion.Op `json:"recipient_op"`
	// SameMetastore is true when the source and target share one metastore.
	SameMetastore bool `json:"same_metastore"`
	// GrantOp is OpCreated when SELECT was granted by this call,
	// OpUnchanged when the recipient already had it.
	GrantOp xregion.Op `json:"grant_op"`
	// Marked are the objects of Objects that were already in the share,
	// marked for other models, and had this model added to their mark.
	Marked []SharedObject `json:"marked,omitempty"`
	// ShareMarked is true when the existing share was marked for other
	// models and had this model added to its mark.
	ShareMarked bool `json:"share_marked,omitempty"`
	// MarkWarning says why the model could not be added to the marks of a
	// share marked for other models (the caller may not change a share it
	// does not own); the share still holds what the model needs.
	MarkWarning string `json:"mark_warning,omitempty"`
}

// DefaultRecipientName returns the name EnsureShare gives a recipient it
// creates for the metastore with the given global id, "cloud:region:uuid":
// "xregion-<region>-<first 8 characters of the uuid>".
func DefaultRecipientName(targetMetastoreID string) string {
	_, region, id, _ := splitGlobalID(targetMetastoreID)
	if len(id) > 8 {
		id = id[:8]
	}
	return "xregion-" + region + "-" + id
}

// EnsureShare makes the share hold the model version's objects and grants
// SELECT on it to the target's recipient.
//
// It creates the share if missing, reads its objects and adds only the
// missing ones (the model; tables with history sharing; functions;
// FeatureSpecs under their own type) in requests of at most 100 updates, and
// grants SELECT only if the recipient lacks it. It never removes or changes
// objects or grants that were already there, and a share object that would
// clash with one of the model's (another object exposed under the same
// schema.name, or the same name with another type) is an error matching
// [xregion.ErrConflict], raised before any object is added.
//
// # Ownership marks
//
// What EnsureShare creates carries the ownership mark ([xregion.MarkKey]) in
// its comment, naming the model (spec.Dependencies.Model): the share, each
// object it adds, and a recipient it creates (marked as xregion's, with no
// model, as a recipient serves every model of its metastore). An object the
// model needs that is already in the share, or the share itself, gets the
// model added to its mark when it is marked for other models only; unmarked
// ones (another tool's, or xregion's from before marks) are left alone. A
// converged re-run writes nothing. The service has no compare-and-set on
// comments: two different models marking the same object at the same moment
// can lose one name, and teardown would then treat the object as the other
// models' only. Ensure different models of one share one after another (the
// legs of one model's matrix may run together: they write the same mark).
//
// Concurrent calls for the same share, from the legs of a matrix, converge to
// the union: a create or add that loses a race re-reads the share and
// reconciles. Every error is a [*xregion.StepError].
func EnsureShare(ctx context.Context, c ShareClients, spec ShareSpec, opts ...xregion.Option) (*ShareResult, error) {
	r, err := ensureShare(ctx, c, spec, settings.New(opts...))
	if err != nil {
		return nil, &xregion.StepError{Step: StepShare, Resource: fmt.Sprintf("share %q", spec.Name), Err: err}
	}
	return r, nil
}

func ensureShare(ctx context.Context, c ShareClients, spec ShareSpec, s settings.Settings) (*ShareResult, error) {
	want, err := spec.validate()
	if err != nil {
		return nil, err
	}
	log := s.Logger.With("step", StepShare, "share", spec.Name)
	res := &ShareResult{Share: spec.Name, Objects: want, Op: xregion.OpUnchanged, RecipientOp: xregion.OpUnchanged, GrantOp: xregion.OpUnchanged}

	if spec.ObjectsOnly {
		if s.DryRun {
			return planShare(ctx, c.Shares, spec, want, recipientPlan{}, res)
		}
		if err = ensureObjects(ctx, c.Shares, spec, want, res, log, nil); err != nil {
			return nil, err
		}
		return res, nil
	}
	// Reads first, so that a recipient that cannot be used fails before any write.
	rcpt, err := planRecipient(ctx, c, spec.Recipient)
	if err != nil {
		return nil, err
	}
	res.Recipient, res.SameMetastore = rcpt.name, rcpt.sameMetastore

	if s.DryRun {
		return planShare(ctx, c.Shares, spec, want, rcpt, res)
	}
	var first *shareRead
	if rcpt.create {
		// Check the share's objects first, reading only: a clash must
		// fail the step before any write. The read is handed on to
		// ensureObjects: creating the recipient does not change the share.
		share, err := c.Shares.Get(ctx, sharing.GetShareRequest{Name: spec.Name, IncludeSharedData: true})
		if err == nil {
			if _, err := missingObjects(share, want); err != nil {
				return nil, err
			}
		} else if !isMissing(err) {
			return nil, fmt.Errorf("read: %w", err)
		}
		first = &shareRead{share, err}
		// Then create the recipient, so that one the service refuses (one
		// exists for the metastore but the caller cannot see it) fails the
		// step before the share is written.
		if res.Recipient, res.RecipientOp, err = createRecipient(ctx, c.Recipients, rcpt.name, spec.Recipient.TargetMetastoreID); err != nil {
			return nil, err
		}
		log.InfoContext(ctx, "recipient ready", "recipient", res.Recipient, "op", res.RecipientOp)
	}
	if err = ensureObjects(ctx, c.Shares, spec, want, res, log, first); err != nil {
		return nil, err
	}
	// A share this call created has no grants to read.
	if res.GrantOp, err = ensureGrant(ctx, c.Shares, spec.Name, res.Recipient, res.Op == xregion.OpCreated); err != nil {
		return nil, err
	}
	if res.GrantOp.Wrote() {
		log.InfoContext(ctx, "granted SELECT", "recipient", res.Recipient)
		if res.Op == xregion.OpUnchanged {
			res.Op = xregion.OpUpdated
		}
	}
	return res, nil
}

// planShare reports what ensureShare would do, reading only.
func planShare(ctx context.Context, shares Shares, spec ShareSpec, want []SharedObject, rcpt recipientPlan, res *ShareResult) (*ShareResult, error) {
	if rcpt.create {
		res.RecipientOp = xregion.OpCreated
	}
	share, err := shares.Get(ctx, sharing.GetShareRequest{Name: spec.Name, IncludeSharedData: true})
	if isMissing(err) {
		res.Op, res.Added = xregion.OpCreated, want
		if !spec.ObjectsOnly {
			res.GrantOp = xregion.OpCreated
		}
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if res.Added, err = missingObjects(share, want); err != nil {
		return nil, err
	}
	res.Marked = unmarkedFor(share, want, spec.Dependencies.Model)
	_, res.ShareMarked = shareMarkFor(share.Comment, spec.Dependencies.Model)
	if len(res.Added) > 0 || len(res.Marked) > 0 || res.ShareMarked {
		res.Op = xregion.OpUpdated
	}
	if spec.ObjectsOnly {
		return res, nil
	}
	has := false
	if !rcpt.create {
		if has, err = hasSelect(ctx, shares, spec.Name, rcpt.name); err != nil {
			return nil, err
		}
	}
	if !has {
		res.GrantOp = xregion.OpCreated
		if res.Op == xregion.OpUnchanged {
			res.Op = xregion.OpUpdated
		}
	}
	return res, nil
}

// validate checks the spec and returns the objects the share must hold.
func (spec ShareSpec) validate() ([]SharedObject, error) {
	if err := invalid.CheckName("share", spec.Name); err != nil {
		return nil, err
	}
	r := spec.Recipient
	if r.Name == "" && r.TargetMetastoreID == "" && !spec.ObjectsOnly {
		return nil, invalid.Input("recipient", "", "give a recipient name or the target's global metastore id")
	}
	for _, in := range [][2]string{{"recipient", r.Name}, {"recipient name", r.NewName}, {"same-metastore recipient", r.SameMetastoreName}} {
		if in[1] != "" {
			if err := invalid.CheckName(in[0], in[1]); err != nil {
				return nil, err
			}
		}
	}
	if r.TargetMetastoreID != "" {
		if _, _, _, ok := splitGlobalID(r.TargetMetastoreID); !ok {
			return nil, invalid.Input("target metastore id", r.TargetMetastoreID, `want a global metastore id "cloud:region:uuid"`)
		}
	}
	d := spec.Dependencies
	if d == nil {
		return nil, invalid.Input("dependencies", "", "nothing to share: run DiscoverDependencies first")
	}
	want := []SharedObject{{Name: d.Model, Type: sharing.SharedDataObjectDataObjectTypeModel}}
	for _, t := range d.Tables {
		want = append(want, SharedObject{Name: t.Name, Type: tableObjectType(t)})
	}
	for _, f := range d.Functions {
		typ := sharing.SharedDataObjectDataObjectTypeFunction
		if f.FeatureSpec {
			typ = sharing.SharedDataObjectDataObjectTypeFeatureSpec
		}
		want = append(want, SharedObject{Name: f.Name, Type: typ})
	}
	want = append(want, spec.Extra...)
	seen := map[string]SharedObject{}
	out := want[:0:0]
	for _, o := range want {
		if _, err := xregion.ParseFullName("shared object", o.Name); err != nil {
			return nil, err
		}
		if o.Type == "" {
			return nil, invalid.Input("shared object type", o.Name, "no data object type")
		}
		key := strings.ToLower(o.Name)
		if prev, dup := seen[key]; dup {
			if prev.Type != o.Type {
				return nil, invalid.Input("shared object", o.Name, "listed as both %s and %s", prev.Type, o.Type)
			}
			continue
		}
		seen[key] = o
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b SharedObject) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// tableObjectType maps a table's type to the data object type it is shared as.
func tableObjectType(t Table) sharing.SharedDataObjectDataObjectType {
	switch t.Type {
	case "VIEW", "METRIC_VIEW":
		return sharing.SharedDataObjectDataObjectTypeView
	case "MATERIALIZED_VIEW":
		return sharing.SharedDataObjectDataObjectTypeMaterializedView
	case "STREAMING_TABLE":
		return sharing.SharedDataObjectDataObjectTypeStreamingTable
	case "FOREIGN":
		return sharing.SharedDataObjectDataObjectTypeForeignTable
	}
	return sharing.SharedDataObjectDataObjectTypeTable
}

// shareRead is the outcome of one read of a share (with its objects),
// handed to the next round of ensureObjects instead of a read of its own.
type shareRead struct {
	info *sharing.ShareInfo
	err  error
}

// ensureObjects creates the share if needed, adds what it lacks and adds
// the model to the marks of the share and of its objects that are marked
// for other models only. It sets res.Op, res.Added (the objects missing at
// the first read), res.Marked and res.ShareMarked. first, if not nil, is a
// read of the share made just before, taken instead of reading it again.
//
// Each round starts from the share as it stands: a read, or the reply of
// this call's own write when that reply shows the write (the reply of a
// create, or of an update that lists every object it added or marked).
func ensureObjects(ctx context.Context, shares Shares, spec ShareSpec, want []SharedObject, res *ShareResult, log *slog.Logger, first *shareRead) error {
	model := spec.Dependencies.Model
	op := xregion.OpUnchanged
	read, denied := false, false
	var lastErr error
	next := first
	for range maxReconcileAttempts {
		var share *sharing.ShareInfo
		var err error
		if next != nil {
			share, err = next.info, next.err
			next = nil
		} else {
			share, err = shares.Get(ctx, sharing.GetShareRequest{Name: spec.Name, IncludeSharedData: true})
		}
		if isMissing(err) {
			var created *sharing.ShareInfo
			created, err = shares.Create(ctx, sharing.CreateShare{Name: spec.Name, Comment: marks.With(spec.Comment, model)})
			switch {
			case err == nil:
				op = xregion.OpCreated
				log.InfoContext(ctx, "created share")
				if created != nil && created.Name != "" {
					// A share just created holds no objects: its
					// reply is its state.
					c := *created
					c.Objects = nil
					next = &shareRead{info: &c}
				}
			case !isConflict(err):
				return fmt.Errorf("create: %w", err)
			}
			// Created by a concurrent call: read it again.
			lastErr = err
			continue
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		missing, err := missingObjects(share, want)
		if err != nil {
			return err
		}
		remark := unmarkedFor(share, want, model)
		if denied {
			remark = nil
		}
		if !read {
			res.Added, read = missing, true
		}
		for _, m := range remark {
			if !slices.ContainsFunc(res.Marked, func(o SharedObject) bool { return strings.EqualFold(o.Name, m.Name) }) {
				res.Marked = append(res.Marked, m)
			}
		}
		if comment, ok := shareMarkFor(share.Comment, model); ok && !denied {
			// why: only the comment is sent; the other fields of an
			// UpdateShare are left out and so left alone.
			_, err := shares.Update(ctx, sharing.UpdateShare{Name: spec.Name, Comment: comment})
			switch {
			case errors.Is(err, apierr.ErrPermissionDenied):
				denied = true
				markDenied(ctx, res, model, err, log)
			case err != nil:
				return fmt.Errorf("add model %s to the share's ownership mark: %w", model, err)
			default:
				res.ShareMarked = true
				log.InfoContext(ctx, "added the model to the share's ownership mark")
			}
			continue // verify with a fresh read
		}
		if len(missing) == 0 && len(remark) == 0 {
			if (len(res.Added) > 0 || len(res.Marked) > 0 || res.ShareMarked) && op == xregion.OpUnchanged {
				op = xregion.OpUpdated
			}
			res.Op = op
			return nil
		}
		// After a write, loop to verify with a fresh read; after losing a
		// race, loop to reconcile with what the winner wrote.
		var reply *sharing.ShareInfo
		reply, lastErr = addObjects(ctx, shares, spec.Name, model, missing, share, remark, log)
		if lastErr == nil && shows(reply, share, missing, remark, model) {
			next = &shareRead{info: reply}
		}
		if len(missing) == 0 && errors.Is(lastErr, apierr.ErrPermissionDenied) {
			denied = true
			markDenied(ctx, res, model, lastErr, log)
			continue
		}
		if lastErr != nil && !isConflict(lastErr) && !(isMissing(lastErr) && len(missing) == 0) {
			return lastErr
		}
		if lastErr != nil {
			log.DebugContext(ctx, "lost a race changing objects; re-reading", "error", lastErr)
		}
	}
	return fmt.Errorf("share did not converge after %d attempts: %w", maxReconcileAttempts, cmp.Or(lastErr, errNoProgress))
}

// markDenied records that the caller may not change the marks of a share
// that others made: the run goes on, as the share holds what the model
// needs, and says what that means for teardown.
func markDenied(ctx context.Context, res *ShareResult, model string, err error, log *slog.Logger) {
	res.Marked, res.ShareMarked = nil, false
	res.MarkWarning = fmt.Sprintf("cannot add %s to the ownership marks of the share and its objects (%v): "+
		"a teardown of the models named on them would remove what %s still uses; ask the share's owner to run this once", model, err, model)
	log.WarnContext(ctx, res.MarkWarning)
}

// shareMarkFor returns the share comment with model added to its mark, and
// true, when the comment is marked for other models only. An unmarked
// comment is another tool's or older than marks, and is left alone.
func shareMarkFor(comment, model string) (string, bool) {
	if !marks.Parse(comment).Found {
		return comment, false
	}
	return marks.AddOwner(comment, model)
}

// unmarkedFor returns the objects of want that the share holds, marked, but
// without model on their mark. Unmarked objects are left alone.
func unmarkedFor(share *sharing.ShareInfo, want []SharedObject, model string) []SharedObject {
	byName := make(map[string]sharing.SharedDataObject, len(share.Objects))
	for _, o := range share.Objects {
		byName[strings.ToLower(o.Name)] = o
	}
	var out []SharedObject
	for _, w := range want {
		have, ok := byName[strings.ToLower(w.Name)]
		if !ok {
			continue
		}
		if m := marks.Parse(have.Comment); m.Found && !m.Has(model) {
			out = append(out, w)
		}
	}
	return out
}

// errNoProgress reports a share whose objects did not change after writes
// the service accepted.
var errNoProgress = errors.New("the service accepted the changes but the share does not show them")

// missingObjects returns the objects of want the share lacks, or an error
// matching xregion.ErrConflict if one of the share's objects clashes with
// one of want.
func missingObjects(share *sharing.ShareInfo, want []SharedObject) ([]SharedObject, error) {
	byName := make(map[string]sharing.SharedDataObject, len(share.Objects))
	byExposed := make(map[string]sharing.SharedDataObject, len(share.Objects))
	for _, o := range share.Objects {
		byName[strings.ToLower(o.Name)] = o
		byExposed[exposedName(o)] = o
	}
	var missing []SharedObject
	for _, w := range want {
		req := w.request("")
		if have, ok := byName[strings.ToLower(w.Name)]; ok {
			switch {
			case !compatibleTypes(have.DataObjectType, w.Type):
				return nil, fmt.Errorf("share already holds %s as %s, want %s: %w", have.Name, have.DataObjectType, w.Type, xregion.ErrConflict)
			case exposedName(have) != exposedName(*req):
				return nil, fmt.Errorf("share already holds %s, exposed as %s; the target looks for it as %s: %w",
					have.Name, exposedName(have), exposedName(*req), xregion.ErrConflict)
			case have.Status == sharing.SharedDataObjectStatusPermissionDenied:
				return nil, fmt.Errorf("share holds %s but its status is PERMISSION_DENIED: the share's owner lost access to it: %w", have.Name, xregion.ErrPrecondition)
			}
			continue
		}
		if schema, ok := byName[strings.ToLower(w.Name[:strings.LastIndexByte(w.Name, '.')])]; ok && schema.DataObjectType == sharing.SharedDataObjectDataObjectTypeSchema {
			continue // the whole schema is shared
		}
		if have, ok := byExposed[exposedName(*req)]; ok {
			return nil, fmt.Errorf("share already exposes %s %s as %s, which %s would need: %w",
				have.DataObjectType, have.Name, exposedName(have), w.Name, xregion.ErrConflict)
		}
		missing = append(missing, w)
	}
	return missing, nil
}

// compatibleTypes reports whether an object shared as have serves as want.
// A FeatureSpec shared as a plain FUNCTION is accepted: which of the two
// types the service wants for FeatureSpecs is not documented.
func compatibleTypes(have, want sharing.SharedDataObjectDataObjectType) bool {
	fn := func(t sharing.SharedDataObjectDataObjectType) bool {
		return t == sharing.SharedDataObjectDataObjectTypeFunction || t == sharing.SharedDataObjectDataObjectTypeFeatureSpec
	}
	return have == want || fn(have) && fn(want)
}

// exposedName is the schema.name under which a recipient sees the object.
func exposedName(o sharing.SharedDataObject) string {
	as := o.StringSharedAs
	if isTableLike(o.DataObjectType) {
		as = o.SharedAs
	}
	if as == "" {
		if i := strings.IndexByte(o.Name, '.'); i >= 0 {
			as = o.Name[i+1:]
		}
	}
	return strings.ToLower(as)
}

func isTableLike(t sharing.SharedDataObjectDataObjectType) bool {
	switch t {
	case sharing.SharedDataObjectDataObjectTypeTable, sharing.SharedDataObjectDataObjectTypeView,
		sharing.SharedDataObjectDataObjectTypeMaterializedView, sharing.SharedDataObjectDataObjectTypeStreamingTable,
		sharing.SharedDataObjectDataObjectTypeForeignTable:
		return true
	}
	return false
}

// request builds a fresh object for an ADD: never one read back from the
// service, whose output-only fields would be echoed. It carries the
// ownership mark of model in its comment.
func (o SharedObject) request(model string) *sharing.SharedDataObject {
	d := &sharing.SharedDataObject{Name: o.Name, DataObjectType: o.Type}
	if o.Type == sharing.SharedDataObjectDataObjectTypeTable {
		d.HistoryDataSharingStatus = sharing.SharedDataObjectHistoryDataSharingStatusEnabled
	}
	if model != "" {
		d.Comment = marks.With("", model)
	}
	return d
}

// commentUpdate builds the UPDATE of an object already in a share that
// changes only its comment. It sends the object's name and type and the
// comment, as databricks-cli's "shares update-table --comment" does
// (databricks/databricks-cli PR #568; SQL ALTER SHARE ... ALTER TABLE ... COMMENT),
// plus, as read, the fields an UPDATE might reset when left out (history
// sharing, CDF, start version, partitions): whether omitted fields are kept
// is not documented. Never the shared-as names, which an UPDATE may not
// carry (terraform-provider-databricks issue #2240), nor output-only fields.
func commentUpdate(have sharing.SharedDataObject, comment string) sharing.SharedDataObjectUpdate {
	d := &sharing.SharedDataObject{
		Name: have.Name, DataObjectType: have.DataObjectType, Comment: comment,
		HistoryDataSharingStatus: have.HistoryDataSharingStatus, CdfEnabled: have.CdfEnabled,
		StartVersion: have.StartVersion, Partitions: slices.Clone(have.Partitions),
	}
	if comment == "" {
		d.ForceSendFields = append(d.ForceSendFields, "Comment")
	}
	return sharing.SharedDataObjectUpdate{Action: sharing.SharedDataObjectUpdateActionUpdate, DataObject: d}
}

// shows reports whether reply, the reply of a share update, shows the share
// after the update as a read would: every object before holds, every object
// added, and the model on the mark of every object remarked. A reply
// without them (the service may leave objects out) is not taken for the
// share's state.
func shows(reply, before *sharing.ShareInfo, added, remarked []SharedObject, model string) bool {
	if reply == nil || len(added)+len(remarked) == 0 {
		return false
	}
	have := make(map[string]sharing.SharedDataObject, len(reply.Objects))
	for _, o := range reply.Objects {
		have[strings.ToLower(o.Name)] = o
	}
	// A reply that lists only what the request sent, or leaves out an
	// object the share held before, is not the share's state: the share
	// is read again (the update reply's shape is not documented).
	if before != nil {
		for _, o := range before.Objects {
			if _, ok := have[strings.ToLower(o.Name)]; !ok {
				return false
			}
		}
	}
	for _, o := range added {
		if _, ok := have[strings.ToLower(o.Name)]; !ok {
			return false
		}
	}
	for _, o := range remarked {
		if got, ok := have[strings.ToLower(o.Name)]; !ok || !marks.Parse(got.Comment).Has(model) {
			return false
		}
	}
	return true
}

// addObjects sends ADD updates for objs, and UPDATE updates adding model to
// the marks of the objects of share in remark, in requests of at most
// maxUpdatesPerRequest. It returns the reply of the last request.
func addObjects(ctx context.Context, shares Shares, share, model string, objs []SharedObject, info *sharing.ShareInfo, remark []SharedObject, log *slog.Logger) (*sharing.ShareInfo, error) {
	var all []sharing.SharedDataObjectUpdate
	var reply *sharing.ShareInfo
	for _, o := range objs {
		all = append(all, sharing.SharedDataObjectUpdate{Action: sharing.SharedDataObjectUpdateActionAdd, DataObject: o.request(model)})
	}
	for _, m := range remark {
		i := slices.IndexFunc(info.Objects, func(o sharing.SharedDataObject) bool { return strings.EqualFold(o.Name, m.Name) })
		comment, _ := marks.AddOwner(info.Objects[i].Comment, model)
		all = append(all, commentUpdate(info.Objects[i], comment))
	}
	for updates := range slices.Chunk(all, maxUpdatesPerRequest) {
		var added, marked []string
		for _, u := range updates {
			if u.Action == sharing.SharedDataObjectUpdateActionAdd {
				added = append(added, u.DataObject.Name)
			} else {
				marked = append(marked, u.DataObject.Name)
			}
		}
		names := strings.Join(slices.Concat(added, marked), ", ")
		var err error
		reply, err = shares.Update(ctx, sharing.UpdateShare{Name: share, Updates: updates})
		switch {
		case err == nil:
			if len(added) > 0 {
				log.InfoContext(ctx, "added objects", "objects", added)
			}
			if len(marked) > 0 {
				log.InfoContext(ctx, "added the model to the ownership mark of objects", "objects", marked)
			}
		case isConflict(err) || isMissing(err) && len(added) == 0:
			// A race: an object was added, or one to mark removed, by
			// another writer.
			return nil, fmt.Errorf("change %s: %w", names, err)
		case errors.Is(err, apierr.ErrBadRequest) && len(added) > 0:
			return nil, fmt.Errorf("the service refused to add %s (%w); check that each is Delta-shareable from this workspace: %w",
				strings.Join(added, ", "), err, xregion.ErrPrecondition)
		default:
			return nil, fmt.Errorf("change %s: %w", names, err)
		}
	}
	return reply, nil
}

// recipientPlan is the outcome of the read-only half of recipient resolution.
type recipientPlan struct {
	name          string
	create        bool
	sameMetastore bool
}

func planRecipient(ctx context.Context, c ShareClients, r RecipientSpec) (recipientPlan, error) {
	found, err := resolveRecipient(ctx, c, r, func(ctx context.Context, id string) ([]sharing.RecipientInfo, error) {
		return c.Recipients.ListAll(ctx, sharing.ListRecipientsRequest{DataRecipientGlobalMetastoreId: id})
	})
	switch {
	case err != nil:
		return recipientPlan{}, err
	case found.sameMetastore && found.info == nil:
		// One metastore: grant to the recipient the reference
		// implementation relies on, but only if it is really there.
		return recipientPlan{}, fmt.Errorf("source and target share metastore %s, and xregion then grants to recipient %q, which does not exist: "+
			"name the recipient to use, or serve from the source catalog directly: %w", found.source, found.name, errors.Join(xregion.ErrPrecondition, found.missing))
	case found.info == nil && r.Name != "" && r.TargetMetastoreID == "":
		return recipientPlan{}, fmt.Errorf("recipient %q does not exist and no target metastore id was given to create it: %w", r.Name, errors.Join(xregion.ErrPrecondition, found.missing))
	case found.info == nil:
		return recipientPlan{name: found.name, create: true}, nil
	}
	return recipientPlan{name: found.name, sameMetastore: found.sameMetastore}, nil
}

// foundRecipient is the recipient a [RecipientSpec] names, as read.
type foundRecipient struct {
	// name is the recipient's name; for a recipient that does not exist,
	// the name to create it under.
	name string
	// info is the recipient; nil when it does not exist.
	info *sharing.RecipientInfo
	// sameMetastore is set when the source and the target share one
	// metastore, whose built-in recipient name is.
	sameMetastore bool
	// source is the source's global metastore id, when it was read.
	source string
	// missing is the service's answer when a read found no recipient.
	missing error
}

// resolveRecipient finds, reading only, the recipient r names: by name
// (checked against the target metastore), the same-metastore recipient, or
// the Databricks-to-Databricks recipient registered for the target
// metastore (the first by name; the service allows one), which list returns
// the candidates of. EnsureShare and RemoveShare both resolve this way.
func resolveRecipient(ctx context.Context, c ShareClients, r RecipientSpec, list func(context.Context, string) ([]sharing.RecipientInfo, error)) (foundRecipient, error) {
	if r.Name != "" {
		got, err := c.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: r.Name})
		switch {
		case isMissing(err):
			return foundRecipient{name: r.Name, missing: err}, nil
		case errors.Is(err, apierr.ErrPermissionDenied):
			return foundRecipient{}, fmt.Errorf("recipient %q is not readable by you: %s: %w", r.Name, recipientReadHint, errors.Join(xregion.ErrPrecondition, err))
		case err != nil:
			return foundRecipient{}, fmt.Errorf("read recipient %q: %w", r.Name, err)
		}
		return foundRecipient{name: got.Name, info: got}, checkRecipient(got, r.TargetMetastoreID)
	}
	source := r.SourceMetastoreID
	if source == "" {
		if c.Metastores == nil {
			return foundRecipient{}, invalid.Input("recipient", "", "resolving the recipient from the target metastore id needs ShareClients.Metastores or RecipientSpec.SourceMetastoreID")
		}
		src, err := c.Metastores.Summary(ctx)
		if err != nil {
			return foundRecipient{}, fmt.Errorf("read source metastore: %w", err)
		}
		source = src.GlobalMetastoreId
	}
	if metastoreMatches(r.TargetMetastoreID, source) {
		name := cmp.Or(r.SameMetastoreName, DefaultSameMetastoreRecipient)
		got, err := c.Recipients.Get(ctx, sharing.GetRecipientRequest{Name: name})
		switch {
		case isMissing(err):
			return foundRecipient{name: name, sameMetastore: true, source: source, missing: err}, nil
		case err != nil:
			return foundRecipient{}, fmt.Errorf("read recipient %q: %w", name, err)
		}
		return foundRecipient{name: got.Name, info: got, sameMetastore: true, source: source}, nil
	}
	all, err := list(ctx, r.TargetMetastoreID)
	if err != nil {
		return foundRecipient{}, fmt.Errorf("list recipients of metastore %s: %w", r.TargetMetastoreID, err)
	}
	if found := registeredFor(all, r.TargetMetastoreID); found != nil {
		return foundRecipient{name: found.Name, info: found, source: source}, nil
	}
	return foundRecipient{name: cmp.Or(r.NewName, DefaultRecipientName(r.TargetMetastoreID)), source: source}, nil
}

// registeredFor returns, of recipients, the Databricks-to-Databricks one
// registered for the metastore with global id metastoreID (the first by
// name), or nil.
func registeredFor(recipients []sharing.RecipientInfo, metastoreID string) *sharing.RecipientInfo {
	var found *sharing.RecipientInfo
	for i, r := range recipients {
		if r.AuthenticationType == sharing.AuthenticationTypeDatabricks && strings.EqualFold(r.DataRecipientGlobalMetastoreId, metastoreID) &&
			(found == nil || r.Name < found.Name) {
			found = &recipients[i]
		}
	}
	return found
}

// recipientFor returns the Databricks-to-Databricks recipient registered for
// a metastore, or "" if there is none. The service allows one per metastore.
func recipientFor(ctx context.Context, rs Recipients, metastoreID string) (string, error) {
	all, err := rs.ListAll(ctx, sharing.ListRecipientsRequest{DataRecipientGlobalMetastoreId: metastoreID})
	if err != nil {
		return "", fmt.Errorf("list recipients of metastore %s: %w", metastoreID, err)
	}
	if found := registeredFor(all, metastoreID); found != nil {
		return found.Name, nil
	}
	return "", nil
}

// checkRecipient rejects a recipient that cannot receive the model for the
// given target metastore.
func checkRecipient(r *sharing.RecipientInfo, targetMetastoreID string) error {
	if r.AuthenticationType != sharing.AuthenticationTypeDatabricks {
		return fmt.Errorf("recipient %q uses %s authentication, but models, functions and FeatureSpecs can only be shared Databricks-to-Databricks: %w",
			r.Name, r.AuthenticationType, xregion.ErrPrecondition)
	}
	if targetMetastoreID != "" && !strings.EqualFold(r.DataRecipientGlobalMetastoreId, targetMetastoreID) {
		return fmt.Errorf("recipient %q is for metastore %s, not the target %s: %w",
			r.Name, r.DataRecipientGlobalMetastoreId, targetMetastoreID, xregion.ErrConflict)
	}
	return nil
}

func createRecipient(ctx context.Context, rs Recipients, name, metastoreID string) (string, xregion.Op, error) {
	_, err := rs.Create(ctx, sharing.CreateRecipient{
		Name:                           name,
		AuthenticationType:             sharing.AuthenticationTypeDatabricks,
		DataRecipientGlobalMetastoreId: metastoreID,
		Comment:                        marks.With("Created by xregion for cross-region model serving."),
	})
	if err == nil {
		return name, xregion.OpCreated, nil
	}
	if !isConflict(err) && !sameSharingIdentifier(err) {
		return "", "", fmt.Errorf("create recipient %q: %w", name, err)
	}
	// A concurrent run created it, or the name or metastore is taken.
	if found, lerr := recipientFor(ctx, rs, metastoreID); lerr != nil || found != "" {
		return found, xregion.OpUnchanged, lerr
	}
	if sameSharingIdentifier(err) {
		// The metastore has a recipient, but the list does not show it:
		// recipient lists show only the recipients the caller owns,
		// unless the caller is a metastore admin.
		return "", "", fmt.Errorf("a recipient for metastore %s exists but is not visible to you: name it with `recipient` "+
			"(recipient lists show only the recipients you own unless you are a metastore admin; %s): %w",
			metastoreID, recipientReadHint, errors.Join(xregion.ErrPrecondition, err))
	}
	got, gerr := rs.Get(ctx, sharing.GetRecipientRequest{Name: name})
	if gerr != nil {
		return "", "", fmt.Errorf("create recipient %q: %w", name, errors.Join(err, gerr))
	}
	return got.Name, xregion.OpUnchanged, checkRecipient(got, metastoreID)
}

// recipientReadHint says who may read a recipient by name.
const recipientReadHint = "reading a recipient needs its ownership, USE_RECIPIENT on the metastore, or metastore admin"

// sameSharingIdentifier reports the service's refusal of a second
// Databricks-to-Databricks recipient for one metastore: "... already exists
// with same sharing identifier ...". Its status code is not documented, so
// the message decides.
func sameSharingIdentifier(err error) bool {
	var ae *apierr.APIError
	if !errors.As(err, &ae) {
		return false
	}
	m := strings.ToLower(ae.Message)
	return strings.Contains(m, "already exists") && strings.Contains(m, "sharing identifier")
}

// ensureGrant grants SELECT on the share to the recipient unless it has it.
// With fresh (a share this call created, which no one has granted on yet)
// it grants without reading the grants first.
func ensureGrant(ctx context.Context, shares Shares, share, principal string, fresh bool) (xregion.Op, error) {
	if !fresh {
		has, err := hasSelect(ctx, shares, share, principal)
		if err != nil || has {
			return xregion.OpUnchanged, err
		}
	}
	_, err := shares.UpdatePermissions(ctx, sharing.UpdateSharePermissions{
		Name:                share,
		Changes:             []sharing.PermissionsChange{{Principal: principal, Add: []string{string(sharing.PrivilegeSelect)}}},
		OmitPermissionsList: true,
	})
	if err != nil {
		return "", fmt.Errorf("grant SELECT to recipient %q: %w", principal, err)
	}
	return xregion.OpCreated, nil
}

// hasSelect reads every page of the share's grants.
func hasSelect(ctx context.Context, shares Shares, share, principal string) (bool, error) {
	seen := map[string]bool{}
	for token := ""; ; {
		resp, err := shares.SharePermissions(ctx, sharing.SharePermissionsRequest{Name: share, PageToken: token})
		if err != nil {
			return false, fmt.Errorf("read grants: %w", err)
		}
		for _, pa := range resp.PrivilegeAssignments {
			if strings.EqualFold(pa.Principal, principal) && slices.Contains(pa.Privileges, sharing.PrivilegeSelect) {
				return true, nil
			}
		}
		token = resp.NextPageToken
		if token == "" {
			return false, nil
		}
		if seen[token] {
			return false, fmt.Errorf("read grants: the service repeated page token %q", token)
		}
		seen[token] = true
	}
}

// splitGlobalID splits a global metastore id "cloud:region:uuid".
func splitGlobalID(id string) (cloud, region, uuid string, ok bool) {
	parts := strings.Split(id, ":")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// metastoreMatches reports whether the global metastore id global
// ("cloud:region:uuid") is the metastore id: another global id, compared
// whole, or a bare metastore id, compared with global's uuid.
func metastoreMatches(global, id string) bool {
	if strings.Contains(id, ":") {
		return strings.EqualFold(global, id)
	}
	_, _, uuid, ok := splitGlobalID(global)
	return ok && id != "" && strings.EqualFold(uuid, id)
}

// bareMetastoreID reports whether id is a metastore id alone: a uuid,
// 8-4-4-4-12 hexadecimal digits.
func bareMetastoreID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, r := range id {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}
