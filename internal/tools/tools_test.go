package tools

import (
	"reflect"
	"testing"
)

func TestKeyJoinsCaseAndSpacing(t *testing.T) {
	for _, name := range []string{"FormSolutions", "Form Solutions", " formsolutions ", "FORM\tSOLUTIONS"} {
		if got := Key(name); got != "formsolutions" {
			t.Errorf("Key(%q) = %q, want formsolutions", name, got)
		}
	}
	if Key("OZG-Hub") == Key("OZG Hub Plus") {
		t.Errorf("different tools share a key")
	}
	if Key("  ") != "" {
		t.Errorf("blank name has a key")
	}
}

func TestTallyTopAndSpellings(t *testing.T) {
	tally := Tally{}
	tally.Add("Form Solutions", 1)
	tally.Add("FormSolutions", 2)
	tally.Add("Civento", 3)
	tally.Add("civento", 3)
	tally.Add("OZG-Hub", 1)
	tally.Add("", 5)
	want := []Count{{"Civento", 6}, {"FormSolutions", 3}, {"OZG-Hub", 1}}
	if got := tally.Top(0); !reflect.DeepEqual(got, want) {
		t.Fatalf("Top(0) = %v, want %v", got, want)
	}
	if got := tally.Top(2); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("Top(2) = %v, want %v", got, want[:2])
	}
	// Taking uses back forgets what drops to zero.
	tally.Add("OZG-Hub", -1)
	tally.Add("FormSolutions", -2)
	want = []Count{{"Civento", 6}, {"Form Solutions", 1}}
	if got := tally.Top(0); !reflect.DeepEqual(got, want) {
		t.Fatalf("after taking back: Top(0) = %v, want %v", got, want)
	}
	if _, ok := tally[Key("OZG-Hub")]; ok {
		t.Fatalf("a tool with no uses left is kept")
	}
}
