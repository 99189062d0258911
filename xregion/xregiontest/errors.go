package xregiontest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/databricks/databricks-sdk-go/apierr"
)

// Error codes the fake puts in ErrorCode, spelled as the service sends them.
const (
	codeNotFound         = "RESOURCE_DOES_NOT_EXIST"
	codeAlreadyExists    = "RESOURCE_ALREADY_EXISTS"
	codeConflict         = "RESOURCE_CONFLICT"
	codePermissionDenied = "PERMISSION_DENIED"
	codeInvalidParameter = "INVALID_PARAMETER_VALUE"
	codeInvalidState     = "INVALID_STATE"
	codeUnavailable      = "TEMPORARILY_UNAVAILABLE"
	codeInternal         = "INTERNAL_ERROR"
	codeNotImplemented   = "NOT_IMPLEMENTED"
)

func apiError(status int, code, format string, args ...any) error {
	return &apierr.APIError{ErrorCode: code, StatusCode: status, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the error the service sends for a missing resource: an
// [*apierr.APIError] with status 404 and code RESOURCE_DOES_NOT_EXIST. It
// matches [apierr.ErrResourceDoesNotExist] and [apierr.ErrNotFound] with
// errors.Is, and [apierr.IsMissing] reports true for it.
func NotFound(format string, args ...any) error {
	return apiError(http.StatusNotFound, codeNotFound, format, args...)
}

// AlreadyExists returns the error the service sends when a resource of that
// name exists: an [*apierr.APIError] with status 409 and code
// RESOURCE_ALREADY_EXISTS. It matches [apierr.ErrResourceAlreadyExists] and
// [apierr.ErrResourceConflict] with errors.Is, but not
// [apierr.ErrAlreadyExists], just as the SDK maps the real reply.
func AlreadyExists(format string, args ...any) error {
	return apiError(http.StatusConflict, codeAlreadyExists, format, args...)
}

// resourceConflict returns the error the service sends for a request that
// conflicts with the resource's state, such as updating a serving endpoint
// whose update is in progress: an [*apierr.APIError] with status 409 and
// code RESOURCE_CONFLICT. It matches [apierr.ErrResourceConflict] with
// errors.Is, but not [apierr.ErrResourceAlreadyExists].
func resourceConflict(format string, args ...any) error {
	return apiError(http.StatusConflict, codeConflict, format, args...)
}

// PermissionDenied returns an [*apierr.APIError] with status 403 and code
// PERMISSION_DENIED. It matches [apierr.ErrPermissionDenied] with errors.Is.
// The fake returns it by itself only for a write into a catalog created from
// a share ([FeatureStore.PublishTable]); use it with [Workspace.Inject] for
// the rest.
func PermissionDenied(format string, args ...any) error {
	return apiError(http.StatusForbidden, codePermissionDenied, format, args...)
}

// InvalidParameter returns the error the service sends for a bad request
// value: an [*apierr.APIError] with status 400 and code
// INVALID_PARAMETER_VALUE. It matches [apierr.ErrInvalidParameterValue] and
// [apierr.ErrBadRequest] with errors.Is.
func InvalidParameter(format string, args ...any) error {
	return apiError(http.StatusBadRequest, codeInvalidParameter, format, args...)
}

// invalidState returns the error the service sends when a resource is not in
// a state that allows the request, such as publishing to an online store
// that is still starting: an [*apierr.APIError] with status 400 and code
// INVALID_STATE. It matches [apierr.ErrInvalidState] and
// [apierr.ErrBadRequest] with errors.Is.
func invalidState(format string, args ...any) error {
	return apiError(http.StatusBadRequest, codeInvalidState, format, args...)
}

// Unavailable returns an [*apierr.APIError] with status 503 and code
// TEMPORARILY_UNAVAILABLE, a reply the SDK itself retries. It matches
// [apierr.ErrTemporarilyUnavailable] with errors.Is. The fake never returns
// it by itself; use it with [Workspace.Inject].
func Unavailable(format string, args ...any) error {
	return apiError(http.StatusServiceUnavailable, codeUnavailable, format, args...)
}

// Internal returns an [*apierr.APIError] with status 500 and code
// INTERNAL_ERROR. It matches [apierr.ErrInternalError] with errors.Is. The
// fake never returns it by itself; use it with [Workspace.Inject].
func Internal(format string, args ...any) error {
	return apiError(http.StatusInternalServerError, codeInternal, format, args...)
}

// notImplemented is how the fake fails loudly on a request it does not
// model, rather than pretending it worked. It matches
// [apierr.ErrNotImplemented].
func notImplemented(format string, args ...any) error {
	return apiError(http.StatusNotImplemented, codeNotImplemented, "xregiontest does not model this: "+format, args...)
}

// withPrefix returns err with prefix added to its message, keeping its code
// and status.
func withPrefix(err error, prefix string) error {
	var e *apierr.APIError
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Message = prefix + c.Message
	return &c
}
