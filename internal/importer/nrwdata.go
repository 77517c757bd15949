package importer

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
)

// The responsibility facts of NRW below the Land's profile, shipped as
// data with a source per row (internal/importer/data/README.md): the towns
// that run their own Jugendamt and the Kreise that delegate a task to all
// their towns. The importer writes them into the administrations it builds
// for NRW keys.
var (
	//go:embed data/nrw-jugendaemter.csv
	nrwJugendaemterFile []byte
	//go:embed data/nrw-delegations.csv
	nrwDelegationsFile []byte
)

// NRWFacts are the parsed NRW data files.
type NRWFacts struct {
	// Jugendaemter maps the key of each body that runs a Jugendamt to its
	// name: the kreisfreie Städte, the Kreise that have one (four have
	// none: all their towns run their own, or by agreement a neighbour's)
	// and the kreisangehörige towns that run their own (§ 2 AG-KJHG NRW).
	Jugendaemter map[string]string
	// Delegations maps a Kreis key to the overrides that reach all its
	// municipalities.
	Delegations map[string][]v1alpha1.ResponsibilityOverride
}

// LoadNRWFacts parses the shipped NRW data once; an error means a broken
// build, which the importer's tests catch.
var LoadNRWFacts = sync.OnceValues(func() (*NRWFacts, error) {
	f := &NRWFacts{Jugendaemter: map[string]string{}, Delegations: map[string][]v1alpha1.ResponsibilityOverride{}}
	t, err := csvtable.Parse("data/nrw-jugendaemter.csv", nrwJugendaemterFile, colKey, colName, "kreis", "source")
	if err != nil {
		return nil, err
	}
	if len(t.Malformed) > 0 {
		return nil, fmt.Errorf("data/nrw-jugendaemter.csv: %d malformed rows", len(t.Malformed))
	}
	for _, row := range t.Rows {
		key := text(row, colKey)
		if !kreisKeyPattern.MatchString(key) && !agsPattern.MatchString(key) || f.Jugendaemter[key] != "" {
			return nil, fmt.Errorf("data/nrw-jugendaemter.csv:%d: %q is no Kreis key or AGS, or a second row of one", row.Line, key)
		}
		f.Jugendaemter[key] = text(row, colName)
	}
	t, err = csvtable.Parse("data/nrw-delegations.csv", nrwDelegationsFile, colKreisKey, "ozg_id", "level", "reason")
	if err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		kreis, id := text(row, colKreisKey), text(row, "ozg_id")
		level, ok := levels[strings.ToLower(text(row, "level"))]
		if !kreisKeyPattern.MatchString(kreis) || !ozgIDPattern.MatchString(id) || !ok || len(text(row, "reason")) > v1alpha1.MaxPlacementTextLength {
			return nil, fmt.Errorf("data/nrw-delegations.csv:%d: needs a Kreis key, an OZG-ID, a level and a reason of at most %d bytes", row.Line, v1alpha1.MaxPlacementTextLength)
		}
		f.Delegations[kreis] = append(f.Delegations[kreis], v1alpha1.ResponsibilityOverride{Service: "ozg-" + id, Level: level, Reason: text(row, "reason")})
	}
	if len(t.Malformed) > 0 {
		return nil, fmt.Errorf("data/nrw-delegations.csv: %d malformed rows", len(t.Malformed))
	}
	return f, nil
})

// apply writes the facts about the administration with key into spec: a
// Kreis's delegations as its overrides, a town's own Jugendamt as an
// authority it runs.
func (f *NRWFacts) apply(key string, spec *v1alpha1.AdministrationSpec) {
	if spec.Responsibility == nil {
		spec.Responsibility = &v1alpha1.AdministrationResponsibility{}
	}
	r := spec.Responsibility
	switch {
	case spec.Type == v1alpha1.TypeKreis:
		r.Overrides = slices.Clone(f.Delegations[key])
	case spec.Type == v1alpha1.TypeKreisangehoerigeStadt || spec.Type == v1alpha1.TypeKreisangehoerigeGemeinde:
		if f.Jugendaemter[key] != "" {
			r.Authorities = []v1alpha1.Authority{v1alpha1.AuthorityJugendamt}
		}
	}
	if len(r.Overrides) == 0 && len(r.Authorities) == 0 && r.Profile == "" {
		spec.Responsibility = nil
	}
}
