// Package imageref splits a container image reference,
// [registry[:port]/]repository[:tag][@digest], with the parser the
// container runtimes use (github.com/distribution/reference), and names
// the version it runs. The CRD checks the grammar
// (ozgv1.PatternImageReference); Parse never fails, so that an object
// stored before that check still gets a result.
package imageref

import (
	"strings"

	"github.com/distribution/reference"
)

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

// Parse splits ref. A reference the grammar refuses is all Repository.
func Parse(ref string) Reference {
	parsed, err := reference.Parse(ref)
	if err != nil {
		return Reference{Repository: ref}
	}
	var r Reference
	if named, ok := parsed.(reference.Named); ok {
		r.Repository = named.Name()
	}
	if tagged, ok := parsed.(reference.Tagged); ok {
		r.Tag = tagged.Tag()
	}
	if digested, ok := parsed.(reference.Digested); ok {
		r.Digest = digested.Digest().String()
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
