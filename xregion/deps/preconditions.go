package deps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/databricks/databricks-sdk-go/service/catalog"
	"github.com/org/xregion-action/xregion"
)

// StepPreconditions is the step name [CheckPreconditions] reports in errors.
const StepPreconditions = "CheckPreconditions"

// Connections reads Unity Catalog connections (w.Connections).
type Connections interface {
	Get(ctx context.Context, request catalog.GetConnectionRequest) (*catalog.ConnectionInfo, error)
}

// Credentials reads Unity Catalog service credentials (w.Credentials).
type Credentials interface {
	GetCredential(ctx context.Context, request catalog.GetCredentialRequest) (*catalog.CredentialInfo, error)
}

var (
	_ Connections = catalog.ConnectionsInterface(nil)
	_ Credentials = catalog.CredentialsInterface(nil)
)

// TargetClients are the target-workspace services [CheckPreconditions]
// reads.
type TargetClients struct {
	Connections Connections
	Credentials Credentials
}

// CheckPreconditions checks that the target workspace has every connection
// and credential the model version depends on, under the same names: they
// cannot travel through a share and must be provisioned there by hand. It
// makes no write. When some are missing the error matches
// [xregion.ErrPrecondition] and names all of them. The error is a
// [*xregion.StepError].
func CheckPreconditions(ctx context.Context, c TargetClients, d *Dependencies) error {
	var missing []string
	var errs []error
	for _, p := range d.Preconditions() {
		var err error
		switch p.Kind {
		case "connection":
			_, err = c.Connections.Get(ctx, catalog.GetConnectionRequest{Name: p.Name})
		case "credential":
			_, err = c.Credentials.GetCredential(ctx, catalog.GetCredentialRequest{NameArg: p.Name})
		}
		switch {
		case isMissing(err):
			missing = append(missing, p.Kind+" "+p.Name)
		case err != nil:
			errs = append(errs, fmt.Errorf("read %s %q: %w", p.Kind, p.Name, err))
		}
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("the target workspace lacks %s, which cannot be shared: create them there under the same names: %w",
			strings.Join(missing, ", "), xregion.ErrPrecondition))
	}
	if err := errors.Join(errs...); err != nil {
		return &xregion.StepError{Step: StepPreconditions, Resource: fmt.Sprintf("model %q", d.Model), Err: err}
	}
	return nil
}
