package version

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestResolve(t *testing.T) {
	vcs := func(revision, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: revision}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tc := range []struct {
		name                    string
		version, commit         string
		bi                      *debug.BuildInfo
		wantVersion, wantCommit string
	}{
		{"stamped wins", "v0.2.0", "abc", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}, Settings: vcs("def", "false")}, "v0.2.0", "abc"},
		{"go install module@version", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}}, "v0.3.1", ""},
		{"build in a checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("def", "false")}, Dev, "def"},
		{"dirty checkout", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("def", "true")}, Dev, "def-dirty"},
		{"no build information", "", "", nil, Dev, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.version, tc.commit, tc.bi)
			if got.Version != tc.wantVersion || got.Commit != tc.wantCommit {
				t.Errorf("resolve() = %+v, want version %q, commit %q", got, tc.wantVersion, tc.wantCommit)
			}
			if got.GoVersion != runtime.Version() || got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
				t.Errorf("resolve() = %+v, want this toolchain and platform", got)
			}
		})
	}
}

func TestString(t *testing.T) {
	got := Info{Version: "v0.2.0", GoVersion: "go1.26.8", Platform: "linux/arm64"}.String()
	if want := "v0.2.0 (commit unknown, go1.26.8, linux/arm64)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestStampedBinaries builds the three programs as `make build` does, with
// the version in -ldflags -X, and runs their version commands: the -X
// paths must name this package's variables, and --version must exit 0.
func TestStampedBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the programs")
	}
	const pkg = "github.com/ozg-operator/ozg-operator/internal/version"
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"-ldflags", "-X "+pkg+".Version=v9.8.7-test -X "+pkg+".Commit=0123abc",
		"../../cmd/manager", "../../cmd/portal", "../../cmd/ozgctl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := "v9.8.7-test (commit 0123abc, " + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"manager", "--version"}, "manager " + want},
		{[]string{"portal", "--version"}, "portal " + want},
		{[]string{"ozgctl", "version", "--client"}, "Client Version: " + want},
	} {
		out, err := exec.Command(filepath.Join(dir, tc.args[0]), tc.args[1:]...).Output()
		if err != nil {
			t.Errorf("%s: %v", strings.Join(tc.args, " "), err)
			continue
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("%s printed %q, want %q", strings.Join(tc.args, " "), got, tc.want)
		}
	}
}

func TestBuildInfo(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(BuildInfo("portal"))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || families[0].GetName() != "ozg_build_info" || families[0].Metric[0].GetGauge().GetValue() != 1 {
		t.Fatalf("gathered %v", families)
	}
	labels := map[string]string{}
	for _, l := range families[0].Metric[0].Label {
		labels[l.GetName()] = l.GetValue()
	}
	if labels["component"] != "portal" || labels["version"] != Get().Version || labels["goversion"] == "" {
		t.Errorf("labels %v", labels)
	}
}
