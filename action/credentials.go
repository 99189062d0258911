package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/databricks/databricks-sdk-go/apierr"
)

// refusedError reports that a workspace refused the credentials an input
// gave, naming the input and the workspace rather than the step that
// happened to make the first call.
type refusedError struct {
	// Input is the action input whose credential was refused, such as
	// "target-token".
	Input string
	// Label is "source" or "target"; Host is the workspace's URL.
	Label, Host string
	// Err is the service's answer.
	Err error
}

func (e *refusedError) Error() string {
	hint := ""
	if strings.HasSuffix(e.Input, "-client-id") {
		hint = " (with GitHub OIDC, the service principal's federation policy must trust this job's subject: repo:OWNER/REPO:environment:NAME in a job with an environment)"
	}
	// The service's answer is enough: the message of the call around it
	// would name the workspace again.
	var ae *apierr.APIError
	if errors.As(e.Err, &ae) {
		return fmt.Sprintf("%s was refused by the %s workspace %s%s: %d %s", e.Input, e.Label, e.Host, hint, ae.StatusCode, ae.Message)
	}
	return fmt.Sprintf("%s was refused by the %s workspace %s%s: %v", e.Input, e.Label, e.Host, hint, e.Err)
}

func (e *refusedError) Unwrap() error { return e.Err }

// credentialInput is the input that carries the credential a side's
// workspace checks: the one to fix when it refuses it.
func (s side) credentialInput(label string) string {
	switch s.authType() {
	case "pat":
		return label + "-token"
	case "oauth-m2m", "azure-client-secret":
		return label + "-client-secret"
	case "github-oidc":
		return label + "-client-id"
	}
	return label + "-auth-type" // azure-msi: the runner's identity
}

// refused returns a *refusedError for err if it is the workspace refusing
// the side's credentials, or nil: a 401 from the API, or an OAuth token
// endpoint's invalid_client or invalid_grant (RFC 6749 section 5.2), as when
// a federation policy does not trust the job's ID token.
func refused(label string, s side, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	oauth := strings.Contains(msg, `"invalid_client"`) || strings.Contains(msg, `"invalid_grant"`)
	if !errors.Is(err, apierr.ErrUnauthenticated) && !oauth {
		return nil
	}
	return &refusedError{Input: s.credentialInput(label), Label: label, Host: s.Host, Err: err}
}
