// Package imageref splits a container image reference,
// [registry[:port]/]repository[:tag][@digest], as the container runtimes
// read it, and names the version it runs. The CRD checks the grammar
// (ozgv1.PatternImageReference); Parse never fails, so that an object
// stored before that check still gets a result.
package imageref

import "strings"

// digestVersionLength is how many hex digits of a digest name the
// version of an image pinned by digest alone, as `docker images` shortens
// image IDs.
const digestVersionLength = 12

// Reference is a parsed image reference.
type Reference struct {
	// Repository is the registry, its port and the path, e.g.
	// registry.example:5000/ozg/portal.
	Repository string
	// Tag is empty when the reference names none.
	Tag string
	// Digest is algorithm:hex, e.g. sha256:..., empty when the reference
	// names none.
	Digest string
}

// Parse splits ref.
func Parse(ref string) Reference {
	name, digest, _ := strings.Cut(ref, "@")
	r := Reference{Repository: name, Digest: digest}
	// A ':' after the last '/' starts the tag; one before it is the
	// registry's port.
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		r.Repository, r.Tag = name[:i], name[i+1:]
	}
	return r
}

// Version names what the reference runs: its tag (also when a digest pins
// it: the tag is the name people gave it), else the digest's algorithm,
// '-' and its first 12 hex digits (sha256-0123456789ab, which is a valid
// label value), else "latest", what a runtime pulls for a bare repository.
func (r Reference) Version() string {
	switch {
	case r.Tag != "":
		return r.Tag
	case r.Digest != "":
		algorithm, hex, _ := strings.Cut(r.Digest, ":")
		return algorithm + "-" + hex[:min(len(hex), digestVersionLength)]
	default:
		return "latest"
	}
}
