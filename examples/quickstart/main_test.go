package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestQuickstart runs the quickstart's main path: every region deploys.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("run() error = %v\n%s", err, out.String())
	}
	for _, region := range []string{"eu-west-1", "ap-southeast-1"} {
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, region+" ") && strings.HasSuffix(strings.TrimSpace(line), "deployed") {
				found = true
			}
		}
		if !found {
			t.Errorf("no deployed row for %s in:\n%s", region, out.String())
		}
	}
}
