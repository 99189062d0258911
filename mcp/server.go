package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/databricks/databricks-sdk-go"
	"github.com/databricks/databricks-sdk-go/service/sharing"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/org/xregion-action/xregion"
	"github.com/org/xregion-action/xregion/client"
	"github.com/org/xregion-action/xregion/regionsfile"
	"github.com/org/xregion-action/xregion/rollout"
)

// sourceName names the regions file's source entry in tool arguments.
const sourceName = "source"

// connectFunc builds the client of one workspace of the regions file.
type connectFunc func(ctx context.Context, s client.Settings) (*databricks.WorkspaceClient, error)

// config is what a server is made of: the regions file, how to connect, and
// the library's options (logger, poll interval).
type config struct {
	File    *regionsfile.File
	Connect connectFunc
	Log     *slog.Logger
	Opts    []xregion.Option
	Version string
}

// server holds the connections of the regions file's workspaces, made on
// first use and kept.
type server struct {
	cfg    config
	redact *strings.Replacer

	mu    sync.Mutex
	conns map[string]*connecting // by workspace name
}

// connecting is one workspace's connection, made once; done closes when it
// is made or failed.
type connecting struct {
	done chan struct{}
	c    *conn
	err  error
}

// conn is one connected workspace.
type conn struct {
	w  *databricks.WorkspaceClient
	ws rollout.Workspace
}

// newServer returns the MCP server of the regions file's workspaces.
func newServer(cfg config) *mcp.Server {
	if cfg.Connect == nil {
		cfg.Connect = client.New
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg, redact: redactor(cfg.File.Secrets), conns: map[string]*connecting{}}
	srv := mcp.NewServer(&mcp.Implementation{Name: "xregion", Version: cmp.Or(cfg.Version, "dev")}, &mcp.ServerOptions{
		Instructions: "xregion serves a Unity Catalog model version from Databricks workspaces in other regions through Delta Sharing. " +
			"Workspaces come from the server's regions file: name them by their names there (" + strings.Join(s.names(), ", ") + "), or \"source\" for the source workspace. " +
			"Tools never take hosts or credentials.",
	})
	s.tools(srv)
	s.changeTools(srv)
	return srv
}

// names are the workspaces tools may name.
func (s *server) names() []string {
	names := s.cfg.File.Names()
	if s.cfg.File.Source != nil {
		names = append([]string{sourceName}, names...)
	}
	return names
}

// redactor replaces every secret of the file, as it is and as JSON would
// escape it, with "***".
func redactor(secrets []string) *strings.Replacer {
	// A replacer takes the first match in argument order: the longest
	// secret first, so that one that starts another is never left half.
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, v := range secrets {
		if v == "" {
			continue
		}
		pairs = append(pairs, v, "***")
		if b, err := json.Marshal(v); err == nil {
			if q := string(b[1 : len(b)-1]); q != v {
				pairs = append(pairs, q, "***")
			}
		}
	}
	return strings.NewReplacer(pairs...)
}

// workspace returns the connection of the workspace the file names name:
// "source" or a region's name.
func (s *server) workspace(ctx context.Context, name string) (*conn, error) {
	var set regionsfile.Settings
	switch e := s.cfg.File.Region(name); {
	case name == sourceName && s.cfg.File.Source != nil:
		set = *s.cfg.File.Source
	case name == sourceName:
		return nil, fmt.Errorf("the regions file %s has no source entry: add one (host, auth-type and the variables of its credentials) to use the source workspace", s.cfg.File.Path)
	case e != nil:
		set = e.Settings
	case name == "":
		return nil, fmt.Errorf("no region given: want one of %s", strings.Join(s.names(), ", "))
	default:
		return nil, fmt.Errorf("region %q is not in the regions file %s: want one of %s", name, s.cfg.File.Path, strings.Join(s.names(), ", "))
	}
	// One connection per workspace, made by the first call that needs it;
	// other calls wait for that one alone, and give up when their own
	// context ends. A failed connection is tried again by the next call.
	s.mu.Lock()
	cn := s.conns[name]
	mine := cn == nil
	if mine {
		cn = &connecting{done: make(chan struct{})}
		s.conns[name] = cn
	}
	s.mu.Unlock()
	if mine {
		cn.c, cn.err = s.connect(ctx, name, set)
		if cn.err != nil {
			s.mu.Lock()
			delete(s.conns, name)
			s.mu.Unlock()
		}
		close(cn.done)
	}
	select {
	case <-cn.done:
		return cn.c, cn.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// connect makes the connection of the workspace called name.
func (s *server) connect(ctx context.Context, name string, set regionsfile.Settings) (*conn, error) {
	w, err := s.cfg.Connect(ctx, set.Client())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ws, err := rollout.FromClient(w)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &conn{w: w, ws: ws}, nil
}

// source returns the source workspace's services.
func (s *server) source(ctx context.Context) (rollout.Workspace, error) {
	c, err := s.workspace(ctx, sourceName)
	if err != nil {
		return rollout.Workspace{}, err
	}
	return c.ws, nil
}

// target returns a region as a rollout target, with its overrides.
func (s *server) target(ctx context.Context, name string) (rollout.Target, error) {
	if name == sourceName {
		return rollout.Target{}, fmt.Errorf("region %q: the source is not a target; want one of %s", name, strings.Join(s.cfg.File.Names(), ", "))
	}
	c, err := s.workspace(ctx, name)
	if err != nil {
		return rollout.Target{}, err
	}
	return s.cfg.File.Region(name).Target(c.ws), nil
}

// opts are the library's options of every call.
func (s *server) opts(extra ...xregion.Option) []xregion.Option {
	return append(append(slices.Clip(s.cfg.Opts), xregion.WithLogger(s.cfg.Log)), extra...)
}

// errResult is a tool error: IsError, with the message as its text.
func (s *server) errResult(err error) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: s.redact.Replace(err.Error())}}}
}

// handler is a tool's work: its typed result, a one-line summary, and the
// error that makes the call a tool error (the result, when not nil, is
// still returned with it: what the steps that ran did).
type handler[In, Out any] func(ctx context.Context, req *mcp.CallToolRequest, in In) (*Out, string, error)

// add registers a tool whose results and errors are kept free of the
// file's secrets, and whose failures are tool errors.
func add[In, Out any](s *server, srv *mcp.Server, t *mcp.Tool, h handler[In, Out]) {
	schema, err := jsonschema.For[Out](schemaOptions)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
	}
	t.OutputSchema = schema
	mcp.AddTool(srv, t, func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, *Out, error) {
		out, summary, err := h(ctx, req, in)
		out, rerr := clean(s.redact, out)
		if rerr != nil {
			err = errors.Join(err, rerr)
		}
		if err != nil {
			s.cfg.Log.Warn("tool failed", "tool", t.Name, "error", s.redact.Replace(err.Error()))
			return s.errResult(err), out, nil
		}
		s.cfg.Log.Info("tool done", "tool", t.Name, "summary", s.redact.Replace(summary))
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s.redact.Replace(summary)}}}, out, nil
	})
}

// schemaOptions describe the types the schema package cannot infer: the
// traffic of an endpoint by version (a JSON object keyed by the version).
var schemaOptions = &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
	reflect.TypeFor[map[int]int](): {Type: "object", AdditionalProperties: &jsonschema.Schema{Type: "integer"}},
}}

// clean returns out with every secret replaced, through its JSON.
func clean[Out any](r *strings.Replacer, out *Out) (*Out, error) {
	if out == nil {
		return nil, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode the result: %w", err)
	}
	red := r.Replace(string(b))
	if red == string(b) {
		return out, nil
	}
	var o Out
	if err := json.Unmarshal([]byte(red), &o); err != nil {
		return nil, fmt.Errorf("encode the result: %w", err)
	}
	return &o, nil
}

// scrubRecipient removes what lets anyone read a share from a recipient:
// its activation link and its tokens' links.
func scrubRecipient(r sharing.RecipientInfo) sharing.RecipientInfo {
	// The activation link, the one-time sharing code and a token's id
	// (which may be the link's token) all let someone take the share:
	// keep only when tokens expire.
	r.ActivationUrl, r.SharingCode = "", ""
	tokens := make([]sharing.RecipientTokenInfo, len(r.Tokens))
	for i, t := range r.Tokens {
		tokens[i] = sharing.RecipientTokenInfo{ExpirationTime: t.ExpirationTime, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy}
	}
	if r.Tokens == nil {
		tokens = nil
	}
	r.Tokens = tokens
	return r
}

// sharedModel is the model's name in the targets: in the shared catalog.
func sharedModel(model, catalog string) (string, error) {
	n, err := xregion.ParseFullName("model", model)
	if err != nil {
		return "", err
	}
	return n.InCatalog(cmp.Or(catalog, rollout.DefaultShareName(model))).String(), nil
}
