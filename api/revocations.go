package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// TokenChannel is the PostgreSQL NOTIFY channel raised (by triggers) after
// every change of the revocation tables.
const TokenChannel = "casetrail_tokens"

// revocationRefresh is how often Revocations reload even without a
// notification: the bound on how late a revocation takes effect when the
// listening connection is lost.
const revocationRefresh = 5 * time.Second

// RevokeToken adds the token id jti to the deny list. expires, when not
// zero, is the token's expiry, after which the entry may be forgotten.
// Revoking a revoked id again is a no-op.
func RevokeToken(ctx context.Context, pool *pgxpool.Pool, jti string, expires time.Time, by, reason string) error {
	if strings.TrimSpace(jti) == "" {
		return errors.New("revoke token: empty jti")
	}
	var exp *time.Time
	if !expires.IsZero() {
		exp = &expires
	}
	_, err := pool.Exec(ctx, `INSERT INTO token_revocations (jti, expires_at, revoked_by, reason)
		VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING`, jti, exp, by, reason)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", jti, err)
	}
	return nil
}

// RevokeSubject refuses, from now on, every token of subject issued before
// now (the database's clock), and returns that instant. Tokens minted later
// in the same second are refused too (iat has whole seconds).
func RevokeSubject(ctx context.Context, pool *pgxpool.Pool, subject, by, reason string) (time.Time, error) {
	if strings.TrimSpace(subject) == "" {
		return time.Time{}, errors.New("revoke subject: empty subject")
	}
	var nb time.Time
	err := pool.QueryRow(ctx, `INSERT INTO token_subject_revocations AS r (subject, not_before, revoked_by, reason)
		VALUES ($1, now(), $2, $3)
		ON CONFLICT (subject) DO UPDATE SET not_before = GREATEST(r.not_before, EXCLUDED.not_before),
			revoked_by = EXCLUDED.revoked_by, reason = EXCLUDED.reason
		RETURNING not_before`, subject, by, reason).Scan(&nb)
	if err != nil {
		return time.Time{}, fmt.Errorf("revoke subject %s: %w", subject, err)
	}
	return nb, nil
}

// Revocations is an in-memory copy of the revocation tables, reloaded on
// every change (NOTIFY on TokenChannel) and every few seconds. It is safe for
// concurrent use; call Close when done.
type Revocations struct {
	pool   *pgxpool.Pool
	state  atomic.Pointer[revocationState]
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type revocationState struct {
	jtis      map[string]bool
	notBefore map[string]time.Time
}

// NewRevocations loads the revocation tables (which must exist:
// EnsureSchema) and starts following their changes.
func NewRevocations(ctx context.Context, pool *pgxpool.Pool) (*Revocations, error) {
	r := &Revocations{pool: pool}
	// Listen before the first load so that no change can slip in between.
	conn, err := listen(ctx, pool, TokenChannel, "token revocations")
	if err != nil {
		return nil, err
	}
	if err := r.Reload(ctx); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	kick := make(chan struct{}, 1)
	r.wg.Add(2)
	go func() { defer r.wg.Done(); watch(wctx, r.pool, TokenChannel, "token revocations", conn, kick) }()
	go func() { defer r.wg.Done(); r.reloader(wctx, kick) }()
	return r, nil
}

// Close stops following changes; r keeps answering from what it holds.
func (r *Revocations) Close() {
	r.cancel()
	r.wg.Wait()
}

// Revoked reports whether the token jti of subject issued at iat is
// revoked: its id is on the deny list, or it was issued before the
// subject's "not before".
func (r *Revocations) Revoked(subject, jti string, iat time.Time) bool {
	s := r.state.Load()
	if s == nil {
		return false
	}
	if s.jtis[jti] {
		return true
	}
	nb, ok := s.notBefore[subject]
	return ok && iat.Before(nb)
}

// Reload replaces the in-memory copy with the tables' contents. Entries of
// tokens that have expired (with a margin for clock skew) are left out.
func (r *Revocations) Reload(ctx context.Context) error {
	s := &revocationState{jtis: map[string]bool{}, notBefore: map[string]time.Time{}}
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT jti FROM token_revocations
			WHERE expires_at IS NULL OR expires_at > now() - interval '1 minute'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var jti string
			if err := rows.Scan(&jti); err != nil {
				return err
			}
			s.jtis[jti] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT subject, not_before FROM token_subject_revocations`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sub string
			var nb time.Time
			if err := rows.Scan(&sub, &nb); err != nil {
				return err
			}
			s.notBefore[sub] = nb
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("load token revocations: %w", err)
	}
	r.state.Store(s)
	return nil
}

// reloader reloads on every kick and every revocationRefresh until ctx ends.
func (r *Revocations) reloader(ctx context.Context, kick <-chan struct{}) {
	t := time.NewTicker(revocationRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-t.C:
		}
		if err := r.Reload(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("token revocations: reload failed; keeping the previous list", "err", err)
		}
	}
}
