package portaldata

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// CatalogFile is the name of the shared catalogue's file beside the
// document, and its key in the namespace's catalogue ConfigMap. It is
// gzip-compressed: the 557 OZG services with their 5,225 LeiKa services
// take 650 kB as JSON, 95 kB compressed, and a ConfigMap holds 1 MiB.
const CatalogFile = "catalog.json.gz"

// CatalogConfigMapName is the ConfigMap that holds CatalogFile in every
// namespace with portals; each portal's own ConfigMap has the portal's
// name and holds ConfigMapKey.
const CatalogConfigMapName = "ozg-catalog"

// CatalogDocument is the catalogue part of every portal's services: what the
// OZG catalogue says of each service, independent of the administration.
type CatalogDocument struct {
	// SchemaVersion is the version of the format; it follows the document's.
	SchemaVersion int `json:"schemaVersion"`
	// Services are sorted by OZG-ID.
	Services []CatalogService `json:"services"`
}

// CatalogService is one OZG service as the catalogue describes it.
type CatalogService struct {
	OZGID      string     `json:"ozgId"`
	Name       string     `json:"name"`
	Themenfeld string     `json:"themenfeld"`
	Lebenslage string     `json:"lebenslage,omitempty"`
	EfA        *EfA       `json:"efa,omitempty"`
	Leistungen []Leistung `json:"leistungen,omitempty"`
}

// MaxCatalogServices bounds the catalogue; it matches the number of
// services a responsibility profile may place.
const MaxCatalogServices = 2000

// Validate reports every problem of c, like Document.Validate.
func (c *CatalogDocument) Validate() error {
	var v validator
	if c.SchemaVersion != SchemaVersion {
		v.addf("schemaVersion", "unsupported version %d, want %d", c.SchemaVersion, SchemaVersion)
		return v.err()
	}
	serviceList(&v, c.Services, MaxCatalogServices, func(s *CatalogService) string { return s.OZGID }, func(p string, s *CatalogService) {
		v.catalogPart(p, s.Name, s.Themenfeld, s.Lebenslage, s.EfA, s.Leistungen, true)
	})
	return v.err()
}

// MarshalCatalog validates c and encodes it deterministically (services
// sorted by OZG-ID, Typisierung sorted), gzip-compressed without name or
// time in the header, so that equal catalogues give equal bytes.
func MarshalCatalog(c *CatalogDocument) ([]byte, error) {
	if c == nil {
		return nil, errors.New("catalogue is nil")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	n := CatalogDocument{SchemaVersion: c.SchemaVersion, Services: slices.Clone(c.Services)}
	for i := range n.Services {
		n.Services[i].Leistungen = cloneLeistungen(n.Services[i].Leistungen)
	}
	n.normalize()
	data, err := json.Marshal(&n)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ParseCatalog decompresses, decodes and validates a catalogue. The
// decompressed size is bounded like a document's.
func ParseCatalog(data []byte) (*CatalogDocument, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decompressing catalogue: %w", err)
	}
	plain, err := io.ReadAll(io.LimitReader(zr, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("decompressing catalogue: %w", err)
	}
	if len(plain) > MaxDocumentSize {
		return nil, fmt.Errorf("catalogue is larger than %d bytes", MaxDocumentSize)
	}
	var c CatalogDocument
	if err := decodeOne(plain, &c, "catalogue"); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.normalize()
	return &c, nil
}

func (c *CatalogDocument) normalize() {
	if c.Services == nil {
		c.Services = []CatalogService{}
	}
	for i := range c.Services {
		for j := range c.Services[i].Leistungen {
			slices.Sort(c.Services[i].Leistungen[j].Typisierung)
		}
	}
	slices.SortFunc(c.Services, func(a, b CatalogService) int { return strings.Compare(a.OZGID, b.OZGID) })
}

// Join fills the catalogue part of d's services from c and returns the
// OZG-IDs c does not know; their services are left out, since a service
// without a name cannot be shown. The services keep their canonical order.
// d must have been parsed, and c must not be modified afterwards: d shares
// its LeiKa services.
func (d *Document) Join(c *CatalogDocument) (missing []string) {
	byID := make(map[string]*CatalogService, len(c.Services))
	for i := range c.Services {
		byID[c.Services[i].OZGID] = &c.Services[i]
	}
	kept := d.Services[:0]
	for _, s := range d.Services {
		e := byID[s.OZGID]
		if e == nil {
			missing = append(missing, s.OZGID)
			continue
		}
		s.Name, s.Themenfeld, s.Lebenslage, s.EfA, s.Leistungen = e.Name, e.Themenfeld, e.Lebenslage, e.EfA, e.Leistungen
		kept = append(kept, s)
	}
	d.Services = kept
	SortServices(d.Services)
	return missing
}

func cloneLeistungen(ls []Leistung) []Leistung {
	ls = slices.Clone(ls)
	for j := range ls {
		ls[j].Typisierung = slices.Clone(ls[j].Typisierung)
	}
	return ls
}
