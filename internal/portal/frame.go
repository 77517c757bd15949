package portal

import (
	"bytes"
	"fmt"
	"html/template"
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
	// parts are the page's bytes before, between and after the slots.
	parts [len(frameSlots) + 1][]byte
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
		fr.parts[i], rest = before, after
		fr.size += len(before)
	}
	if bytes.Contains(rest, []byte(slotMark)) {
		return nil, nil
	}
	fr.parts[len(frameSlots)] = rest
	fr.size += len(rest)
	return fr, nil
}

// render is the page of v: the frame with v's title, query, options and
// results, byte for byte what the page template renders of v.
func (fr *searchFrame) render(v pageView) ([]byte, error) {
	var buf bytes.Buffer
	// Room for a search's twenty results; a filter's longer list grows it.
	buf.Grow(fr.size + 16<<10)
	buf.Write(fr.parts[0])
	if err := textEscaper.Execute(&buf, v.Title); err != nil {
		return nil, err
	}
	buf.Write(fr.parts[1])
	if err := textEscaper.Execute(&buf, v.Filter.Query); err != nil {
		return nil, err
	}
	buf.Write(fr.parts[2])
	buf.WriteString(string(v.ThemenfeldOptions))
	buf.Write(fr.parts[3])
	buf.WriteString(string(v.StateOptions))
	buf.Write(fr.parts[4])
	if err := templates.ExecuteTemplate(&buf, "results", v); err != nil {
		return nil, fmt.Errorf("rendering template results: %w", err)
	}
	buf.Write(fr.parts[5])
	return buf.Bytes(), nil
}

// searchPage renders the page of a search, v, in the snapshot's frame.
func (s *snapshot) searchPage(v pageView) ([]byte, error) {
	frame, err := s.frame.get(func() (*searchFrame, error) { return newSearchFrame(s) })
	if err != nil {
		return nil, err
	}
	if frame == nil {
		return executeTemplate("page", v)
	}
	return frame.render(v)
}
