package percent

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		share    float64
		decimals int
		want     string
	}{
		{0, 1, "0.0%"}, {1, 1, "100.0%"}, {0.4286, 1, "42.9%"},
		{3000.0 / 3001, 1, ">99.9%"}, {1.0 / 3001, 1, "<0.1%"},
		{0.9994, 1, "99.9%"}, {0.0006, 1, "0.1%"},
		{0.996, 0, ">99%"}, {0.004, 0, "<1%"}, {0.5, 0, "50%"}, {0.025, 0, "3%"}, {0, 0, "0%"}, {1, 0, "100%"},
	} {
		if got := Format(tc.share, tc.decimals); got != tc.want {
			t.Errorf("Format(%v, %d) = %q, want %q", tc.share, tc.decimals, got, tc.want)
		}
	}
}

func TestFraction(t *testing.T) {
	for _, tc := range []struct {
		share float64
		want  string
	}{
		{0, "0.0000"}, {1, "1.0000"}, {0.5, "0.5000"}, {3.0 / 7, "0.4286"}, {3000.0 / 3001, "0.9997"},
		{19999.0 / 20000, "0.99995"}, {1.0 / 20000, "0.0001"}, {1.0 / 83_000_000, "0.00000001"},
		{(83_000_000.0 - 500) / 83_000_000, "0.99999"}, {0.99994, "0.9999"},
	} {
		if got := FormatFraction(tc.share); got != tc.want {
			t.Errorf("FormatFraction(%v) = %q, want %q", tc.share, got, tc.want)
		}
		if got, _ := Fraction(tc.share); (got == 0) != (tc.share == 0) || (got == 1) != (tc.share == 1) {
			t.Errorf("Fraction(%v) = %v", tc.share, got)
		}
	}
}
