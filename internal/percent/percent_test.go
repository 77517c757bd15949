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
