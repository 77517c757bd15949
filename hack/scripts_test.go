// Package hack holds the project's scripts; this test keeps them free of
// pipes that fail at random.
package hack

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// finding is a pipe whose reader may stop before its writer is done.
type finding struct {
	line, col uint
	reader    string
	why       string
}

// earlyReaders finds, in a script that sets pipefail, every pipe into a
// command that may exit before it has read all its input (head, grep -q,
// sed ...q, awk ... exit, read). The writer then dies of SIGPIPE if it is
// still writing, pipefail makes that exit status 141 the pipe's, and the
// script fails on some runs only, depending on who is faster.
func earlyReaders(name, src string) ([]finding, error) {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	if !setsPipefail(file) {
		return nil, nil
	}
	var found []finding
	syntax.Walk(file, func(node syntax.Node) bool {
		pipe, ok := node.(*syntax.BinaryCmd)
		if !ok || (pipe.Op != syntax.Pipe && pipe.Op != syntax.PipeAll) {
			return true
		}
		// The stage right after the pipe; later stages are pipes of their own.
		reader := pipe.Y
		for {
			inner, ok := reader.Cmd.(*syntax.BinaryCmd)
			if !ok || (inner.Op != syntax.Pipe && inner.Op != syntax.PipeAll) {
				break
			}
			reader = inner.X
		}
		call, ok := reader.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		args := make([]string, len(call.Args))
		for i, w := range call.Args {
			args[i] = literal(w)
		}
		if why := stopsEarly(args); why != "" {
			found = append(found, finding{
				line: reader.Pos().Line(), col: reader.Pos().Col(),
				reader: strings.Join(args, " "), why: why,
			})
		}
		return true
	})
	return found, nil
}

// setsPipefail reports whether the script runs `set ... pipefail` anywhere.
func setsPipefail(file *syntax.File) bool {
	found := false
	syntax.Walk(file, func(node syntax.Node) bool {
		if call, ok := node.(*syntax.CallExpr); ok && len(call.Args) > 1 && literal(call.Args[0]) == "set" {
			for _, w := range call.Args[1:] {
				if literal(w) == "pipefail" {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// literal is the word with its quotes removed; expansions become "$".
func literal(w *syntax.Word) string {
	var b strings.Builder
	var parts func([]syntax.WordPart)
	parts = func(ps []syntax.WordPart) {
		for _, p := range ps {
			switch p := p.(type) {
			case *syntax.Lit:
				b.WriteString(p.Value)
			case *syntax.SglQuoted:
				b.WriteString(p.Value)
			case *syntax.DblQuoted:
				parts(p.Parts)
			default:
				b.WriteString("$")
			}
		}
	}
	parts(w.Parts)
	return b.String()
}

var (
	// sedQuits matches a sed q or Q command, with or without an address.
	sedQuits = regexp.MustCompile(`(^|[;{}\n])\s*(([0-9]+|\$|/[^/]*/)(,([0-9]+|\$|/[^/]*/))?)?\s*[qQ]\s*[0-9]*\s*($|[;}\n])`)
	awkExits = regexp.MustCompile(`\bexit\b`)
	// shellShebang marks a bash or sh script without the .sh suffix (.ci/run).
	shellShebang = regexp.MustCompile(`^#!.*\b(ba)?sh\b`)
)

// stopsEarly says why the command args may exit before reading all its
// input, or "" if it reads to the end.
func stopsEarly(args []string) string {
	cmd, opts := filepath.Base(args[0]), args[1:]
	switch cmd {
	case "head":
		return "head stops after the lines or bytes it prints"
	case "read":
		return "read takes one line"
	case "grep", "egrep", "fgrep":
		return grepStopsEarly(opts)
	case "sed":
		for _, o := range opts {
			if !strings.HasPrefix(o, "-") && sedQuits.MatchString(o) {
				return "sed's q command stops reading"
			}
		}
	case "awk", "gawk", "mawk":
		for _, o := range opts {
			if !strings.HasPrefix(o, "-") && awkExits.MatchString(o) {
				return "awk's exit stops reading"
			}
		}
	}
	return ""
}

// grepStopsEarly says why grep with these options and operands may exit
// at the first match (-q, -m, -l, -L), or "".
func grepStopsEarly(opts []string) string {
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		switch {
		case o == "--":
			return ""
		case slices.Contains([]string{"--quiet", "--silent", "--files-with-matches", "--files-without-match"}, o),
			strings.HasPrefix(o, "--max-count"):
			return "grep " + o + " stops at the first match"
		case strings.HasPrefix(o, "-") && !strings.HasPrefix(o, "--"):
			for j, c := range o[1:] {
				if strings.ContainsRune("qlLm", c) {
					return "grep -" + string(c) + " stops at the first match(es)"
				}
				if strings.ContainsRune("efABCdD", c) {
					if j == len(o)-2 {
						i++ // the next word is the option's argument
					}
					break // the rest of the cluster is the option's argument
				}
			}
		}
	}
	return ""
}

func TestEarlyReaders(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   string // the reader found, "" for none
	}{
		// hack/demo.sh before the fix.
		{`portal="$("$KUBECTL" get sp -n krz -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | head -n1)"`, "head -n1"},
		{"kubectl get pods | grep -q Running", "grep -q Running"},
		{"kubectl get pods | grep -qF Running", "grep -qF Running"},
		{"kubectl get pods | grep --quiet Running", "grep --quiet Running"},
		{"kubectl get pods | grep -m1 Running", "grep -m1 Running"},
		{"kubectl get pods | grep --max-count=1 Running", "grep --max-count=1 Running"},
		{"kubectl get pods | grep -e -q x", ""},
		{"ls | sed -n '1p;q'", "sed -n 1p;q"},
		{"ls | sed 5q", "sed 5q"},
		{"ls | sed -n '/x/{p;q}'", "sed -n /x/{p;q}"},
		{"ls | awk 'NR == 1 { print; exit }'", "awk NR == 1 { print; exit }"},
		{"ls | read -r first", "read -r first"},
		{"ls |& head -1", "head -1"},
		{"ls | sort | head -1", "head -1"},
		{"ls | head -1 | sort", "head -1"},
		{"x=$(ls | sed -n 's/^a//p' | tail -n 1)", ""},
		{"ls | sed 's/q/Q/'", ""},
		{"ls | grep -c x", ""},
		{"ls | wc -l", ""},
		{"ls | while read -r f; do echo \"$f\"; done", ""},
		{"grep -q x <<<\"$out\"", ""},
		{"tail -n 25 log | sed 's/^/    /'", ""},
	} {
		found, err := earlyReaders("test.sh", "set -euo pipefail\n"+tc.script+"\n")
		if err != nil {
			t.Errorf("%s: %v", tc.script, err)
			continue
		}
		var got string
		if len(found) > 0 {
			got = found[0].reader
		}
		if got != tc.want || len(found) > 1 {
			t.Errorf("%s: found %+v, want reader %q", tc.script, found, tc.want)
		}
	}
	if found, _ := earlyReaders("test.sh", "ls | head -1\n"); len(found) != 0 {
		t.Errorf("without pipefail head cannot fail the pipe, found %+v", found)
	}
}

// TestScriptsHaveNoEarlyReaders checks every shell script of the repository.
func TestScriptsHaveNoEarlyReaders(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var checked []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		shebang, _, _ := strings.Cut(string(src), "\n")
		if !strings.HasSuffix(path, ".sh") && !shellShebang.MatchString(shebang) {
			return nil
		}
		checked = append(checked, rel)
		found, err := earlyReaders(rel, string(src))
		if err != nil {
			t.Errorf("%v", err)
		}
		for _, f := range found {
			t.Errorf("%s:%d:%d: pipe into `%s`: %s, so the writer may die of SIGPIPE and pipefail fails the script (exit 141) on some runs; "+
				"let the writer select (kubectl -o jsonpath/-o name), read all output (sed -n 1p, a variable, mapfile) or use a here-string",
				rel, f.line, f.col, f.reader, f.why)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".ci/run", "hack/demo.sh", "hack/dev-cluster.sh", "test/browser/setup.sh"} {
		if !slices.Contains(checked, want) {
			t.Errorf("%s was not checked; checked %v", want, checked)
		}
	}
}
