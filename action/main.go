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

	"github.com/databricks/databricks-sdk-go/useragent"
	"github.com/org/xregion-action/xregion"
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
	if err := run(ctx, a, connectSDK, xregion.WithStop(stopped)); err != nil {
		release()
		os.Exit(1)
	}
}
