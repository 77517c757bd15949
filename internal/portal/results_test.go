package portal

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

func TestResultCacheRendersAPageOnce(t *testing.T) {
	c := newResultCache()
	renders := 0
	small := func() (encodedBody, error) {
		renders++
		return encodedBody{plain: []byte(strings.Repeat("<li>Wohngeld</li>", 100))}, nil
	}
	f := filter{Query: "wohngeld"}
	for range 3 {
		b, err := c.get(f, small)
		if err != nil {
			t.Fatal(err)
		}
		if b.gzipped == nil {
			t.Fatal("a cached page is kept with its gzip encoding")
		}
	}
	if renders != 1 {
		t.Errorf("rendered %d times, want 1", renders)
	}
	// The query as typed is part of the key: the search field shows it.
	if _, err := c.get(filter{Query: "Wohngeld"}, small); err != nil || renders != 2 {
		t.Errorf("another spelling rendered %d pages in all, want 2 (err %v)", renders, err)
	}

	// A search's page comes with its gzip encoding joined from compressed
	// pieces: the first response sends it; asked again, the page is
	// compressed as a whole, once.
	page := []byte(strings.Repeat("<li>Kfz-Zulassung</li>", 100))
	joined := func() (encodedBody, error) {
		return encodedBody{plain: page, gzipped: []byte("joined"), joined: true}, nil
	}
	b, err := c.get(filter{Query: "Kfz"}, joined)
	if err != nil || string(b.gzipped) != "joined" {
		t.Fatalf("a search's first response: gzip %q, want the joined encoding (err %v)", b.gzipped, err)
	}
	for range 2 {
		b, err = c.get(filter{Query: "Kfz"}, joined)
		if err != nil || b.joined {
			t.Fatalf("a search asked again is sent joined (err %v)", err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b.gzipped))
		if err != nil {
			t.Fatal(err)
		}
		if body, err := io.ReadAll(zr); err != nil || !bytes.Equal(body, page) {
			t.Fatalf("a search asked again: its gzip encoding is not the page's (err %v)", err)
		}
	}

	big := func() (encodedBody, error) { renders++; return encodedBody{plain: make([]byte, maxResultSize+1)}, nil }
	renders = 0
	for range 2 {
		if _, err := c.get(filter{State: "Live"}, big); err != nil {
			t.Fatal(err)
		}
	}
	if renders != 2 {
		t.Errorf("a page over %d bytes rendered %d times, want every time (not cached)", maxResultSize, renders)
	}
}

func TestSearchPageIsTheSameCompressedAndCached(t *testing.T) {
	h := newLoadedServer(t, largeDocument()).Handler()
	plain := get(t, h, "/?q=nummer+42&state=Live")
	if plain.code != 200 || !strings.Contains(plain.body, "Leistung Nummer 42 mit") {
		t.Fatalf("search page: %d\n%.300s", plain.code, plain.body)
	}
	for range 2 {
		if getGzipped(t, h, "/?q=nummer+42&state=Live") != plain.body {
			t.Fatal("the compressed search page differs from the plain one")
		}
	}
}
