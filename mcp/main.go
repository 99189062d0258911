// Command mcp serves xregion's operations to AI assistants over the Model
// Context Protocol on stdio:
//
//	go run ./mcp -regions regions.yml
//
// The workspaces come from the regions file (the one the action's regions
// input reads, with its source entry); secrets come only from the
// environment variables the file names. Tools name regions by their names
// in the file and never take hosts or credentials. Stdout belongs to the
// protocol: logs go to stderr, without the file's secrets.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/regionsfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "xregion mcp:", err)
		os.Exit(1)
	}
}

// run serves MCP on in and out until the client goes or ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, in io.ReadCloser, out io.WriteCloser, stderr io.Writer) error {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	regions := fs.String("regions", "", "the regions file: the source and target workspaces, with the names of the variables holding their secrets (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *regions == "" {
		return errors.New("-regions: required, the regions file naming the workspaces")
	}
	f, err := load(*regions, getenv)
	if err != nil {
		return err
	}
	errs := redactingWriter{stderr, redactor(f.Secrets)}
	log := slog.New(slog.NewTextHandler(errs, nil))
	// The SDK's own logger writes through the standard log: redact it too.
	stdlog.SetOutput(errs)
	log.Info("serving MCP on stdio", "regions", f.Path, "workspaces", strings.Join(f.Names(), ","), "source", f.Source != nil)
	srv := newServer(config{File: f, Log: log})
	err = srv.Run(ctx, &mcp.IOTransport{Reader: in, Writer: out})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// load reads the regions file, checking that every workspace has a host.
func load(path string, getenv func(string) string) (*regionsfile.File, error) {
	f, err := regionsfile.Load(path, regionsfile.Options{
		Getenv: getenv,
		CheckEntry: func(where string, e regionsfile.Entry) error {
			if e.Name == sourceName {
				return regionsfile.Errorf(path, where, "key %q: %q names the source workspace; choose another name for the region", "name", e.Name)
			}
			return checkSide(path, where, e.Settings)
		},
	})
	if err != nil {
		return nil, err
	}
	if f.Source != nil {
		if err := checkSide(path, "source", *f.Source); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// checkSide checks that a workspace has a host and credentials the file
// names: an auth type whose secrets come from the file's variables, so
// that no credential the server did not read (a CLI login, the cloud's
// metadata service) is ever used, or left out of the redaction.
func checkSide(path, where string, s regionsfile.Settings) error {
	if s.Host == "" {
		return regionsfile.Errorf(path, where, "key %q: required, the workspace URL", "host")
	}
	switch auth := s.Client().ResolvedAuthType(); auth {
	case client.AuthPAT:
		if s.Token == "" {
			return regionsfile.Errorf(path, where, "key %q: the pat auth type needs a token variable", "token-env")
		}
	case client.AuthOAuthM2M, client.AuthAzureClientSecret:
		if s.ClientID == "" || s.ClientSecret == "" {
			return regionsfile.Errorf(path, where, "key %q: the %s auth type needs client-id and a client-secret variable", "client-secret-env", auth)
		}
	case client.AuthAzureMSI:
	case "":
		return regionsfile.Errorf(path, where, "key %q: no credentials: name the variable of a token (token-env) or a client secret (client-id, client-secret-env)", "token-env")
	default:
		return regionsfile.Errorf(path, where, "key %q: %q is not offered by the MCP server: want pat, oauth-m2m, azure-client-secret or azure-msi", "auth-type", auth)
	}
	return nil
}

// redactingWriter writes to w without the secrets.
type redactingWriter struct {
	w io.Writer
	r *strings.Replacer
}

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.r.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
