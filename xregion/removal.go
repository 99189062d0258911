package xregion

import (
	"fmt"
	"slices"
	"strings"

	"github.com/org/xregion-action/internal/invalid"
)

// Ops of a teardown, one per object it looked at.
const (
	// OpRemoved means the object was deleted, or a grant revoked.
	OpRemoved Op = "removed"
	// OpAbsent means the object was already gone: a teardown that a crash
	// interrupted finds the objects it removed this way.
	OpAbsent Op = "absent"
	// OpKept means the object was left in place; [Removal].Why says why
	// (not made by xregion, still used by other models, not empty).
	OpKept Op = "kept"
)

// Kind is a kind of object xregion makes, as teardown reports it and as
// the adopt input names it.
type Kind string

// The kinds, in the order teardown removes them.
const (
	KindEndpoint    Kind = "endpoint"
	KindOnlineTable Kind = "online-table"
	KindOnlineStore Kind = "online-store"
	KindCatalog     Kind = "catalog"
	KindGrant       Kind = "grant"
	KindRecipient   Kind = "recipient"
	KindShareObject Kind = "share-object"
	KindShare       Kind = "share"
)

// Kinds lists every kind in teardown order.
var Kinds = []Kind{KindEndpoint, KindOnlineTable, KindOnlineStore, KindCatalog, KindGrant, KindRecipient, KindShareObject, KindShare}

// adoptable are the kinds an adopt input may name: grants carry no mark of
// their own, online tables go with the shared catalog they are fed from,
// and adopting a share adopts its unmarked objects.
var adoptable = []Kind{KindEndpoint, KindOnlineStore, KindCatalog, KindRecipient, KindShare}

// Removal is what teardown did, or in a dry run would do, to one object.
type Removal struct {
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
	// Op is OpRemoved, OpAbsent, OpKept, or OpUpdated when only this
	// model's name was taken off the object's mark because other models
	// still use it.
	Op Op `json:"op"`
	// Why says why the object was kept or only updated.
	Why string `json:"why,omitempty"`
}

// String returns "removed online-table oc.s.t" with the reason, if any.
func (r Removal) String() string {
	s := fmt.Sprintf("%s %s %s", r.Op, r.Kind, r.Name)
	if r.Why != "" {
		s += " (" + r.Why + ")"
	}
	return s
}

// Adopt says which kinds of unmarked objects a teardown may treat as
// xregion's for the model: objects made before marks existed. The zero
// value adopts nothing.
type Adopt map[Kind]bool

// ParseAdopt parses a comma- or space-separated list of kinds given for
// input, such as "share, catalog"; "all" names every kind that can be
// adopted. It returns an [*InputError] naming input for an unknown kind.
func ParseAdopt(input, value string) (Adopt, error) {
	a := Adopt{}
	for _, f := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		k := Kind(strings.ToLower(f))
		switch {
		case k == "all":
			for _, k := range adoptable {
				a[k] = true
			}
		case slices.Contains(adoptable, k):
			a[k] = true
		default:
			names := make([]string, len(adoptable))
			for i, k := range adoptable {
				names[i] = string(k)
			}
			return nil, invalid.Input(input, value, "unknown kind %q: want all or some of %s", f, strings.Join(names, ", "))
		}
	}
	return a, nil
}
