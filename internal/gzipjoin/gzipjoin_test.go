package gzipjoin

import (
	"bytes"
	stdgzip "compress/gzip"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// decode reads gzipped as a client would, and fails unless it is exactly
// one gzip member: a body of two members, or with bytes after the
// member, is not what Content-Encoding: gzip promises every client.
func decode(t *testing.T, gzipped []byte) []byte {
	t.Helper()
	r := bytes.NewReader(gzipped)
	zr, err := stdgzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	if r.Len() != 0 {
		t.Fatalf("%d bytes after the gzip member", r.Len())
	}
	return plain
}

func TestJoinedSegmentsDecodeToTheBody(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Fragments as a page repeats them, so that each compresses well on
	// its own, and a random one that does not compress at all.
	var segments []Segment
	for i := range 8 {
		segments = append(segments, Compress([]byte(strings.Repeat("<li>Leistung "+strings.Repeat("x", i)+"</li>\n", 10+i))))
	}
	noise := make([]byte, 3000)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	segments = append(segments, Compress(noise), Compress(nil))
	for round := range 50 {
		b := NewBuilder(0)
		var want bytes.Buffer
		for range rng.IntN(12) {
			if rng.IntN(2) == 0 {
				s := segments[rng.IntN(len(segments))]
				b.WriteSegment(s)
				want.Write(s.Plain)
				continue
			}
			raw := strings.Repeat("ä", rng.IntN(300))
			_, _ = b.WriteString(raw)
			want.WriteString(raw)
		}
		plain, gzipped := b.Bytes()
		if !bytes.Equal(plain, want.Bytes()) {
			t.Fatalf("round %d: the plain body is not the pieces in order", round)
		}
		if got := decode(t, gzipped); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("round %d: the gzip body decodes to %d bytes, not the %d of the body", round, len(got), want.Len())
		}
	}
}

func TestPiecesLongerThanAStoredBlock(t *testing.T) {
	long := bytes.Repeat([]byte("Kfz-Zulassung "), 2*maxStored/14+100)
	b := NewBuilder(len(long))
	_, _ = b.Write(long[:maxStored+1])
	b.WriteSegment(Compress([]byte("mitten")))
	_, _ = b.Write(long[maxStored+1:])
	plain, gzipped := b.Bytes()
	want := string(long[:maxStored+1]) + "mitten" + string(long[maxStored+1:])
	if string(plain) != want || string(decode(t, gzipped)) != want {
		t.Fatal("a piece longer than a stored block does not come out whole")
	}
}

func TestEmptyBody(t *testing.T) {
	plain, gzipped := NewBuilder(0).Bytes()
	if len(plain) != 0 || len(decode(t, gzipped)) != 0 {
		t.Fatal("an empty body is not empty")
	}
}

func TestSegmentsCompress(t *testing.T) {
	page := []byte(strings.Repeat(`<li><article class="service"><h4>Wohngeld</h4></article></li>`+"\n", 20))
	if s := Compress(page); len(s.Deflated) > len(page)/4 {
		t.Fatalf("%d bytes compress to %d", len(page), len(s.Deflated))
	}
}
