// Package testsupport is what the tests and benchmarks of several packages
// share: the module root here, a test control plane (testenv), the
// roll-up recount oracle (recount) and the manager as a subprocess
// (managerproc). The kubelet stand-in is internal/kubeletsim.
package testsupport

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ModuleRoot is the checkout this package was compiled from, found from
// this source file rather than from the working directory, so that it is
// the same for every package's tests.
func ModuleRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("the module root is unknown: no caller information")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return "", fmt.Errorf("the module root is unknown (built with -trimpath?): %w", err)
	}
	return root, nil
}
