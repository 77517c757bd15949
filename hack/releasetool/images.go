package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// refNameAnnotation names an index.json entry, so that tools addressing a
// layout by tag (skopeo's oci:DIR:TAG, oras) find the image.
const refNameAnnotation = "org.opencontainers.image.ref.name"

// runImages tags each image layout's one index with version and writes
// the list of the images: per image the index and each platform's
// manifest, by digest, under the repository they are published to.
func runImages(out, version, repo string, layouts []string) error {
	if out == "" || version == "" || len(layouts) == 0 {
		return fmt.Errorf("images needs -o, -version and the image layouts")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# The images of ozg-operator %s, each an OCI layout images/NAME holding one\n", version)
	fmt.Fprintf(&b, "# index; `crane push images/NAME %s/NAME:%s` keeps these digests.\n", repo, version)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "# IMAGE\tPLATFORM\tREFERENCE")
	for _, dir := range layouts {
		name := filepath.Base(dir)
		digest, platforms, err := tagLayout(dir, version)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		fmt.Fprintf(tw, "%s\tindex\t%s/%s:%s@%s\n", name, repo, name, version, digest)
		for _, p := range platforms {
			fmt.Fprintf(tw, "%s\t%s\t%s/%s@%s\n", name, p.platform, repo, name, p.digest)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeFile(out, b.Bytes())
}

type platformDigest struct{ platform, digest string }

// tagLayout sets the ref.name annotation of the layout's only entry, an
// image index, and returns its digest and its platforms' digests.
func tagLayout(dir, version string) (string, []platformDigest, error) {
	path := filepath.Join(dir, "index.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	var top v1.IndexManifest
	if err := json.Unmarshal(raw, &top); err != nil {
		return "", nil, err
	}
	if len(top.Manifests) != 1 || !top.Manifests[0].MediaType.IsIndex() {
		return "", nil, fmt.Errorf("want one image index in index.json, found %d entries", len(top.Manifests))
	}
	desc := &top.Manifests[0]
	if desc.Annotations == nil {
		desc.Annotations = map[string]string{}
	}
	desc.Annotations[refNameAnnotation] = version
	raw, err = json.MarshalIndent(top, "", "  ")
	if err != nil {
		return "", nil, err
	}
	if err := writeFile(path, append(raw, '\n')); err != nil {
		return "", nil, err
	}

	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return "", nil, err
	}
	idx, err := root.ImageIndex(desc.Digest)
	if err != nil {
		return "", nil, err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return "", nil, err
	}
	var platforms []platformDigest
	for _, d := range m.Manifests {
		if d.Platform == nil {
			continue
		}
		platforms = append(platforms, platformDigest{
			platform: strings.TrimSuffix(d.Platform.OS+"/"+d.Platform.Architecture+"/"+d.Platform.Variant, "/"),
			digest:   d.Digest.String(),
		})
	}
	if len(platforms) == 0 {
		return "", nil, fmt.Errorf("the index %s names no platform", desc.Digest)
	}
	return desc.Digest.String(), platforms, nil
}
