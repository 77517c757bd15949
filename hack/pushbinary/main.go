// Command pushbinary pushes one static binary as a single-layer image, the
// binary its entrypoint: the real node's pod sandbox image (the pause
// process built from the Kubernetes source, hack/build-node-binaries.sh),
// which no registry here can give. Timestamps are zero, so the same binary
// always gives the same digest. It is part of the dev cluster, not of the
// product.
//
//	pushbinary --file bin/node/pause --entrypoint /pause 127.0.0.1:15000/ozg-operator/pause:TAG
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	file := flag.String("file", "", "the static binary")
	entrypoint := flag.String("entrypoint", "", "its path in the image, e.g. /pause")
	platform := flag.String("platform", "linux/amd64", "os/arch of the binary")
	user := flag.String("user", "65535:65535", "the user the entrypoint runs as")
	flag.Parse()
	if *file == "" || !path.IsAbs(*entrypoint) || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pushbinary --file PATH --entrypoint /ABS/PATH [--platform os/arch] REFERENCE")
		os.Exit(2)
	}
	digest, err := push(*file, *entrypoint, *platform, *user, flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pushbinary:", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}

func push(file, entrypoint, platform, user, ref string) (string, error) {
	tag, err := name.ParseReference(ref)
	if err != nil {
		return "", err
	}
	bin, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(entrypoint, "/"), Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg}); err != nil {
		return "", err
	}
	if _, err := tw.Write(bin); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		return "", err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return "", err
	}
	osName, arch, ok := strings.Cut(platform, "/")
	if !ok {
		return "", fmt.Errorf("platform %q is not os/arch", platform)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = osName, arch
	cfg.Config = v1.Config{Entrypoint: []string{entrypoint}, User: user}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return "", err
	}
	if err := remote.Write(tag, img); err != nil {
		return "", err
	}
	digest, err := img.Digest()
	return digest.String(), err
}
