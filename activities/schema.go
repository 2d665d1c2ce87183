package activities

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of the activities' migrations (the
// numbering tables of AllocateCaseNumber and SendEscalation), kept apart from
// the event store's, the read model's and the API's.
const VersionTable = "public.activities_schema_version"

// EnsureSchema creates or upgrades the activities' tables (tern migrations
// in activities/migrations). The tables' owner runs it (casetrail migrate,
// and serve before it connects as the server's role). It is idempotent and
// safe to call from several processes at once (tern serializes migrations
// with an advisory lock).
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", VersionTable); err != nil {
		return fmt.Errorf("activities schema: %w", err)
	}
	return nil
}
