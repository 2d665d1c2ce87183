package readmodel

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of the read-model migrations, kept
// apart from the event store's own.
const VersionTable = "public.readmodel_schema_version"

// projectedTables are the tables a rebuild empties: everything derived from
// the event log. The registry (units, official_accounts) is admin data and
// is never truncated.
var projectedTables = []string{"cases", "case_units", "case_subjects", "deadlines", "takedowns", "evidence", "intake",
	"stats_case_days", "stats_deadline_days", "stats_takedown_days"} // the last three: daily rollups (migration 009)

// EnsureSchema creates or upgrades the read-model tables. It is idempotent
// and safe to call from several processes at once (tern serializes
// migrations with an advisory lock).
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("readmodel schema: %w", err)
	}
	defer conn.Release()
	// A schema already at the newest version needs nothing, and the
	// server's own role, which may not create tables, only reads that.
	var version int32
	if conn.QueryRow(ctx, "SELECT version FROM "+VersionTable).Scan(&version) == nil && int(version) == migrationCount() {
		return nil
	}
	m, err := newMigrator(ctx, conn.Conn())
	if err != nil {
		return fmt.Errorf("readmodel schema: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("readmodel schema: %w", err)
	}
	return nil
}

// migrationCount is the number of embedded read-model migrations.
func migrationCount() int {
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	return len(names)
}

// newMigrator returns a migrator of the read-model migrations on conn.
func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return nil, err
	}
	return m, nil
}
