// Package percent says how a share reads as a percentage in ozgctl's
// tables, the heat map and a ServiceProgramme's status, and as a fraction
// in ozgctl's JSON, YAML and CSV.
package percent

import (
	"math"
	"strconv"
)

// Format writes share (0 to 1) as a percentage with decimals places. A
// share between 0 and 1 never reads as 0 or 100 %: it reads as the nearest
// figure that is not, after "<" or ">" ("<0.1%", ">99.9%"), so that one
// service open of 3,000 does not look done, nor one online of 3,000 look
// absent.
func Format(share float64, decimals int) string {
	step := math.Pow(10, -float64(decimals))
	rounded := math.Round(100*share/step) * step
	switch {
	case share > 0 && rounded == 0:
		return "<" + strconv.FormatFloat(step, 'f', decimals, 64) + "%"
	case share < 1 && rounded >= 100:
		return ">" + strconv.FormatFloat(100-step, 'f', decimals, 64) + "%"
	}
	// Half away from zero, as math.Round: FormatFloat alone rounds half to
	// even (2.5 % would read 2 %).
	return strconv.FormatFloat(rounded, 'f', decimals, 64) + "%"
}

// fractionDigits are the decimals a share keeps in machine output (JSON,
// YAML, CSV) unless it needs more.
const fractionDigits = 4

// Fraction rounds share (0 to 1) for machine output: to four decimals, or
// to as many more as it takes not to read 0 or 1 when it is neither (one
// of 83 million not reached is 0.99999999, not 1). It returns the rounded
// share and its decimals, for CSV.
func Fraction(share float64) (float64, int) {
	for d := fractionDigits; ; d++ {
		scale := math.Pow(10, float64(d))
		rounded := math.Round(share*scale) / scale
		if d >= 15 || (rounded == 0) == (share == 0) && (rounded == 1) == (share == 1) {
			return rounded, d
		}
	}
}

// FormatFraction writes share as Fraction rounds it, with at least four
// decimals ("0.5000", "0.99999999").
func FormatFraction(share float64) string {
	rounded, d := Fraction(share)
	return strconv.FormatFloat(rounded, 'f', d, 64)
}
