package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Entry is a file of an archive: its name there and where it is read from.
type Entry struct {
	Name, Path string
}

// WriteArchive writes entries to w as a .tar.gz or, when name ends in
// .zip, as a zip archive, reproducibly: entries sorted by name, every
// modification time mtime, owner and group 0, mode 0755 for executables
// (any x bit) and 0644 for the rest.
func WriteArchive(w io.Writer, name string, mtime time.Time, entries []Entry) error {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(entries); i++ {
		if entries[i].Name == entries[i-1].Name {
			return fmt.Errorf("%s twice in the archive", entries[i].Name)
		}
	}
	switch {
	case strings.HasSuffix(name, ".tar.gz"):
		return writeTarGz(w, mtime, entries)
	case strings.HasSuffix(name, ".zip"):
		return writeZip(w, mtime, entries)
	}
	return fmt.Errorf("%s: an archive is .tar.gz or .zip", name)
}

func writeTarGz(w io.Writer, mtime time.Time, entries []Entry) error {
	// Header ModTime and OS stay fixed (zero, unknown): the same bytes
	// whoever builds it.
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if err := addFile(e, func(mode int64, size int64, r io.Reader) error {
			hdr := &tar.Header{
				Typeflag: tar.TypeReg,
				Name:     e.Name,
				Size:     size,
				Mode:     mode,
				ModTime:  mtime,
				Format:   tar.FormatUSTAR,
			}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			_, err := io.Copy(tw, r)
			return err
		}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, mtime time.Time, entries []Entry) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		if err := addFile(e, func(mode int64, _ int64, r io.Reader) error {
			hdr := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: mtime}
			hdr.SetMode(os.FileMode(mode))
			fw, err := zw.CreateHeader(hdr)
			if err != nil {
				return err
			}
			_, err = io.Copy(fw, r)
			return err
		}); err != nil {
			return err
		}
	}
	return zw.Close()
}

// addFile opens e's file and hands its mode, size and content to add.
func addFile(e Entry, add func(mode, size int64, r io.Reader) error) error {
	f, err := os.Open(e.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", e.Path)
	}
	mode := int64(0o644)
	if st.Mode().Perm()&0o111 != 0 {
		mode = 0o755
	}
	if err := add(mode, st.Size(), f); err != nil {
		return fmt.Errorf("%s: %w", e.Name, err)
	}
	return nil
}
