// Package tools counts the tools administrations name for their online
// forms (spec.services[].tool). Administrations type the names themselves,
// so names that differ only in case or spacing ("FormSolutions",
// "Form Solutions", "formsolutions ") are one tool, shown in its most
// frequent spelling.
package tools

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Key is the name under which a tool is counted: lower case, without
// spaces. The empty key is no tool.
func Key(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// Spellings counts the spellings of one tool.
type Spellings map[string]int32

// Name is the most frequent spelling (trimmed); of equally frequent ones
// the first in byte order, so that the name does not depend on the order
// the spellings were seen in.
func (s Spellings) Name() string {
	best, n := "", int32(0)
	for spelling, c := range s {
		if c > n || c == n && spelling < best {
			best, n = spelling, c
		}
	}
	return strings.TrimSpace(best)
}

// Tally counts uses of tools by key, with their spellings.
type Tally map[string]Spellings

// Add counts n uses (n < 0 takes them back) of the tool named name; an
// empty name counts nothing. A spelling or tool whose count drops to zero
// is forgotten.
func (t Tally) Add(name string, n int32) {
	k := Key(name)
	if k == "" || n == 0 {
		return
	}
	s := t[k]
	if s == nil {
		s = Spellings{}
		t[k] = s
	}
	s[name] += n
	if s[name] <= 0 {
		delete(s, name)
		if len(s) == 0 {
			delete(t, k)
		}
	}
}

// Count is a tool's name and how often it is used.
type Count struct {
	Name  string
	Count int32
}

// Top returns up to limit tools (all for limit <= 0), the most used first,
// ties by name.
func (t Tally) Top(limit int) []Count {
	counts := make([]Count, 0, len(t))
	for _, s := range t {
		var n int32
		for _, c := range s {
			n += c
		}
		counts = append(counts, Count{Name: s.Name(), Count: n})
	}
	slices.SortFunc(counts, func(a, b Count) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	if limit > 0 && len(counts) > limit {
		counts = counts[:limit]
	}
	return counts
}
