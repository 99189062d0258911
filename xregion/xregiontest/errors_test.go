package xregiontest_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/databricks/databricks-sdk-go/apierr"

	"github.com/org/xregion-action/xregion/xregiontest"
)

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		matches    []error
		notMatches []error
	}{
		{
			name: "not_found", err: xregiontest.NotFound("Share '%s' does not exist.", "s1"),
			status: http.StatusNotFound, code: "RESOURCE_DOES_NOT_EXIST",
			matches:    []error{apierr.ErrResourceDoesNotExist, apierr.ErrNotFound},
			notMatches: []error{apierr.ErrResourceConflict, apierr.ErrBadRequest},
		},
		{
			name: "already_exists", err: xregiontest.AlreadyExists("x"),
			status: http.StatusConflict, code: "RESOURCE_ALREADY_EXISTS",
			matches:    []error{apierr.ErrResourceAlreadyExists, apierr.ErrResourceConflict},
			notMatches: []error{apierr.ErrAlreadyExists, apierr.ErrNotFound},
		},
		{
			name: "permission_denied", err: xregiontest.PermissionDenied("x"),
			status: http.StatusForbidden, code: "PERMISSION_DENIED",
			matches:    []error{apierr.ErrPermissionDenied},
			notMatches: []error{apierr.ErrNotFound},
		},
		{
			name: "invalid_parameter", err: xregiontest.InvalidParameter("x"),
			status: http.StatusBadRequest, code: "INVALID_PARAMETER_VALUE",
			matches:    []error{apierr.ErrInvalidParameterValue, apierr.ErrBadRequest},
			notMatches: []error{apierr.ErrInvalidState, apierr.ErrNotFound},
		},
		{
			name: "unavailable", err: xregiontest.Unavailable("x"),
			status: http.StatusServiceUnavailable, code: "TEMPORARILY_UNAVAILABLE",
			matches:    []error{apierr.ErrTemporarilyUnavailable},
			notMatches: []error{apierr.ErrInternalError},
		},
		{
			name: "internal", err: xregiontest.Internal("x"),
			status: http.StatusInternalServerError, code: "INTERNAL_ERROR",
			matches:    []error{apierr.ErrInternalError},
			notMatches: []error{apierr.ErrTemporarilyUnavailable},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var apiErr *apierr.APIError
			if !errors.As(tt.err, &apiErr) {
				t.Fatalf("%T is not an *apierr.APIError", tt.err)
			}
			if apiErr.StatusCode != tt.status || apiErr.ErrorCode != tt.code {
				t.Errorf("status, code = %d, %s; want %d, %s", apiErr.StatusCode, apiErr.ErrorCode, tt.status, tt.code)
			}
			for _, m := range tt.matches {
				if !errors.Is(tt.err, m) {
					t.Errorf("errors.Is(err, %v) = false, want true", m)
				}
			}
			for _, m := range tt.notMatches {
				if errors.Is(tt.err, m) {
					t.Errorf("errors.Is(err, %v) = true, want false", m)
				}
			}
		})
	}
}

func TestErrorMessageFormatted(t *testing.T) {
	t.Parallel()
	if got, want := xregiontest.NotFound("Share '%s' does not exist.", "s1").Error(), "Share 's1' does not exist."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
