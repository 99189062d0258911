package xregion

import (
	"errors"

	"github.com/org/xregion-action/internal/invalid"
)

var (
	// ErrInvalidInput is matched by every error about bad caller input. Such
	// errors are raised before any write.
	ErrInvalidInput = invalid.ErrInput

	// ErrNotReady is matched when a resource exists but is in a state that
	// cannot be used, such as a model version that is not READY.
	ErrNotReady = errors.New("not ready")

	// ErrConflict is matched when an existing resource has content that
	// xregion did not expect and will not change, such as a catalog of that
	// name fed from another share. xregion never overwrites such content.
	ErrConflict = errors.New("conflicts with existing resource")

	// ErrPrecondition is matched when something xregion cannot create must
	// exist first, such as a connection the model depends on.
	ErrPrecondition = errors.New("precondition not met")
)

// InputError reports a bad value for one named input. Its fields are
// strings: Input names the input (such as "model" or "share"), Value is the
// value given (never a secret's), Reason says what is wrong with it. It
// matches [ErrInvalidInput] with errors.Is; errors.As finds it as an
// *InputError.
type InputError = invalid.Error

// StepError reports the failure of one pipeline step on one resource. Err
// stays reachable with errors.Is and errors.As.
type StepError struct {
	// Step is the step's name, such as "EnsureShare".
	Step string
	// Resource names what the step was working on, such as `share "s1"`.
	Resource string
	// Err is the underlying error.
	Err error
}

// Error returns "step resource: err".
func (e *StepError) Error() string {
	if e.Resource == "" {
		return e.Step + ": " + e.Err.Error()
	}
	return e.Step + " " + e.Resource + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *StepError) Unwrap() error { return e.Err }
