// Package badinput holds the ozgctl rows of the bad-input matrix
// (docs/bad-input.md): what a user sees on the command line for a broken
// file, and that a broken import never costs an object in the cluster.
package badinput

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

const header = "schluessel,name,typ,kreis_schluessel,kreis,regierungsbezirk,einwohner_2011,anschrift,strasse,plz_ort\n"

// kommunen is a valid file of a Kreis and three towns.
const kommunen = header +
	"05766,Lippe,Kreis,,,Detmold,,,,\n" +
	"05766020,\"Detmold, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,Marie-Curie-Str. 2,32756 Detmold\n" +
	"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,Hindenburgplatz 1,32825 Blomberg\n" +
	"05766044,Lügde,kreisangehörige Stadt,05766,Lippe,Detmold,10000,Stadt Lügde,Am Markt 1,32676 Lügde\n"

// withBadRows puts rejected rows between the good ones.
const withBadRows = header +
	"05766,Lippe,Kreis,,,Detmold,,,,\n" +
	"0576602,Detmold,kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,,\n" + // line 3: key of 7 digits
	"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,,\n" +
	"05766044,Lügde,Dorf,05766,Lippe,Detmold,10000,Stadt Lügde,,\n" + // line 5: unknown type
	"05766020,\"Detmold, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,,\n"

// run runs ozgctl as its main does and returns exit code, stdout, stderr.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = ozgctl.Main(t.Context(), genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, args)
	return code, out.String(), errOut.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	os.Exit(m.Run())
}

// TestCLIRefusesBrokenFiles: a file that cannot be read as a whole ends
// the command with exit code 1 and "error: FILE:LINE: reason"; nothing is
// printed or applied.
func TestCLIRefusesBrokenFiles(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"truncated in a quoted field", kommunen + "05766012,\"Lage, St", `:6:19: extraneous or missing " in quoted-field`},
		{"UTF-16", "\xff\xfes\x00c\x00h\x00", ": UTF-16 is not supported, save the file as UTF-8 or Windows-1252"},
		{"binary", "\x1f\x8b\x08\x00\x00\x00\x00\x00", ":1: NUL byte: not a CSV text file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := write(t, "kommunen.csv", tc.data)
			code, stdout, stderr := run(t, "import", "administrations", "--file", file, "-o", "yaml")
			if code != ozgctl.ExitFailure {
				t.Errorf("exit code %d, want %d", code, ozgctl.ExitFailure)
			}
			if want := "error: " + file + tc.want; !strings.Contains(stderr, want) {
				t.Errorf("stderr %q does not contain %q", stderr, want)
			}
			if stdout != "" {
				t.Errorf("printed objects of a broken file:\n%s", stdout)
			}
		})
	}
}

// TestCLIKeepsGoodRows: bad rows are reported as FILE:LINE:COLUMN, the good
// ones are printed and counted; --strict fails the command but still
// prints them.
func TestCLIKeepsGoodRows(t *testing.T) {
	file := write(t, "kommunen.csv", withBadRows)
	for _, strict := range []bool{false, true} {
		args := []string{"import", "administrations", "--file", file, "-o", "yaml"}
		if strict {
			args = append(args, "--strict")
		}
		code, stdout, stderr := run(t, args...)
		for _, want := range []string{
			file + `:3:1: rejected: schluessel: key "0576602" of a municipality is not 8 digits (AGS)`,
			file + `:5:3: rejected: typ: unknown type "Dorf"`,
			file + ": read 5 rows: 3 objects, 2 rows rejected, 0 warnings",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("strict=%v: stderr lacks %s\n%s", strict, want, stderr)
			}
		}
		for _, name := range []string{"name: kreis-lippe", "name: blomberg", "name: detmold"} {
			if !strings.Contains(stdout, name) {
				t.Errorf("strict=%v: output lacks %s", strict, name)
			}
		}
		if n := strings.Count(stdout, "kind: Administration"); n != 3 {
			t.Errorf("strict=%v: printed %d administrations, want 3", strict, n)
		}
		wantCode := ozgctl.ExitOK
		if strict {
			wantCode = ozgctl.ExitFailure
			if !strings.Contains(stderr, "error: --strict: 2 rows or objects rejected") {
				t.Errorf("stderr lacks the --strict error:\n%s", stderr)
			}
		}
		if code != wantCode {
			t.Errorf("strict=%v: exit code %d, want %d", strict, code, wantCode)
		}
	}
}

// TestCLIBrokenImportLosesNothing applies a good file and then broken ones
// to a real API server: the broken imports fail and change no object, the
// one with bad rows creates the good rows and leaves the rest as they were.
func TestCLIBrokenImportLosesNothing(t *testing.T) {
	kubeconfig, c := startCluster(t)
	ctx := t.Context()
	apply := func(path string) (int, string, string) {
		return run(t, "import", "administrations", "--file", path, "--apply", "--kubeconfig", kubeconfig)
	}

	code, stdout, stderr := apply(write(t, "kommunen.csv", kommunen))
	if code != ozgctl.ExitOK || !strings.Contains(stdout, "created 4, updated 0, unchanged 0, rejected 0") {
		t.Fatalf("first import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	before := snapshot(ctx, t, c)

	// The same towns with new populations, cut off before the last row ends.
	changed := strings.ReplaceAll(kommunen, ",73000,", ",1,")
	for _, broken := range []string{
		changed + "05766012,\"Lage, St",
		strings.ReplaceAll(changed, "ü", "\x81"), // CP850
	} {
		code, stdout, stderr = apply(write(t, "kommunen.csv", broken))
		if code != ozgctl.ExitFailure || !strings.Contains(stderr, "error: ") || strings.Contains(stdout, "created") {
			t.Errorf("broken import: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if after := snapshot(ctx, t, c); after != before {
			t.Errorf("a failed import changed the cluster:\nbefore %s\nafter  %s", before, after)
		}
	}

	// Bad rows: the good ones are applied (Detmold unchanged, the Kreis and
	// Blomberg too), the rejected ones leave their objects alone (Lügde
	// keeps its type).
	code, stdout, stderr = apply(write(t, "kommunen.csv", withBadRows))
	if code != ozgctl.ExitOK || !strings.Contains(stdout, "rejected 2") {
		t.Errorf("import with bad rows: exit %d\n%s\n%s", code, stdout, stderr)
	}
	luegde := &v1alpha1.Administration{}
	if err := c.Get(ctx, client.ObjectKey{Name: "luegde"}, luegde); err != nil || luegde.Spec.Type != v1alpha1.TypeKreisangehoerigeStadt {
		t.Errorf("luegde after a rejected row: %v %+v", err, luegde.Spec)
	}
	var list v1alpha1.AdministrationList
	if err := c.List(ctx, &list); err != nil || len(list.Items) != 4 {
		t.Errorf("got %d administrations (%v), want all 4", len(list.Items), err)
	}
}

// snapshot describes every administration by name, resource version and
// population.
func snapshot(ctx context.Context, t *testing.T, c client.Client) string {
	t.Helper()
	var list v1alpha1.AdministrationList
	if err := c.List(ctx, &list); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range list.Items {
		pop := int64(-1)
		if a.Spec.Population != nil {
			pop = *a.Spec.Population
		}
		fmt.Fprintf(&b, "%s@%s:%d ", a.Name, a.ResourceVersion, pop)
	}
	return b.String()
}

// startCluster starts an API server with the CRDs and returns a kubeconfig
// file for ozgctl and a client; without API server binaries it skips.
func startCluster(t *testing.T) (string, client.Client) {
	t.Helper()
	cluster := testenv.ForTest(t, testenv.Options{})
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := cluster.WriteKubeconfig("ozgctl-test", kubeconfig); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, cluster.Client
}
