// Package managerproc runs the operator's manager as a subprocess, as in a
// cluster: with its own caches, memory, metrics and leader election, so
// that a test can measure it or kill it like a node failure would.
package managerproc

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/testsupport"
)

// Build builds ./cmd/manager of this checkout into dir, so that a test
// never runs a stale bin/manager, and returns the binary's path.
func Build(dir string) (string, error) {
	root, err := testsupport.ModuleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", out, "./cmd/manager")
	build.Dir = root
	if output, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the manager: %w\n%s", err, output)
	}
	return out, nil
}

// Process is a running manager.
type Process struct {
	cmd *exec.Cmd
	// LogPath holds the manager's output.
	LogPath string
	exited  chan struct{}
}

// Start runs binary with args against the cluster of kubeconfig, writing
// its output to logPath.
func Start(binary, kubeconfig, logPath string, args ...string) (*Process, error) {
	return StartWithEnv(binary, kubeconfig, logPath, nil, args...)
}

// StartWithEnv is Start with env added to the manager's environment only
// (not to the API server's and etcd's, which inherit the test's).
func StartWithEnv(binary, kubeconfig, logPath string, env []string, args ...string) (*Process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, args...)
	// exec keeps the last of duplicate variables: these win.
	cmd.Env = append(append(os.Environ(), env...), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	p := &Process{cmd: cmd, LogPath: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	return p, nil
}

// Pid is the process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited is closed when the process has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Running reports whether the process has not exited.
func (p *Process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Kill sends SIGKILL, as a node failure or the OOM killer would: no
// deferred cleanup, no lease release, requests in flight cut off.
func (p *Process) Kill() error { return p.cmd.Process.Signal(syscall.SIGKILL) }

// Stop asks the manager to shut down (SIGTERM, as the kubelet does), kills
// it if it has not exited after grace, and returns once it has exited.
// Stopping a manager that has exited does nothing.
func (p *Process) Stop(grace time.Duration) {
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Log returns the manager's output so far.
func (p *Process) Log() string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// LogTail returns the last lines of the manager's output.
func (p *Process) LogTail(lines int) string {
	all := strings.Split(strings.TrimRight(p.Log(), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// FreeAddr returns a local address with a port that was free a moment
// ago, for the manager's endpoints that do not take port 0.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
