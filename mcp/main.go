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
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/modelcontextprotocol/go-sdk/mcp"
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
	log := slog.New(slog.NewTextHandler(redactingWriter{stderr, redactor(f.Secrets)}, nil))
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
			if e.Settings.Host == "" {
				return regionsfile.Errorf(path, where, "key %q: required, the workspace URL", "host")
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	if f.Source != nil && f.Source.Host == "" {
		return nil, regionsfile.Errorf(path, "source", "key %q: required, the workspace URL", "host")
	}
	return f, nil
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
