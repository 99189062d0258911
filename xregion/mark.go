package xregion

import (
	"slices"
	"strings"
)

// MarkKey starts the line of a comment that marks an object as made by
// xregion: "xregion-owner: main.ml.fraud, main.ml.churn". The names after
// it are the models (their three-part names in the source workspace) the
// object is kept for; a marked object with no names (a recipient, which
// serves every model of a metastore) is xregion's but no model's.
//
// Shares, the objects in a share, recipients and catalogs carry the mark in
// their comment; serving endpoints carry it as a tag of the same key.
// Teardown removes a model's name from the mark and removes the object only
// when no name is left, so objects two models share outlive the first
// model's teardown. Comments without the line are unmarked: xregion did not
// make the object, or made it before marks existed.
const MarkKey = "xregion-owner"

// Mark is the ownership mark found in an object's comment.
type Mark struct {
	// Found is true when the comment carries a mark line.
	Found bool
	// Owners are the models named on it, sorted, without duplicates.
	Owners []string
}

// ParseMark reads the mark line of comment, if any.
func ParseMark(comment string) Mark {
	for _, line := range strings.Split(comment, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), MarkKey+":")
		if !ok {
			continue
		}
		var owners []string
		for _, f := range strings.Split(rest, ",") {
			if f = strings.TrimSpace(f); f != "" {
				owners = append(owners, f)
			}
		}
		slices.Sort(owners)
		return Mark{Found: true, Owners: slices.Compact(owners)}
	}
	return Mark{}
}

// Has reports whether model is one of the mark's owners. Unity Catalog
// names are case-insensitive, and so is the comparison.
func (m Mark) Has(model string) bool {
	return slices.ContainsFunc(m.Owners, func(o string) bool { return strings.EqualFold(o, model) })
}

// Others returns the owners other than model.
func (m Mark) Others(model string) []string {
	return slices.DeleteFunc(slices.Clone(m.Owners), func(o string) bool { return strings.EqualFold(o, model) })
}

// Line returns the mark's comment line.
func (m Mark) Line() string {
	if len(m.Owners) == 0 {
		return MarkKey + ":"
	}
	return MarkKey + ": " + strings.Join(m.Owners, ", ")
}

// WithMark returns comment with its mark line set to owners: the line is
// replaced where it stands or appended, and the rest of the comment is kept.
// With no owners the line still marks the object as xregion's.
func WithMark(comment string, owners ...string) string {
	owners = slices.Clone(owners)
	slices.Sort(owners)
	line := Mark{Found: true, Owners: slices.Compact(owners)}.Line()
	lines := strings.Split(comment, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), MarkKey+":") {
			lines[i] = line
			return strings.Join(lines, "\n")
		}
	}
	if strings.TrimSpace(comment) == "" {
		return line
	}
	return strings.TrimRight(comment, "\n") + "\n" + line
}

// AddOwner returns comment with model added to its mark (creating the mark
// line when there is none), and whether that changed anything.
func AddOwner(comment, model string) (string, bool) {
	m := ParseMark(comment)
	if m.Found && m.Has(model) {
		return comment, false
	}
	return WithMark(comment, append(m.Owners, model)...), true
}

// RemoveOwner returns comment with model taken off its mark, and the owners
// that remain. A comment without a mark is returned as it is.
func RemoveOwner(comment, model string) (string, []string) {
	m := ParseMark(comment)
	if !m.Found {
		return comment, nil
	}
	rest := m.Others(model)
	return WithMark(comment, rest...), rest
}
