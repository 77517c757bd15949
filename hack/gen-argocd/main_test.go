package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestCheckRepository runs `gen-argocd -check` on this repository, as
// hack/sync-chart.sh --check does.
func TestCheckRepository(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-check", "-root", "../.."}, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-nope"}} {
		var stderr bytes.Buffer
		if code := run(args, &stderr); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if stderr.Len() == 0 {
			t.Errorf("%q: no message", args)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"-check", "-root", "/nonexistent"}, &stderr); code != 1 || !strings.Contains(stderr.String(), "config/argocd/health") {
		t.Errorf("missing scripts: exit %d, %q", code, stderr.String())
	}
}
