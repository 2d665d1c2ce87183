package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore"
)

// Least privilege (issue 12). Migrations and role set-up run as the owner of
// the tables (CASETRAIL_MIGRATE_DATABASE_URL, or DATABASE_URL when that is
// not set); serve, worker and api then connect as a login role that is
// neither owner nor superuser and holds only casetrail_app's privileges:
// SELECT and INSERT on the event log (UPDATE, DELETE and TRUNCATE are never
// granted, and only a superuser could switch the guard trigger off), its own
// read-model and support tables.
//
//   - CASETRAIL_MIGRATE_DATABASE_URL set: DATABASE_URL names the server's
//     login role; the owner creates it (with the URL's password, a member of
//     casetrail_app) when it may, and the role is checked.
//   - development, a superuser DATABASE_URL alone (the README's command):
//     serve creates appLoginRole, a member of casetrail_app, with a password
//     derived from that URL (appPassword), and connects as it.
//   - production refuses a superuser or an owner as the server's role.

// appLoginRole is the login role serve creates for itself in development.
const appLoginRole = "casetrail_server"

// migrateDatabaseURL is the URL migrations and role set-up run with.
func (c Config) migrateDatabaseURL() string {
	if c.MigrateDatabaseURL != "" {
		return c.MigrateDatabaseURL
	}
	return c.DatabaseURL
}

// roleInfo is what PostgreSQL says of the role a connection runs as.
type roleInfo struct {
	name         string
	superuser    bool
	ownsEventLog bool
}

func currentRole(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (roleInfo, error) {
	var r roleInfo
	err := q.QueryRow(ctx, `SELECT current_user, r.rolsuper,
		    coalesce((SELECT tableowner = current_user FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'events'), false)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&r.name, &r.superuser, &r.ownsEventLog)
	if err != nil {
		return roleInfo{}, fmt.Errorf("database role: %w", err)
	}
	return r, nil
}

// connectAsApp returns the store serve, worker and api run on, given the
// owner's store that prepared the database (closed here when another
// connection replaces it).
func connectAsApp(ctx context.Context, cfg Config, owner *eventstore.Store, log *slog.Logger) (*eventstore.Store, error) {
	if cfg.MigrateDatabaseURL != "" {
		// The owner sets up the role DATABASE_URL names, when it may:
		// created if missing, with the URL's password, a member of
		// casetrail_app. An operator who made the role is not overruled.
		pc, err := pgx.ParseConfig(cfg.DatabaseURL)
		if err == nil {
			err = ensureLoginRole(ctx, owner.Pool(), pc.User, pc.Password, false)
		}
		owner.Close()
		if err != nil {
			log.Warn("could not set up the server's database role; using it as it is", "err", err)
		}
		return connectChecked(ctx, cfg, cfg.DatabaseURL, nil)
	}
	r, err := currentRole(ctx, owner.Pool())
	if err != nil {
		owner.Close()
		return nil, err
	}
	if !r.superuser {
		if cfg.production() {
			owner.Close()
			return nil, fmt.Errorf("DATABASE_URL connects as %s, which owns the tables: in production the server runs as a role "+
				"that is neither owner nor superuser; set CASETRAIL_MIGRATE_DATABASE_URL to the owner (README, Security)", r.name)
		}
		log.Warn("the server connects as the owner of the tables; in production give it a role of its own (README, Security)", "role", r.name)
		return owner, nil
	}
	if cfg.production() {
		owner.Close()
		return nil, fmt.Errorf("DATABASE_URL connects as the superuser %s: refused in production; give the server a login role "+
			"that is neither owner nor superuser and set CASETRAIL_MIGRATE_DATABASE_URL to the owner (README, Security)", r.name)
	}
	password := appPassword(cfg.DatabaseURL)
	err = ensureLoginRole(ctx, owner.Pool(), appLoginRole, password, true)
	owner.Close()
	if err != nil {
		return nil, err
	}
	log.Info("development: the server connects to PostgreSQL as its own login role, not as the superuser of DATABASE_URL",
		"role", appLoginRole, "superuser", r.name)
	return connectChecked(ctx, cfg, cfg.DatabaseURL, func(c *pgxpool.Config) {
		c.ConnConfig.User, c.ConnConfig.Password = appLoginRole, password
	})
}

// connectChecked connects to url (as edit changes it) and refuses, in
// production, a role that is a superuser or owns the event log.
func connectChecked(ctx context.Context, cfg Config, url string, edit func(*pgxpool.Config)) (*eventstore.Store, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if edit != nil {
		edit(pc)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("connect as the server's role: %w", err)
	}
	r, err := currentRole(ctx, pool)
	if err == nil && cfg.production() && (r.superuser || r.ownsEventLog) {
		err = fmt.Errorf("DATABASE_URL connects as %s, a superuser or the owner of the tables: refused in production (README, Security)", r.name)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return eventstore.Adopt(pool), nil
}

// appPassword is appLoginRole's password in development: derived from the
// superuser's DATABASE_URL (an HMAC keyed by it), so every process given
// that URL sets and uses the same one, and it is as secret as the URL's own
// password. (Without a password in the URL the server trusts the network
// anyway.)
func appPassword(superuserURL string) string {
	mac := hmac.New(sha256.New, []byte(superuserURL))
	mac.Write([]byte(appLoginRole))
	return hex.EncodeToString(mac.Sum(nil))
}

// ensureLoginRole makes name a login role that is a member of
// casetrail_app. A missing role is created (NOSUPERUSER, NOCREATEROLE, ...,
// with password). An existing one is only made a member, never altered,
// unless it is own (the development role serve owns, whose password follows
// the URL); a role that is the connection's own or a superuser is left
// alone entirely (the server's check then refuses it in production). Roles
// are cluster-wide, so servers of other databases on the same cluster may do
// the same at the same moment: PostgreSQL's "tuple concurrently updated" is
// retried.
func ensureLoginRole(ctx context.Context, pool *pgxpool.Pool, name, password string, own bool) error {
	if name == "" {
		return errors.New("DATABASE_URL names no user")
	}
	pw := ""
	if password != "" {
		pw = " PASSWORD " + quoteLiteral(password)
	}
	alter := "NULL;"
	if own {
		alter = fmt.Sprintf("ALTER ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT%s;",
			pgx.Identifier{name}.Sanitize(), pw)
	}
	stmt := fmt.Sprintf(`DO $casetrail_role$
BEGIN
	IF %[1]s = current_user OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %[1]s AND rolsuper) THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %[1]s) THEN
		BEGIN
			CREATE ROLE %[2]s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT%[3]s;
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	ELSE
		%[4]s
	END IF;
	GRANT casetrail_app TO %[2]s;
END
$casetrail_role$`, quoteLiteral(name), pgx.Identifier{name}.Sanitize(), pw, alter)
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if _, err = pool.Exec(ctx, stmt); err == nil {
			return nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || !strings.Contains(pgErr.Message, "concurrently") {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 20 * time.Millisecond)
	}
	return fmt.Errorf("set up the server's login role %s: %w", name, err)
}

// quoteLiteral quotes s as an SQL string literal (standard_conforming_strings,
// the default since PostgreSQL 9.1: only quotes need doubling).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
