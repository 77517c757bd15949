package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/ozg-operator/ozg-operator/internal/gzipjoin"
)

// A search page differs from the other search pages of its document in
// five places only: the title, the query in the search field, the two
// selects' options and the results. The frame is the page rendered once
// per document with a marker in each of those places, cut at the markers;
// a search that the result cache does not hold renders its results alone
// and joins them with the frame's parts, instead of walking the whole
// page template (issue 33).

// slotMark encloses a slot's name in the frame: a private-use character,
// which no escaper changes and no catalogue text uses. A document that
// does use it gets no frame; its searches render the whole page.
const slotMark = "\uE000"

// frameSlots are the slots in the order the page template shows them.
var frameSlots = [...]string{"title", "query", "themenfeld", "state", "results"}

func slot(name string) string { return slotMark + name + slotMark }

// searchFrame is the page around a search's own content.
type searchFrame struct {
	// parts are the page's bytes before, between and after the slots,
	// each compressed on its own once (gzipjoin).
	parts [len(frameSlots) + 1]gzipjoin.Segment
	size  int
}

// textEscaper escapes a string as html/template does in text, in RCDATA
// (the title) and in a quoted attribute (the search field's value): the
// three escape a plain string alike.
var textEscaper = template.Must(template.New("text").Parse("{{.}}"))

// newSearchFrame renders the frame of snap's search pages; nil if a
// slot's marker does not come out exactly once (the document uses it).
func newSearchFrame(snap *snapshot) (*searchFrame, error) {
	v := pageView{layout: newLayout(snap), Filter: filter{Query: slot("query")}}
	if err := v.describe(snap); err != nil {
		return nil, err
	}
	v.Title = slot("title")
	v.ThemenfeldOptions, v.StateOptions = template.HTML(slot("themenfeld")), template.HTML(slot("state")) //nolint:gosec // markers
	v.Results = template.HTML(slot("results"))                                                            //nolint:gosec // marker
	page, err := executeTemplate("page", v)
	if err != nil {
		return nil, err
	}
	fr := &searchFrame{}
	rest := page
	for i, name := range frameSlots {
		before, after, ok := bytes.Cut(rest, []byte(slot(name)))
		if !ok || bytes.Contains(before, []byte(slotMark)) {
			return nil, nil
		}
		fr.parts[i], rest = gzipjoin.Compress(before), after
		fr.size += len(before)
	}
	if bytes.Contains(rest, []byte(slotMark)) {
		return nil, nil
	}
	fr.parts[len(frameSlots)] = gzipjoin.Compress(rest)
	fr.size += len(rest)
	return fr, nil
}

// pageWriter is what a page is rendered into: a plain buffer, or a
// gzipjoin.Builder that joins the pieces compressed ahead of time.
type pageWriter interface {
	io.Writer
	io.StringWriter
	WriteSegment(gzipjoin.Segment)
}

// plainWriter renders a page as plain bytes only.
type plainWriter struct{ bytes.Buffer }

func (w *plainWriter) WriteSegment(s gzipjoin.Segment) { w.Write(s.Plain) }

// render writes the page of v: the frame with v's title, query, options
// and results, byte for byte what the page template renders of v.
func (fr *searchFrame) render(w pageWriter, snap *snapshot, v pageView) error {
	themenfeld, state, err := snap.optionSegments(v.Filter)
	if err != nil {
		return err
	}
	w.WriteSegment(fr.parts[0])
	if err := textEscaper.Execute(w, v.Title); err != nil {
		return err
	}
	w.WriteSegment(fr.parts[1])
	if err := textEscaper.Execute(w, v.Filter.Query); err != nil {
		return err
	}
	w.WriteSegment(fr.parts[2])
	w.WriteSegment(themenfeld)
	w.WriteSegment(fr.parts[3])
	w.WriteSegment(state)
	w.WriteSegment(fr.parts[4])
	if err := writeResults(w, snap, v); err != nil {
		return err
	}
	w.WriteSegment(fr.parts[5])
	return nil
}

// writeResults writes v's results; a search's hits as the compressed
// entries the snapshot keeps (hitSegments), so that a page of twenty
// hits compresses nothing but its count and title.
func writeResults(w pageWriter, snap *snapshot, v pageView) error {
	if len(v.Groups) == 1 && v.hits != nil {
		segments, err := snap.hitSegments()
		if err != nil {
			return err
		}
		// The group renders with a marker for its hits: the results' head
		// and tail hold no text of the document that could contain it.
		marked := v
		marked.Groups = []groupView{v.Groups[0]}
		marked.Groups[0].Services = template.HTML(slot("hits")) //nolint:gosec // marker
		var buf bytes.Buffer
		if err := templates.ExecuteTemplate(&buf, "results", marked); err != nil {
			return fmt.Errorf("rendering template results: %w", err)
		}
		if head, tail, ok := bytes.Cut(buf.Bytes(), []byte(slot("hits"))); ok {
			_, _ = w.Write(head)
			for _, i := range v.hits {
				w.WriteSegment(segments[i])
			}
			_, _ = w.Write(tail)
			return nil
		}
	}
	if err := templates.ExecuteTemplate(w, "results", v); err != nil {
		return fmt.Errorf("rendering template results: %w", err)
	}
	return nil
}

// searchPage renders the page of a search, v, in the snapshot's frame:
// a search's hits with their gzip encoding joined from compressed pieces;
// a filter's longer list plain, for the result cache to compress.
func (s *snapshot) searchPage(v pageView) (encodedBody, error) {
	frame, err := s.frame.get(func() (*searchFrame, error) { return newSearchFrame(s) })
	if err != nil {
		return encodedBody{}, err
	}
	if frame == nil {
		plain, err := executeTemplate("page", v)
		return encodedBody{plain: plain}, err
	}
	if !v.Ranked {
		var w plainWriter
		// Room for the frame and a filter's list.
		w.Grow(frame.size + 64<<10)
		err := frame.render(&w, s, v)
		return encodedBody{plain: w.Bytes()}, err
	}
	// Room for the frame and a search's twenty results.
	w := gzipjoin.NewBuilder(frame.size + 16<<10)
	if err := frame.render(w, s, v); err != nil {
		return encodedBody{}, err
	}
	plain, gzipped := w.Bytes()
	return encodedBody{plain: plain, gzipped: gzipped, joined: true}, nil
}
