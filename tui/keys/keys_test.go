package keys

import (
	"slices"
	"testing"
)

func TestKeyShowsItsKey(t *testing.T) {
	b := Key("t", "train product")
	if !slices.Equal(b.Keys(), []string{"t"}) || b.Help().Key != "t" || b.Help().Desc != "train product" || !b.Enabled() {
		t.Fatalf("Key: keys %v, help %+v, enabled %v", b.Keys(), b.Help(), b.Enabled())
	}
}
