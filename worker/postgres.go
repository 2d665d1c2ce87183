package worker

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/blang/semver/v4"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	pgschema "go.temporal.io/server/schema/postgresql/v12"
	toolschema "go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// The embedded server on PostgreSQL (EmbeddedOptions.DatabaseURL) uses
// Temporal's own PostgreSQL persistence and visibility plugins (pgx driver)
// and Temporal's own schema: the versioned SQL the server module embeds
// (schema/postgresql/v12), applied by the set-up and update tasks of
// temporal-sql-tool (tools/common/schema), as the admin-tools image does.
// docker-compose.yml's schema job applies the same versions.
const (
	// PostgresSchemaVersion is the version of Temporal's PostgreSQL store
	// schema this build sets up and requires (temporal-sql-tool
	// update-schema -d schema/postgresql/v12/temporal/versioned).
	PostgresSchemaVersion = pgschema.Version
	// PostgresVisibilitySchemaVersion is the version of the visibility
	// schema (schema/postgresql/v12/visibility/versioned).
	PostgresVisibilitySchemaVersion = pgschema.VisibilityVersion
	// PostgresHistoryShards is the number of history shards of a Temporal
	// cluster on PostgreSQL made by StartEmbedded (fixed when the cluster is
	// first started; docker-compose.yml's NUM_HISTORY_SHARDS is the same).
	PostgresHistoryShards = 4
	// PostgresVisibilitySuffix names the visibility database beside the
	// store's: temporal -> temporal_visibility, as Temporal's own
	// configuration does.
	PostgresVisibilitySuffix = "_visibility"

	postgresSchemaName           = "postgresql/v12/temporal"
	postgresVisibilitySchemaName = "postgresql/v12/visibility"
	// Connection pools of each of the four services (frontend, history,
	// matching, worker), which each open their own: at most
	// 4 × (8 + 4) connections to the PostgreSQL server.
	postgresMaxConns           = 8
	postgresVisibilityMaxConns = 4
)

// postgresStore is the PostgreSQL store of a running embedded server: the
// server's configuration of both databases and the session that holds the
// store's advisory lock (one embedded server per database).
type postgresStore struct {
	store, visibility *config.SQL
	lock              *pgx.Conn
}

// postgresLockKey is the advisory lock an embedded server holds on its
// store database while it runs.
var postgresLockKey = int64(crc32.ChecksumIEEE([]byte("casetrail embedded temporal")))

// openPostgresStore makes sure the store database named by dbURL and its
// visibility database exist (created when missing, if the role may), locks
// the store for this process and brings both schemas to this build's
// versions with Temporal's schema tool. A database whose schema is newer
// than this build's is refused.
func openPostgresStore(ctx context.Context, dbURL string, logger log.Logger) (*postgresStore, error) {
	visURL, err := VisibilityDatabaseURL(dbURL)
	if err != nil {
		return nil, err
	}
	store, err := postgresSQLConfig(dbURL, postgresMaxConns)
	if err != nil {
		return nil, err
	}
	visibility, err := postgresSQLConfig(visURL, postgresVisibilityMaxConns)
	if err != nil {
		return nil, err
	}
	for _, u := range []string{dbURL, visURL} {
		if err := ensurePostgresDatabase(ctx, u); err != nil {
			return nil, err
		}
	}
	lock, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("temporal database %s: %w", store.DatabaseName, err)
	}
	var locked bool
	if err := lock.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, postgresLockKey).Scan(&locked); err != nil {
		_ = lock.Close(ctx)
		return nil, fmt.Errorf("lock temporal database %s: %w", store.DatabaseName, err)
	}
	if !locked {
		_ = lock.Close(ctx)
		return nil, fmt.Errorf("temporal database %s is in use by another embedded Temporal server", store.DatabaseName)
	}
	p := &postgresStore{store: store, visibility: visibility, lock: lock}
	if err := setupPostgresSchema(store, postgresSchemaName, PostgresSchemaVersion, logger); err != nil {
		p.close()
		return nil, err
	}
	if err := setupPostgresSchema(visibility, postgresVisibilitySchemaName, PostgresVisibilitySchemaVersion, logger); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// close ends the session that holds the advisory lock.
func (p *postgresStore) close() {
	if p != nil && p.lock != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.lock.Close(ctx)
		p.lock = nil
	}
}

// setupPostgresSchema is `temporal-sql-tool setup-schema -v 0.0` followed by
// `update-schema` up to version, from the schema embedded in the server
// module (schemaName). Both are no-ops on a database already at version.
func setupPostgresSchema(cfg *config.SQL, schemaName, version string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(copySQL(cfg), logger)
	if err != nil {
		return fmt.Errorf("temporal database %s: %w", cfg.DatabaseName, err)
	}
	defer conn.Close()
	if err := toolschema.NewSetupSchemaTask(conn, &toolschema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("temporal database %s: set up schema versioning: %w", cfg.DatabaseName, err)
	}
	current, err := conn.ReadSchemaVersion()
	if err != nil {
		return fmt.Errorf("temporal database %s: read schema version: %w", cfg.DatabaseName, err)
	}
	have, err := semver.ParseTolerant(current)
	if err != nil {
		return fmt.Errorf("temporal database %s: schema version %q: %w", cfg.DatabaseName, current, err)
	}
	want, err := semver.ParseTolerant(version)
	if err != nil {
		return err
	}
	switch have.Compare(want) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("temporal database %s has schema %s %s, newer than this build's %s: run the Temporal server version that made it",
			cfg.DatabaseName, schemaName, current, version)
	}
	err = toolschema.NewUpdateSchemaTask(conn, &toolschema.UpdateConfig{
		DBName: cfg.DatabaseName, SchemaName: schemaName, TargetVersion: version,
	}, logger).Run()
	if err != nil {
		return fmt.Errorf("temporal database %s: update schema %s from %s to %s: %w", cfg.DatabaseName, schemaName, current, version, err)
	}
	return nil
}

// copySQL is a copy of cfg the schema tool may change.
func copySQL(cfg *config.SQL) *config.SQL {
	c := *cfg
	c.ConnectAttributes = map[string]string{}
	for k, v := range cfg.ConnectAttributes {
		c.ConnectAttributes[k] = v
	}
	return &c
}

// VisibilityDatabaseURL is the URL of the visibility database that goes
// with the Temporal store database of dbURL: the same server and role, the
// database name with PostgresVisibilitySuffix.
func VisibilityDatabaseURL(dbURL string) (string, error) {
	u, err := parsePostgresURL(dbURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + strings.TrimPrefix(u.Path, "/") + PostgresVisibilitySuffix
	u.RawPath = ""
	return u.String(), nil
}

func parsePostgresURL(dbURL string) (*url.URL, error) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("temporal database URL %q: want postgres://user[:password]@host[:port]/database", redactURL(dbURL))
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("temporal database URL %s: no host (the server connects over TCP)", redactURL(dbURL))
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("temporal database URL %s: no database name", redactURL(dbURL))
	}
	return u, nil
}

// postgresSQLConfig is the server's configuration of the database of dbURL
// (pgx plugin); the URL's query parameters (sslmode, ...) are passed on.
func postgresSQLConfig(dbURL string, maxConns int) (*config.SQL, error) {
	u, err := parsePostgresURL(dbURL)
	if err != nil {
		return nil, err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		if len(v) != 1 {
			return nil, fmt.Errorf("temporal database URL %s: parameter %s given %d times", redactURL(dbURL), k, len(v))
		}
		attrs[k] = v[0]
	}
	password, _ := u.User.Password()
	return &config.SQL{
		PluginName:        postgresplugin.PluginNamePGX,
		DatabaseName:      strings.TrimPrefix(u.Path, "/"),
		ConnectAddr:       net.JoinHostPort(u.Hostname(), port),
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          password,
		ConnectAttributes: attrs,
		MaxConns:          maxConns,
		MaxIdleConns:      maxConns,
		MaxConnLifetime:   time.Hour,
	}, nil
}

// ensurePostgresDatabase creates the database of dbURL when it does not
// exist, connecting to the server's "postgres" database (the role needs
// CREATEDB for that; otherwise an operator creates it).
func ensurePostgresDatabase(ctx context.Context, dbURL string) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("temporal database URL %s: %w", redactURL(dbURL), err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		return conn.Close(ctx)
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); !ok || pe.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("temporal database %s: %w", cfg.Database, err)
	}
	name := cfg.Database
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err = pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("create temporal database %s: %w", name, err)
	}
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "42P04" { // duplicate_database: made meanwhile
		err = nil
	}
	if err != nil {
		return fmt.Errorf("create temporal database %s (or create it as an administrator): %w", name, err)
	}
	return nil
}

// redactURL hides the password of a database URL in messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
