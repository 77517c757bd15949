// Package programme computes the progress of a ServiceProgramme: per
// priority, its LeiKa services, the administrations taking part and how
// far each is. It is a pure function of the programme, the catalogue and
// the administrations, shared by the controller and ozgctl.
package programme

import (
	"cmp"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // the target dates' time zone, also in images without zoneinfo

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/percent"
)

// MaxBehind is how many administrations a priority names as furthest behind.
const MaxBehind = 5

// Result is a programme's progress.
type Result struct {
	// Administrations counts those taking part.
	Administrations int32
	// Priorities follow the priority numbers, 1 first.
	Priorities []ozgv1.PriorityStatus
	// Missing names what the spec names and the catalogue lacks:
	// OZGService names and LeiKa keys, in the spec's order.
	Missing []string
	// Next is the next target date still to come (zero if none), when
	// a priority may turn overdue.
	Next time.Time
}

// Compute counts the programme's progress at now. adms are all
// Administrations (the programme's selector picks among them), catalogue
// all OZGServices. It fails only for a selector that does not parse.
func Compute(spec *ozgv1.ServiceProgrammeSpec, adms []ozgv1.Administration, catalogue []ozgv1.OZGService, now time.Time) (*Result, error) {
	selector, err := metav1.LabelSelectorAsSelector(&spec.AdministrationSelector)
	if err != nil {
		return nil, fmt.Errorf("administrationSelector: %w", err)
	}
	var taking []*ozgv1.Administration
	for i := range adms {
		if selector.Matches(labels.Set(adms[i].Labels)) {
			taking = append(taking, &adms[i])
		}
	}
	slices.SortFunc(taking, func(a, b *ozgv1.Administration) int { return cmp.Compare(a.Name, b.Name) })

	r := &Result{Administrations: int32(len(taking))}
	priorities := slices.Clone(spec.Priorities)
	slices.SortFunc(priorities, func(a, b ozgv1.ProgrammePriority) int { return cmp.Compare(a.Priority, b.Priority) })
	items, err := resolve(priorities, catalogue, r)
	if err != nil {
		return nil, err
	}
	// weights[service][k] counts the LeiKa services of the k-th priority
	// that service bundles.
	weights := map[string][]int32{}
	for k, p := range priorities {
		for _, service := range items[p.Priority] {
			w := weights[service]
			if w == nil {
				w = make([]int32, len(priorities))
				weights[service] = w
			}
			w[k]++
		}
	}
	// One pass over every implementation (2.2 million at Germany's scale)
	// counts each administration's Live and InProgress LeiKa services per
	// priority; the rest of a priority's are Open or not tracked. The API
	// lists a service once per administration (spec.services is a map
	// keyed by service), so no implementation counts twice.
	live, inProgress := counters(len(priorities), len(taking)), counters(len(priorities), len(taking))
	for i, a := range taking {
		for impl := range admservices.All(a) {
			w := weights[impl.Service]
			if w == nil {
				continue
			}
			var into [][]int32
			switch cmp.Or(impl.State, ozgv1.DefaultServiceState) {
			case ozgv1.StateLive:
				into = live
			case ozgv1.StateInProgress:
				into = inProgress
			default:
				continue
			}
			for k, n := range w {
				into[k][i] += n
			}
		}
	}
	for k, p := range priorities {
		st := ozgv1.PriorityStatus{Priority: p.Priority, TargetDate: p.TargetDate, LeiKaServices: int32(len(items[p.Priority]))}
		for _, w := range weights {
			if w[k] > 0 {
				st.Services++
			}
		}
		progress := make([]ozgv1.AdministrationProgress, len(taking))
		for i, a := range taking {
			progress[i] = ozgv1.AdministrationProgress{Name: a.Name, Of: st.LeiKaServices, Live: live[k][i]}
			st.Implementations.Live += live[k][i]
			st.Implementations.InProgress += inProgress[k][i]
		}
		total := st.LeiKaServices * int32(len(taking))
		st.Implementations.Open = total - st.Implementations.Live - st.Implementations.InProgress
		st.ShareLive = share(st.Implementations.Live, total)
		slices.SortStableFunc(progress, func(a, b ozgv1.AdministrationProgress) int { return cmp.Compare(a.Live, b.Live) })
		for _, pr := range progress {
			if len(st.Behind) == MaxBehind || pr.Live == pr.Of {
				break
			}
			st.Behind = append(st.Behind, pr)
		}
		if due, ok := dayAfter(p.TargetDate); ok {
			if now.Before(due) {
				if r.Next.IsZero() || due.Before(r.Next) {
					r.Next = due
				}
			} else {
				st.Overdue = st.Implementations.Live < total
			}
		}
		r.Priorities = append(r.Priorities, st)
	}
	return r, nil
}

// counters is a count per priority and administration.
func counters(priorities, adms int) [][]int32 {
	c := make([][]int32, priorities)
	for k := range c {
		c[k] = make([]int32, adms)
	}
	return c
}

// resolve maps each priority (sorted, 1 first) to the OZG service of each
// of its LeiKa services (an OZG service without a keyed LeiKa service is
// one entry), the first priority naming one keeping it, and notes what is
// missing.
func resolve(priorities []ozgv1.ProgrammePriority, catalogue []ozgv1.OZGService, r *Result) (map[int32][]string, error) {
	byName := make(map[string]*ozgv1.OZGService, len(catalogue))
	ordered := make([]*ozgv1.OZGService, len(catalogue))
	for i := range catalogue {
		ordered[i] = &catalogue[i]
	}
	slices.SortFunc(ordered, func(a, b *ozgv1.OZGService) int { return cmp.Compare(a.Name, b.Name) })
	// A LeiKa key bundled by several OZG services counts as the first one's.
	leika := map[string]string{}
	for _, s := range ordered {
		byName[s.Name] = s
		for _, l := range s.Spec.Leistungen {
			if l.Key != "" {
				if _, ok := leika[l.Key]; !ok {
					leika[l.Key] = s.Name
				}
			}
		}
	}
	seen := map[string]bool{}
	items := map[int32][]string{}
	add := func(p int32, id, service string) {
		if !seen[id] {
			seen[id] = true
			items[p] = append(items[p], service)
		}
	}
	addService := func(p int32, s *ozgv1.OZGService) {
		keyed := false
		for _, l := range s.Spec.Leistungen {
			if l.Key != "" && leika[l.Key] == s.Name {
				add(p, "leika:"+l.Key, s.Name)
				keyed = true
			}
		}
		if !keyed {
			add(p, "ozg:"+s.Name, s.Name)
		}
	}
	for _, p := range priorities {
		for _, name := range p.Services {
			if s := byName[name]; s != nil {
				addService(p.Priority, s)
			} else {
				r.Missing = append(r.Missing, name)
			}
		}
		for _, key := range p.LeiKaKeys {
			if service, ok := leika[key]; ok {
				add(p.Priority, "leika:"+key, service)
			} else {
				r.Missing = append(r.Missing, "LeiKa "+key)
			}
		}
		if p.ServiceSelector != nil {
			selector, err := metav1.LabelSelectorAsSelector(p.ServiceSelector)
			if err != nil {
				return nil, fmt.Errorf("priority %d: serviceSelector: %w", p.Priority, err)
			}
			for _, s := range ordered {
				if selector.Matches(labels.Set(s.Labels)) {
					addService(p.Priority, s)
				}
			}
		}
	}
	return items, nil
}

// share is live of total as a percentage with one decimal, "-" for none;
// never 100.0% while one is not Live (see percent.Format).
func share(live, total int32) string {
	if total == 0 {
		return "-"
	}
	return percent.Format(float64(live)/float64(total), 1)
}

// Germany is the time zone of the target dates: a date is a German
// administration's working day, and it ends at midnight there, not at
// 00:00 UTC (one or two hours later).
var Germany = mustLoadLocation("Europe/Berlin")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: only a wrong name fails
	}
	return loc
}

// dayAfter is the start of the day after a target date in Germany: the
// date itself still counts as in time.
func dayAfter(date string) (time.Time, bool) {
	if date == "" {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation(time.DateOnly, date, Germany)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1), true
}
