package importer

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
	"github.com/ozg-operator/ozg-operator/internal/importer/slug"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// AnnotationOfficialName keeps an administration's name as the official
// municipality directory writes it ("Hagen, Stadt der FernUniversität"),
// since spec.displayName holds the short form citizens use ("Hagen").
const AnnotationOfficialName = "ozg.dev/official-name"

// Columns of the administrations file.
const (
	colKey        = "schluessel"
	colName       = "name"
	colType       = "typ"
	colKreisKey   = "kreis_schluessel"
	colRegion     = "regierungsbezirk"
	colPopulation = "einwohner_2011"
	colRecipient  = "anschrift"
	colStreet     = "strasse"
	colPostalCity = "plz_ort"
	// colARS is optional: kommunen-nrw.csv has none, NRW keys derive it.
	colARS = "ars"
)

// administrationTypes maps the slug of a type as the municipality directory
// writes it ("kreisangehörige Stadt"), or as the API spells it, to the API type.
var administrationTypes = map[string]v1alpha1.AdministrationType{
	"kreis":                     v1alpha1.TypeKreis,
	"kreisfreie-stadt":          v1alpha1.TypeKreisfreieStadt,
	"kreisfreiestadt":           v1alpha1.TypeKreisfreieStadt,
	"kreisangehoerige-stadt":    v1alpha1.TypeKreisangehoerigeStadt,
	"kreisangehoerigestadt":     v1alpha1.TypeKreisangehoerigeStadt,
	"kreisangehoerige-gemeinde": v1alpha1.TypeKreisangehoerigeGemeinde,
	"kreisangehoerigegemeinde":  v1alpha1.TypeKreisangehoerigeGemeinde,
}

// AdministrationOptions adjust what ReadAdministrations produces.
type AdministrationOptions struct {
	// ITProvider is set as spec.itProvider and, transliterated, as the
	// ozg.dev/it-provider label of every administration.
	ITProvider string
	// Kreise, if not empty, keeps only the municipalities whose
	// ozg.dev/kreis label is one of these 5-digit keys: the
	// kreisangehörige Städte and Gemeinden of a Kreis, or a kreisfreie
	// Stadt by its own 5-digit prefix. The Kreise themselves are left out
	// unless WithKreise: an IT provider runs portals for the municipalities
	// it serves.
	Kreise []string
	// WithKreise keeps the Kreise that Kreise names, too: they hold the
	// Kreis tasks (vehicles, driving licences) for their municipalities.
	WithKreise bool
	// ResponsibilityProfile is set as spec.responsibility.profile of every
	// administration. Empty, the administrations of NRW (keys 05...) get
	// NRWProfile and the others none.
	ResponsibilityProfile string
}

// NRWProfile is the name of the ResponsibilityProfile of North
// Rhine-Westphalia the project ships (config/profiles).
const NRWProfile = "nrw"

// nrwKeyPrefix is the Land part of every NRW key.
const nrwKeyPrefix = "05"

// Administrations is the result of reading an administrations file.
type Administrations struct {
	// Items are the administrations, sorted by name.
	Items []v1alpha1.Administration
	// Report accounts for every row of the file.
	Report Report
}

// ReadAdministrations reads a municipality directory such as
// kommunen-nrw.csv (columns schluessel, name, typ, kreis_schluessel,
// regierungsbezirk, einwohner_2011, anschrift, strasse, plz_ort, and
// optionally ars).
//
// Object names are the transliterated short name ("herford"); a Kreis is
// called "kreis-<name>" unless its name already says Kreis or Region
// ("rhein-kreis-neuss", "staedteregion-aachen"). When two rows of the file
// still get the same name, both get "-<key>" appended. Names are computed
// over the whole file before filtering, so a filter never renames anything.
func ReadAdministrations(path string, opts AdministrationOptions) (*Administrations, error) {
	t, err := csvtable.Read(path, colKey, colName, colType, colKreisKey, colRegion, colPopulation, colRecipient, colStreet, colPostalCity)
	if err != nil {
		return nil, err
	}
	keep, err := kreisFilter(opts.Kreise)
	if err != nil {
		return nil, err
	}
	if opts.WithKreise && keep == nil {
		return nil, fmt.Errorf("--with-kreise keeps the Kreise of --kreis: name them with --kreis")
	}
	if n := utf8.RuneCountInString(opts.ITProvider); n > v1alpha1.MaxITProviderLength {
		return nil, fmt.Errorf("IT provider name has %d characters, at most %d are allowed", n, v1alpha1.MaxITProviderLength)
	}
	if opts.ITProvider != "" && slug.LabelValue(opts.ITProvider) == "" {
		return nil, fmt.Errorf("IT provider %q has no letters or digits for the %s label", opts.ITProvider, v1alpha1.LabelITProvider)
	}

	facts, err := LoadNRWFacts()
	if err != nil {
		return nil, err
	}
	a := &Administrations{}
	b := administrationsBuilder{findings: findings{report: &a.Report}, table: t, nrw: facts}
	records := b.read()
	b.rejectMalformed(t)
	nameRecords(records)

	kreisNames := map[string]string{}
	for _, r := range records {
		if r.typ == v1alpha1.TypeKreis {
			kreisNames[r.key] = r.name
		}
	}
	matched := map[string]bool{}
	for _, r := range records {
		adm := b.build(r, kreisNames, opts)
		if keep != nil {
			if !keep[r.kreis] || (r.typ == v1alpha1.TypeKreis && !opts.WithKreise) {
				a.Report.Filtered++
				continue
			}
			matched[r.kreis] = true
		}
		a.Items = append(a.Items, adm)
	}
	for _, k := range opts.Kreise {
		if !matched[k] {
			return nil, fmt.Errorf("--kreis %s: %s has no municipality of a Kreis or kreisfreie Stadt with that key", k, path)
		}
	}

	if keep != nil {
		b.dropIssuesOutside(keep, opts.WithKreise)
	}
	sort.Slice(a.Items, func(i, j int) bool { return a.Items[i].Name < a.Items[j].Name })
	a.Report.Rows = t.Records()
	a.Report.Objects = len(a.Items)
	a.Report.sort()
	return a, nil
}

func kreisFilter(keys []string) (map[string]bool, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	keep := map[string]bool{}
	for _, k := range keys {
		if !kreisKeyPattern.MatchString(k) {
			return nil, fmt.Errorf("--kreis %q: want a 5-digit Kreis key such as 05766", k)
		}
		keep[k] = true
	}
	return keep, nil
}

// record is an accepted row of the file.
type record struct {
	row   csvtable.Row
	key   string
	typ   v1alpha1.AdministrationType
	kreis string // the ozg.dev/kreis label
	name  string // the object name
	base  string // the object name before disambiguation
}

type administrationsBuilder struct {
	findings
	table *csvtable.Table
	// rowKreis is the Kreis key each row belongs to, as far as it is
	// known, so that a filter can drop the issues of rows it leaves out;
	// a Kreis' own row has kreisRow before its key.
	rowKreis map[int]string
	// nrw are the facts the administrations of NRW get.
	nrw *NRWFacts
}

// read validates the identity of each row: key, type and name.
func (b *administrationsBuilder) read() []*record {
	t := b.table
	b.rowKreis = map[int]string{}
	var records []*record
	seen := map[string]int{}
	for _, row := range t.Rows {
		key, name := text(row, colKey), text(row, colName)
		typName := text(row, colType)
		typ, ok := administrationTypes[slug.Make(typName)]
		if len(key) >= 5 {
			b.rowKreis[row.Line] = key[:5]
			if typ == v1alpha1.TypeKreis {
				b.rowKreis[row.Line] = kreisRow + key
			}
		}
		switch {
		case !ok:
			b.reject(t, row, colType, "unknown type %q, want Kreis, kreisfreie Stadt, kreisangehörige Stadt or kreisangehörige Gemeinde", typName)
			continue
		case typ == v1alpha1.TypeKreis && !kreisKeyPattern.MatchString(key):
			b.reject(t, row, colKey, "key %q of a Kreis is not 5 digits", key)
			continue
		case typ != v1alpha1.TypeKreis && !agsPattern.MatchString(key):
			b.reject(t, row, colKey, "key %q of a municipality is not 8 digits (AGS)", key)
			continue
		case seen[key] > 0:
			b.reject(t, row, colKey, "key %s is used before on line %d", key, seen[key])
			continue
		case name == "":
			b.reject(t, row, colName, "administration %s has no name", key)
			continue
		}
		seen[key] = row.Line
		records = append(records, &record{row: row, key: key, typ: typ, kreis: b.kreisOf(row, key, typ)})
	}
	return records
}

// kreisOf returns the ozg.dev/kreis label, the key's Kreis
// (AdministrationSpec.KreisKey), warning where the Kreis column says
// another.
func (b *administrationsBuilder) kreisOf(row csvtable.Row, key string, typ v1alpha1.AdministrationType) string {
	kreis := (&v1alpha1.AdministrationSpec{Key: key, Type: typ}).KreisKey()
	if typ == v1alpha1.TypeKreis {
		return kreis
	}
	column := text(row, colKreisKey)
	switch {
	case typ == v1alpha1.TypeKreisfreieStadt && column != "" && column != kreis:
		b.warn(b.table, row, colKreisKey, "a kreisfreie Stadt belongs to no Kreis, %q ignored", column)
	case typ == v1alpha1.TypeKreisfreieStadt:
	case column == "":
		b.warn(b.table, row, colKreisKey, "empty, taken from the key: %s", kreis)
	case column != kreis:
		b.warn(b.table, row, colKreisKey, "%q does not match the key %s, which says %s; using %s", column, key, kreis, kreis)
	}
	return kreis
}

// nameRecords gives every record its object name; see ReadAdministrations.
func nameRecords(records []*record) {
	count := map[string]int{}
	for _, r := range records {
		r.base = baseName(text(r.row, colName), r.typ)
		count[r.base]++
	}
	for _, r := range records {
		switch {
		case r.base == "":
			r.name = "adm-" + r.key
		case count[r.base] > 1:
			r.name = slug.Truncate(r.base, slug.MaxLabelValue-len(r.key)-1) + "-" + r.key
		default:
			r.name = r.base
		}
	}
}

func baseName(name string, typ v1alpha1.AdministrationType) string {
	var s string
	if typ == v1alpha1.TypeKreis {
		s = slug.Make(name)
		if !saysKreis(s) {
			s = "kreis-" + s
		}
	} else {
		s = slug.Make(shortName(name))
	}
	// The fleet names a portal after its administration, and a portal's
	// Service needs a DNS-1035 label, which starts with a letter.
	if s != "" && (s[0] < 'a' || s[0] > 'z') {
		s = "adm-" + s
	}
	return slug.Truncate(s, slug.MaxLabelValue)
}

// saysKreis reports whether a Kreis' name already says what it is:
// "Rhein-Kreis Neuss", "Hochsauerlandkreis", "Städteregion Aachen".
func saysKreis(s string) bool {
	return strings.Contains(s, "kreis") || strings.Contains(s, "region")
}

// shortName drops what follows the first comma of an official name:
// "Düsseldorf, Stadt" is Düsseldorf, "Hagen, Stadt der FernUniversität" is
// Hagen.
func shortName(name string) string {
	short, _, _ := strings.Cut(name, ",")
	return strings.TrimSpace(short)
}

func displayName(name string, typ v1alpha1.AdministrationType) string {
	if typ == v1alpha1.TypeKreis && !saysKreis(slug.Make(name)) {
		return "Kreis " + name
	}
	return shortName(name)
}

func (b *administrationsBuilder) build(r *record, kreisNames map[string]string, opts AdministrationOptions) v1alpha1.Administration {
	itProvider := opts.ITProvider
	t, row := b.table, r.row
	official := text(row, colName)
	spec := v1alpha1.AdministrationSpec{
		Key:         r.key,
		ARS:         b.ars(row, r),
		DisplayName: b.fit(t, row, colName, displayName(official, r.typ), v1alpha1.MaxDisplayNameLength),
		Type:        r.typ,
		Region:      b.fit(t, row, colRegion, text(row, colRegion), v1alpha1.MaxRegionLength),
		ITProvider:  itProvider,
		Population:  b.population(row, r.typ),
		Address:     b.address(row, r.typ),
	}
	if r.typ == v1alpha1.TypeKreisangehoerigeStadt || r.typ == v1alpha1.TypeKreisangehoerigeGemeinde {
		if parent, ok := kreisNames[r.kreis]; ok {
			spec.Parent = parent
		} else {
			b.warn(t, row, colKreisKey, "Kreis %s is not in the file, parent left empty", r.kreis)
		}
		// The thresholds are NRW's (§ 4 GO NRW); other Länder have their own.
		if spec.Population != nil && strings.HasPrefix(r.key, nrwKeyPrefix) {
			spec.SizeClass = responsibility.NRWSizeClass(*spec.Population)
		}
	}
	if profile := profileFor(r.key, opts.ResponsibilityProfile); profile != "" {
		spec.Responsibility = &v1alpha1.AdministrationResponsibility{Profile: profile}
	}
	if strings.HasPrefix(r.key, nrwKeyPrefix) {
		b.nrw.apply(r.key, &spec)
	}

	labels := map[string]string{
		v1alpha1.LabelKreis: r.kreis,
		v1alpha1.LabelType:  string(r.typ),
	}
	setLabelValue(labels, v1alpha1.LabelITProvider, itProvider)
	return v1alpha1.Administration{
		TypeMeta: typeMeta("Administration"),
		ObjectMeta: metav1.ObjectMeta{
			Name:        r.name,
			Labels:      labels,
			Annotations: map[string]string{AnnotationOfficialName: official},
		},
		Spec: spec,
	}
}

// profileFor is the responsibility profile of the administration with key:
// the one asked for, else the Land's that the project ships.
func profileFor(key, asked string) string {
	if asked != "" {
		return asked
	}
	if strings.HasPrefix(key, nrwKeyPrefix) {
		return NRWProfile
	}
	return ""
}

// ars is the row's Amtlicher Regionalschlüssel: the ars column's if the
// file has one and it fits the key, else for NRW the one derived from the
// key (NRWARS), else none.
func (b *administrationsBuilder) ars(row csvtable.Row, r *record) string {
	derived := ""
	if strings.HasPrefix(r.key, nrwKeyPrefix) {
		derived = NRWARS(r.key, r.typ)
	}
	v := text(row, colARS)
	var problem string
	switch {
	case v == "":
		return derived
	case !arsPattern.MatchString(v):
		problem = fmt.Sprintf("%q is not a 12-digit Amtlicher Regionalschlüssel", v)
	case !ARSExtendsKey(v, r.key, r.typ):
		problem = fmt.Sprintf("%s does not extend the key %s", v, r.key)
	default:
		return v
	}
	if derived != "" {
		b.warn(b.table, row, colARS, "%s; derived %s from the key", problem, derived)
	} else {
		b.warn(b.table, row, colARS, "%s, left empty", problem)
	}
	return derived
}

// NRWARS derives the Amtlicher Regionalschlüssel of an NRW administration
// from its key. The ARS is Land, Regierungsbezirk and Kreis (the AGS's
// first five digits), the Gemeindeverband (4) and the Gemeinde (3). NRW has
// no Gemeindeverbände (Ämter, Verbandsgemeinden): every municipality is
// verbandsfrei, and Destatis writes the Gemeindeverband part of a
// verbandsfreie Gemeinde as 0 followed by its Gemeinde part. So Detmold
// (AGS 05766020) is 05766 0020 020, the kreisfreie Stadt Köln (05315000)
// 05315 0000 000, and the Kreis Lippe (05766) 05766 0000 000.
func NRWARS(key string, typ v1alpha1.AdministrationType) string {
	if typ == v1alpha1.TypeKreis {
		return key + "0000000"
	}
	return key[:5] + "0" + key[5:] + key[5:]
}

// ARSExtendsKey is the API's rule (spec.ars must extend spec.key): a
// Kreis' ARS is its key and seven zeros; a municipality's starts with the
// first five digits of its AGS and ends with the last three.
func ARSExtendsKey(ars, key string, typ v1alpha1.AdministrationType) bool {
	if typ == v1alpha1.TypeKreis {
		return ars == key+"0000000"
	}
	return len(key) == 8 && strings.HasPrefix(ars, key[:5]) && strings.HasSuffix(ars, key[5:])
}

func (b *administrationsBuilder) population(row csvtable.Row, typ v1alpha1.AdministrationType) *int64 {
	v := text(row, colPopulation)
	if v == "" {
		if typ != v1alpha1.TypeKreis {
			b.warn(b.table, row, colPopulation, "no population, left empty")
		}
		return nil
	}
	n, ok := inhabitants(v)
	if !ok {
		b.warn(b.table, row, colPopulation, "%q is not a number of inhabitants, left empty", v)
		return nil
	}
	return &n
}

// Numbers of inhabitants as spreadsheets write them: 9557, with German
// thousands separators (1.234.567), with a fraction of zeros (9557,0, or
// 9557.0 from an English export). Anything else (8.5, 5.381.2) is no
// count of people, and dropping its points would multiply it.
var inhabitantsPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^([0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,0+)?$`),
	regexp.MustCompile(`^([0-9]+)\.0+$`),
}

func inhabitants(v string) (int64, bool) {
	for _, p := range inhabitantsPatterns {
		if m := p.FindStringSubmatch(v); m != nil {
			n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ".", ""), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func (b *administrationsBuilder) address(row csvtable.Row, typ v1alpha1.AdministrationType) *v1alpha1.PostalAddress {
	t := b.table
	a := v1alpha1.PostalAddress{
		Recipient: b.fit(t, row, colRecipient, text(row, colRecipient), v1alpha1.MaxAddressLineLength),
		Street:    b.fit(t, row, colStreet, text(row, colStreet), v1alpha1.MaxAddressLineLength),
	}
	if pc := text(row, colPostalCity); pc != "" {
		if code, city, ok := strings.Cut(pc, " "); ok && postalCodePattern.MatchString(code) {
			a.PostalCode, a.City = code, city
		} else {
			b.warn(t, row, colPostalCity, "%q is not a 5-digit postal code and a place, kept as city", pc)
			a.City = pc
		}
		a.City = b.fit(t, row, colPostalCity, a.City, v1alpha1.MaxCityLength)
	}
	if a == (v1alpha1.PostalAddress{}) {
		if typ != v1alpha1.TypeKreis {
			b.warn(t, row, colRecipient, "no address, left empty")
		}
		return nil
	}
	return &a
}

// dropIssuesOutside removes the issues of rows a filter leaves out, so
// that --strict judges only what is imported: the Kreis rows of the
// filter's Kreise count with --with-kreise. Issues of rows whose Kreis
// cannot be told are kept.
// kreisRow marks a Kreis' own row in rowKreis: --with-kreise imports it.
const kreisRow = "kreis:"

func (b *administrationsBuilder) dropIssuesOutside(keep map[string]bool, withKreise bool) {
	issues := b.report.Issues[:0]
	for _, i := range b.report.Issues {
		kreis, known := b.rowKreis[i.Line]
		ownRow := false
		if key, ok := strings.CutPrefix(kreis, kreisRow); ok {
			kreis, ownRow = key, true
		}
		if !known || (keep[kreis] && (!ownRow || withKreise)) {
			issues = append(issues, i)
		}
	}
	b.report.Issues = issues
}
