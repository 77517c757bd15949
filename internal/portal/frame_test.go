package portal

import (
	"context"
	"net/url"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// searchTargets are searches that fill every slot of the frame
// differently: hits, no hits with and without suggestions, filters alone
// and together, and a query that every escaper has work with.
var searchTargets = []string{
	"/?q=Wohngeld",
	"/?q=Wohngelt",
	"/?q=Zzzzzzzz",
	"/?themenfeld=Bauen+%26+Wohnen",
	"/?state=Open",
	"/?q=Ausweis&themenfeld=Ein-+und+Auswanderung&state=Open",
	"/?q=" + url.QueryEscape(`"><img src=x onerror=alert(1)> & 'a'+b`),
	"/?q=" + url.QueryEscape(xssScript),
}

// TestSearchFrameRendersWhatThePageTemplateRenders serves searches from
// the frame, plain and gzip-encoded (a search's joined from compressed
// pieces), and compares them byte for byte with the whole page template
// rendered from the same view, for a document with hostile names and for
// one that uses the frame's marker (which gets no frame).
func TestSearchFrameRendersWhatThePageTemplateRenders(t *testing.T) {
	marked := sampleDocument()
	marked.Administration.DisplayName = "Stadt " + slot("title") + " Musterstadt"
	for _, tc := range []struct {
		name      string
		doc       func() *portaldata.Document
		wantFrame bool
	}{
		{"sample", sampleDocument, true},
		{"the marker in the document", func() *portaldata.Document { return marked }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newLoadedServer(t, tc.doc())
			h := s.Handler()
			snap := s.catalog.snapshot()
			for _, target := range searchTargets {
				// Gzip first: a search's first response is the joined
				// encoding; asked again, the cache compresses it whole.
				gzipped := getGzipped(t, h, target)
				served := getOK(t, h, target, htmlBody.contentType).body
				u, err := url.Parse(target)
				must(t, err)
				f, err := parseFilter(u.Query())
				must(t, err)
				v, err := s.pageView(context.Background(), snap, f)
				must(t, err)
				want, err := executeTemplate("page", v)
				must(t, err)
				if served != string(want) {
					t.Errorf("GET %s from the frame differs from the page template:\n got: %s\nwant: %s", target, served, want)
				}
				if gzipped != string(want) {
					t.Errorf("GET %s gzip-encoded decodes to another page than the page template's:\n got: %s\nwant: %s", target, gzipped, want)
				}
			}
			if got := snap.frame.value != nil; got != tc.wantFrame {
				t.Errorf("frame rendered: %v, want %v", got, tc.wantFrame)
			}
			if got := snap.hitsCompressed.value != nil; got != tc.wantFrame {
				t.Errorf("searches joined compressed hits: %v, want %v", got, tc.wantFrame)
			}
		})
	}
}
