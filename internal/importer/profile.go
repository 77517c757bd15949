package importer

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
)

// Columns of a responsibility table (hack/profiles/nrw/services.csv).
const (
	colProfileOZGID      = "ozg_id"
	colProfileLeiKa      = "leika_schluessel"
	colProfileLevel      = "level"
	colProfileHeldBy     = "held_by"
	colProfileLegalBasis = "legal_basis"
	colProfileNote       = "note"
	// colProfileAuthority is optional: the Kreis-level authority that
	// carries a Kreis task (Jugendamt), which some towns run themselves.
	colProfileAuthority = "authority"
)

// heldByNames are the size classes as a table writes them.
var heldByNames = map[string]v1alpha1.SizeClass{
	"grosse":   v1alpha1.SizeClassGrosse,
	"mittlere": v1alpha1.SizeClassMittlere,
}

// levels are the levels as a table may write them.
var levels = map[string]v1alpha1.Level{
	"bund": v1alpha1.LevelBund, "land": v1alpha1.LevelLand, "kreis": v1alpha1.LevelKreis,
	"gemeinde": v1alpha1.LevelGemeinde, "kammer": v1alpha1.LevelKammer,
	"sozialversicherung": v1alpha1.LevelSozialversicherung, "unknown": v1alpha1.LevelUnknown,
}

// ProfileOptions name the profile ReadProfile builds.
type ProfileOptions struct {
	// Name is the object's name, e.g. NRWProfile.
	Name string
	// Land is spec.land.
	Land string
	// Typisierung places the services whose typisierung decides, e.g.
	// {"1": Bund, "5": Gemeinde}.
	Typisierung map[string]v1alpha1.Level
}

// NRWTypisierung are the typisierung rules of the NRW profile: 1 is federal
// execution, 5 municipal rules executed by the municipality. 2/3 and 4 do
// not decide: federal or Land rules executed by Land or Kommune.
var NRWTypisierung = map[string]v1alpha1.Level{"1": v1alpha1.LevelBund, "5": v1alpha1.LevelGemeinde}

// Profile is the result of reading a responsibility table.
type Profile struct {
	Profile v1alpha1.ResponsibilityProfile
	Report  Report
}

// ReadProfile reads a responsibility table (columns ozg_id,
// leika_schluessel, level, held_by, legal_basis, note and optionally
// authority; one row per OZG
// service, and rows with a LeiKa key for LeiKa services that sit elsewhere
// than their OZG service, after it) into a ResponsibilityProfile. A row
// that breaks a rule of the API is rejected with its line; the others are
// kept.
func ReadProfile(path string, opts ProfileOptions) (*Profile, error) {
	t, err := csvtable.Read(path, colProfileOZGID, colProfileLeiKa, colProfileLevel, colProfileHeldBy, colProfileLegalBasis, colProfileNote)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" || opts.Land == "" {
		return nil, fmt.Errorf("a responsibility profile needs a name and a Land")
	}
	p := &Profile{}
	f := findings{report: &p.Report}
	f.rejectMalformed(t)
	spec := v1alpha1.ResponsibilityProfileSpec{Land: opts.Land}
	for _, typ := range slices.Sorted(maps.Keys(opts.Typisierung)) {
		spec.Typisierung = append(spec.Typisierung, v1alpha1.TypisierungRule{Typisierung: typ, Level: opts.Typisierung[typ]})
	}
	rows := map[string]int{} // service -> index in spec.Services
	for _, row := range t.Rows {
		id, key := text(row, colProfileOZGID), text(row, colProfileLeiKa)
		if !ozgIDPattern.MatchString(id) {
			f.reject(t, row, colProfileOZGID, "%q is not a 5-digit OZG-ID", id)
			continue
		}
		service := "ozg-" + id
		placement, ok := readPlacement(f, t, row)
		if !ok {
			continue
		}
		i, seen := rows[service]
		switch {
		case key == "" && seen:
			f.reject(t, row, colProfileOZGID, "OZG-ID %s has a row already", id)
		case key == "":
			rows[service] = len(spec.Services)
			spec.Services = append(spec.Services, v1alpha1.ServiceResponsibility{Service: service, Placement: placement})
		case !leikaKeyPattern.MatchString(key):
			f.reject(t, row, colProfileLeiKa, "%q is not a 14-digit LeiKa key", key)
		case !seen:
			f.reject(t, row, colProfileLeiKa, "LeiKa service %s comes before a row of its OZG service %s", key, id)
		case slices.ContainsFunc(spec.Services[i].Leistungen, func(l v1alpha1.LeistungResponsibility) bool { return l.Key == key }):
			f.reject(t, row, colProfileLeiKa, "LeiKa service %s has a row already", key)
		case len(spec.Services[i].Leistungen) >= v1alpha1.MaxProfileLeistungen:
			f.reject(t, row, colProfileLeiKa, "OZG service %s has %d LeiKa rows already, at most %d are allowed", id, v1alpha1.MaxProfileLeistungen, v1alpha1.MaxProfileLeistungen)
		default:
			s := &spec.Services[i]
			s.Leistungen = append(s.Leistungen, v1alpha1.LeistungResponsibility{Key: key, Placement: placement})
		}
	}
	p.Profile = v1alpha1.ResponsibilityProfile{
		TypeMeta:   typeMeta("ResponsibilityProfile"),
		ObjectMeta: metav1.ObjectMeta{Name: opts.Name},
		Spec:       spec,
	}
	p.Report.Rows = t.Records()
	p.Report.Objects = 1
	p.Report.sort()
	return p, nil
}

// readPlacement reads a row's placement, rejecting what the CRD would.
func readPlacement(f findings, t *csvtable.Table, row csvtable.Row) (v1alpha1.Placement, bool) {
	p := v1alpha1.Placement{
		LegalBasis: f.fit(t, row, colProfileLegalBasis, text(row, colProfileLegalBasis), v1alpha1.MaxPlacementTextLength),
		Note:       f.fit(t, row, colProfileNote, text(row, colProfileNote), v1alpha1.MaxPlacementTextLength),
	}
	level, ok := levels[strings.ToLower(text(row, colProfileLevel))]
	if !ok {
		f.reject(t, row, colProfileLevel, "%q is not a level (Bund, Land, Kreis, Gemeinde, Kammer, Sozialversicherung or Unknown)", text(row, colProfileLevel))
		return p, false
	}
	p.Level = level
	for _, name := range strings.Split(text(row, colProfileHeldBy), ";") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		c, ok := heldByNames[strings.ToLower(name)]
		if !ok {
			f.reject(t, row, colProfileHeldBy, "%q is not a size class (Grosse or Mittlere)", name)
			return p, false
		}
		if !slices.Contains(p.HeldBy, c) {
			p.HeldBy = append(p.HeldBy, c)
		}
	}
	p.Authority = v1alpha1.Authority(text(row, colProfileAuthority))
	switch {
	case len(p.HeldBy) > 0 && level != v1alpha1.LevelKreis:
		f.reject(t, row, colProfileHeldBy, "held_by names the size classes that hold a Kreis task themselves: only for level Kreis")
	case p.Authority != "" && !authorityPattern.MatchString(string(p.Authority)):
		f.reject(t, row, colProfileAuthority, "%q is not an authority name (a CamelCase word such as Jugendamt)", p.Authority)
	case p.Authority != "" && level != v1alpha1.LevelKreis:
		f.reject(t, row, colProfileAuthority, "authority names the authority that carries a Kreis task: only for level Kreis")
	case level != v1alpha1.LevelUnknown && p.LegalBasis == "":
		f.reject(t, row, colProfileLegalBasis, "a placed service needs its legal basis")
	case level == v1alpha1.LevelUnknown && p.Note == "":
		f.reject(t, row, colProfileNote, "an Unknown service needs a note saying why it cannot be placed")
	default:
		return p, true
	}
	return p, false
}
