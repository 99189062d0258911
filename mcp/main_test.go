package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// syncBuffer is a buffer the process's stderr copier and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBinaryOverStdio runs the built server as an assistant does: a process
// speaking MCP on its stdin and stdout, its secrets in its environment.
func TestBinaryOverStdio(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "xregion-mcp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f := newFleet(t, "serving")
	f.rollOut(t)
	cmd := exec.Command(bin, "-regions", f.file)
	cmd.Env = os.Environ()
	for k, v := range f.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test"}, nil).Connect(t.Context(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connect to the binary: %v (stderr: %s)", err, stderr.String())
	}
	tools, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tools.Tools) != 13 {
		t.Errorf("the binary lists %d tools, want 13", len(tools.Tools))
	}
	res := call(t, cs, "fleet_status", map[string]any{"model": "main.ml.fraud", "version": "1", "regions": []string{"eu-west-1"}})
	ok(t, "fleet_status", res)
	if !strings.HasPrefix(text(res), "converged") {
		t.Errorf("fleet_status over stdio: %q, want converged", text(res))
	}
	res = call(t, cs, "check_endpoint_status", map[string]any{"region": "nowhere", "model": "main.ml.fraud"})
	if !res.IsError {
		t.Errorf("check_endpoint_status(nowhere) over stdio: not an error")
	}
	if err := cs.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	log := stderr.String()
	if !strings.Contains(log, "serving MCP on stdio") || !strings.Contains(log, "tool=fleet_status") {
		t.Errorf("stderr = %q, want the server's log", log)
	}
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("stderr holds the secret %q", s)
		}
	}
}

// TestRunErrors: a bad configuration stops the server before it serves,
// with a one-line error naming the file's key, and no secret.
func TestRunErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "regions.yml")
	if err := os.WriteFile(file, []byte("regions:\n  - name: eu\n    host: https://eu.example\n    token-env: EU_TOKEN\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "-regions: required"},
		{[]string{"-regions", file}, "EU_TOKEN is not set"},
		{[]string{"-regions", filepath.Join(dir, "nope.yml")}, "cannot read the file"},
	} {
		err := run(t.Context(), tt.args, func(string) string { return "" }, nil, nil, &stderr)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("run(%v) error = %v, want one line containing %q", tt.args, err, tt.want)
		}
	}
}
