// Package inbox keeps the in-app notifications (issue 18): one row per
// notification per person, in the notifications table it owns
// (migrations/). The inbox channel (activities.Inbox) stores through Add;
// the web interface shows a person their own notifications (List), the
// unread count in the header of every page (Unread), opens one (Open,
// which marks it read) and marks all read (MarkAllRead). Every read and
// write names the subject: nobody reaches another person's notifications
// through this API.
//
// Retention: notifications older than Retention are deleted by Add, at
// most once an hour per Store (and by Purge).
package inbox

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// VersionTable is the tern version table of the inbox's migrations.
const VersionTable = "public.inbox_schema_version"

// EnsureSchema creates or upgrades the notifications table (tern
// migrations in inbox/migrations) and grants the application role what
// the server needs of it. The table's owner runs it (casetrail migrate,
// and serve before it connects as the server's role); idempotent and safe
// from several processes at once.
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgmigrate.Run(ctx, pool, migrationFiles, "migrations", VersionTable); err != nil {
		return fmt.Errorf("inbox schema: %w", err)
	}
	return nil
}

// Retention is how long a notification is kept.
const Retention = 90 * 24 * time.Hour

// purgeEvery is how often Add deletes the expired notifications.
const purgeEvery = time.Hour

// Limits of what is stored (longer texts are cut, with "…").
const (
	MaxHeadline = 1000
	MaxBody     = 20000
	MaxLink     = 2000
)

// PageSize is the number of notifications of a page of the list.
const PageSize = 50

// Entry is one notification as the channel stores it, the same for each
// of its recipients.
type Entry struct {
	// Key identifies the notification: stored once per subject.
	Key string
	// Event is what caused it (DeadlineMissed, …, Digest).
	Event  string
	CaseID string
	Number string
	Title  string
	// Headline is the one line shown in the list (an e-mail's subject).
	Headline string
	// Text is the plain-text body.
	Text string
	// Link is the URL of the case's page, or "".
	Link string
	// At is when it was decided (now when zero).
	At time.Time
}

// Notification is an entry in one person's inbox.
type Notification struct {
	ID      int64
	Subject string
	Entry
	// ReadAt is when the person opened it (zero: unread).
	ReadAt time.Time
}

// Read reports whether the notification was opened or marked read.
func (n Notification) Read() bool { return !n.ReadAt.IsZero() }

// ErrNotFound: the subject has no such notification (none, or another
// person's).
var ErrNotFound = errors.New("inbox: no such notification")

// Store is the notifications table.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time

	mu         sync.Mutex
	lastPurged time.Time
}

// New returns the notifications of pool's database (EnsureSchema first).
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, now: time.Now} }

// cut returns s, at most n characters of valid UTF-8.
func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Add stores e for each of subjects (empty ones and repeats left out) and
// returns how many rows it added: a subject that already has a
// notification with e.Key keeps it unchanged (a retried delivery stores
// once). One statement for all subjects. It deletes the expired
// notifications first, at most once an hour.
func (s *Store) Add(ctx context.Context, e Entry, subjects []string) (int64, error) {
	if strings.TrimSpace(e.Key) == "" {
		return 0, errors.New("inbox: a notification without a key")
	}
	var subs []string
	seen := map[string]bool{}
	for _, sub := range subjects {
		if sub = strings.TrimSpace(sub); sub != "" && !seen[sub] {
			seen[sub] = true
			subs = append(subs, sub)
		}
	}
	if len(subs) == 0 {
		return 0, nil
	}
	if err := s.purgeDue(ctx); err != nil {
		return 0, err
	}
	at := e.At
	if at.IsZero() {
		at = s.now()
	}
	headline := strings.TrimSpace(e.Headline)
	if headline == "" {
		headline = e.Event
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO notifications (subject, key, event, case_id, number, title, headline, body, link, created_at)
		SELECT sub, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM unnest($1::text[]) AS sub
		ON CONFLICT (key, subject) DO NOTHING`,
		subs, cut(e.Key, 500), cut(e.Event, 100), e.CaseID, e.Number, e.Title, cut(headline, MaxHeadline), cut(e.Text, MaxBody),
		cut(e.Link, MaxLink), at)
	if err != nil {
		return 0, fmt.Errorf("inbox: store %s: %w", e.Key, err)
	}
	return tag.RowsAffected(), nil
}

// purgeDue runs Purge when the last one of this Store is an hour old.
func (s *Store) purgeDue(ctx context.Context) error {
	s.mu.Lock()
	due := s.now().Sub(s.lastPurged) >= purgeEvery
	if due {
		s.lastPurged = s.now()
	}
	s.mu.Unlock()
	if !due {
		return nil
	}
	_, err := s.Purge(ctx)
	return err
}

// Purge deletes the notifications older than Retention and returns how
// many.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE created_at < $1`, s.now().Add(-Retention))
	if err != nil {
		return 0, fmt.Errorf("inbox: purge: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Unread returns how many of subject's notifications are unread, counting
// no further than limit (the header shows "99+"; limit <= 0: all).
func (s *Store) Unread(ctx context.Context, subject string, limit int) (int, error) {
	var n int
	var err error
	if limit > 0 {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications
			WHERE subject = $1 AND read_at IS NULL LIMIT $2) AS u`, subject, limit).Scan(&n)
	} else {
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE subject = $1 AND read_at IS NULL`, subject).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("inbox: unread of %s: %w", subject, err)
	}
	return n, nil
}

const columns = `id, subject, key, event, case_id, number, title, headline, body, link, created_at, read_at`

func scan(row pgx.Row) (Notification, error) {
	var n Notification
	var readAt *time.Time
	err := row.Scan(&n.ID, &n.Subject, &n.Key, &n.Event, &n.CaseID, &n.Number, &n.Title, &n.Headline, &n.Text, &n.Link, &n.At, &readAt)
	if readAt != nil {
		n.ReadAt = *readAt
	}
	return n, err
}

// List returns page (from 1) of subject's notifications, PageSize of them,
// newest first, and how many subject has in all.
func (s *Store) List(ctx context.Context, subject string, page int) ([]Notification, int, error) {
	if page < 1 {
		page = 1
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE subject = $1`, subject).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("inbox: list of %s: %w", subject, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM notifications WHERE subject = $1
		ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, subject, PageSize, (page-1)*PageSize)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: list of %s: %w", subject, err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("inbox: list of %s: %w", subject, err)
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// Open marks subject's notification id read (when it was not) and returns
// it; ErrNotFound when subject has none with that id — another person's
// notification included.
func (s *Store) Open(ctx context.Context, subject string, id int64) (Notification, error) {
	n, err := scan(s.pool.QueryRow(ctx, `UPDATE notifications SET read_at = coalesce(read_at, now())
		WHERE id = $1 AND subject = $2 RETURNING `+columns, id, subject))
	if errors.Is(err, pgx.ErrNoRows) {
		return Notification{}, ErrNotFound
	}
	if err != nil {
		return Notification{}, fmt.Errorf("inbox: open %d: %w", id, err)
	}
	return n, nil
}

// MarkAllRead marks every unread notification of subject read and returns
// how many.
func (s *Store) MarkAllRead(ctx context.Context, subject string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE subject = $1 AND read_at IS NULL`, subject)
	if err != nil {
		return 0, fmt.Errorf("inbox: mark all read of %s: %w", subject, err)
	}
	return tag.RowsAffected(), nil
}
