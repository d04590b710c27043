package workspace

import (
	"context"
	"errors"
	"testing"
)

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	boom := errors.New("INTERRUPT Error: Interrupted!")
	if got := Cancelled(ctx, "x", boom); got != boom {
		t.Fatalf("before cancel: %v, want the error as it is", got)
	}
	if got := Cancelled(ctx, "x", nil); got != nil {
		t.Fatalf("nil became %v", got)
	}
	cancel()
	got := Cancelled(ctx, "explore", boom)
	if !errors.Is(got, context.Canceled) || got.Error() != "explore: context canceled" {
		t.Fatalf("after cancel: %v, want explore: context canceled", got)
	}
	if got := Cancelled(ctx, "x", context.Canceled); got != context.Canceled {
		t.Fatalf("a cancellation was wrapped again: %v", got)
	}
}
