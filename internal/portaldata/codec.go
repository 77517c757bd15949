package portaldata

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// MaxDocumentSize bounds what Load and Parse accept. A ConfigMap holds at
// most 1 MiB, so anything larger did not come from the operator.
const MaxDocumentSize = 4 << 20

// Load reads and parses the document at path.
func Load(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// Parse decodes and validates a document and returns it in canonical order
// (see Marshal). Unknown fields are ignored so that an older portal server
// can read a document written by a newer operator of the same
// SchemaVersion.
func Parse(data []byte) (*Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("document is larger than %d bytes", MaxDocumentSize)
	}
	var doc Document
	if err := decodeOne(data, &doc, "document"); err != nil {
		return nil, err
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	doc.normalize()
	doc.expandResponsibles()
	return &doc, nil
}

// decodeOne decodes data, which must hold one JSON object and nothing
// after it, into v; what names it in errors.
func decodeOne(data []byte, v any, what string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding %s: %w", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("decoding %s: unexpected data after the JSON object", what)
	}
	return nil
}

// Marshal validates doc and encodes it deterministically: services sorted
// by Themenfeld, name and OZG-ID, Typisierung sorted, every other list in
// the caller's order, compact JSON, responsible entries that equal their
// level's authority reduced to the level, and when the document names a
// catalogue, the services' catalogue part left out. Equal documents give equal bytes, so a
// checksum over the result tells whether the portal's content changed. doc
// itself is not modified.
func Marshal(doc *Document) ([]byte, error) {
	if doc == nil {
		return nil, errors.New("document is nil")
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	c := doc.clone()
	if c.Catalog != "" {
		// The reader takes this part from the shared catalogue.
		for i := range c.Services {
			s := &c.Services[i]
			s.Name, s.Themenfeld, s.Lebenslage, s.EfA, s.Leistungen = "", "", "", nil, nil
		}
	}
	c.normalize()
	c.compactResponsibles()
	return json.Marshal(c)
}

// compactResponsibles reduces each service's responsible entry that equals
// its level's authority to the level.
func (d *Document) compactResponsibles() {
	compact := func(r Responsible) Responsible {
		if a, ok := d.Authorities[r.Level]; ok {
			a.Level = r.Level
			if r == a {
				return Responsible{Level: r.Level}
			}
		}
		return r
	}
	for i := range d.Services {
		s := &d.Services[i]
		if s.Responsible != nil {
			r := compact(*s.Responsible)
			s.Responsible = &r
		}
		for key, r := range s.LeistungResponsible {
			s.LeistungResponsible[key] = compact(r)
		}
	}
}

// expandResponsibles fills each responsible entry that names only its
// level from the level's authority. The services share one copy per level.
func (d *Document) expandResponsibles() {
	if len(d.Authorities) == 0 {
		return
	}
	shared := make(map[Level]*Responsible, len(d.Authorities))
	for level, a := range d.Authorities {
		a.Level = level
		shared[level] = &a
	}
	for i := range d.Services {
		s := &d.Services[i]
		if r := s.Responsible; r != nil && *r == (Responsible{Level: r.Level}) && shared[r.Level] != nil {
			s.Responsible = shared[r.Level]
		}
		for key, r := range s.LeistungResponsible {
			if r == (Responsible{Level: r.Level}) && shared[r.Level] != nil {
				s.LeistungResponsible[key] = *shared[r.Level]
			}
		}
	}
}

// normalize puts d into canonical order and replaces a nil service list by
// an empty one so that it encodes as [].
func (d *Document) normalize() {
	if d.Services == nil {
		d.Services = []Service{}
	}
	for i := range d.Services {
		for j := range d.Services[i].Leistungen {
			slices.Sort(d.Services[i].Leistungen[j].Typisierung)
		}
	}
	SortServices(d.Services)
}

// SortServices sorts services by Themenfeld, then name, then OZG-ID. Names
// compare case-insensitively with umlauts folded (Ä as A, ß as ss) so that
// the order reads naturally in German; the raw strings break ties, which
// keeps the order total and independent of any locale tables. Each
// service's folded Themenfeld and name are computed once, not per
// comparison: folding in the comparison was the largest allocation of a
// portal's render at Germany's scale.
func SortServices(services []Service) {
	type sortKey struct {
		themenfeld, name string // folded
		i                int
	}
	keys := make([]sortKey, len(services))
	for i := range services {
		keys[i] = sortKey{FoldGerman(services[i].Themenfeld), FoldGerman(services[i].Name), i}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		sa, sb := &services[a.i], &services[b.i]
		return cmp.Or(
			strings.Compare(a.themenfeld, b.themenfeld), strings.Compare(sa.Themenfeld, sb.Themenfeld),
			strings.Compare(a.name, b.name), strings.Compare(sa.Name, sb.Name),
			strings.Compare(sa.OZGID, sb.OZGID),
			cmp.Compare(a.i, b.i), // stable
		)
	})
	sorted := make([]Service, len(services))
	for j, k := range keys {
		sorted[j] = services[k.i]
	}
	copy(services, sorted)
}

var germanFolder = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss")

// FoldGerman lower-cases s and replaces umlauts and ß by their base
// letters, for sorting and case-insensitive search.
func FoldGerman(s string) string {
	return germanFolder.Replace(strings.ToLower(s))
}

// clone copies d deeply enough that normalize on the copy leaves d intact.
func (d *Document) clone() *Document {
	c := *d
	c.Authorities = maps.Clone(d.Authorities)
	c.Services = make([]Service, len(d.Services))
	for i, s := range d.Services {
		s.Leistungen = cloneLeistungen(s.Leistungen)
		if s.Responsible != nil {
			r := *s.Responsible
			s.Responsible = &r
		}
		s.LeistungResponsible = maps.Clone(s.LeistungResponsible)
		c.Services[i] = s
	}
	return &c
}
