package web

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/internal/pgmigrate"
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
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", VersionTable); err != nil {
		return fmt.Errorf("web schema: %w", err)
	}
	return nil
}
