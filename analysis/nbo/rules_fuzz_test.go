package nbo

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseRules drives the rules file parser (acrm rules check/import) with arbitrary TOML:
// no panic; a refusal is a *RuleError naming the file; accepted rules write back (Marshal)
// to a file that parses to the same rules. Corpus: testdata/fuzz/FuzzParseRules.
func FuzzParseRules(f *testing.F) {
	if def, err := DefaultRules().Marshal(); err == nil {
		f.Add(string(def))
	}
	for _, s := range []string{
		"version = 1\ncap_per_period = 4\neligibility = \"sector <> 'public'\"\n",
		"version = 1\n[cap_by_segment]\ntop = 5\n[[product]]\nid = 7\nmargin = 2500.0\nchurn_risk = 0.2\n",
		"version = 1\nmin_propensity = 1.5\n",
		"version = 1\n[channel.mail]\ncapacity_per_week = 3\n",
		"version = 1\n[[tier]]\nname = 'x'\nobjectives = ['retention', 'loyalty']\n",
		"version = 1\ncap_per_period = = 3\n",
		"version = 1\nmin_propensity = nan\ncap_per_period = 9223372036854775807\n",
		"version = 1\neligibility = \"$$'$$ = $$x$$ OR true); COPY (SELECT 42) TO $$/tmp/x$$; --\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := ParseRules([]byte(src), "r.toml")
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) && !strings.Contains(err.Error(), "r.toml") {
				t.Fatalf("refusal does not name the file: %v", err)
			}
			return
		}
		b, err := r.Marshal()
		if err != nil {
			t.Fatalf("accepted rules do not write back: %v\n%q", err, src)
		}
		back, err := ParseRules(b, "back.toml")
		if err != nil {
			t.Fatalf("written rules do not parse: %v\nsource %q\nwritten:\n%s", err, src, b)
		}
		if !reflect.DeepEqual(r, back) {
			t.Fatalf("round trip changed the rules:\n%+v\n%+v\nsource %q", r, back, src)
		}
	})
}
