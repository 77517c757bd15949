// Package percent says how a share reads as a percentage in ozgctl's
// tables, the heat map and a ServiceProgramme's status.
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
