package nbo

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestRulesRoundTrip(t *testing.T) {
	r := DefaultRules()
	r.CapBySegment = map[string]int{"top": 5}
	r.Products = []ProductRule{{ID: 7, Margin: 2500, ChurnRisk: 0.2}}
	r.Eligibility = "sector <> 'public'"
	b, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseRules(b, "x.toml")
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("round trip changed the rules:\n%+v\n%+v", r, back)
	}
}

func TestRulesRefusedWithLineFieldReason(t *testing.T) {
	for _, tc := range []struct {
		name, src, field string
		line             int
		reason           string
	}{
		{"unknown field", "version = 1\ncap_per_period = 3\ncooldown = 5\n", "cooldown", 3, "unknown field"},
		{"wrong type", "version = 1\n\ncap_per_period = \"three\"\n", "cap_per_period", 3, "string"},
		{"out of range", "version = 1\nmin_propensity = 1.5\n", "min_propensity", 2, "probability"},
		{"unknown channel", "version = 1\n[channel.fax]\ncapacity_per_week = 3\n", "channel.fax", 2, "unknown outbound channel"},
		{"unknown key in channel", "version = 1\n[channel.mail]\ncapacity = 3\n", "channel.mail.capacity", 3, "unknown field"},
		{"bad objective", "version = 1\n[[tier]]\nname = 'x'\nobjectives = ['retention', 'loyalty']\n", "tier[1].objectives", 4, "loyalty"},
		{"syntax", "version = 1\ncap_per_period = = 3\n", "", 2, ""},
		{"segment", "version = 1\n[cap_by_segment]\nvip = 4\n", "cap_by_segment.vip", 3, "unknown value segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tc.src), "r.toml")
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *RuleError", err)
			}
			if re.Line != tc.line || re.Field != tc.field || !strings.Contains(re.Error(), tc.reason) || !strings.Contains(re.Error(), "r.toml") {
				t.Errorf("got line %d field %q: %v; want line %d field %q reason ~%q", re.Line, re.Field, err, tc.line, tc.field, tc.reason)
			}
		})
	}
}

func TestImportRefusedKeepsRulesInForce(t *testing.T) {
	ws := scoredWorkspace(t)
	ctx := context.Background()
	good := []byte("version = 1\ncap_per_period = 4\neligibility = \"sector <> 'public'\"\n")
	v, err := ImportRules(ctx, ws, good, "good.toml")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = ws.ExecContext(ctx, `DELETE FROM acrm_rules`) })
	for _, bad := range []string{
		"version = 1\neligibility = \"1; DROP TABLE customers\"\n",
		"version = 1\neligibility = \"no_such_column > 3\"\n",
		"version = 1\neligibility = \"monthly_revenue\"\n",
		"version = 1\n[[product]]\nid = 999\n",
	} {
		if _, err := ImportRules(ctx, ws, []byte(bad), "bad.toml"); err == nil {
			t.Errorf("imported %q", bad)
		} else if !strings.Contains(err.Error(), "bad.toml:") {
			t.Errorf("error without a line: %v", err)
		}
	}
	r, got, err := LoadRules(ctx, ws)
	if err != nil || got != v || r.CapPerPeriod != 4 {
		t.Errorf("rules in force: v%d cap %d, %v; want v%d cap 4", got, r.CapPerPeriod, err, v)
	}
}
