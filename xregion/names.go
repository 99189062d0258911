package xregion

import (
	"strconv"
	"strings"

	"github.com/org/xregion-action/internal/invalid"
)

// FullName is a three-part Unity Catalog name: catalog.schema.name.
type FullName struct {
	Catalog, Schema, Name string
}

// String returns "catalog.schema.name".
func (n FullName) String() string { return n.Catalog + "." + n.Schema + "." + n.Name }

// InCatalog returns n moved to catalog c, as a shared object appears in the
// catalog created from its share.
func (n FullName) InCatalog(c string) FullName { return FullName{c, n.Schema, n.Name} }

// ParseFullName parses a three-part name given for input, such as
// "main.ml.fraud_model". It returns an [*InputError] naming input when value
// does not have exactly three valid parts.
func ParseFullName(input, value string) (FullName, error) {
	parts := strings.Split(value, ".")
	if len(parts) != 3 {
		return FullName{}, invalid.Input(input, value, "want a three-part name catalog.schema.name, got %d part(s)", len(parts))
	}
	for i, p := range parts {
		if reason := invalid.NameProblem(p); reason != "" {
			return FullName{}, invalid.Input(input, value, "%s part: %s", [...]string{"catalog", "schema", "name"}[i], reason)
		}
	}
	return FullName{parts[0], parts[1], parts[2]}, nil
}

// VersionSelector says which version of a registered model to use.
// Exactly one of its forms is set: Number > 0, a non-empty Alias, or Latest.
type VersionSelector struct {
	// Number is an explicit version number.
	Number int
	// Alias is a model alias such as "champion", without the "@".
	Alias string
	// Latest selects the newest version whose status is READY.
	Latest bool
}

// String returns the selector as it is written: "3", "@champion" or "latest".
func (v VersionSelector) String() string {
	switch {
	case v.Number > 0:
		return strconv.Itoa(v.Number)
	case v.Alias != "":
		return "@" + v.Alias
	default:
		return "latest"
	}
}

// ParseVersion parses a version selector given for input: a positive
// number, "@alias", or "latest". An empty value means "latest".
func ParseVersion(input, value string) (VersionSelector, error) {
	switch {
	case value == "" || value == "latest":
		return VersionSelector{Latest: true}, nil
	case strings.HasPrefix(value, "@"):
		alias := value[1:]
		if reason := invalid.NameProblem(alias); reason != "" {
			return VersionSelector{}, invalid.Input(input, value, "alias: %s", reason)
		}
		return VersionSelector{Alias: alias}, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil || n <= 0 {
		return VersionSelector{}, invalid.Input(input, value, `want a positive version number, "@alias" or "latest"`)
	}
	return VersionSelector{Number: n}, nil
}
