package main

import (
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServesARepository pushes a commit into a bare repository through the
// server and clones it back: what Flux's source-controller does is a fetch
// over the same protocol.
func TestServesARepository(t *testing.T) {
	root := t.TempDir()
	git := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(cmd.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.de", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.de")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git(root, "init", "-q", "--bare", "-b", "main", "portale.git")
	// Pushing over smart HTTP needs receive-pack enabled for anonymous users.
	git(filepath.Join(root, "portale.git"), "config", "http.receivepack", "true")

	handler, err := newHandler(root, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(logged(handler))
	defer srv.Close()
	url := srv.URL + "/portale.git"

	work := t.TempDir()
	git(work, "init", "-q", "-b", "main")
	git(work, "commit", "-q", "--allow-empty", "-m", "krz: first")
	git(work, "push", "-q", url, "HEAD:main")
	want := git(work, "rev-parse", "HEAD")

	clone := filepath.Join(t.TempDir(), "clone")
	git(".", "clone", "-q", url, clone)
	if got := git(clone, "rev-parse", "HEAD"); got != want {
		t.Fatalf("cloned HEAD %s, pushed %s", got, want)
	}
}

func TestRefusesAMissingBackend(t *testing.T) {
	if _, err := newHandler(t.TempDir(), "/nonexistent/git-http-backend"); err == nil {
		t.Fatal("a missing git-http-backend was accepted")
	}
	if _, err := newHandler("", ""); err == nil {
		t.Fatal("an empty root was accepted")
	}
}
