// Package invalid builds the errors xregion returns for bad input, and the
// name checks that raise them. It is plumbing: users match the errors as
// xregion.InputError and xregion.ErrInvalidInput.
package invalid

import (
	"errors"
	"fmt"
)

// ErrInput is matched by every error about bad caller input
// (xregion.ErrInvalidInput).
var ErrInput = errors.New("invalid input")

// Error reports a bad value for one named input (xregion.InputError). It
// matches [ErrInput] with errors.Is.
type Error struct {
	// Input names the input, such as "model" or "share".
	Input string
	// Value is the value given. Never set it for secrets.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns a one-line message naming the input and its value (an
// empty value, a missing input, is not shown).
func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("invalid %s: %s", e.Input, e.Reason)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Input, e.Value, e.Reason)
}

// Is makes errors.Is(err, ErrInput) true.
func (e *Error) Is(target error) bool { return target == ErrInput }

// Input returns an [*Error] for input with the given value.
func Input(input, value, format string, args ...any) *Error {
	return &Error{Input: input, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// maxNameLen is Unity Catalog's limit on the length of one name part.
const maxNameLen = 255

// CheckName reports whether value is a valid Unity Catalog object name (one
// part, no dots), returning an [*Error] for input otherwise. Unity Catalog
// rejects empty names, names over 255 characters and names with a period,
// a space, a forward slash or an ASCII control character.
func CheckName(input, value string) error {
	if reason := NameProblem(value); reason != "" {
		return Input(input, value, "%s", reason)
	}
	return nil
}

// NameProblem says what is wrong with one part of a Unity Catalog name, or
// "" when nothing is.
func NameProblem(part string) string {
	switch {
	case part == "":
		return "name is empty"
	case len(part) > maxNameLen:
		return "name is longer than 255 characters"
	}
	for _, r := range part {
		switch {
		case r == '.':
			return "name contains a period"
		case r == ' ':
			return "name contains a space"
		case r == '/':
			return "name contains a forward slash"
		case r < 0x20 || r == 0x7f:
			return "name contains a control character"
		}
	}
	return ""
}
