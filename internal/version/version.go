// Package version says which build of ozg-operator a program is. `make
// build` and `make images` stamp it with
//
//	-ldflags "-X github.com/ozg-operator/ozg-operator/internal/version.Version=v0.2.0
//	          -X github.com/ozg-operator/ozg-operator/internal/version.Commit=<sha>"
//
// A binary built without them (go build, go install) falls back to what
// the Go toolchain recorded: the module version of `go install ...@v0.2.0`
// and the VCS revision of a build in a Git checkout, else "dev".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// Set with -ldflags -X; empty when the build did not.
var (
	// Version is the release, or `git describe` output between releases.
	Version string
	// Commit is the Git commit the binary was built from.
	Commit string
)

// Dev is the version of a build that was not stamped.
const Dev = "dev"

// Info is the build of the running program.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the running program's build.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(Version, Commit, bi)
}

// resolve is Get with the stamped values and the build information given.
func resolve(version, commit string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		if info.Commit == "" {
			info.Commit = vcsRevision(bi)
		}
	}
	if info.Version == "" {
		info.Version = Dev
	}
	return info
}

// vcsRevision is the commit the Go toolchain recorded (-buildvcs), with
// "-dirty" when the working tree had changes.
func vcsRevision(bi *debug.BuildInfo) string {
	var revision, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision != "" && modified == "true" {
		revision += "-dirty"
	}
	return revision
}

// String is the one line `--version` prints after the program's name:
// "v0.2.0 (commit <sha>, go1.26.8, linux/amd64)".
func (i Info) String() string {
	commit := i.Commit
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, %s, %s)", i.Version, commit, i.GoVersion, i.Platform)
}

// BuildInfo is the gauge ozg_build_info{component, version, commit,
// goversion}, always 1, as Prometheus exposes builds: alerts and
// dashboards tell which release of the manager or the portal runs where.
func BuildInfo(component string) prometheus.Collector {
	i := Get()
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ozg_build_info",
		Help: "The running build of an ozg-operator component: always 1, its release in the labels.",
		ConstLabels: prometheus.Labels{
			"component": component, "version": i.Version, "commit": i.Commit, "goversion": i.GoVersion,
		},
	}, func() float64 { return 1 })
}
