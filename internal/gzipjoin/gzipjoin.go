// Package gzipjoin writes a gzip body from pieces compressed ahead of time
// and pieces sent as they are, without compressing anything per body: the
// way Varnish delivers an ESI page whose fragments it keeps compressed.
//
// A deflate stream is a sequence of blocks, and a block may refer back
// only to bytes the stream has already produced. A segment compressed on
// its own and flushed (Compress) refers to nothing before it and ends on
// a byte boundary in a block that is not the last, so segments can be
// joined in any order. A Builder joins them, sends the pieces between
// them as stored blocks, and ends the stream with an empty last block and
// the gzip trailer (the CRC-32 and length of the whole plain body). The
// result is one ordinary gzip member that any client decodes.
package gzipjoin

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Segment is a piece of a body and its deflate encoding, which refers to
// no byte outside it and ends byte-aligned in a block that is not the last.
type Segment struct {
	Plain, Deflated []byte
}

// compressors are reused: a new one allocates about a megabyte, far more
// than the segments it compresses.
var compressors = sync.Pool{New: func() any {
	// NewWriter fails only for an invalid level.
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

// Compress encodes plain as a Segment. Segments are compressed once and
// sent often, but for pieces of a page (a search entry is about 650
// bytes) the best level compresses no better than the default and takes
// twice as long.
func Compress(plain []byte) Segment {
	var buf bytes.Buffer
	w := compressors.Get().(*flate.Writer)
	w.Reset(&buf)
	// Writing to a bytes.Buffer cannot fail. Flush ends the segment with
	// an empty stored block, on a byte boundary, and never marks a block
	// as the last.
	_, _ = w.Write(plain)
	_ = w.Flush()
	compressors.Put(w)
	return Segment{Plain: plain, Deflated: buf.Bytes()}
}

// header is a gzip member's header: deflate, no flags, no time, unknown
// operating system (as Go's gzip writer writes it).
var header = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// lastBlock is an empty stored block marked as the stream's last.
var lastBlock = []byte{1, 0, 0, 0xff, 0xff}

// maxStored is the most a stored block holds.
const maxStored = 1<<16 - 1

// Builder builds a body and its gzip encoding side by side. Its zero
// value is not ready: use NewBuilder.
type Builder struct {
	plain, gzipped bytes.Buffer
	// raw is where the plain pieces not yet sent as stored blocks start.
	raw int
	crc uint32
}

// NewBuilder starts a body; sizeHint is its expected plain size.
func NewBuilder(sizeHint int) *Builder {
	b := &Builder{}
	b.plain.Grow(sizeHint)
	b.gzipped.Grow(sizeHint / 2)
	b.gzipped.Write(header)
	return b
}

// Write appends p to the body as it is; it goes out in a stored block.
// It implements io.Writer (templates execute into a Builder) and never
// fails.
func (b *Builder) Write(p []byte) (int, error) {
	return b.plain.Write(p)
}

// WriteString is Write for a string.
func (b *Builder) WriteString(s string) (int, error) {
	return b.plain.WriteString(s)
}

// WriteSegment appends s's plain bytes to the body and its encoding to
// the gzip body.
func (b *Builder) WriteSegment(s Segment) {
	b.flushRaw()
	b.plain.Write(s.Plain)
	b.crc = crc32.Update(b.crc, crc32.IEEETable, s.Plain)
	b.raw = b.plain.Len()
	b.gzipped.Write(s.Deflated)
}

// flushRaw sends the plain pieces written since the last segment as
// stored blocks.
func (b *Builder) flushRaw() {
	raw := b.plain.Bytes()[b.raw:]
	b.crc = crc32.Update(b.crc, crc32.IEEETable, raw)
	for len(raw) > 0 {
		n := min(len(raw), maxStored)
		// A stored block that is not the last: the header's three bits
		// are 0, padded to the byte; then its length and the length's
		// complement, little-endian.
		b.gzipped.Write([]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
		b.gzipped.Write(raw[:n])
		raw = raw[n:]
	}
	b.raw = b.plain.Len()
}

// Bytes ends the body and returns it, plain and gzip-encoded. The Builder
// must not be used after.
func (b *Builder) Bytes() (plain, gzipped []byte) {
	b.flushRaw()
	b.gzipped.Write(lastBlock)
	b.gzipped.Write(binary.LittleEndian.AppendUint32(nil, b.crc))
	// ISIZE is the length modulo 2^32.
	b.gzipped.Write(binary.LittleEndian.AppendUint32(nil, uint32(b.plain.Len()))) //nolint:gosec // modulo 2^32 by definition
	return b.plain.Bytes(), b.gzipped.Bytes()
}
