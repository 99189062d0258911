// Command action is the xregion GitHub Action: it rolls a Unity Catalog model
// version out to the serving endpoint of one target region, through Delta
// Sharing, with health checks and rollback. action.yml builds and runs it;
// every input arrives as an INPUT_<NAME> environment variable.
//
// main only wires the process; run holds the rest and is tested with fake
// environments and fake workspaces.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/org/xregion-action/xregion"

	"github.com/databricks/databricks-sdk-go/useragent"
	"github.com/sethvargo/go-githubactions"
)

// version is the action's version, reported in the SDK's user agent.
var version = "0.1.0"

func main() {
	useragent.WithProduct("xregion", version)
	a := githubactions.New()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, stopped, release := interrupts(context.Background(), sigs, a.Warningf)
	defer release()
	opts, err := pollOption(a.Getenv("XREGION_POLL_INTERVAL"))
	if err != nil {
		a.Errorf("%s", err)
		os.Exit(1)
	}
	opts = append(opts, xregion.WithStop(stopped))
	if err := run(ctx, a, connectSDK, opts...); err != nil {
		release()
		os.Exit(1)
	}
}

// pollOption reads XREGION_POLL_INTERVAL, a fixed polling interval such as
// "50ms" for runs against emulated workspaces, which settle in moments.
// Unset, polling backs off from 1s to 30s as against real workspaces.
func pollOption(v string) ([]xregion.Option, error) {
	if v == "" {
		return nil, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return nil, xregion.Invalid("XREGION_POLL_INTERVAL", v, "want a positive duration such as 50ms")
	}
	return []xregion.Option{xregion.WithPollInterval(d)}, nil
}
