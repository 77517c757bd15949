package coverage

import "testing"

// Machine output (JSON, YAML, CSV) never says complete, or nothing, when
// it is not: one of 20,000 tracked services not online, one of 83 million
// inhabitants not reached.
func TestMachineSharesReadNeitherOneNorZeroWhenTheyAreNot(t *testing.T) {
	c := Counts{Tracked: 20_000, Online: 19_999}
	if s := c.shareOnline(); s == nil || *s != 0.99995 {
		t.Errorf("shareOnline of 19,999 of 20,000 is not 0.99995")
	}
	if got := csvFormat.share(c); got != "0.99995" {
		t.Errorf("CSV share of 19,999 of 20,000 = %q, want 0.99995", got)
	}
	r := Reach{Population: 83_000_000, reached: 1, possible: 83_000_000}
	r.finish()
	if r.PopulationReach == nil || *r.PopulationReach == 0 {
		t.Errorf("population reach of 1 in 83 million is 0 or unset, want above 0")
	}
}
