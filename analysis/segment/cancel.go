package segment

import (
	"context"
	"errors"
	"fmt"
)

// cancelled reports a failure caused by cancelling ctx as the cancellation itself
// (errors.Is(err, context.Canceled)), whatever DuckDB's interrupt message says, so callers
// can treat it as a status rather than an error.
func cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("segment: %w", ctx.Err())
}
