package api

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/jackc/tern/v2/migrate"
)

// legacyCasbinDDL is what the API ran at start before casbin_rule became a
// migration (migrations/002_casbin_rule.sql).
const legacyCasbinDDL = `
CREATE TABLE IF NOT EXISTS casbin_rule (
	id    bigserial PRIMARY KEY,
	ptype text NOT NULL,
	v0    text NOT NULL DEFAULT '',
	v1    text NOT NULL DEFAULT '',
	v2    text NOT NULL DEFAULT '',
	v3    text NOT NULL DEFAULT '',
	v4    text NOT NULL DEFAULT '',
	v5    text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS casbin_rule_unique ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);
CREATE OR REPLACE FUNCTION casbin_rule_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('casetrail_policy', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER casbin_rule_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
	FOR EACH STATEMENT EXECUTE FUNCTION casbin_rule_notify();`

// TestEnsureSchemaUpgradesLegacyCasbinRule: a database whose token tables
// were migrated and whose casbin_rule was made by the old start-up code
// migrates cleanly and keeps its rules, and the trigger still notifies.
func TestEnsureSchemaUpgradesLegacyCasbinRule(t *testing.T) {
	ctx := context.Background()
	pool := newTestPool(t)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewMigrator(ctx, conn.Conn(), VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := fs.Sub(migrationFiles, "migrations")
	if err := m.LoadMigrations(sub); err != nil {
		t.Fatal(err)
	}
	err = m.MigrateTo(ctx, 1) // the token tables only, as released before
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, legacyCasbinDDL); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'leader1', 'LEADER', 'lai-chau')`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := EnsureSchema(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	var version int32
	if err := pool.QueryRow(ctx, "SELECT version FROM "+VersionTable).Scan(&version); err != nil || version < 2 {
		t.Fatalf("schema version %d (%v), want casbin_rule's migration applied", version, err)
	}
	if got := storedRules(t, NewAdapter(pool)); len(got) != 1 || got[0] != "g,leader1,LEADER,lai-chau" {
		t.Fatalf("rules after the upgrade: %q", got)
	}
	// The trigger raises PolicyChannel.
	l, err := listen(ctx, pool, PolicyChannel, "policy")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	if err := NewAdapter(pool).AddPolicy("p", "p", []string{"HANDLER", "triageCase"}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if n, err := l.WaitForNotification(wctx); err != nil || n.Channel != PolicyChannel {
		t.Fatalf("notification %+v (%v), want one on %s", n, err, PolicyChannel)
	}
}

// The channel the trigger of migrations/002_casbin_rule.sql raises is
// PolicyChannel, the one Authorizers listen on.
func TestCasbinMigrationRaisesPolicyChannel(t *testing.T) {
	sql, err := fs.ReadFile(migrationFiles, "migrations/002_casbin_rule.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sql), "pg_notify('"+PolicyChannel+"'") {
		t.Fatalf("migrations/002_casbin_rule.sql does not notify %s", PolicyChannel)
	}
}
