package live

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/org/xregion-action/xregion/client"
)

// Config is what the suite needs: two workspaces, a model in the source
// with at least one feature table, and a writable catalog in the target.
type Config struct {
	// Source and Target reach the two workspaces.
	Source, Target client.Settings
	// Model is the source model's three-part name.
	Model string
	// Version is the version to roll out: a number, "@alias" or "latest"
	// (the default).
	Version string
	// Catalog is a catalog of the target the suite may create a schema in.
	Catalog string
	// Probes is a probe file for the model (optional): without one only
	// readiness is checked on the good deployment.
	Probes string
	// Keep leaves what the run made in place, for inspection.
	Keep bool
	// Timeout bounds each wait of the pipeline. Default: 45 minutes.
	Timeout time.Duration
	// PollInterval, if set, polls at a fixed interval (for the emulator).
	PollInterval time.Duration
}

// Where says where the suite ran: the emulator (whose answers are only our
// own beliefs) when both hosts are loopback addresses, else a real
// workspace.
func (c Config) Where() string {
	if loopback(c.Source.Host) && loopback(c.Target.Host) {
		return "the emulator (its answers are xregion's own beliefs, not the service's)"
	}
	return "a real workspace"
}

func loopback(host string) bool {
	u, err := url.Parse(host)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// FromEnv reads the configuration from XREGION_LIVE_* variables through
// getenv and returns the names of the required ones that are missing.
//
//	XREGION_LIVE_SOURCE_HOST, XREGION_LIVE_TARGET_HOST     workspace URLs
//	XREGION_LIVE_{SOURCE,TARGET}_AUTH_TYPE                 as the action's *-auth-type (optional)
//	XREGION_LIVE_{SOURCE,TARGET}_TOKEN                     a personal access token, or
//	XREGION_LIVE_{SOURCE,TARGET}_CLIENT_ID / _CLIENT_SECRET a service principal
//	XREGION_LIVE_{SOURCE,TARGET}_AZURE_TENANT_ID           for azure-client-secret
//	XREGION_LIVE_MODEL                                     catalog.schema.model in the source
//	XREGION_LIVE_VERSION                                   default: latest
//	XREGION_LIVE_CATALOG                                   a writable catalog in the target
//	XREGION_LIVE_PROBES                                    a probe file for the model (optional)
//	XREGION_LIVE_KEEP=1                                    leave what the run made
func FromEnv(getenv func(string) string) (Config, []string) {
	var missing []string
	need := func(name string) string {
		v := getenv(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	side := func(s string) client.Settings {
		p := "XREGION_LIVE_" + s + "_"
		set := client.Settings{
			Host: need(p + "HOST"), AuthType: getenv(p + "AUTH_TYPE"), Token: getenv(p + "TOKEN"),
			ClientID: getenv(p + "CLIENT_ID"), ClientSecret: getenv(p + "CLIENT_SECRET"), AzureTenantID: getenv(p + "AZURE_TENANT_ID"),
			IDTokenRequestURL: getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), IDTokenRequestToken: getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		}
		if set.Token == "" && set.ClientID == "" && set.AuthType != client.AuthAzureMSI {
			missing = append(missing, p+"TOKEN (or "+p+"CLIENT_ID)")
		}
		return set
	}
	c := Config{Source: side("SOURCE"), Target: side("TARGET")}
	c.Model = need("XREGION_LIVE_MODEL")
	c.Catalog = need("XREGION_LIVE_CATALOG")
	c.Version = getenv("XREGION_LIVE_VERSION")
	c.Probes = getenv("XREGION_LIVE_PROBES")
	c.Keep = getenv("XREGION_LIVE_KEEP") == "1"
	return c, missing
}

// SkipMessage is the one line a skipped run prints.
func SkipMessage(missing []string) string {
	return fmt.Sprintf("live suite skipped: set %s (see the README, \"Verify on your own workspaces\")", strings.Join(missing, ", "))
}
