// Package marks reads and writes the ownership mark xregion keeps in the
// comments of what it makes (xregion.Key). It is plumbing for the steps'
// ensure and remove.
package marks

import (
	"slices"
	"strings"
)

// Key starts the mark's line in a comment (xregion.Key).
const Key = "xregion-owner"

// Mark is the ownership mark found in an object's comment.
type Mark struct {
	// Found is true when the comment carries a mark line.
	Found bool
	// Owners are the models named on it, sorted, without duplicates.
	Owners []string
}

// Parse reads the mark line of comment, if any.
func Parse(comment string) Mark {
	for _, line := range strings.Split(comment, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), Key+":")
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
		return Key + ":"
	}
	return Key + ": " + strings.Join(m.Owners, ", ")
}

// With returns comment with its mark line set to owners: the line is
// replaced where it stands or appended, and the rest of the comment is kept.
// With no owners the line still marks the object as xregion's.
func With(comment string, owners ...string) string {
	owners = slices.Clone(owners)
	slices.Sort(owners)
	line := Mark{Found: true, Owners: slices.Compact(owners)}.Line()
	lines := strings.Split(comment, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), Key+":") {
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
	m := Parse(comment)
	if m.Found && m.Has(model) {
		return comment, false
	}
	return With(comment, append(m.Owners, model)...), true
}

// RemoveOwner returns comment with model taken off its mark, and the owners
// that remain. A comment without a mark is returned as it is.
func RemoveOwner(comment, model string) (string, []string) {
	m := Parse(comment)
	if !m.Found {
		return comment, nil
	}
	rest := m.Others(model)
	return With(comment, rest...), rest
}
