package web

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ThrottleOptions are the limits of login attempts. Zero values take the
// defaults.
type ThrottleOptions struct {
	// UserLimit is the number of failed attempts on one username, without
	// Window passing between two of them, after which the username is
	// locked (default 5).
	UserLimit int
	// AddrLimit is the same for one client address (default 30: an
	// office's staff may share one address).
	AddrLimit int
	// Window forgets the failures of a key when none happened for that
	// long (default 15 minutes).
	Window time.Duration
	// Lock is the first lock (default 1 minute); each failure past the
	// limit doubles it, up to MaxLock (default 15 minutes).
	Lock, MaxLock time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o ThrottleOptions) withDefaults() ThrottleOptions {
	if o.UserLimit <= 0 {
		o.UserLimit = 5
	}
	if o.AddrLimit <= 0 {
		o.AddrLimit = 30
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.Lock <= 0 {
		o.Lock = time.Minute
	}
	if o.MaxLock <= 0 {
		o.MaxLock = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Throttle slows password guessing: it counts failed logins per username
// (whether the user exists or not) and per client address in the
// login_throttle table, shared by every API instance, and locks a key for
// a while once its failures reach the limit. A successful login clears its
// username's failures.
type Throttle struct {
	pool *pgxpool.Pool
	o    ThrottleOptions
}

// NewThrottle returns a throttle over pool's login_throttle table.
func NewThrottle(pool *pgxpool.Pool, o ThrottleOptions) *Throttle {
	return &Throttle{pool: pool, o: o.withDefaults()}
}

func userKey(username string) string { return "user:" + username }
func addrKey(addr string) string     { return "addr:" + addr }

// Locked returns how long the attempts of username from addr must still
// wait (0 when they may go ahead).
func (t *Throttle) Locked(ctx context.Context, username, addr string) (time.Duration, error) {
	now := t.o.Now()
	var until *time.Time
	err := t.pool.QueryRow(ctx, `SELECT max(locked_until) FROM login_throttle WHERE key = ANY($1) AND locked_until > $2`,
		[]string{userKey(username), addrKey(addr)}, now).Scan(&until)
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	if until == nil {
		return 0, nil
	}
	return until.Sub(now), nil
}

// Fail records a failed attempt on username from addr and returns how long
// the next attempt must wait (0 while under the limits).
func (t *Throttle) Fail(ctx context.Context, username, addr string) (time.Duration, error) {
	now := t.o.Now()
	var wait time.Duration
	err := pgx.BeginFunc(ctx, t.pool, func(tx pgx.Tx) error {
		for _, k := range []struct {
			key   string
			limit int
		}{{userKey(username), t.o.UserLimit}, {addrKey(addr), t.o.AddrLimit}} {
			var failures int
			err := tx.QueryRow(ctx, `INSERT INTO login_throttle AS t (key, failures, last_failure) VALUES ($1, 1, $2)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN t.last_failure < $3 THEN 1 ELSE t.failures + 1 END,
					last_failure = $2
				RETURNING failures`, k.key, now, now.Add(-t.o.Window)).Scan(&failures)
			if err != nil {
				return err
			}
			if failures < k.limit {
				continue
			}
			lock := t.lockFor(failures - k.limit)
			if _, err := tx.Exec(ctx, `UPDATE login_throttle SET locked_until = $2 WHERE key = $1`, k.key, now.Add(lock)); err != nil {
				return err
			}
			wait = max(wait, lock)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	// Forget what no longer counts, so that made-up names do not pile up
	// (outside the transaction: it must not wait on other attempts' rows).
	_, _ = t.pool.Exec(ctx, `DELETE FROM login_throttle WHERE last_failure < $1 AND (locked_until IS NULL OR locked_until < $2)`,
		now.Add(-max(t.o.Window, t.o.MaxLock)-time.Hour), now)
	return wait, nil
}

// lockFor is the lock after past failures beyond the limit: Lock doubled
// past times, at most MaxLock.
func (t *Throttle) lockFor(past int) time.Duration {
	d := t.o.Lock
	for range min(past, 20) {
		d *= 2
		if d >= t.o.MaxLock {
			return t.o.MaxLock
		}
	}
	return min(d, t.o.MaxLock)
}

// Succeed clears the failures of username (its address keeps its count:
// one good password must not hide many guesses from the same place).
func (t *Throttle) Succeed(ctx context.Context, username string) error {
	if _, err := t.pool.Exec(ctx, `DELETE FROM login_throttle WHERE key = $1`, userKey(username)); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	return nil
}
