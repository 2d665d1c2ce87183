package api

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// listen opens a dedicated connection (not taken from the pool) listening on
// channel; what names the listener in errors and logs.
func listen(ctx context.Context, pool *pgxpool.Pool, channel, what string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("listen for %s: %w", what, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("listen for %s: %w", what, err)
	}
	return conn, nil
}

// watch turns notifications on conn's channel into reload requests on kick
// (coalesced: one pending request at most) until ctx ends. A lost
// connection is re-opened with back-off and followed by a request, since
// notifications may have been missed meanwhile.
func watch(ctx context.Context, pool *pgxpool.Pool, channel, what string, conn *pgx.Conn, kick chan<- struct{}) {
	request := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	backoff := 100 * time.Millisecond
	for {
		for conn != nil {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				conn.Close(context.Background())
				conn = nil
				if ctx.Err() != nil {
					return
				}
				slog.Warn(what+": listener lost its connection", "err", err)
				break
			}
			backoff = 100 * time.Millisecond
			request()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
		if c, err := listen(ctx, pool, channel, what); err == nil {
			conn = c
			request()
		}
	}
}
