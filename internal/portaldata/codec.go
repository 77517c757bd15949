package portaldata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decoding document: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decoding document: unexpected data after the JSON object")
	}
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	doc.normalize()
	return &doc, nil
}

// Marshal validates doc and encodes it deterministically: services sorted
// by Themenfeld, name and OZG-ID, Typisierung sorted, every other list in
// the caller's order, compact JSON. Equal documents give equal bytes, so a
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
	c.normalize()
	return json.Marshal(c)
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
// keeps the order total and independent of any locale tables.
func SortServices(services []Service) {
	slices.SortStableFunc(services, func(a, b Service) int {
		if c := compareGerman(a.Themenfeld, b.Themenfeld); c != 0 {
			return c
		}
		if c := compareGerman(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.OZGID, b.OZGID)
	})
}

// compareGerman orders strings by their folded form, then bytewise.
func compareGerman(a, b string) int {
	if c := strings.Compare(FoldGerman(a), FoldGerman(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
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
	c.Services = make([]Service, len(d.Services))
	for i, s := range d.Services {
		s.Leistungen = slices.Clone(s.Leistungen)
		for j := range s.Leistungen {
			s.Leistungen[j].Typisierung = slices.Clone(s.Leistungen[j].Typisierung)
		}
		c.Services[i] = s
	}
	return &c
}
