package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestArchivesAreReproducible(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ozgctl")
	readme := filepath.Join(dir, "README.md")
	if err := os.WriteFile(bin, []byte("binary"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("read me"), 0o600); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1700000000, 0).UTC()
	entries := []Entry{{"ozgctl", bin}, {"README.md", readme}, {"kubectl-ozg", bin}}
	for _, name := range []string{"x.tar.gz", "x.zip"} {
		var a, b bytes.Buffer
		if err := WriteArchive(&a, name, mtime, entries); err != nil {
			t.Fatal(err)
		}
		// Another order and new file times give the same bytes.
		later := time.Now().Add(time.Hour)
		for _, f := range []string{bin, readme} {
			if err := os.Chtimes(f, later, later); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteArchive(&b, name, mtime, []Entry{entries[2], entries[0], entries[1]}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes differ", name)
		}
		got := list(t, name, a.Bytes())
		want := []string{"README.md 644 read me", "kubectl-ozg 755 binary", "ozgctl 755 binary"}
		if len(got) != len(want) {
			t.Fatalf("%s: entries %v, want %v", name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: entry %d is %q, want %q", name, i, got[i], want[i])
			}
		}
	}
	if err := WriteArchive(io.Discard, "x.tar.gz", mtime, []Entry{{"a", bin}, {"a", readme}}); err == nil {
		t.Error("two entries of one name: no error")
	}
	if err := WriteArchive(io.Discard, "x.rar", mtime, entries); err == nil {
		t.Error("x.rar: no error")
	}
}

// list reads an archive as "name mode content" per entry, checking the
// owner and time of each.
func list(t *testing.T, name string, data []byte) []string {
	t.Helper()
	var out []string
	mtime := time.Unix(1700000000, 0).UTC()
	if filepath.Ext(name) == ".zip" {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if !f.Modified.Equal(mtime) {
				t.Errorf("%s: time %v", f.Name, f.Modified)
			}
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			content, _ := io.ReadAll(r)
			out = append(out, f.Name+" "+modeString(int64(f.Mode().Perm()))+" "+string(content))
		}
		return out
	}
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || !hdr.ModTime.Equal(mtime) {
			t.Errorf("%s: uid %d gid %d time %v", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime)
		}
		content, _ := io.ReadAll(tr)
		out = append(out, hdr.Name+" "+modeString(hdr.Mode)+" "+string(content))
	}
	return out
}

func modeString(m int64) string {
	return map[int64]string{0o644: "644", 0o755: "755"}[m]
}
