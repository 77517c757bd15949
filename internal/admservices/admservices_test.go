package admservices

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func administration(services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "05766020", Annotations: map[string]string{"kept": "yes"}},
		Spec:       ozgv1.AdministrationSpec{Services: services},
	}
}

// randomServices are entries with every field set or unset, strings
// repeated and unique, long and multi-byte ones among them.
func randomServices(rng *rand.Rand, n int) []ozgv1.ServiceImplementation {
	states := []ozgv1.ServiceState{"", ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	trust := []ozgv1.TrustLevel{"", ozgv1.TrustLevelLow, ozgv1.TrustLevelSubstantial, ozgv1.TrustLevelHigh}
	tools := []string{"", "Formularserver", "Civento", "Form-Solutions Antragsmanagement für Bürger*innen – ä ö ü ß"}
	out := make([]ozgv1.ServiceImplementation, n)
	for i := range out {
		s := ozgv1.ServiceImplementation{
			Service:    fmt.Sprintf("ozg-%05d", 10000+i),
			State:      states[rng.IntN(len(states))],
			Tool:       tools[rng.IntN(len(tools))],
			TrustLevel: trust[rng.IntN(len(trust))],
		}
		switch rng.IntN(4) {
		case 0:
		case 1:
			s.Maturity = ptr.To(int32(rng.IntN(5)))
		case 2:
			// Outside what the API allows, yet kept as it was.
			s.Maturity = ptr.To(int32(rng.IntN(1<<20)) - 1<<19)
		default:
			s.Maturity = ptr.To(int32(0))
		}
		if rng.IntN(3) == 0 {
			s.URL = "https://example.de/antrag/" + strings.Repeat("x", rng.IntN(300)) + fmt.Sprint(i)
		}
		out[i] = s
	}
	return out
}

func TestCompactKeepsEveryEntry(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 6))
	for _, n := range []int{1, 2, 127, 128, 129, 600, 2000} {
		want := randomServices(rng, n)
		adm := administration(want...)
		plain := adm.DeepCopy()
		Compact(adm)
		if len(adm.Spec.Services) != 0 {
			t.Fatalf("%d entries: spec.services kept %d entries", n, len(adm.Spec.Services))
		}
		// Again, as an informer's resync hands the transform what it holds.
		Compact(adm)
		if adm.Annotations["kept"] != "yes" {
			t.Fatalf("%d entries: the other annotations are gone: %v", n, adm.Annotations)
		}
		for what, got := range map[string][]ozgv1.ServiceImplementation{
			"decoded":       Of(adm),
			"walked":        collect(All(adm)),
			"walked, plain": collect(All(plain)),
			// As the cache's Get returns it.
			"a deep copy decoded": Of(adm.DeepCopy()),
			"a plain object":      Of(plain),
		} {
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("%d entries: %s differs:\nwant %+v\ngot  %+v", n, what, want, got)
			}
		}
		// What an entry costs besides its own URL and service: the API
		// type's entry costs 88 bytes before its strings.
		size := len(adm.Annotations[Annotation])
		for _, s := range want {
			size -= len(s.URL) + len(s.Service)
		}
		if per := float64(size) / float64(n); n >= 600 && per > 12 {
			t.Errorf("%d entries: %.1f bytes per entry besides URL and service", n, per)
		}
	}
}

// collect copies what All yields, as a caller that keeps entries must.
func collect(seq func(func(*ozgv1.ServiceImplementation) bool)) []ozgv1.ServiceImplementation {
	var out []ozgv1.ServiceImplementation
	for s := range seq {
		out = append(out, *s)
	}
	return out
}

func TestAllStopsWhenAsked(t *testing.T) {
	adm := administration(randomServices(rand.New(rand.NewPCG(5, 6)), 30)...)
	Compact(adm)
	var seen []string
	for s := range All(adm) {
		seen = append(seen, s.Service)
		if len(seen) == 3 {
			break
		}
	}
	if want := []string{"ozg-10000", "ozg-10001", "ozg-10002"}; !reflect.DeepEqual(seen, want) {
		t.Fatalf("All yielded %v before the break, want %v", seen, want)
	}
}

func TestCompactLeavesAnAdministrationWithoutServices(t *testing.T) {
	adm := administration()
	Compact(adm)
	if _, ok := adm.Annotations[Annotation]; ok {
		t.Fatalf("an administration without services got the annotation")
	}
	if got := Of(adm); got != nil {
		t.Fatalf("Of = %v, want nil", got)
	}
}

// Someone may set the annotation on the API server: the cache keeps only
// Compact's.
func TestCompactDropsAForeignAnnotation(t *testing.T) {
	adm := administration()
	adm.Annotations[Annotation] = "not ours"
	Compact(adm)
	if _, ok := adm.Annotations[Annotation]; ok || Of(adm) != nil || len(collect(All(adm))) != 0 {
		t.Fatalf("after Compact: annotations %v, entries %v", adm.Annotations, Of(adm))
	}
	// Read from the API server (ozgctl), not through the cache: ignored,
	// with the format's start or without.
	for _, value := range []string{"not ours", format + "\x05\x01a"} {
		direct := administration()
		direct.Annotations[Annotation] = value
		if got := Of(direct); got != nil {
			t.Fatalf("Of(%q) = %v, want nil", value, got)
		}
	}
	withServices := administration(ozgv1.ServiceImplementation{Service: "ozg-10110"})
	withServices.Annotations[Annotation] = "not ours"
	Compact(withServices)
	if got := Of(withServices); len(got) != 1 || got[0].Service != "ozg-10110" {
		t.Fatalf("Of = %v, want the entry", got)
	}
}

// An object whose spec.services a caller set again (a test's copy of a
// cached object) reads as set.
func TestOfPrefersSetServices(t *testing.T) {
	adm := administration(ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
	Compact(adm)
	adm.Spec.Services = []ozgv1.ServiceImplementation{{Service: "ozg-10200"}}
	if got := Of(adm); len(got) != 1 || got[0].Service != "ozg-10200" {
		t.Fatalf("Of = %v, want the set entry", got)
	}
}

func TestStripReplacesTheAnnotations(t *testing.T) {
	adm := administration(ozgv1.ServiceImplementation{Service: "ozg-10110"})
	Compact(adm)
	shared := adm.Annotations
	Strip(adm)
	if _, ok := adm.Annotations[Annotation]; ok || adm.Annotations["kept"] != "yes" {
		t.Fatalf("annotations after Strip: %v", adm.Annotations)
	}
	if _, ok := shared[Annotation]; !ok {
		t.Fatalf("Strip changed the map it was given, which a cached object may share")
	}
	plain := administration()
	Strip(plain)
	if plain.Annotations["kept"] != "yes" {
		t.Fatalf("Strip without the annotation changed %v", plain.Annotations)
	}
}

func TestDecodeRefusesDamagedData(t *testing.T) {
	adm := administration(randomServices(rand.New(rand.NewPCG(1, 2)), 50)...)
	Compact(adm)
	data := strings.TrimPrefix(adm.Annotations[Annotation], format)
	for _, damaged := range []string{"", data[:len(data)-1], data[:len(data)/2], data + "\x00", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "\x01\x05ab"} {
		if _, err := decode(damaged); err == nil {
			t.Errorf("decode(%q...) succeeded", damaged[:min(len(damaged), 12)])
		}
	}
}

// benchServices are 200 entries with maturities the API allows.
func benchServices() []ozgv1.ServiceImplementation {
	services := randomServices(rand.New(rand.NewPCG(3, 4)), 200)
	for i := range services {
		if m := services[i].Maturity; m != nil && (*m < 0 || *m > 4) {
			services[i].Maturity = ptr.To(int32(3))
		}
	}
	return services
}

// BenchmarkOf decodes an administration of the NRW catalogue's size, as a
// reader of a cached object does.
func BenchmarkOf(b *testing.B) {
	adm := administration(benchServices()...)
	Compact(adm)
	b.ReportMetric(float64(len(adm.Annotations[Annotation]))/200, "bytes/entry")
	for b.Loop() {
		_ = Of(adm)
	}
}

// BenchmarkAll walks the same entries without a slice of them.
func BenchmarkAll(b *testing.B) {
	adm := administration(benchServices()...)
	Compact(adm)
	for b.Loop() {
		for s := range All(adm) {
			_ = s
		}
	}
}
