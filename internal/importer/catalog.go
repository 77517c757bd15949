package importer

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
	"github.com/ozg-operator/ozg-operator/internal/importer/slug"
)

// The files of a catalogue directory.
const (
	ThemenfelderFile    = "themenfelder.csv"
	LebenslagenFile     = "lebenslagen.csv"
	OZGLeistungenFile   = "ozg-leistungen.csv"
	LeiKaLeistungenFile = "leika-leistungen.csv"
)

// NotInLeiKa is how the catalogue marks a service that has no LeiKa key.
const NotInLeiKa = "nicht im LeiKa"

// Columns of the catalogue files.
const (
	colThemenfeld      = "themenfeld"
	colLebenslage      = "lebenslage"
	colOZGID           = "ozg_id"
	colBezeichnung     = "bezeichnung"
	colLeiKaKey        = "leika_schluessel"
	colTypisierung     = "typisierung"
	colRechtsgrundlage = "rechtsgrundlage"
	colSDG1            = "sdg1"
	colSDG2            = "sdg2"
)

// Catalog is the OZG catalogue read from a directory.
type Catalog struct {
	// Services are the OZG services, sorted by name.
	Services []v1alpha1.OZGService
	// NotInLeiKa counts the LeiKa rows of the file marked "nicht im LeiKa",
	// rejected ones included. Being documented, the marker is not reported;
	// the rows are kept as LeiKa services without key.
	NotInLeiKa int
	// Unkeyed counts the LeiKa services attached without key: the
	// NotInLeiKa ones that were not rejected and those whose key was
	// malformed (reported).
	Unkeyed int
	// Report accounts for every row of the four files.
	Report Report
}

// ServiceName is the object name of the OZG service with the given OZG-ID.
func ServiceName(ozgID string) string { return "ozg-" + ozgID }

// ReadCatalog reads the catalogue files in dir (ThemenfelderFile,
// LebenslagenFile, OZGLeistungenFile, LeiKaLeistungenFile).
//
// Rows that cannot become part of an OZGService are rejected, values the
// CRD would refuse are dropped or shortened with a warning; either way the
// report says so, with file, line and column. An error means a file could
// not be read as a whole (missing file or column, malformed CSV).
func ReadCatalog(dir string) (*Catalog, error) {
	read := func(file string, columns ...string) (*csvtable.Table, error) {
		return csvtable.Read(filepath.Join(dir, file), columns...)
	}
	themen, err := read(ThemenfelderFile, colThemenfeld)
	if err != nil {
		return nil, err
	}
	lagen, err := read(LebenslagenFile, colThemenfeld, colLebenslage)
	if err != nil {
		return nil, err
	}
	ozg, err := read(OZGLeistungenFile, colOZGID, colBezeichnung, colThemenfeld, colLebenslage)
	if err != nil {
		return nil, err
	}
	leika, err := read(LeiKaLeistungenFile, colLeiKaKey, colBezeichnung, colOZGID, colTypisierung, colRechtsgrundlage, colSDG1, colSDG2)
	if err != nil {
		return nil, err
	}

	c := &Catalog{}
	b := catalogBuilder{
		findings:     findings{report: &c.Report},
		themenfelder: map[string]*reference{},
		lebenslagen:  map[[2]string]*reference{},
		services:     map[string]*service{},
	}
	for _, t := range []*csvtable.Table{themen, lagen, ozg, leika} {
		b.rejectMalformed(t)
	}
	b.readThemenfelder(themen)
	b.readLebenslagen(lagen)
	b.readServices(ozg)
	c.NotInLeiKa, c.Unkeyed = b.readLeistungen(leika)
	b.reportUnused(themen, lagen)

	c.Services = b.build(leika)
	c.Report.Rows = themen.Records() + lagen.Records() + ozg.Records() + leika.Records()
	c.Report.Objects = len(c.Services)
	c.Report.sort()
	return c, nil
}

// reference is a Themenfeld or Lebenslage and whether a service uses it.
type reference struct {
	line int
	used bool
}

// service is an OZG service being assembled, with the file lines its
// parts came from.
type service struct {
	spec       v1alpha1.OZGServiceSpec
	line       int
	leistungen []leistung
}

type leistung struct {
	v1alpha1.LeiKaLeistung
	line int
}

type catalogBuilder struct {
	findings
	themenfelder map[string]*reference
	lebenslagen  map[[2]string]*reference
	services     map[string]*service
}

func (b *catalogBuilder) readThemenfelder(t *csvtable.Table) {
	for _, row := range t.Rows {
		name := text(row, colThemenfeld)
		if name == "" {
			b.reject(t, row, colThemenfeld, "empty Themenfeld")
			continue
		}
		if first, dup := b.themenfelder[name]; dup {
			b.warn(t, row, colThemenfeld, "Themenfeld %q is listed before on line %d, ignored", name, first.line)
			continue
		}
		b.themenfelder[name] = &reference{line: row.Line}
	}
}

func (b *catalogBuilder) readLebenslagen(t *csvtable.Table) {
	for _, row := range t.Rows {
		themenfeld, name := text(row, colThemenfeld), text(row, colLebenslage)
		if name == "" {
			b.reject(t, row, colLebenslage, "empty Lebenslage")
			continue
		}
		key := [2]string{themenfeld, name}
		if first, dup := b.lebenslagen[key]; dup {
			b.warn(t, row, colLebenslage, "Lebenslage %q of Themenfeld %q is listed before on line %d, ignored", name, themenfeld, first.line)
			continue
		}
		if _, ok := b.themenfelder[themenfeld]; !ok {
			b.warn(t, row, colThemenfeld, "Themenfeld %q of Lebenslage %q is not in %s", themenfeld, name, ThemenfelderFile)
		}
		b.lebenslagen[key] = &reference{line: row.Line}
	}
}

func (b *catalogBuilder) readServices(t *csvtable.Table) {
	for _, row := range t.Rows {
		id := text(row, colOZGID)
		switch {
		case id == "":
			b.reject(t, row, colOZGID, "empty OZG-ID")
			continue
		case !ozgIDPattern.MatchString(id):
			b.reject(t, row, colOZGID, "OZG-ID %q is not 5 digits", id)
			continue
		case b.services[id] != nil:
			b.reject(t, row, colOZGID, "OZG-ID %s is defined before on line %d", id, b.services[id].line)
			continue
		}
		name := text(row, colBezeichnung)
		if name == "" {
			b.reject(t, row, colBezeichnung, "OZG service %s has no Bezeichnung", id)
			continue
		}
		themenfeld := text(row, colThemenfeld)
		if themenfeld == "" {
			b.reject(t, row, colThemenfeld, "OZG service %s has no Themenfeld", id)
			continue
		}
		if ref, ok := b.themenfelder[themenfeld]; ok {
			ref.used = true
		} else {
			b.warn(t, row, colThemenfeld, "Themenfeld %q is not in %s", themenfeld, ThemenfelderFile)
		}
		if slug.LabelValue(themenfeld) == "" {
			b.warn(t, row, colThemenfeld, "Themenfeld %q has no letters or digits for the %s label, label omitted", themenfeld, v1alpha1.LabelThemenfeld)
		}
		lebenslage := text(row, colLebenslage)
		if lebenslage != "" {
			if ref, ok := b.lebenslagen[[2]string{themenfeld, lebenslage}]; ok {
				ref.used = true
			} else {
				b.warn(t, row, colLebenslage, "Lebenslage %q of Themenfeld %q is not in %s", lebenslage, themenfeld, LebenslagenFile)
			}
		}
		b.services[id] = &service{
			line: row.Line,
			spec: v1alpha1.OZGServiceSpec{
				OZGID:      id,
				Name:       b.fit(t, row, colBezeichnung, name, v1alpha1.MaxServiceNameLength),
				Themenfeld: b.fit(t, row, colThemenfeld, themenfeld, v1alpha1.MaxThemenfeldLength),
				Lebenslage: b.fit(t, row, colLebenslage, lebenslage, v1alpha1.MaxLebenslageLength),
			},
		}
	}
}

// readLeistungen attaches the LeiKa rows to their OZG services. It returns
// how many rows carried the NotInLeiKa marker and how many were attached
// without key.
func (b *catalogBuilder) readLeistungen(t *csvtable.Table) (notInLeiKa, unkeyed int) {
	for _, row := range t.Rows {
		key := text(row, colLeiKaKey)
		if strings.EqualFold(key, NotInLeiKa) {
			notInLeiKa++
		}
		id := text(row, colOZGID)
		name := text(row, colBezeichnung)
		switch {
		case id == "":
			b.reject(t, row, colOZGID, "LeiKa service %q names no OZG service", name)
			continue
		case !ozgIDPattern.MatchString(id):
			b.reject(t, row, colOZGID, "OZG-ID %q is not 5 digits", id)
			continue
		case b.services[id] == nil:
			b.reject(t, row, colOZGID, "OZG service %s is not in %s (or was rejected there)", id, OZGLeistungenFile)
			continue
		case name == "":
			b.reject(t, row, colBezeichnung, "LeiKa service has no Bezeichnung")
			continue
		}

		l := leistung{line: row.Line}
		l.Name = b.fit(t, row, colBezeichnung, name, v1alpha1.MaxLeistungNameLength)
		switch {
		case leikaKeyPattern.MatchString(key):
			l.Key = key
		case strings.EqualFold(key, NotInLeiKa):
		case key == "":
			b.warn(t, row, colLeiKaKey, "empty LeiKa key, kept without key")
		case digitsPattern.MatchString(key):
			b.warn(t, row, colLeiKaKey, "LeiKa key %q has %d digits, not 14, kept without key", key, len(key))
		default:
			b.warn(t, row, colLeiKaKey, "LeiKa key %q is not 14 digits, kept without key", key)
		}
		l.Typisierung = b.typisierung(t, row)
		l.LegalBasis = b.fit(t, row, colRechtsgrundlage, strings.TrimSpace(row.Get(colRechtsgrundlage)), v1alpha1.MaxLegalBasisLength)
		l.SDGAnnexI = b.flag(t, row, colSDG1)
		l.SDGAnnexII = b.flag(t, row, colSDG2)

		if l.Key == "" {
			unkeyed++
		}
		s := b.services[id]
		s.leistungen = append(s.leistungen, l)
	}
	return notInLeiKa, unkeyed
}

// typisierung splits values like "1, 2/3" and drops what the CRD refuses.
func (b *catalogBuilder) typisierung(t *csvtable.Table, row csvtable.Row) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range strings.Split(row.Get(colTypisierung), ",") {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
		case !typisierungPattern.MatchString(v):
			b.warn(t, row, colTypisierung, "%q is not a Typisierung (1, 2/3, 2 to 11 with optional a or b), dropped", v)
		case seen[v]:
			b.warn(t, row, colTypisierung, "%q is listed twice, kept once", v)
		case len(out) == v1alpha1.MaxTypisierungen:
			b.warn(t, row, colTypisierung, "more than %d values, %q dropped", v1alpha1.MaxTypisierungen, v)
		default:
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// flag reads a 0/1 column; anything else counts as 0 with a warning.
func (b *catalogBuilder) flag(t *csvtable.Table, row csvtable.Row, column string) bool {
	switch v := strings.ToLower(text(row, column)); v {
	case "1", "true", "ja", "x":
		return true
	case "0", "false", "nein", "":
		return false
	default:
		b.warn(t, row, column, "%q is not 0 or 1, taken as 0", v)
		return false
	}
}

// placeholderPattern matches filler such as "aaaaabbbbb": one word of at
// least five letters. Whether it is filler is decided by isPlaceholder.
var placeholderPattern = regexp.MustCompile(`^[a-z]{5,}$`)

// isPlaceholder reports whether a Lebenslage looks like test filler
// ("aaaaaaaaaaaaaaaaa", "aaabbbccc"): a lower-case word of at least five
// letters drawn from at most three distinct ones. No real Lebenslage is
// written like that.
func isPlaceholder(s string) bool {
	if !placeholderPattern.MatchString(s) {
		return false
	}
	letters := map[rune]bool{}
	for _, r := range s {
		letters[r] = true
	}
	return len(letters) <= 3
}

// reportUnused warns about reference rows no service refers to: they are
// typos or leftovers, and a Lebenslage that exists only in lebenslagen.csv
// never reaches the cluster.
func (b *catalogBuilder) reportUnused(themen, lagen *csvtable.Table) {
	for name, ref := range b.themenfelder {
		if !ref.used {
			b.add(SeverityWarning, themen, ref.line, colThemenfeld, "Themenfeld %q is used by no OZG service", name)
		}
	}
	for key, ref := range b.lebenslagen {
		name := key[1]
		switch {
		case isPlaceholder(name) && !ref.used:
			b.add(SeverityWarning, lagen, ref.line, colLebenslage, "Lebenslage %q looks like a placeholder and is used by no OZG service", name)
		case isPlaceholder(name):
			b.add(SeverityWarning, lagen, ref.line, colLebenslage, "Lebenslage %q looks like a placeholder", name)
		case !ref.used:
			b.add(SeverityWarning, lagen, ref.line, colLebenslage, "Lebenslage %q of Themenfeld %q is used by no OZG service", name, key[0])
		}
	}
}

// build turns the assembled services into objects, sorted by name, with
// their LeiKa services in a stable order: keyed ones by key, then the
// unkeyed ones by name, file order breaking ties.
func (b *catalogBuilder) build(leika *csvtable.Table) []v1alpha1.OZGService {
	out := make([]v1alpha1.OZGService, 0, len(b.services))
	for _, s := range b.services {
		sort.SliceStable(s.leistungen, func(i, j int) bool {
			x, y := s.leistungen[i], s.leistungen[j]
			if (x.Key == "") != (y.Key == "") {
				return x.Key != ""
			}
			if x.Key != y.Key {
				return x.Key < y.Key
			}
			if x.Name != y.Name {
				return x.Name < y.Name
			}
			return x.line < y.line
		})
		for i, l := range s.leistungen {
			if i >= v1alpha1.MaxLeistungen {
				b.add(SeverityRejected, leika, l.line, colOZGID,
					"OZG service %s has more than %d LeiKa services, the CRD's limit", s.spec.OZGID, v1alpha1.MaxLeistungen)
				continue
			}
			s.spec.Leistungen = append(s.spec.Leistungen, l.LeiKaLeistung)
		}
		out = append(out, newOZGService(s.spec))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func newOZGService(spec v1alpha1.OZGServiceSpec) v1alpha1.OZGService {
	labels := map[string]string{v1alpha1.LabelOZGID: spec.OZGID}
	setLabelValue(labels, v1alpha1.LabelThemenfeld, spec.Themenfeld)
	return v1alpha1.OZGService{
		TypeMeta: typeMeta("OZGService"),
		ObjectMeta: metav1.ObjectMeta{
			Name:   ServiceName(spec.OZGID),
			Labels: labels,
		},
		Spec: spec,
	}
}
