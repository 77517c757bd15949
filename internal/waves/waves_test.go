package waves

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestResolveMaxUnavailable(t *testing.T) {
	for _, tc := range []struct {
		value string
		size  int
		want  int
	}{{"50%", 4, 2}, {"25%", 3, 1}, {"1%", 10, 1}, {"100%", 7, 7}, {"3", 10, 3}} {
		v := intstr.Parse(tc.value)
		if got := ResolveMaxUnavailable(&v, tc.size); got != tc.want {
			t.Errorf("resolveMaxUnavailable(%s, %d) = %d, want %d", tc.value, tc.size, got, tc.want)
		}
	}
	if got := ResolveMaxUnavailable(nil, 5); got != 1 {
		t.Errorf("default = %d, want 1", got)
	}
}
