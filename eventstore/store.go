// Package eventstore is CaseTrail's system of record: an append-only
// PostgreSQL event store with one stream per case, a gap-free commit-ordered
// global log, a per-stream SHA-256 hash chain, checkpointed subscriptions and
// content-addressed blobs.
//
// # Tables
//
// The embedded migrations (see Migrate) create:
//
//   - events: every appended event with its global position (primary key),
//     id, stream, 1-based gap-free version, type, schema version, data
//     (jsonb), metadata, occurred/recorded times, prev_hash and hash.
//     UNIQUE(id) makes appends idempotent, UNIQUE(stream, version) enforces
//     expected versions; events_streams indexes the first event of each
//     stream, for Streams. global_hash is the event's link in the global
//     chain (migration 004).
//   - casetrail_append(...): the only way events are inserted (see below).
//   - subscription_checkpoints and blobs.
//   - checkpoints: signed checkpoints of the log (SignCheckpoint), as
//     append-only as events.
//
// Statement-level triggers refuse UPDATE, DELETE and TRUNCATE on events and
// blobs, for every role including the owner (a superuser can still disable
// them; Verify then finds the damage). The role casetrail_app (NOLOGIN,
// created if missing) receives only what the application needs: SELECT and
// INSERT on events and blobs, SELECT, INSERT and UPDATE on
// subscription_checkpoints, and EXECUTE on casetrail_append.
//
// # Global position
//
// The global position is gap-free and commit-ordered: positions are 1, 2, 3,
// ... and a reader that has seen position N never later finds a new event at
// a position <= N. A bigserial gives neither (rolled-back transactions leave
// gaps; a transaction can take a lower number and commit later).
//
// casetrail_append takes a transaction-scoped advisory lock, reads the
// highest position, inserts the events at the next positions and commits;
// the lock is released only after the commit is visible. Appending
// transactions therefore commit one after another, each above everything
// already visible: the log is gap-free and commit-ordered, every stream
// appears in it in version order, and an event has its position (and is
// durable) when Append returns.
//
// Holding one lock across COMMIT serializes the WAL flushes, which would cost
// group commit: one transaction per event runs at a fraction of the rate of
// plain INSERTs from several writers (BenchmarkAlternativeCounterRow and
// BenchmarkAppendVsInsert compare them). So the Store commits in groups
// itself (see committer): concurrent Appends of one Store share one
// transaction and one flush, each append in its own subtransaction so that
// a conflict or a duplicate fails only that append. Groups of different
// processes take turns on the lock. An alternative tried, sequencing after
// commit (appends commit in parallel, a second transaction assigns
// positions), was slower too, paying two transactions per append and a
// pending queue that bloats.
//
// # Hash chain
//
// Each stream is a hash chain: hash = SHA-256(prevHash || encoding), where
// prevHash is the 32 raw bytes of the previous event's hash in the stream
// (32 zero bytes for version 1) and encoding is the concatenation of
//
//	lp("casetrail/event/v1")
//	lp(id)               lower-case hyphenated UUID
//	lp(stream)
//	u64(version)
//	lp(type)
//	u64(schemaVersion)
//	lp(occurredAt)       UTC, time.RFC3339Nano of the microsecond value
//	lp(recordedAt)       same format
//	lp(data)             canonical JSON, below
//	lp(actor) lp(correlationId) lp(causationId) lp(reason)
//
// with lp(s) = the 4-byte big-endian length of s followed by the bytes of
// s, and u64(n) = n as 8 bytes big-endian. Hashes are written as lower-case
// hex. The global position is not in this hash. Verify recomputes the chain
// from the stored rows and reports the first version that does not match.
//
// The global chain (events.global_hash, see GlobalHash) links every event
// to the one before it in the global log, covering its position, and
// signed checkpoints (SignCheckpoint, VerifyLog; see anchor.go) anchor it
// with a key kept outside the database.
//
// Data is stored as jsonb, which reorders keys, drops whitespace and
// rewrites numbers, so the hash covers a canonical form that is the same for
// the submitted text and for what jsonb gives back:
//
//   - no whitespace outside strings;
//   - object members sorted by key, compared as UTF-8 bytes; duplicate keys
//     are rejected (jsonb would silently keep the last one);
//   - strings hold the decoded text; only '"', '\\' and control characters
//     are escaped (\b \f \n \r \t, others as \u00xx), everything else is
//     literal UTF-8. Invalid UTF-8, lone surrogates and \u0000 are rejected
//     (jsonb refuses them);
//   - numbers are written the way PostgreSQL's numeric writes them: plain
//     decimal without exponent (it is folded into the scale: 1.50e1 -> 15.0,
//     1e2 -> 100, 0.001e-2 -> 0.00001), no leading zeros, no sign on zero,
//     at most 1000 digits on either side of the point;
//   - true, false and null as they are.
//
// RecordedEvent.Data is always this canonical form: the bytes that were
// hashed, not necessarily the bytes submitted.
package eventstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

	"casetrail/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is the table where tern records the applied migrations.
const versionTable = "eventstore_schema_version"

var (
	// ErrInvalid reports bad input: an empty stream, no events, a bad id,
	// invalid JSON, a payload that is too large, and so on. The error text
	// gives the reason.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a stream, blob or event that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict matches every *ConflictError with errors.Is.
	ErrConflict = errors.New("version conflict")
	// ErrClosed reports use of a closed Store or of a closed pool.
	ErrClosed = errors.New("store closed")
)

// ConflictError is returned by Append when the stream is not at the expected
// version. Actual is the stream's current version (0 for a new stream).
type ConflictError struct {
	Stream   string
	Expected int64
	Actual   int64
}

// Error describes the conflict.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("eventstore: stream %q is at version %d, expected %d", e.Stream, e.Actual, e.Expected)
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Store is the event store on one PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	pool      *pgxpool.Pool
	ownsPool  bool
	closed    atomic.Bool
	committer committer
	heads     headCache
	cpMu      sync.Mutex
	cpChanged chan struct{} // closed and replaced whenever a checkpoint commits here
	poll      time.Duration // idle subscriptions poll this often (PollInterval)
}

// Open connects to databaseURL (a PostgreSQL URL or key=value string that
// pgxpool understands, including pool_max_conns), creates the database if it
// does not exist, and applies the migrations. Creating the database
// connects to the "postgres" database on the same server and tolerates a
// concurrent creator. Close closes the pool that Open made.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("eventstore: parse database URL: %w", err)
	}
	if err := ensureDatabase(ctx, cfg.ConnConfig); err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("eventstore: connect: %w", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := New(pool)
	s.ownsPool = true
	return s, nil
}

// ensureDatabase creates the database named in cfg when connecting to it
// reports that it does not exist.
func ensureDatabase(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return fmt.Errorf("eventstore: connect: %w", err)
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	ac, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("eventstore: connect to create database %q: %w", cfg.Database, err)
	}
	defer ac.Close(context.WithoutCancel(ctx))
	_, err = ac.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil // duplicate_database / unique_violation: a concurrent creator won
	}
	if err != nil {
		return fmt.Errorf("eventstore: create database %q: %w", cfg.Database, err)
	}
	return nil
}

// New wraps a pool whose database already has the migrations applied. The
// caller keeps ownership of the pool: Close does not close it.
func New(pool *pgxpool.Pool) *Store {
	return &Store{
		pool:      pool,
		committer: committer{queued: make(chan struct{}, 1)},
		heads:     headCache{m: map[string]head{}},
		cpChanged: make(chan struct{}),
		poll:      PollInterval,
	}
}

// Adopt is New for a pool whose ownership passes to the Store: Close
// closes it.
func Adopt(pool *pgxpool.Pool) *Store {
	s := New(pool)
	s.ownsPool = true
	return s
}

// Pool returns the underlying connection pool.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close marks the store closed (later calls fail with ErrClosed) and closes
// the pool if Open created it.
func (s *Store) Close() {
	if s.closed.Swap(true) {
		return
	}
	if s.ownsPool {
		s.pool.Close()
	}
}

// Migrate applies the embedded migrations to the pool's database. It is
// idempotent, and concurrent callers are serialized by tern's session
// advisory lock; the role creation also tolerates migrations of other
// databases on the same server running at the same time.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", versionTable); err != nil {
		return classify("migrate", err)
	}
	return nil
}

// check fails fast on a closed store or a done context.
func (s *Store) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("eventstore: %s: %w", op, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("eventstore: %s: %w", op, err)
	}
	return nil
}

// classify wraps a database error once, mapping a closed pool to ErrClosed
// and PostgreSQL data exceptions (SQLSTATE class 22, check violations) to
// ErrInvalid. Context errors stay visible to errors.Is.
func classify(op string, err error) error {
	if errors.Is(err, puddle.ErrClosedPool) {
		return fmt.Errorf("eventstore: %s: %w", op, ErrClosed)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (len(pgErr.Code) == 5 && pgErr.Code[:2] == "22" || pgErr.Code == "23514") {
		return fmt.Errorf("eventstore: %s: %w: %w", op, ErrInvalid, err)
	}
	return fmt.Errorf("eventstore: %s: %w", op, err)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
