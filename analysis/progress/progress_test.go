package progress

import "testing"

func TestPreludeHasNoFraction(t *testing.T) {
	var got []Progress
	f := Staged(Prelude(func(p Progress) { got = append(got, p) }), "loading view")
	f(Progress{Done: 74, Total: 100, Stage: "rows"})
	f(Progress{Done: 3, Total: 0, Stage: "rows"})
	if len(got) != 2 || got[0].Fraction() != -1 || got[0].Stage != "loading view 74 %" || got[1].Stage != "loading view" {
		t.Fatalf("prelude reports %+v", got)
	}
	if Prelude(nil) != nil {
		t.Fatal("Prelude(nil) is not nil")
	}
}
