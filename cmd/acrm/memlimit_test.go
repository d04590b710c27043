package main

import "testing"

func TestGoMemoryLimitDefaultsUnlessGOMEMLIMIT(t *testing.T) {
	if limit, ok := goMemoryLimit(""); !ok || limit != 4<<30 {
		t.Errorf("GOMEMLIMIT unset: limit %d, set %v; want 4 GiB set", limit, ok)
	}
	for _, env := range []string{"2GiB", "off", " 512MiB "} {
		if _, ok := goMemoryLimit(env); ok {
			t.Errorf("GOMEMLIMIT=%q: the default overrode the user's limit", env)
		}
	}
}
