package portal

import (
	"github.com/klauspost/compress/gzip"
	"k8s.io/utils/lru"
)

// Bounds of a snapshot's cache of search results: citizens search for the
// same few things (Personalausweis, Wohngeld, Gewerbe), so a small cache
// serves most searches at the start page's speed, compressed, and holds at
// most about maxResults * maxResultSize * 1.1 bytes (plain and gzip) per
// document. A larger page (a state filter over a big catalogue) is
// rendered every time; it joins pre-rendered entries, so that is cheap
// too, but its gzip encoding is computed per response.
const (
	maxResults    = 64
	maxResultSize = 512 << 10
)

// resultCache holds the rendered pages of the latest filters; it lives as
// long as its snapshot, so a new document starts with an empty one.
type resultCache struct {
	pages *lru.Cache
}

func newResultCache() *resultCache { return &resultCache{pages: lru.New(maxResults)} }

// get returns the page of f, rendering and caching it if it is not cached;
// a page rendered without its gzip encoding is compressed for the cache.
func (c *resultCache) get(f filter, render func() (encodedBody, error)) (encodedBody, error) {
	key := f.key()
	if cached, ok := c.pages.Get(key); ok {
		b := cached.(encodedBody)
		if b.joined {
			// Asked again: a search that citizens repeat is worth
			// compressing as a whole, to about a third of the joined size.
			b = encodedBody{plain: b.plain}.withGzip(gzip.BestSpeed)
			c.pages.Add(key, b)
		}
		return b, nil
	}
	b, err := render()
	if err != nil {
		return encodedBody{}, err
	}
	if len(b.plain) <= maxResultSize {
		b = b.withGzip(gzip.BestSpeed)
		c.pages.Add(key, b)
	}
	return b, nil
}
