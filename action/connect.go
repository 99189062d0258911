package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/org/xregion-action/internal/invalid"
	"time"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/apierr"
	"github.com/databricks/databricks-sdk-go/service/iam"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/rollout"
)

// connectFunc returns the services of the workspace one side names. label
// is "source" or "target"; getenv reads the runner's environment.
type connectFunc func(ctx context.Context, label string, s side, getenv func(string) string) (rollout.Workspace, error)

// settings are the client settings of one side: every attribute explicit.
// GitHub OIDC reads the runner's ID-token request variables, which belong
// to the job, not to a workspace.
func settings(s side, getenv func(string) string) client.Settings {
	cs := client.Settings{
		Host: s.Host, AuthType: s.authType(), Token: s.Token,
		ClientID: s.ClientID, ClientSecret: s.ClientSecret, AzureTenantID: s.AzureTenantID,
	}
	if cs.AuthType == client.AuthGitHubOIDC {
		cs.IDTokenRequestURL = getenv("ACTIONS_ID_TOKEN_REQUEST_URL")
		cs.IDTokenRequestToken = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	}
	return cs
}

// sdkConfig is the client config of one side: every attribute explicit, no
// loaders, requests under the retry policy of [client.RetryingTransport].
func sdkConfig(s side, getenv func(string) string) *databricks.Config {
	return settings(s, getenv).Config()
}

// defaultConnectTimeout bounds, unless XREGION_CONNECT_TIMEOUT says
// otherwise, what connecting to a workspace may take: client construction
// (which reads the host's metadata) and one first API call. Against a host
// that refuses connections the SDK would retry each for minutes, silently.
const defaultConnectTimeout = 30 * time.Second

// connectProbe is the first call made to a workspace: cheap, and answered
// by every workspace to an authenticated caller.
const connectProbe = "GET /api/2.0/preview/scim/v2/Me"

// errConnectTimeout ends a connection attempt that took too long.
var errConnectTimeout = errors.New("the workspace did not answer in time")

// connectTimeout reads XREGION_CONNECT_TIMEOUT, such as "10s".
func connectTimeout(getenv func(string) string) (time.Duration, error) {
	v := getenv("XREGION_CONNECT_TIMEOUT")
	if v == "" {
		return defaultConnectTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, invalid.Input("XREGION_CONNECT_TIMEOUT", v, "want a positive duration such as 30s")
	}
	return d, nil
}

// connectSDK builds a real workspace client with an explicit auth type and
// every attribute given explicitly: nothing is read from DATABRICKS_* or
// other variables, so credentials meant for one workspace never reach the
// other. GitHub OIDC reads the runner's ID-token request variables, which
// belong to the job, not to a workspace.
//
// Construction and a first call ([connectProbe]) are bounded together by
// XREGION_CONNECT_TIMEOUT (default 30s): a host that cannot be reached fails
// then, with an error naming the host input and what was tried.
func connectSDK(ctx context.Context, label string, s side, getenv func(string) string) (rollout.Workspace, error) {
	timeout, err := connectTimeout(getenv)
	if err != nil {
		return rollout.Workspace{}, err
	}
	cctx, cancel := context.WithTimeoutCause(ctx, timeout, errConnectTimeout)
	defer cancel()
	unreachable := func(tried string, err error) error {
		if context.Cause(cctx) == errConnectTimeout {
			return fmt.Errorf("%s-host: the %s workspace %s did not answer within %s (tried %s; XREGION_CONNECT_TIMEOUT sets the bound): %w",
				label, label, s.Host, timeout, tried, errors.Join(errConnectTimeout, err))
		}
		if ae := (*apierr.APIError)(nil); errors.As(err, &ae) {
			// The workspace answered: the host is right, the caller is not
			// let in (or the call is refused for another reason).
			return fmt.Errorf("the %s workspace %s refused %s (check the %s credentials): %w", label, s.Host, tried, label, err)
		}
		return fmt.Errorf("connect to the %s workspace %s (%s-host; tried %s): %w", label, s.Host, label, tried, err)
	}

	const metadata = "GET /.well-known/databricks-config (client construction)"
	cs := settings(s, getenv)
	cs.ConnectTimeout = timeout
	meter := &client.Meter{} // the run reports what it sent
	cs.Observe = meter.Observe
	w, err := client.New(cctx, cs)
	if err != nil {
		// client.New names the host; unreachable says it the action's way.
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		// The SDK's message names config attributes, never their values.
		return rollout.Workspace{}, unreachable(metadata, err)
	}
	if err := cctx.Err(); err != nil {
		return rollout.Workspace{}, unreachable(metadata, context.Cause(cctx))
	}
	me, err := w.CurrentUser.Me(cctx, iam.MeRequest{})
	if err != nil {
		return rollout.Workspace{}, unreachable(metadata+", then "+connectProbe, err)
	}
	ws, err := rollout.FromClient(w)
	ws.Caller, ws.Requests = me.UserName, meter
	return ws, err
}
