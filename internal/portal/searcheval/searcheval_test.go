package searcheval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeQueries(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "queries.tsv")
	if err := os.WriteFile(path, []byte("query\texpected\tkind\tsource\n"+body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadQueriesNamesTheBadLine(t *testing.T) {
	for body, want := range map[string]string{
		"Ausweis\t10119\teveryday\n":         ":2: 3 columns",
		"Ausweis\t1011\teveryday\t115\n":     `:2: expected "1011" is not a 5-digit OZG-ID`,
		"# c\nAusweis\t10119\t\t115\n":       ":3: query, kind and source must not be empty",
		"Ausweis\t10119, x\teveryday\t115\n": `:2: expected "x"`,
	} {
		if _, err := ReadQueries(writeQueries(t, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", body, err, want)
		}
	}
}

func TestEvaluateCountsRanks(t *testing.T) {
	qs, err := ReadQueries(writeQueries(t, "# comment\nAusweis\t10119\teveryday\t115\nKfz\t10439, 10437\tabbreviation\town\nxy\t10001\ttypo\town\n"))
	if err != nil || len(qs) != 3 {
		t.Fatalf("%d queries, %v", len(qs), err)
	}
	found := map[string][]string{"Ausweis": {"10119"}, "Kfz": {"10001", "10002", "10003", "10437"}, "xy": nil}
	r, err := Evaluate(qs, func(q string) ([]string, error) { return found[q], nil })
	if err != nil {
		t.Fatal(err)
	}
	if at1, at3, at5 := r.SuccessAt(1), r.SuccessAt(3), r.SuccessAt(5); at1 != 1.0/3 || at3 != 1.0/3 || at5 != 2.0/3 {
		t.Errorf("success@1, @3, @5 = %v, %v, %v", at1, at3, at5)
	}
	if m := r.Misses(3); len(m) != 2 || m[0].Rank != 4 || m[1].Rank != 0 {
		t.Errorf("misses %+v", m)
	}
	var out bytes.Buffer
	r.Print(&out, map[string]string{"10001": "Eins"})
	for _, want := range []string{"all                  3      33.3%      33.3%", `"Kfz": want 10439 or 10437, rank 4; first: 10001 Eins`, `"xy": want 10001, not found`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
