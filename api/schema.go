package api

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of the API's migrations, kept apart
// from the event store's and the read model's.
const VersionTable = "public.api_schema_version"

// EnsureSchema creates or upgrades the API's tables (tern migrations in
// api/migrations): the token revocation tables and casbin_rule with its
// change-notification trigger. The tables' owner runs it (casetrail migrate,
// and serve before it connects as the server's role). It is idempotent and
// safe to call from several processes at once (tern serializes migrations
// with an advisory lock).
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", VersionTable); err != nil {
		return fmt.Errorf("api schema: %w", err)
	}
	return nil
}
