package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/managerproc"
)

// memoryCgroup creates a memory cgroup limited to limit bytes (v1, or v2
// where the memory controller is there) and returns the file a process
// joins it by; the test is skipped where it cannot create one (not root,
// no writable cgroup file system).
func memoryCgroup(t *testing.T, limit int64) (procs string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("creating a memory cgroup needs root")
	}
	name := fmt.Sprintf("ozg-memlimit-test-%d", os.Getpid())
	dir, limitFile := filepath.Join("/sys/fs/cgroup/memory", name), "memory.limit_in_bytes"
	if _, err := os.Stat(filepath.Dir(dir)); err != nil {
		// cgroup v2 only: the unified hierarchy at the root.
		if controllers, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err != nil || !strings.Contains(string(controllers), "memory") {
			t.Skip("no memory cgroup controller to limit the manager with")
		}
		dir, limitFile = filepath.Join("/sys/fs/cgroup", name), "memory.max"
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot create a memory cgroup: %v", err)
	}
	t.Cleanup(func() { _ = os.Remove(dir) })
	if err := os.WriteFile(filepath.Join(dir, limitFile), []byte(fmt.Sprint(limit)), 0o644); err != nil {
		t.Fatalf("limiting the cgroup: %v", err)
	}
	return filepath.Join(dir, "cgroup.procs")
}

// TestMemoryLimitFollowsTheContainer starts the manager in a cgroup of
// 512 MiB, as a container limited so, and reads the GOMEMLIMIT it set from
// its log; it stops right after, at the missing kubeconfig.
func TestMemoryLimitFollowsTheContainer(t *testing.T) {
	procs := memoryCgroup(t, 512<<20)
	bin, err := managerproc.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"the default ratio, 0.9", nil, nil, `"GOMEMLIMIT":483183820`},
		{"a ratio of 0.5", nil, []string{"--memory-limit-ratio=0.5"}, `"GOMEMLIMIT":268435456`},
		{"GOMEMLIMIT set by hand", []string{"GOMEMLIMIT=300MiB"}, nil, `"GOMEMLIMIT is already set, skipping"`},
		{"none", nil, []string{"--memory-limit-ratio=0"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The shell joins the cgroup, then becomes the manager.
			args := append([]string{"-c", `echo $$ > "$0" && exec "$@"`, procs, bin, "--metrics-bind-address=0", "--health-probe-bind-address=0"}, tc.args...)
			cmd := exec.Command("sh", args...)
			cmd.Env = append(append(os.Environ(), tc.env...), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"), "KUBERNETES_SERVICE_HOST=")
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), "unable to get kubeconfig") {
				t.Fatalf("the manager did not get as far as the kubeconfig:\n%s", out)
			}
			if tc.want == "" {
				if strings.Contains(string(out), "GOMEMLIMIT") {
					t.Errorf("a ratio of 0 set a memory limit:\n%s", out)
				}
				return
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("log lacks %s:\n%s", tc.want, out)
			}
		})
	}
}
