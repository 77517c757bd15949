// Package admservices keeps an Administration's service entries compact in
// the manager's cache, and reads them back from a cached or a plain object.
//
// At Germany's scale 11,000 administrations track 2.2 million services. As
// the API type (five strings and a pointer, 88 bytes each) the entries were
// half of the manager's live heap even with their strings shared. Compact
// encodes them into one string per administration: its distinct strings
// once, then each entry as indices into them, a few bytes per entry. Of
// decodes them into entries whose strings are slices of that string, so a
// read copies no text.
//
// Every reader of an Administration's services that may be handed a
// cached object reads them through Of or All; a cached object's
// spec.services is empty.
package admservices

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Annotation holds the compact entries of a cached Administration. It
// exists only in the manager's cache: the status writes drop it, and the API
// server ignores an annotation sent to the status subresource anyway.
const Annotation = "ozg.dev/cache-services"

// format starts what Compact writes: an annotation of the name without it
// is someone else's, set on the API server, and is not read.
const format = "ozg-compact-1:"

// noMaturity encodes an entry without a maturity; maturity m is m+1.
const noMaturity = 0

// Compact moves adm's service entries into the annotation. It may be
// handed an object it compacted before (an informer's transform runs again
// on the objects it holds when it resyncs) and leaves that as it is. An
// annotation of that name set on the API server goes: it is not in
// Compact's format, and what is in it may not decode. Cached objects are
// read only (a Get returns a deep copy, which shares the string), so the
// annotation's text may be shared by every copy.
func Compact(adm *ozgv1.Administration) {
	if len(adm.Spec.Services) == 0 {
		if !strings.HasPrefix(adm.Annotations[Annotation], format) {
			delete(adm.Annotations, Annotation)
		}
		return
	}
	if adm.Annotations == nil {
		adm.Annotations = map[string]string{}
	}
	adm.Annotations[Annotation] = encode(adm.Spec.Services)
	adm.Spec.Services = nil
}

// Of is adm's service entries: decoded from the annotation of a cached
// object, else spec.services. The entries are the caller's own; their
// strings may share the annotation's text.
func Of(adm *ozgv1.Administration) []ozgv1.ServiceImplementation {
	data, ok := compacted(adm)
	if !ok {
		return adm.Spec.Services
	}
	services, err := decode(data)
	if err != nil {
		// Not Compact's: an annotation of that name set on the API server,
		// on an object read from it (ozgctl). The spec says it all.
		return adm.Spec.Services
	}
	return services
}

// compacted is the annotation's data if adm's entries are in it: not for
// an object that did not come from the cache, nor for a copy whose
// spec.services a caller set again (a test).
func compacted(adm *ozgv1.Administration) (string, bool) {
	data, ok := strings.CutPrefix(adm.Annotations[Annotation], format)
	return data, ok && len(adm.Spec.Services) == 0
}

// All yields adm's entries in turn, as Of has them, without a slice of
// them all: for a reader that keeps none of them (the entry it is handed is
// reused for the next one) and reads many administrations, as a
// programme's recount does.
func All(adm *ozgv1.Administration) iter.Seq[*ozgv1.ServiceImplementation] {
	return func(yield func(*ozgv1.ServiceImplementation) bool) {
		data, ok := compacted(adm)
		if !ok {
			for i := range adm.Spec.Services {
				if !yield(&adm.Spec.Services[i]) {
					return
				}
			}
			return
		}
		// Entries that do not decode are not Compact's (see Of): an
		// annotation written to look like its format on purpose, on an
		// object read from the API server, may yield some entries first.
		_ = each(data, nil, yield)
	}
}

// Strip takes the annotation off obj, for a copy about to be sent to the
// API server. It replaces the annotations instead of changing them: a
// cached object may share them.
func Strip(obj metav1.Object) {
	a := obj.GetAnnotations()
	if _, ok := a[Annotation]; !ok {
		return
	}
	kept := make(map[string]string, len(a)-1)
	for k, v := range a {
		if k != Annotation {
			kept[k] = v
		}
	}
	obj.SetAnnotations(kept)
}

// encode writes format, then: the count of distinct strings, each as its
// length and bytes; the count of entries, each as the indices of its
// service, state, tool, trust level and URL, and its maturity; all as
// uvarints.
func encode(services []ozgv1.ServiceImplementation) string {
	index := map[string]uint64{}
	var table []string
	ref := func(s string) uint64 {
		i, ok := index[s]
		if !ok {
			i = uint64(len(table))
			index[s] = i
			table = append(table, s)
		}
		return i
	}
	refs := make([]uint64, 0, 6*len(services))
	for i := range services {
		s := &services[i]
		maturity := uint64(noMaturity)
		if s.Maturity != nil {
			maturity = uint64(uint32(*s.Maturity)) + 1
		}
		refs = append(refs, ref(s.Service), ref(string(s.State)), ref(s.Tool), ref(string(s.TrustLevel)), ref(s.URL), maturity)
	}
	size := len(format) + 2*binary.MaxVarintLen64
	for _, s := range table {
		size += binary.MaxVarintLen64 + len(s)
	}
	buf := append(make([]byte, 0, size+len(refs)*2), format...)
	buf = binary.AppendUvarint(buf, uint64(len(table)))
	for _, s := range table {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(services)))
	for _, r := range refs {
		buf = binary.AppendUvarint(buf, r)
	}
	return string(buf)
}

var errTruncated = errors.New("truncated")

// decode reads what encode wrote; the strings are slices of data.
func decode(data string) ([]ozgv1.ServiceImplementation, error) {
	var services []ozgv1.ServiceImplementation
	err := each(data, func(n int) { services = make([]ozgv1.ServiceImplementation, 0, n) },
		func(s *ozgv1.ServiceImplementation) bool {
			services = append(services, *s)
			return true
		})
	return services, err
}

// reader reads uvarints and strings off data.
type reader struct {
	data string
	pos  int
}

func (r *reader) next() (uint64, error) {
	v, n := uvarint(r.data[r.pos:])
	if n <= 0 {
		return 0, errTruncated
	}
	r.pos += n
	return v, nil
}

func (r *reader) str(table []string) (string, error) {
	i, err := r.next()
	if err != nil {
		return "", err
	}
	if i >= uint64(len(table)) {
		return "", fmt.Errorf("string index %d of %d", i, len(table))
	}
	return table[i], nil
}

// each decodes data into one entry after another, handing each to yield
// (which must not keep it: the next entry is decoded into it) until yield
// returns false; sized learns the number of entries first.
func each(data string, sized func(int), yield func(*ozgv1.ServiceImplementation) bool) error {
	r := reader{data: data}
	n, err := r.next()
	if err != nil || n > uint64(len(data)) {
		return fmt.Errorf("string count: %w", errTruncated)
	}
	// A few hundred strings at most for an administration's entries: on
	// the stack unless there are more.
	var stack [512]string
	table := stack[:0]
	if n > uint64(len(stack)) {
		table = make([]string, 0, n)
	}
	for i := range n {
		l, err := r.next()
		if err != nil || l > uint64(len(data)-r.pos) {
			return fmt.Errorf("string %d: %w", i, errTruncated)
		}
		table = append(table, data[r.pos:r.pos+int(l)])
		r.pos += int(l)
	}
	m, err := r.next()
	if err != nil || m > uint64(len(data)) {
		return fmt.Errorf("entry count: %w", errTruncated)
	}
	if sized != nil {
		sized(int(m))
	}
	var s ozgv1.ServiceImplementation
	for i := range m {
		var state, trust string
		if s.Service, err = r.str(table); err == nil {
			if state, err = r.str(table); err == nil {
				if s.Tool, err = r.str(table); err == nil {
					if trust, err = r.str(table); err == nil {
						s.URL, err = r.str(table)
					}
				}
			}
		}
		var maturity uint64
		if err == nil {
			maturity, err = r.next()
		}
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		s.State, s.TrustLevel, s.Maturity = ozgv1.ServiceState(state), ozgv1.TrustLevel(trust), nil
		if maturity != noMaturity {
			s.Maturity = maturityOf(int32(uint32(maturity - 1)))
		}
		if !yield(&s) {
			return nil
		}
	}
	if r.pos != len(data) {
		return fmt.Errorf("%d bytes after the entries", len(data)-r.pos)
	}
	return nil
}

// uvarint is binary.Uvarint on a string, which it reads without a copy.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

// maturities are the shared values the API allows (0 to 4): a decoded
// entry points at one of them instead of a value of its own.
var maturities = func() [5]int32 {
	var m [5]int32
	for i := range m {
		m[i] = int32(i)
	}
	return m
}()

func maturityOf(m int32) *int32 {
	if m >= 0 && int(m) < len(maturities) {
		return &maturities[m]
	}
	// Declared here, so that only such a value is allocated.
	other := m
	return &other
}
