package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of the web interface's migrations
// (users, sessions, the login throttle), kept apart from the event store's,
// the read model's, the API's and the activities'.
const VersionTable = "public.web_schema_version"

// EnsureSchema creates or upgrades the web interface's tables (tern
// migrations in web/migrations) and grants the application role what the
// server needs of them. The tables' owner runs it (casetrail migrate, and
// serve before it connects as the server's role). It is idempotent and safe
// to call from several processes at once (tern serializes migrations with
// an advisory lock).
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	ok := false
	defer func() {
		if ok {
			conn.Release()
			return
		}
		// tern's session advisory lock may still be held after a failure:
		// never hand this connection back to the pool.
		c := conn.Hijack()
		_ = c.Close(context.WithoutCancel(ctx))
	}()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), VersionTable)
	if err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	ok = true
	return nil
}
