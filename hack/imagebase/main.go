// Command imagebase builds the base image of the manager and portal images:
// what gcr.io/distroless/static:nonroot gives a static Go binary (the
// users root, nobody and nonroot 65532, their home directories, /tmp and
// the name service switch), built here because that image cannot be pulled
// without the internet. It is an OCI index for linux/amd64 and
// linux/arm64, byte for byte the same on every run: fixed timestamps and
// owners, one uncompressed layer (no compressor whose output could change
// with the Go release).
//
// The index digest is pinned in base.digest beside this file; imagebase
// fails when what it builds differs, so the base is "pinned by digest"
// although it is built, not pulled. After a deliberate change, -update
// writes the new digest.
//
//	imagebase                 check the digest, print it
//	imagebase -push REF       check, push the index to REF (a tag), print REPO@DIGEST
//	imagebase -layout DIR     check, write the index into the OCI layout DIR
//	imagebase -update         write the digest of what it builds to base.digest
//
// It is part of `make images` (hack/images.sh), not of the product.
package main

import (
	"archive/tar"
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// pinned is the digest the base must have.
//
//go:embed base.digest
var pinned string

// digestFile is where -update writes, relative to the module root (make
// and the scripts run there).
const digestFile = "hack/imagebase/base.digest"

// Platforms the base is built for.
var platforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}

// epoch is every timestamp in the base: the layer's files and the config.
var epoch = time.Unix(0, 0).UTC()

// The nonroot user and group of distroless, which the images run as.
const nonroot = 65532

func main() {
	var push, layoutDir string
	var update bool
	flag.StringVar(&push, "push", "", "push the index to this reference (REGISTRY/REPO:TAG) and print REPO@DIGEST")
	flag.StringVar(&layoutDir, "layout", "", "write the index into this OCI image layout directory")
	flag.BoolVar(&update, "update", false, "write the digest of the index to "+digestFile+" instead of checking it")
	flag.Parse()
	if err := run(push, layoutDir, update); err != nil {
		fmt.Fprintln(os.Stderr, "imagebase:", err)
		os.Exit(1)
	}
}

func run(push, layoutDir string, update bool) error {
	idx, err := index()
	if err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	if update {
		return os.WriteFile(digestFile, []byte(digest.String()+"\n"), 0o644)
	}
	if err := check(digest); err != nil {
		return err
	}
	if layoutDir != "" {
		p, err := layout.FromPath(layoutDir)
		if err != nil {
			if p, err = layout.Write(layoutDir, empty.Index); err != nil {
				return err
			}
		}
		if err := p.AppendIndex(idx); err != nil {
			return err
		}
	}
	if push == "" {
		fmt.Println(digest)
		return nil
	}
	ref, err := name.NewTag(push)
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(ref, idx, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return fmt.Errorf("pushing %s: %w", ref, err)
	}
	fmt.Printf("%s@%s\n", ref.Context(), digest)
	return nil
}

// check fails unless digest is the pinned one.
func check(digest v1.Hash) error {
	want := strings.TrimSpace(pinned)
	if digest.String() != want {
		return fmt.Errorf("the base image's digest is %s, but %s pins %s: if the base changed on purpose, run `go run ./hack/imagebase -update` and commit the new digest", digest, digestFile, want)
	}
	return nil
}

// index builds the base: one image per platform, all with the same layer.
func index() (v1.ImageIndex, error) {
	content, err := rootfs()
	if err != nil {
		return nil, err
	}
	layer := static.NewLayer(content, types.OCIUncompressedLayer)
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img, err := image(layer, p)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &p},
		})
	}
	return idx, nil
}

func image(layer v1.Layer, p v1.Platform) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: p.Architecture,
		OS:           p.OS,
		Created:      v1.Time{Time: epoch},
		Config: v1.Config{
			User:       fmt.Sprintf("%d:%d", nonroot, nonroot),
			WorkingDir: "/",
			Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Labels: map[string]string{
				"org.opencontainers.image.title":       "ozg-operator static nonroot base",
				"org.opencontainers.image.description": "Users root, nobody and nonroot (65532), /tmp; for static Go binaries (hack/imagebase)",
				"org.opencontainers.image.source":      "https://github.com/ozg-operator/ozg-operator",
			},
		},
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, err
	}
	return mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCIUncompressedLayer,
		History:   v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "hack/imagebase", Comment: "users root, nobody, nonroot (65532)"},
	})
}

// entry is one file or directory of the layer.
type entry struct {
	path     string
	mode     int64
	uid, gid int
	content  string
	dir      bool
}

// entries is the layer's content, in tar order (parents first).
var entries = []entry{
	{path: "etc/", mode: 0o755, dir: true},
	{path: "etc/group", mode: 0o644, content: "root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n"},
	{path: "etc/nsswitch.conf", mode: 0o644, content: "hosts: files dns\n"},
	{path: "etc/passwd", mode: 0o644, content: "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"},
	{path: "home/", mode: 0o755, dir: true},
	{path: "home/nonroot/", mode: 0o700, uid: nonroot, gid: nonroot, dir: true},
	{path: "root/", mode: 0o700, dir: true},
	{path: "tmp/", mode: 0o1777, dir: true},
}

// rootfs is the layer as an uncompressed tar.
func rootfs() ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.path,
			Mode:    e.mode,
			Uid:     e.uid,
			Gid:     e.gid,
			ModTime: epoch,
			Format:  tar.FormatUSTAR,
		}
		if e.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.content))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(e.content)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
