// Package searcheval measures how well the portal's search finds what
// citizens ask for: a query set with the expected services, run against a
// real portal document, scored as success@1 and success@3.
package searcheval

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

// Threshold is the least success@3 the portal's search must reach.
const Threshold = 0.95

// QueriesFile is the query set, relative to the module root.
const QueriesFile = "internal/portal/search/testdata/queries.tsv"

// Query is one citizen query and the services that answer it.
type Query struct {
	// Line is the query's line in its file.
	Line int
	Text string
	// Expected are OZG-IDs; finding any of them counts.
	Expected []string
	// Kind is the query's sort: everyday, abbreviation, typo, compound,
	// two-words, three-words, catalogue or colloquial.
	Kind   string
	Source string
}

var ozgID = regexp.MustCompile(`^[0-9]{5}$`)

// ReadQueries reads a query set: tab-separated query, expected OZG-IDs
// (comma-separated), kind and source, with a header line; "#" starts a
// comment line.
func ReadQueries(path string) ([]Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []Query
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 || strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			return nil, fmt.Errorf("%s:%d: %d columns, want 4 (query, expected, kind, source)", path, n, len(cols))
		}
		q := Query{Line: n, Text: cols[0], Kind: cols[2], Source: cols[3]}
		for _, id := range strings.Split(cols[1], ",") {
			id = strings.TrimSpace(id)
			if !ozgID.MatchString(id) {
				return nil, fmt.Errorf("%s:%d: expected %q is not a 5-digit OZG-ID", path, n, id)
			}
			q.Expected = append(q.Expected, id)
		}
		if strings.TrimSpace(q.Text) == "" || q.Kind == "" || q.Source == "" {
			return nil, fmt.Errorf("%s:%d: query, kind and source must not be empty", path, n)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// Searcher returns the OZG-IDs a query finds, best first.
type Searcher func(query string) ([]string, error)

// Result is one query's outcome.
type Result struct {
	Query
	// Rank is the position of the first expected service, from 1; 0 if it
	// was not found.
	Rank int
	// Top are the first three services found.
	Top []string
}

// Report is the outcome of a query set.
type Report struct {
	Results []Result
}

// Evaluate runs every query.
func Evaluate(queries []Query, search Searcher) (*Report, error) {
	r := &Report{}
	for _, q := range queries {
		found, err := search(q.Text)
		if err != nil {
			return nil, fmt.Errorf("query %q (line %d): %w", q.Text, q.Line, err)
		}
		res := Result{Query: q, Top: found[:min(3, len(found))]}
		for i, id := range found {
			if slices.Contains(q.Expected, id) {
				res.Rank = i + 1
				break
			}
		}
		r.Results = append(r.Results, res)
	}
	return r, nil
}

// SuccessAt is the share of queries whose expected service is among the
// first k found.
func (r *Report) SuccessAt(k int) float64 {
	if len(r.Results) == 0 {
		return 0
	}
	n := 0
	for _, res := range r.Results {
		if res.Rank > 0 && res.Rank <= k {
			n++
		}
	}
	return float64(n) / float64(len(r.Results))
}

// Misses are the results whose expected service is not among the first k.
func (r *Report) Misses(k int) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Rank == 0 || res.Rank > k {
			out = append(out, res)
		}
	}
	return out
}

// Print writes the figures, per kind and overall, and the misses at 3.
func (r *Report) Print(w io.Writer, names map[string]string) {
	kinds := map[string]*Report{}
	var order []string
	for _, res := range r.Results {
		if kinds[res.Kind] == nil {
			kinds[res.Kind] = &Report{}
			order = append(order, res.Kind)
		}
		kinds[res.Kind].Results = append(kinds[res.Kind].Results, res)
	}
	fmt.Fprintf(w, "%-14s %7s %10s %10s\n", "kind", "queries", "success@1", "success@3")
	for _, k := range order {
		fmt.Fprintf(w, "%-14s %7d %9.1f%% %9.1f%%\n", k, len(kinds[k].Results), 100*kinds[k].SuccessAt(1), 100*kinds[k].SuccessAt(3))
	}
	fmt.Fprintf(w, "%-14s %7d %9.1f%% %9.1f%%\n", "all", len(r.Results), 100*r.SuccessAt(1), 100*r.SuccessAt(3))
	misses := r.Misses(3)
	if len(misses) == 0 {
		return
	}
	fmt.Fprintf(w, "\nmisses at 3 (%d):\n", len(misses))
	for _, m := range misses {
		rank := "not found"
		if m.Rank > 0 {
			rank = fmt.Sprintf("rank %d", m.Rank)
		}
		var top []string
		for _, id := range m.Top {
			top = append(top, id+" "+names[id])
		}
		fmt.Fprintf(w, "  line %d %q: want %s, %s; first: %s\n", m.Line, m.Text, strings.Join(m.Expected, " or "), rank, strings.Join(top, "; "))
	}
}
