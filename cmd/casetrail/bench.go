package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

type benchOptions struct {
	quick bool
	cases int
}

func bench(ctx context.Context, cfg Config, o benchOptions, out io.Writer, logger *slog.Logger) error {
	return errors.New("bench: not yet")
}
