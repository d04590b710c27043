package workspace

import (
	"context"
	"errors"
	"fmt"
)

// Cancelled reports a failure caused by cancelling ctx as the cancellation itself
// (errors.Is(err, context.Canceled)), whatever DuckDB's interrupt message says, so callers
// can treat it as a status rather than an error; pkg names the package in the message
// ("explore: context canceled"). Any other error, and nil, are returned as they are.
// Analysis functions use it in a deferred call: defer func() { err = Cancelled(ctx, "x", err) }().
func Cancelled(ctx context.Context, pkg string, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%s: %w", pkg, ctx.Err())
}
