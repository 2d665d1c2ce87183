// Package pgmigrate applies a package's embedded tern migrations: the one
// runner of the packages that own tables (eventstore, readmodel, activities,
// api, web), each with a version table of its own.
package pgmigrate

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// Run applies the migrations in the directory dir of files (tern's
// numbered *.sql files) to the pool's database, recording the version in
// versionTable. It is idempotent and safe to call from several processes at
// once: tern serializes migrations with a session advisory lock. After a
// failure the connection, which may still hold that lock, is closed rather
// than handed back to the pool.
func Run(ctx context.Context, pool *pgxpool.Pool, files fs.FS, dir, versionTable string) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if ok {
			conn.Release()
			return
		}
		c := conn.Hijack()
		_ = c.Close(context.WithoutCancel(ctx))
	}()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return err
	}
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return err
	}
	ok = true
	return nil
}
