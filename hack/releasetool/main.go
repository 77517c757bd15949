// Command releasetool does the parts of `make release` (hack/release.sh)
// that are awkward in bash and must not depend on tools beyond Go:
//
//	releasetool notes -version V [-changelog CHANGELOG.md] -o FILE
//	releasetool archive -o FILE.tar.gz|FILE.zip -mtime EPOCH NAME=PATH...
//	releasetool krew -version V -url URL -o FILE ARCHIVE...
//	releasetool images -version V [-repository R] -o FILE LAYOUT...
//
// It is part of the release tooling, not of the product.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: releasetool notes|archive|krew|images [FLAGS] [ARGS]"))
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet("releasetool "+cmd, flag.ExitOnError)
	out := fs.String("o", "", "the file to write")
	var err error
	switch cmd {
	case "notes":
		version := fs.String("version", "", "the release's version (semver, no v)")
		changelog := fs.String("changelog", "CHANGELOG.md", "the changelog in Keep a Changelog form")
		_ = fs.Parse(args)
		err = runNotes(*changelog, *version, *out)
	case "archive":
		mtime := fs.String("mtime", "0", "every entry's modification time, seconds since 1970 (SOURCE_DATE_EPOCH)")
		_ = fs.Parse(args)
		err = runArchive(*out, *mtime, fs.Args())
	case "krew":
		version := fs.String("version", "", "the release's version (semver, no v)")
		url := fs.String("url", "", "where the archives are downloaded from (the release's URL)")
		_ = fs.Parse(args)
		err = runKrew(*out, *version, *url, fs.Args())
	case "images":
		version := fs.String("version", "", "the release's version, the images' tag")
		repo := fs.String("repository", "ghcr.io/ozg-operator", "the repository prefix the images are published under")
		_ = fs.Parse(args)
		err = runImages(*out, *version, *repo, fs.Args())
	default:
		err = fmt.Errorf("unknown command %q: notes, archive, krew or images", cmd)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "releasetool:", err)
	os.Exit(1)
}

func runNotes(changelog, version, out string) error {
	if version == "" || out == "" {
		return fmt.Errorf("notes needs -version and -o")
	}
	src, err := os.ReadFile(changelog)
	if err != nil {
		return err
	}
	notes, err := Notes(string(src), version)
	if err != nil {
		return fmt.Errorf("%s: %w", changelog, err)
	}
	return writeFile(out, []byte(notes))
}

func runArchive(out, mtime string, args []string) error {
	if out == "" || len(args) == 0 {
		return fmt.Errorf("archive needs -o and NAME=PATH arguments")
	}
	secs, err := strconv.ParseInt(mtime, 10, 64)
	if err != nil {
		return fmt.Errorf("-mtime %q: %w", mtime, err)
	}
	var entries []Entry
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("%q is not NAME=PATH", a)
		}
		entries = append(entries, Entry{Name: name, Path: path})
	}
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return err
	}
	defer os.Remove(out + ".tmp")
	if err := WriteArchive(f, out, time.Unix(secs, 0).UTC(), entries); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(out+".tmp", out)
}

// writeFile writes data to name through a temporary file, so that a failed
// run leaves no half-written artifact.
func writeFile(name string, data []byte) error {
	if err := os.WriteFile(name+".tmp", data, 0o644); err != nil {
		return err
	}
	return os.Rename(name+".tmp", name)
}
